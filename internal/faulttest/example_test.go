package faulttest_test

import (
	"context"
	"fmt"

	"github.com/threadline/threadline/internal/faulttest"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// A partition built from the sets of identifiers seen together: the model
// a concurrent run of the graph is compared with.
func ExamplePartition() {
	var p faulttest.Partition
	p.Union("email:ann@example.com", "phone:+14155550100")
	p.Union("email:bob@example.com")
	p.Union("phone:+14155550100", "visitor:v-1")
	for _, set := range p.Sets() {
		fmt.Println(set)
	}
	// Output:
	// [email:ann@example.com phone:+14155550100 visitor:v-1]
	// [email:bob@example.com]
}

// A digest before and after a call tells whether the call changed the
// store; ScanStore tells whether a value is still in it.
func ExampleStoreDigest() {
	ctx := context.Background()
	db, _ := store.Open("", &store.Options{InMemory: true})
	defer db.Close()
	before, _ := faulttest.StoreDigest(ctx, db)
	_ = db.Update(ctx, func(tx *store.Txn) error {
		return tx.Set(keys.New(keys.Meta).String("note"), []byte("ann@example.com"))
	})
	after, _ := faulttest.StoreDigest(ctx, db)
	fmt.Println("changed:", before != after, "keys:", after.Keys)
	hits, _ := faulttest.ScanStore(ctx, db, "ann@example.com")
	fmt.Println(hits)
	// Output:
	// changed: true keys: 2
	// ["ann@example.com" in value of /meta/note at 0]
}
