package journey_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/internal/storetest"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// world is a graph, timeline and tracker over one store, with a clock.
type world struct {
	db  *store.DB
	g   *identity.Graph
	tl  *timeline.Timeline
	tr  *journey.Tracker
	now time.Time
	// events counts the events a benchmark fixture holds.
	events int
}

func openWorld(t testing.TB, dir string, opts *journey.Options) *world {
	var db *store.DB
	var err error
	if dir == "" {
		db = storetest.Open(t) // on PostgreSQL when THREADLINE_TEST_POSTGRES is set
	} else {
		db, err = store.Open(dir, nil)
		require.NoError(t, err)
	}
	w := &world{db: db, now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	w.g, err = identity.Open(db, &identity.Options{Clock: clock})
	require.NoError(t, err)
	w.tl, err = timeline.Open(w.g, &timeline.Options{Clock: clock})
	require.NoError(t, err)
	o := opts.Clone()
	o.Clock = clock
	w.tr, err = journey.NewTracker(w.tl, o)
	require.NoError(t, err)
	return w
}

// grouped is what the live state must equal: Group over the stored
// timeline.
func (w *world) grouped(t testing.TB, c identity.CustomerID) []journey.Journey {
	page, err := w.tl.Read(context.Background(), c, timeline.Query{})
	require.NoError(t, err)
	live, err := w.g.Resolve(context.Background(), c)
	require.NoError(t, err)
	return journey.Group(live, page.Events, nil, w.now)
}

// checkAll compares, for every customer, the journeys read, the open
// journeys and (when valid) the stored live state with Group over the
// stored timeline. It returns how many customers had a valid state.
func (w *world) checkAll(t testing.TB, step string) (valid, customers int) {
	ctx := context.Background()
	var cs []identity.CustomerID
	require.NoError(t, w.g.Customers(ctx, func(_ *identity.Tx, c identity.CustomerID) error {
		cs = append(cs, c)
		return nil
	}))
	for _, c := range cs {
		want := w.grouped(t, c)
		got, err := w.tr.Journeys(ctx, c)
		require.NoError(t, err)
		require.Equal(t, want, got, "%s: customer %s: journeys", step, c)
		var brief []journey.Journey
		require.NoError(t, w.g.View(ctx, func(tx *identity.Tx) error {
			brief, err = w.tr.BriefJourneysTx(tx, c)
			return err
		}))
		wantBrief := slices.Clone(want)
		for i := range wantBrief {
			wantBrief[i].Switches, wantBrief[i].ContactLog, wantBrief[i].Facts = nil, nil, nil
		}
		require.Equal(t, wantBrief, brief, "%s: customer %s: brief journeys", step, c)
		live, ok, err := w.tr.LiveState(ctx, c)
		require.NoError(t, err)
		if ok {
			valid++
			require.Equal(t, want, live, "%s: customer %s: live state", step, c)
		}
		open, err := w.tr.OpenJourneys(ctx, c)
		require.NoError(t, err)
		var wantOpen []journey.Journey
		for i := len(want) - 1; i >= 0; i-- {
			if want[i].State == journey.Open {
				wantOpen = append(wantOpen, want[i])
			}
		}
		require.Equal(t, wantOpen, open, "%s: customer %s: open journeys", step, c)
	}
	return valid, len(cs)
}

// gen makes random events over a small set of identifiers, so that events
// merge customers, and a few late or repeated ones.
type gen struct {
	r      *rand.Rand
	n      int
	clock  time.Time
	events []timeline.Event
}

var (
	genIDs = []identity.Identifier{
		identity.New(identity.Email, "ann@example.com"), identity.New(identity.Email, "bo@example.com"),
		identity.New(identity.Email, "cy@example.com"), identity.New(identity.Email, "di@example.com"),
		identity.New(identity.Phone, "+14155550100"), identity.New(identity.Phone, "+14155550101"),
		identity.New(identity.Phone, "+14155550102"),
	}
	genIntents = []string{"billing", "delivery", "refund", ""}
	genActors  = []timeline.ActorKind{timeline.Customer, timeline.Customer, timeline.Bot, timeline.Agent, timeline.System}
	genTypes   = []timeline.Type{timeline.Message, timeline.Message, timeline.Resolution, timeline.Handoff, timeline.Transfer, timeline.Decision}
)

func (g *gen) event() timeline.Event {
	if len(g.events) > 0 && g.r.IntN(12) == 0 {
		return g.events[g.r.IntN(len(g.events))] // a duplicate delivery
	}
	g.n++
	step := time.Duration(g.r.IntN(3*24*60)) * time.Minute
	if g.r.IntN(4) == 0 {
		step = time.Duration(g.r.IntN(20)) * time.Minute
	}
	g.clock = g.clock.Add(step)
	at := g.clock
	if g.r.IntN(6) == 0 {
		at = at.Add(-time.Duration(g.r.IntN(10*24)) * time.Hour) // late
	}
	e := timeline.Event{ID: fmt.Sprintf("e%03d", g.n), Time: at, Channel: channels[g.r.IntN(len(channels))],
		Actor: timeline.Actor{Kind: genActors[g.r.IntN(len(genActors))]}, Type: genTypes[g.r.IntN(len(genTypes))],
		Intent: genIntents[g.r.IntN(len(genIntents))], Identifiers: []identity.Identifier{genIDs[g.r.IntN(len(genIDs))]}}
	e.Direction = timeline.Outbound
	switch e.Actor.Kind {
	case timeline.Customer:
		e.Direction = timeline.Inbound
	case timeline.Agent:
		e.Actor.ID = "agent-1"
	}
	if g.r.IntN(3) == 0 {
		e.Identifiers = append(e.Identifiers, genIDs[g.r.IntN(len(genIDs))])
	}
	if g.r.IntN(5) == 0 {
		e.Case = fmt.Sprintf("CS-%d", g.r.IntN(3))
	}
	if g.r.IntN(4) == 0 {
		e.Facts = []timeline.Fact{{Key: "order_id", Value: fmt.Sprint(g.r.IntN(5))}}
	}
	if e.Actor.Kind != timeline.Customer && g.r.IntN(4) == 0 {
		e.Attrs = map[string]string{timeline.AttrAsks: "order_id"}
		e.Actions = []timeline.Action{{Name: "lookup", Outcome: "failed"}}
	}
	g.events = append(g.events, e)
	return e
}

// TestLiveEqualsGroup is the metamorphic test of the live state: after
// every append (in order, late, duplicated, merging customers), split
// (identity Unlink), Forget and Refresh, the journeys read, the open
// journeys and every valid live state equal Group over the stored
// timeline, and Forget leaves no journey state naming what it erased.
func TestLiveEqualsGroup(t *testing.T) {
	seeds, steps := 12, 80
	if testing.Short() {
		seeds = 4
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			ctx := context.Background()
			w := openWorld(t, "", nil)
			defer w.db.Close()
			g := &gen{r: rand.New(rand.NewPCG(uint64(seed), 11)), clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
			var validAfterAppend, touched int
			for step := range steps {
				name := fmt.Sprintf("step %d", step)
				switch op := g.r.IntN(20); {
				case op < 15:
					batch := make([]timeline.Event, 1+g.r.IntN(4))
					for i := range batch {
						batch[i] = g.event()
					}
					w.now = g.clock.Add(time.Duration(g.r.IntN(10*24)) * time.Hour)
					res, err := w.tl.Append(ctx, batch...)
					if err != nil {
						require.ErrorIs(t, err, timeline.ErrEventConflict, name) // a duplicate ID within one batch
						continue
					}
					name += " append"
					// Every customer an append touched has a valid state.
					for _, a := range res {
						if a.Duplicate {
							continue
						}
						touched++
						if _, ok, err := w.tr.LiveState(ctx, a.Customer); err == nil && ok {
							validAfterAppend++
						}
					}
				case op < 17:
					name += " unlink"
					unlinkOne(t, w, g.r)
				case op < 18:
					name += " forget"
					forgetOne(t, w, g.r)
				default:
					name += " refresh"
					if c, ok := someCustomer(t, w, g.r); ok {
						require.NoError(t, w.tr.Refresh(ctx, c))
						_, valid, err := w.tr.LiveState(ctx, c)
						require.NoError(t, err)
						require.True(t, valid, "%s: state valid after Refresh", name)
					}
				}
				w.checkAll(t, name)
			}
			require.Positive(t, touched)
			require.Equal(t, touched, validAfterAppend, "appends leave the live state valid")
		})
	}
}

