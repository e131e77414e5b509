package journey

import (
	"context"
	"errors"
	"fmt"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// rebuildBatch is how many customers' states RebuildAll rebuilds per
// transaction: enough to amortize a commit, few enough to keep each
// transaction small.
const rebuildBatch = 64

// RebuildAll rebuilds the live state of every customer that has one from
// its timeline, with this tracker's options: after the grouping options
// changed, so that reads are cheap again at once rather than after each
// customer's next append (package threadline's Open does it when its
// configuration fingerprint shows new journey options). States of
// customers that no longer exist are deleted. It returns how many states
// it rebuilt or deleted.
//
// It takes time linear in the stored events of those customers, in
// transactions of a few customers each, so appends may run meanwhile:
// each customer's state is valid whichever commits first.
func (t *Tracker) RebuildAll(ctx context.Context) (int, error) {
	n := 0
	from := keys.New(keys.JourneyState)
	for {
		cs, next, err := t.stateCustomers(ctx, from)
		if err != nil || len(cs) == 0 {
			return n, err
		}
		err = t.tl.Graph().Update(ctx, func(tx *identity.Tx) error {
			for _, c := range cs {
				live, err := tx.Resolve(c)
				if errors.Is(err, identity.ErrNotFound) {
					err = tx.Store().DeleteRange(stateRange(c))
				} else if err == nil {
					err = t.rebuild(tx, live)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(cs)
		from = next
	}
}

// stateCustomers returns up to rebuildBatch customers whose state header
// is at or after key from, and the key to continue from.
func (t *Tracker) stateCustomers(ctx context.Context, from []byte) ([]identity.CustomerID, []byte, error) {
	var cs []identity.CustomerID
	var next []byte
	err := t.tl.Graph().View(ctx, func(tx *identity.Tx) error {
		cs, next = cs[:0], nil
		it := tx.Store().NewIter(&store.IterOptions{UpperBound: keys.PrefixEnd(keys.New(keys.JourneyState))})
		for ok := it.SeekGE(from); ok && len(cs) < rebuildBatch; {
			d := keys.NewDecoder(it.Key())
			c := identity.CustomerID(d.Uint())
			if d.Err() != nil {
				err := fmt.Errorf("%w: %s: %w", errCorruptState, store.FormatKey(it.Key()), d.Err())
				it.Close()
				return err
			}
			cs = append(cs, c)
			_, next = stateRange(c)
			ok = it.SeekGE(next)
		}
		return it.Close()
	})
	return cs, next, err
}
