package identity

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/internal/named"
)

// Eraser erases what a layer built on identity (the timeline's events, the
// journeys' state) keeps about one customer. Register one with
// [Graph.RegisterEraser]; Forget then runs it, so that one call erases the
// customer from every layer.
type Eraser interface {
	// Erase is called by Forget inside its transaction, before the
	// customer's identity records are erased, with the customer's live ID
	// and its canonical identifiers. It must keep its effects inside tx:
	// the transaction may run more than once. An error aborts the Forget,
	// and nothing is erased.
	Erase(tx *Tx, c CustomerID, ids []Identifier) error
}

// EraserFunc is a function that is an [Eraser].
type EraserFunc func(tx *Tx, c CustomerID, ids []Identifier) error

// Erase calls f.
func (f EraserFunc) Erase(tx *Tx, c CustomerID, ids []Identifier) error { return f(tx, c, ids) }

// ErrIncompleteErasure is wrapped by [*IncompleteErasureError].
var ErrIncompleteErasure = errors.New("identity: incomplete erasure")

// IncompleteErasureError is returned by Forget when the store holds data
// of a layer (see [Tx.RequireEraser]) whose eraser is not registered with
// this Graph: erasing the identity alone would leave that data behind,
// and would let it reappear for a later customer with the same values.
// Nothing was erased. Open the layer (timeline.Open, journey.NewTracker)
// on the graph, or forget through the front door, and try again.
type IncompleteErasureError struct {
	Missing []string // the erasers required by the store and not registered, in name order
}

func (e *IncompleteErasureError) Error() string {
	return fmt.Sprintf("identity: incomplete erasure: the store holds data erased by %s, not registered with this graph (open that layer)",
		strings.Join(e.Missing, ", "))
}

// Unwrap returns [ErrIncompleteErasure].
func (e *IncompleteErasureError) Unwrap() error { return ErrIncompleteErasure }

// erasers are the erasers registered with a Graph, and the requirements
// already committed from it. The zero value is empty and ready.
type erasers struct {
	list     named.List[Eraser]
	required sync.Map // name → true once a RequireEraser of it committed
}

// RegisterEraser registers e under name: from now on every Forget through
// g ([Graph.Forget], [Tx.Forget], and the layers' Forget methods built on
// them) calls it inside its transaction. Registering under a name in use
// replaces that eraser; a nil e removes it. Erasers run in name order, and
// what one erases is gone for the next. Safe for concurrent use; a Forget
// in progress runs with the erasers it started with.
func (g *Graph) RegisterEraser(name string, e Eraser) {
	if e == nil {
		g.erase.list.Delete(name)
		return
	}
	g.erase.list.Set(name, e)
}

// RequireEraser records in the store, inside tx, that it holds data only
// the eraser registered as name erases. From the commit on, Forget
// refuses with an [*IncompleteErasureError] in any process whose Graph has
// no eraser of that name, so that no process can erase a customer's
// identity and leave the layer's data behind. A layer calls it in every
// transaction that writes data about customers; once one such transaction
// committed through this Graph, it costs a map lookup.
func (tx *Tx) RequireEraser(name string) error {
	if _, ok := tx.g.erase.required.Load(name); ok {
		return nil
	}
	if err := tx.txn.Set(keys.New(keys.Erasure).String(name), nil); err != nil {
		return err
	}
	tx.txn.OnCommit(func() { tx.g.erase.required.Store(name, true) })
	return nil
}

// runErasers checks that every eraser the store requires is registered,
// then runs them all on customer c (live) with its identifiers.
func (tx *Tx) runErasers(c CustomerID, ids []Identifier) error {
	list := tx.g.erase.list.All()
	prefix := keys.New(keys.Erasure)
	it := tx.txn.NewIter(prefixRange(prefix))
	var missing []string
	for ok := it.First(); ok; ok = it.Next() {
		d := keys.NewDecoder(it.Key())
		name := d.String()
		if err := d.Err(); err != nil {
			it.Close()
			return err
		}
		if !slices.ContainsFunc(list, func(n named.Entry[Eraser]) bool { return n.Name == name }) {
			missing = append(missing, name)
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	if len(missing) > 0 {
		return &IncompleteErasureError{Missing: missing}
	}
	for _, n := range list {
		if err := n.Value.Erase(tx, c, ids); err != nil {
			return fmt.Errorf("eraser %q: %w", n.Name, err)
		}
	}
	return nil
}