// someCustomer picks a random live customer.
func someCustomer(t testing.TB, w *world, r *rand.Rand) (identity.CustomerID, bool) {
	var cs []identity.CustomerID
	require.NoError(t, w.g.Customers(context.Background(), func(_ *identity.Tx, c identity.CustomerID) error {
		cs = append(cs, c)
		return nil
	}))
	if len(cs) == 0 {
		return 0, false
	}
	return cs[r.IntN(len(cs))], true
}

func unlinkOne(t testing.TB, w *world, r *rand.Rand) {
	ctx := context.Background()
	c, ok := someCustomer(t, w, r)
	if !ok {
		return
	}
	ls, err := w.g.Links(ctx, c)
	require.NoError(t, err)
	if len(ls) == 0 {
		return
	}
	_, err = w.g.Unlink(ctx, identity.LinkSelector{Link: ls[r.IntN(len(ls))].ID})
	require.NoError(t, err)
}

// forgetOne forgets a random customer and checks that no journey key or
// value names its identifiers afterwards.
func forgetOne(t testing.TB, w *world, r *rand.Rand) {
	ctx := context.Background()
	c, ok := someCustomer(t, w, r)
	if !ok {
		return
	}
	var ids []identity.Identifier
	require.NoError(t, w.g.View(ctx, func(tx *identity.Tx) error {
		var err error
		ids, err = tx.Identifiers(c)
		return err
	}))
	page, err := w.tl.Read(ctx, c, timeline.Query{})
	require.NoError(t, err)
	_, err = w.tl.Forget(ctx, c, identity.ForgetOptions{})
	require.NoError(t, err)
	require.NoError(t, w.db.View(ctx, func(txn *store.Txn) error {
		lo := []byte{byte(keys.JourneyState)}
		it := txn.NewIter(&store.IterOptions{LowerBound: lo, UpperBound: []byte{byte(keys.JourneyClaim) + 1}})
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			for _, id := range ids {
				require.False(t, bytes.Contains(it.Key(), []byte(id.Value)), "key %s names forgotten %s", store.FormatKey(it.Key()), id)
			}
			for _, e := range page.Events {
				require.False(t, bytes.Contains(it.Value(), []byte(e.ID)), "%s holds forgotten event %s", store.FormatKey(it.Key()), e.ID)
			}
		}
		return it.Error()
	}))
}

