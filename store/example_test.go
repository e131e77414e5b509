package store_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

func ExampleOpen() {
	// In memory for the example; pass a directory and nil options for a
	// durable store.
	db, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	ctx := context.Background()
	err = db.Update(ctx, func(tx *store.Txn) error {
		return tx.Set(keys.New(keys.Meta).String("greeting"), []byte("hello"))
	})
	if err != nil {
		log.Fatal(err)
	}
	err = db.View(ctx, func(tx *store.Txn) error {
		v, err := tx.Get(keys.New(keys.Meta).String("greeting"))
		fmt.Printf("%s %v\n", v, err)
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// hello <nil>
}

func ExampleDB_Update() {
	db, _ := store.Open("", &store.Options{InMemory: true})
	defer db.Close()
	ctx := context.Background()
	balance := keys.New(keys.Meta).String("balance")

	// A closure that fails leaves nothing behind.
	errInsufficient := errors.New("insufficient funds")
	err := db.Update(ctx, func(tx *store.Txn) error {
		if err := tx.Set(balance, []byte("-5")); err != nil {
			return err
		}
		return errInsufficient
	})
	fmt.Println(err)

	err = db.View(ctx, func(tx *store.Txn) error {
		_, err := tx.Get(balance)
		return err
	})
	fmt.Println(errors.Is(err, store.ErrNotFound))

	// Act on what was committed after Update returns (or in OnCommit): the
	// closure may run more than once.
	err = db.Update(ctx, func(tx *store.Txn) error {
		n, err := store.NextSequence(tx, "orders")
		if err != nil {
			return err
		}
		tx.OnCommit(func() { fmt.Println("committed order", n) })
		return tx.Set(keys.New(keys.Meta).String("order").Uint(n), []byte("2 x coffee"))
	})
	fmt.Println(err)
	// Output:
	// insufficient funds
	// true
	// committed order 1
	// <nil>
}

func ExampleDB_View() {
	db, _ := store.Open("", &store.Options{InMemory: true})
	defer db.Close()
	ctx := context.Background()
	k := keys.New(keys.Meta).String("status")
	_ = db.Update(ctx, func(tx *store.Txn) error { return tx.Set(k, []byte("open")) })

	_ = db.View(ctx, func(tx *store.Txn) error {
		// An Update committing meanwhile is invisible to this View.
		_ = db.Update(ctx, func(u *store.Txn) error { return u.Set(k, []byte("closed")) })
		v, _ := tx.Get(k)
		fmt.Println("inside the view:", string(v))
		fmt.Println("write in a view:", tx.Set(k, []byte("x")))
		return nil
	})
	_ = db.View(ctx, func(tx *store.Txn) error {
		v, _ := tx.Get(k)
		fmt.Println("a later view:", string(v))
		return nil
	})
	// Output:
	// inside the view: open
	// write in a view: store: read-only transaction
	// a later view: closed
}

func ExampleTxn_NewIter() {
	db, _ := store.Open("", &store.Options{InMemory: true})
	defer db.Close()
	ctx := context.Background()

	// A customer's history, keyed by customer then sequence: one prefix
	// is one customer, in order.
	entry := func(customer, seq uint64) []byte { return keys.New(keys.History).Uint(customer).Uint(seq) }
	_ = db.Update(ctx, func(tx *store.Txn) error {
		for _, e := range [][2]uint64{{7, 3}, {7, 1}, {8, 1}, {7, 2}} {
			if err := tx.Set(entry(e[0], e[1]), fmt.Appendf(nil, "event %d", e[1])); err != nil {
				return err
			}
		}
		return nil
	})

	err := db.View(ctx, func(tx *store.Txn) error {
		prefix := keys.New(keys.History).Uint(7)
		it := tx.NewIter(&store.IterOptions{LowerBound: prefix, UpperBound: keys.PrefixEnd(prefix)})
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			fmt.Println(store.FormatKey(it.Key()), string(it.Value()))
		}
		fmt.Println("newest first:")
		for ok := it.Last(); ok; ok = it.Prev() {
			fmt.Println(store.FormatKey(it.Key()))
		}
		return it.Close()
	})
	fmt.Println(err)
	// Output:
	// /history/7/1 event 1
	// /history/7/2 event 2
	// /history/7/3 event 3
	// newest first:
	// /history/7/3
	// /history/7/2
	// /history/7/1
	// <nil>
}

func ExampleFormatKey() {
	fmt.Println(store.FormatKey(keys.New(keys.Ident).String("email").String("ann@example.com")))
	// Output:
	// /ident/email/ann@example.com
}
