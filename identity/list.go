package identity

import (
	"context"

	"github.com/threadline/threadline/internal/keys"
)

// Customers calls fn for every live customer, in ID order, from one
// consistent snapshot, stopping at fn's first error. It holds one customer
// in memory at a time, so it suits reports over the whole store.
func (g *Graph) Customers(ctx context.Context, fn func(tx *Tx, c CustomerID) error) error {
	return g.View(ctx, func(tx *Tx) error {
		it := tx.txn.NewIter(prefixRange([]byte{byte(keys.Customer)}))
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			c := CustomerID(keys.NewDecoder(it.Key()).Uint())
			if err := fn(tx, c); err != nil {
				return err
			}
		}
		return it.Error()
	})
}
