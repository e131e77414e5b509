package timeline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// markHook writes one key per event it sees inside the transaction, and
// logs its calls once they commit (a transaction may run more than once);
// fail makes it refuse.
type markHook struct {
	name string
	log  *[]string
	fail error
}

func markKey(id string) []byte { return keys.New(keys.Meta).String("hooktest/" + id) }

func (h *markHook) Appended(tx *identity.Tx, ns []timeline.Notice) error {
	var calls []string
	for _, n := range ns {
		calls = append(calls, h.name+":"+n.Event.ID+"@"+n.Customer.String())
		if err := tx.Store().Set(markKey(n.Event.ID), nil); err != nil {
			return err
		}
	}
	tx.Store().OnCommit(func() { *h.log = append(*h.log, calls...) })
	return h.fail
}

// hooked returns a timeline with a markHook attached under name.
func hooked(t *testing.T, name string) (*timeline.Timeline, *store.DB, *markHook, *[]string) {
	tl, db := testTimeline(t)
	log := new([]string)
	h := &markHook{name: name, log: log}
	require.NoError(t, tl.Attach(name, h))
	return tl, db, h, log
}

func hasMark(t *testing.T, db *store.DB, id string) bool {
	var ok bool
	require.NoError(t, db.View(context.Background(), func(txn *store.Txn) error {
		var err error
		ok, err = txn.Has(markKey(id))
		return err
	}))
	return ok
}

// TestHookInsideAppend: attached hooks see each new event once, in batch
// order and name order, and write in the Append's transaction; duplicates
// are not shown again; a failing hook aborts the whole Append.
func TestHookInsideAppend(t *testing.T) {
	ctx := context.Background()
	tl, db, b, logp := hooked(t, "b")
	require.NoError(t, tl.Attach("a", &markHook{name: "a", log: logp}))

	_, err := tl.Append(ctx, testEvent("e1", 1, email("ann")), testEvent("e2", 0, email("bo")))
	require.NoError(t, err)
	require.Equal(t, []string{"a:e1@c1", "a:e2@c2", "b:e1@c1", "b:e2@c2"}, *logp)
	require.True(t, hasMark(t, db, "e1"))

	*logp = nil
	_, err = tl.Append(ctx, testEvent("e1", 1, email("ann")), testEvent("e3", 2, email("ann")))
	require.NoError(t, err)
	require.Equal(t, []string{"a:e3@c1", "b:e3@c1"}, *logp, "the duplicate e1 is not shown again")

	// A hook's error rolls the Append back: no event, no mark.
	*logp = nil
	b.fail = errors.New("hook refuses")
	_, err = tl.Append(ctx, testEvent("e4", 3, email("ann")))
	require.ErrorIs(t, err, b.fail)
	require.False(t, hasMark(t, db, "e4"))
	page, err := tl.Read(ctx, 1, timeline.Query{})
	require.NoError(t, err)
	require.Len(t, page.Events, 2, "e4 was not stored")

	// A name in use is refused, a hook stays attached until detached, and
	// a detached name can be used again.
	*logp = nil
	require.ErrorIs(t, tl.Attach("a", &markHook{name: "a2", log: logp}), timeline.ErrHookExists)
	require.ErrorIs(t, tl.Attach("", &markHook{}), timeline.ErrInvalidHook)
	require.ErrorIs(t, tl.Attach("c", nil), timeline.ErrInvalidHook)
	require.True(t, tl.Detach("b"))
	require.False(t, tl.Detach("b"))
	require.True(t, tl.Detach("a"))
	require.NoError(t, tl.Attach("a", &markHook{name: "a2", log: logp}))
	_, err = tl.Append(ctx, testEvent("e5", 4, email("ann")))
	require.NoError(t, err)
	require.Equal(t, []string{"a2:e5@c1"}, *logp)

	// An Append with nothing new calls no hook.
	*logp = nil
	_, err = tl.Append(ctx, testEvent("e5", 4, email("ann")))
	require.NoError(t, err)
	require.Empty(t, *logp)
}

// TestForgetErasesEvents: the graph's Forget, the identity call, erases
// the events too (the timeline registered its eraser at Open), in one
// transaction with the other erasers, which run in name order before it
// and see the events; an eraser's error erases nothing. A graph on the
// same store without the timeline refuses to forget.
func TestForgetErasesEvents(t *testing.T) {
	ctx := context.Background()
	tl, db := testTimeline(t)
	_, err := tl.Append(ctx, testEvent("e1", 1, email("ann")), testEvent("e2", 2, email("bo")),
		testEvent("e3", 3, email("ann"), email("bo"))) // merges c2 into c1
	require.NoError(t, err)

	other, err := identity.Open(db, nil)
	require.NoError(t, err)
	_, err = other.Forget(ctx, 1, identity.ForgetOptions{})
	require.ErrorIs(t, err, identity.ErrIncompleteErasure)

	var fail error
	var got []identity.Identifier
	var events int
	tl.Graph().RegisterEraser("a-test", identity.EraserFunc(func(tx *identity.Tx, c identity.CustomerID, ids []identity.Identifier) error {
		page, err := timeline.ReadTx(tx, c, timeline.Query{})
		got, events = ids, len(page.Events)
		return errors.Join(err, fail)
	}))
	fail = errors.New("eraser refuses")
	_, err = tl.Graph().Forget(ctx, 2, identity.ForgetOptions{})
	require.ErrorIs(t, err, fail)
	page, err := tl.Read(ctx, 1, timeline.Query{})
	require.NoError(t, err)
	require.Len(t, page.Events, 3, "a refused Forget erases nothing")

	fail = nil
	_, err = tl.Graph().Forget(ctx, 2, identity.ForgetOptions{}) // the absorbed ID
	require.NoError(t, err)
	require.ElementsMatch(t, []identity.Identifier{email("ann"), email("bo")}, got)
	require.Equal(t, 3, events, "the eraser ran before the timeline's")
	require.NoError(t, db.View(ctx, func(txn *store.Txn) error {
		for _, tab := range []keys.Table{keys.Event, keys.EventID} {
			it := txn.NewIter(&store.IterOptions{LowerBound: keys.New(tab), UpperBound: keys.PrefixEnd(keys.New(tab))})
			for ok := it.First(); ok; ok = it.Next() {
				t.Errorf("left after Forget: %s", store.FormatKey(it.Key()))
			}
			if err := it.Close(); err != nil {
				return err
			}
		}
		return nil
	}))
}