// TestLiveSurvivesRestart appends, closes the store, reopens it and finds
// the live state valid and equal to Group without any append since.
func TestLiveSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "db")
	w := openWorld(t, dir, nil)
	g := &gen{r: rand.New(rand.NewPCG(3, 3)), clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	for range 30 {
		e := g.event()
		e.ID += "r" // no duplicates: each append is new
		_, err := w.tl.Append(ctx, e)
		require.NoError(t, err)
	}
	w.now = g.clock
	valid, n := w.checkAll(t, "before restart")
	require.Equal(t, n, valid)
	require.NoError(t, w.db.Close())

	w2 := openWorld(t, dir, nil)
	defer w2.db.Close()
	w2.now = g.clock
	valid, n = w2.checkAll(t, "after restart")
	require.Positive(t, n)
	require.Equal(t, n, valid, "every customer's live state is valid after reopening")
}

// appendRandom appends n random events from seed (a repeated ID with other
// content is refused, as it must be) and moves the clock past the last.
func (w *world) appendRandom(t testing.TB, seed uint64, n int) {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed)), clock: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	for range n {
		_, err := w.tl.Append(context.Background(), g.event())
		if err != nil {
			require.ErrorIs(t, err, timeline.ErrEventConflict)
		}
	}
	w.now = g.clock
}

// TestLiveOtherOptions: a tracker with other grouping options does not use
// the state kept with the attached options, and reads stay equal to Group
// with its own options.
func TestLiveOtherOptions(t *testing.T) {
	ctx := context.Background()
	w := openWorld(t, "", nil)
	defer w.db.Close()
	w.appendRandom(t, 5, 20)
	// Another process, in effect: its own Timeline over the same graph.
	otherTL, err := timeline.Open(w.g, nil)
	require.NoError(t, err)
	opts := &journey.Options{Gap: time.Hour}
	other, err := journey.NewTracker(otherTL, &journey.Options{Gap: opts.Gap, Clock: func() time.Time { return w.now }})
	require.NoError(t, err)
	c, ok := someCustomer(t, w, rand.New(rand.NewPCG(1, 1)))
	require.True(t, ok)
	_, valid, err := other.LiveState(ctx, c)
	require.NoError(t, err)
	require.False(t, valid, "state kept with the default options")
	page, err := w.tl.Read(ctx, c, timeline.Query{})
	require.NoError(t, err)
	got, err := other.Journeys(ctx, c)
	require.NoError(t, err)
	require.Equal(t, journey.Group(c, page.Events, opts, w.now), got)
}
