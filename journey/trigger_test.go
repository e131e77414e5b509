package journey_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// triggerWorld is the stack on an on-disk store, reopened at will.
type triggerWorld struct {
	db  *store.DB
	tl  *timeline.Timeline
	trg *journey.Triggers
}

func openTriggerWorld(t *testing.T, dir string, now *time.Time) *triggerWorld {
	db, err := store.Open(dir, nil)
	require.NoError(t, err)
	clock := func() time.Time { return *now }
	g, err := identity.Open(db, &identity.Options{DefaultRegion: "US", Clock: clock})
	require.NoError(t, err)
	tl, err := timeline.Open(g, &timeline.Options{Clock: clock})
	require.NoError(t, err)
	tr, err := journey.NewTracker(tl, &journey.Options{Clock: clock})
	require.NoError(t, err)
	arb, err := journey.NewArbiter(tr, journey.DefaultRules()...)
	require.NoError(t, err)
	trg, err := journey.NewTriggers(arb, journey.DefaultTriggers()...)
	require.NoError(t, err)
	return &triggerWorld{db: db, tl: tl, trg: trg}
}

var phone = identity.New(identity.Phone, "+14155550199")

func missedCall(t *testing.T, w *triggerWorld, at time.Time, id string) identity.CustomerID {
	_, err := w.tl.Graph().Observe(context.Background(), identity.Observation{Source: "prefs", Time: at,
		Identifiers: []identity.Identifier{phone}, Consent: []identity.ConsentChange{{Purpose: "service", Channel: "sms", Granted: true}}})
	require.NoError(t, err)
	res, err := w.tl.Append(context.Background(), timeline.Event{ID: id, Time: at, Channel: timeline.Voice,
		Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.CallEnd,
		Attrs: map[string]string{timeline.AttrOutcome: "missed"}, Identifiers: []identity.Identifier{phone}})
	require.NoError(t, err)
	return res[0].Customer
}

// TestTriggerRestart: a restart between the event and the evaluation fires
// the trigger exactly once.
func TestTriggerRestart(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := openTriggerWorld(t, dir, &now)
	missedCall(t, w, now, "missed-1")
	require.NoError(t, w.db.Close())

	w = openTriggerWorld(t, dir, &now)
	defer w.db.Close()
	fs, err := w.trg.Run(ctx)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	assert.Equal(t, "missed_call_sms", fs[0].Decision.Chosen.Name)
	fs, err = w.trg.Run(ctx)
	require.NoError(t, err)
	assert.Empty(t, fs)
}

// TestTriggerInterrupted: a Run that recorded the decision but stopped
// before noting the evaluation done is completed by the next Run, which
// returns the same firing and records nothing new, even though the
// situation changed in between.
func TestTriggerInterrupted(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := openTriggerWorld(t, t.TempDir(), &now)
	defer w.db.Close()
	c := missedCall(t, w, now, "missed-1")
	n, err := w.trg.EvaluateDue(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	now = now.Add(time.Hour) // the decision would now differ in time
	fs, err := w.trg.Run(ctx)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	assert.Equal(t, "missed_call_sms", fs[0].Decision.Chosen.Name)
	page, err := w.tl.Read(ctx, c, timeline.Query{Types: []timeline.Type{timeline.Decision}})
	require.NoError(t, err)
	require.Len(t, page.Events, 1)
	assert.Equal(t, fs[0].ID, page.Events[0].ID)
	assert.Equal(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), fs[0].Decision.Time)
}

// TestTriggerForget: forgetting a customer drops its pending evaluations
// and the last firing that names it.
func TestTriggerForget(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := openTriggerWorld(t, t.TempDir(), &now)
	defer w.db.Close()
	c := missedCall(t, w, now, "missed-1")
	fs, err := w.trg.Run(ctx)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	missedCall(t, w, now.Add(time.Minute), "missed-2")
	st, err := w.trg.List(ctx)
	require.NoError(t, err)
	require.Equal(t, "missed-call", st[2].Name)
	require.Equal(t, 1, st[2].Pending)
	require.NotNil(t, st[2].Last)

	_, err = w.tl.Forget(ctx, c, identity.ForgetOptions{})
	require.NoError(t, err)
	st, err = w.trg.List(ctx)
	require.NoError(t, err)
	for _, s := range st {
		assert.Zero(t, s.Pending, s.Name)
		assert.Nil(t, s.Last, s.Name)
	}
	fs, err = w.trg.Run(ctx)
	require.NoError(t, err)
	assert.Empty(t, fs)
}

// TestNewTriggersInvalid: bad trigger definitions are refused.
func TestNewTriggersInvalid(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := openTriggerWorld(t, t.TempDir(), &now)
	defer w.db.Close()
	tl, err := timeline.Open(w.tl.Graph(), nil) // w.tl has a tracker already
	require.NoError(t, err)
	tr, err := journey.NewTracker(tl, nil)
	require.NoError(t, err)
	arb, err := journey.NewArbiter(tr)
	require.NoError(t, err)
	ok := journey.MissedCall()
	for _, bad := range [][]journey.Trigger{
		{{Name: "", Match: ok.Match, Propose: ok.Propose}},
		{{Name: "x", Propose: ok.Propose}},
		{{Name: "x", Match: ok.Match}},
		{{Name: "x", Match: ok.Match, Propose: ok.Propose, Wait: -time.Second}},
		{ok, ok},
	} {
		_, err := journey.NewTriggers(arb, bad...)
		assert.ErrorIs(t, err, journey.ErrInvalidTrigger)
	}
}

// TestTriggerLate: an evaluation run long after its event (here past the
// arbiter's 30-day lookback, e.g. after a long outage) still finds the
// event and fires once.
func TestTriggerLate(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := openTriggerWorld(t, t.TempDir(), &now)
	defer w.db.Close()
	missedCall(t, w, now, "missed-1")
	now = now.Add(40 * 24 * time.Hour)
	fs, err := w.trg.Run(ctx)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	assert.Equal(t, "missed-1", fs[0].Event)
	assert.Equal(t, "missed_call_sms", fs[0].Decision.Chosen.Name)
}
