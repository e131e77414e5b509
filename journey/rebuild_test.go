package journey_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// TestRebuildAll: after the grouping options change, RebuildAll makes
// every customer's live state valid for the new options and equal to Group
// with them, and drops the states of customers that are gone.
func TestRebuildAll(t *testing.T) {
	ctx := context.Background()
	w := openWorld(t, "", nil)
	defer w.db.Close()
	w.appendRandom(t, 7, 25)
	// Forget erases the live state with the customer; a no-op journey
	// eraser stands in for a store written before it did, so the customer
	// leaves its live state behind for RebuildAll to find.
	gone, ok := someCustomer(t, w, rand.New(rand.NewPCG(2, 2)))
	require.True(t, ok)
	w.g.RegisterEraser("journey", identity.EraserFunc(func(*identity.Tx, identity.CustomerID, []identity.Identifier) error { return nil }))
	_, err := w.g.Forget(ctx, gone, identity.ForgetOptions{})
	require.NoError(t, err)

	opts := &journey.Options{Gap: time.Hour, ReopenWindow: 2 * time.Hour}
	// The process restarts with other options: its new tracker takes the
	// old one's place on the timeline.
	require.True(t, w.tl.Detach(journey.HookName))
	other, err := journey.NewTracker(w.tl, &journey.Options{Gap: opts.Gap, ReopenWindow: opts.ReopenWindow, Clock: func() time.Time { return w.now }})
	require.NoError(t, err)
	var cs []identity.CustomerID
	require.NoError(t, w.g.Customers(ctx, func(_ *identity.Tx, c identity.CustomerID) error {
		cs = append(cs, c)
		return nil
	}))
	require.NotEmpty(t, cs)
	_, valid, err := other.LiveState(ctx, cs[0])
	require.NoError(t, err)
	require.False(t, valid, "state kept with the old options")

	n, err := other.RebuildAll(ctx)
	require.NoError(t, err)
	require.Equal(t, len(cs)+1, n, "the live customers' states and the forgotten one's")
	for _, c := range cs {
		page, err := w.tl.Read(ctx, c, timeline.Query{})
		require.NoError(t, err)
		live, valid, err := other.LiveState(ctx, c)
		require.NoError(t, err)
		require.True(t, valid, "customer %s: state rebuilt", c)
		require.Equal(t, journey.Group(c, page.Events, opts, w.now), live, "customer %s", c)
	}
	again, err := other.RebuildAll(ctx)
	require.NoError(t, err)
	require.Equal(t, len(cs), again, "only live customers keep a state")
}
