package journey

import (
	"errors"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// eraserName is the name the journey layer's eraser is registered and
// required under (see [identity.Tx.RequireEraser]): every Append that
// keeps live or trigger state requires it, so that a Forget in a process
// without a tracker refuses instead of leaving that state behind.
const eraserName = "journey"

// registerEraser registers the journey layer's eraser with g. It keeps no
// reference to a tracker or triggers: what it erases is found in the store.
func registerEraser(g *identity.Graph) {
	g.RegisterEraser(eraserName, identity.EraserFunc(erase))
}

// erase is the journey layer's [identity.Eraser]: it deletes the claims of
// the customer's identifiers and the live states they lead to, the
// customer's live state, the trigger evaluations due for it and the last
// firings that name it. Due evaluations and firings of customers that no
// longer exist are deleted too.
func erase(tx *identity.Tx, c identity.CustomerID, ids []identity.Identifier) error {
	for _, id := range ids {
		if err := releaseClaim(tx.Store(), id, 0); err != nil {
			return err
		}
	}
	if err := tx.Store().DeleteRange(stateRange(c)); err != nil {
		return err
	}
	ds, err := scanDue(tx.Store(), time.Time{}, 0)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if gone, err := forgotten(tx, d.customer, c); err != nil {
			return err
		} else if gone {
			if err := tx.Store().Delete(dueKey(d.at.UnixNano(), d.trigger, d.event)); err != nil {
				return err
			}
		}
	}
	names, err := firingNames(tx.Store())
	if err != nil {
		return err
	}
	for _, name := range names {
		f, _, err := lastFiring(tx.Store(), name)
		if err != nil {
			return err
		}
		if gone, err := forgotten(tx, f.Customer, c); err != nil {
			return err
		} else if gone {
			if err := tx.Store().Delete(keys.New(keys.TriggerLast).String(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// forgotten reports whether customer x is c (live) or no longer exists.
func forgotten(tx *identity.Tx, x, c identity.CustomerID) (bool, error) {
	live, err := tx.Resolve(x)
	if errors.Is(err, identity.ErrNotFound) {
		return true, nil
	}
	return live == c, err
}

// firingNames lists the triggers with a stored last firing, whether or not
// this process configured them.
func firingNames(t *store.Txn) ([]string, error) {
	prefix := keys.New(keys.TriggerLast)
	it := t.NewIter(&store.IterOptions{LowerBound: prefix, UpperBound: keys.PrefixEnd(prefix)})
	var out []string
	for ok := it.First(); ok; ok = it.Next() {
		d := keys.NewDecoder(it.Key())
		name := d.String()
		if err := d.Err(); err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, name)
	}
	return out, it.Close()
}
