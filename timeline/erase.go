package timeline

import (
	"context"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// eraserName is the name the timeline's eraser is registered and required
// under (see [identity.Tx.RequireEraser]).
const eraserName = "timeline"

// Forget is [identity.Graph.Forget] on the timeline's graph: it erases the
// customer from every layer opened on the graph, its events among them
// (handoffs and decisions are events), in one transaction.
func (tl *Timeline) Forget(ctx context.Context, c identity.CustomerID, opts identity.ForgetOptions) (identity.ForgetResult, error) {
	return tl.g.Forget(ctx, c, opts)
}

// eraseEvents is the timeline's [identity.Eraser]: it deletes every event
// of the customer's identifiers and their ID index entries.
func eraseEvents(tx *identity.Tx, _ identity.CustomerID, ids []identity.Identifier) error {
	for _, id := range ids {
		if err := forgetEvents(tx.Store(), id); err != nil {
			return err
		}
	}
	return nil
}

// forgetEvents deletes every event of one identifier and its ID index
// entries.
func forgetEvents(t *store.Txn, id identity.Identifier) error {
	prefix := eventPrefix(id)
	it := t.NewIter(&store.IterOptions{LowerBound: prefix, UpperBound: keys.PrefixEnd(prefix)})
	var ids []string
	for ok := it.First(); ok; ok = it.Next() {
		_, eid, err := decodeKey(it.Key(), prefix)
		if err != nil {
			it.Close()
			return err
		}
		ids = append(ids, eid)
	}
	if err := it.Close(); err != nil {
		return err
	}
	for _, eid := range ids {
		if err := t.Delete(eventIDKey(eid)); err != nil {
			return err
		}
	}
	return t.DeleteRange(prefix, keys.PrefixEnd(prefix))
}
