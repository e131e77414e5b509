package faulttest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// layerSecrets are tokens of what every layer keeps about the forgotten
// customer: identifiers (email, phone), message text, a fact, a case
// reference (journey state), a handoff reason, event IDs (the missed call
// the trigger fired on, the one still due).
var layerSecrets = []string{"qjxzvkwpty", "9075550199", "PZKQVWXJBM", "XJQWZK7Y3V", "CASEQZJXW", "RSNWQXZK", "mcqzxj1", "mcqzxj2"}

// layerStack is every layer over one store, with one clock.
type layerStack struct {
	db  *store.DB
	g   *identity.Graph
	tl  *timeline.Timeline
	tr  *journey.Tracker
	arb *journey.Arbiter
	trg *journey.Triggers
	b   *handoff.Builder
}

func openLayers(t *testing.T, db *store.DB, clock func() time.Time) *layerStack {
	s := &layerStack{db: db}
	var err error
	s.g, err = identity.Open(db, &identity.Options{DefaultRegion: "US", Clock: clock})
	require.NoError(t, err)
	s.tl, err = timeline.Open(s.g, &timeline.Options{Clock: clock})
	require.NoError(t, err)
	s.tr, err = journey.NewTracker(s.tl, &journey.Options{Clock: clock})
	require.NoError(t, err)
	s.arb, err = journey.NewArbiter(s.tr, journey.DefaultRules()...)
	require.NoError(t, err)
	s.trg, err = journey.NewTriggers(s.arb, journey.DefaultTriggers()...)
	require.NoError(t, err)
	s.b, err = handoff.New(s.tr, &handoff.Options{Clock: clock})
	require.NoError(t, err)
	return s
}

// history gives the customer of ids a message, a missed call the trigger
// fires on (a decision), a handoff, and a second missed call still due.
// Each value is a secret passed through tok, so that another customer's
// history holds none of the secrets.
func (s *layerStack) history(t *testing.T, now *time.Time, ids []identity.Identifier, tok func(string) string) identity.CustomerID {
	ctx := context.Background()
	_, err := s.g.Observe(ctx, identity.Observation{Source: "prefs", Time: *now, Identifiers: ids,
		Consent: []identity.ConsentChange{{Purpose: "service", Channel: "sms", Granted: true}}})
	require.NoError(t, err)
	res, err := s.tl.Append(ctx, timeline.Event{ID: "msg-" + tok("mcqzxj0"), Time: *now, Channel: timeline.Chat, Direction: timeline.Inbound,
		Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message, Intent: "billing", Case: tok("CASEQZJXW"),
		Text: "charged twice, ref " + tok("PZKQVWXJBM"), Facts: []timeline.Fact{{Key: "order", Value: "ORDER-" + tok("XJQWZK7Y3V")}}, Identifiers: ids})
	require.NoError(t, err)
	c := res[0].Customer
	missed := func(id string) {
		_, err := s.tl.Append(ctx, timeline.Event{ID: id, Time: *now, Channel: timeline.Voice, Direction: timeline.Inbound,
			Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.CallEnd, Case: tok("CASEQZJXW"),
			Attrs: map[string]string{timeline.AttrOutcome: "missed"}, Identifiers: ids})
		require.NoError(t, err)
	}
	missed(tok("mcqzxj1"))
	*now = now.Add(time.Hour)
	fs, err := s.trg.Run(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, fs, "a trigger fired: a decision and a last firing")
	_, err = s.b.Handoff(ctx, c, handoff.Request{
		From: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "dot"},
		To:   handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Agent, ID: "ravi"}, Reason: tok("RSNWQXZK")})
	require.NoError(t, err)
	missed(tok("mcqzxj2"))
	return c
}

// TestErasureEveryLayer: identity.Graph.Forget, the lowest call a user
// holds, erases the customer from every layer opened on the graph in one
// transaction: events (messages, handoffs, decisions), journey state and
// trigger state. When the same email comes back it is a new customer
// with none of it, and the store holds no byte of it. A process that has
// not opened those layers refuses to forget instead of erasing half.
func TestErasureEveryLayer(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	s := openLayers(t, db, clock)

	bob := []identity.Identifier{identity.New(identity.Email, "bob@example.com"), identity.New(identity.Phone, "+1 (503) 555-0123")}
	bystander := s.history(t, &now, bob, func(s string) string { return "bob" + strings.ToLower(s[len(s)/2:]) })
	email := identity.New(identity.Email, "Annabel.QJXZVKWPTY@example.com")
	ann := []identity.Identifier{email, identity.New(identity.Phone, "+1 (907) 555-0199")}
	c := s.history(t, &now, ann, func(s string) string { return s })
	st, err := s.trg.List(ctx)
	require.NoError(t, err)
	fired := 0
	for _, x := range st {
		if x.Last != nil && x.Last.Customer == c {
			fired++
		}
	}
	require.Positive(t, fired, "the forgotten customer holds a trigger's last firing")

	hits, err := ScanStore(ctx, db, layerSecrets...)
	require.NoError(t, err)
	found := map[string]bool{}
	for _, h := range hits {
		found[h.Needle] = true
	}
	require.Len(t, found, len(layerSecrets), "every secret is stored before Forget, or the scan proves nothing: %v", hits)

	// Another process that opened only the graph, or the graph and the
	// timeline, must not erase the identity and leave the rest.
	g2, err := identity.Open(db, &identity.Options{DefaultRegion: "US", Clock: clock})
	require.NoError(t, err)
	_, err = g2.Forget(ctx, c, identity.ForgetOptions{})
	var incomplete *identity.IncompleteErasureError
	require.ErrorAs(t, err, &incomplete)
	assert.Equal(t, []string{"journey", "timeline"}, incomplete.Missing)
	tl3, err := timeline.Open(g2, &timeline.Options{Clock: clock})
	require.NoError(t, err)
	_, err = tl3.Forget(ctx, c, identity.ForgetOptions{})
	require.ErrorAs(t, err, &incomplete)
	assert.Equal(t, []string{"journey"}, incomplete.Missing)
	page, err := s.tl.Read(ctx, c, timeline.Query{})
	require.NoError(t, err)
	require.NotEmpty(t, page.Events, "a refused Forget erases nothing")

	_, err = s.g.Forget(ctx, c, identity.ForgetOptions{})
	require.NoError(t, err)
	hits, err = ScanStore(ctx, db, layerSecrets...)
	require.NoError(t, err)
	require.Empty(t, hits, "readable through the store after Forget")

	// The same email comes back.
	now = now.Add(time.Hour)
	res, err := s.tl.Append(ctx, timeline.Event{ID: "back", Time: now, Channel: timeline.Email, Direction: timeline.Inbound,
		Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message, Text: "hello again",
		Identifiers: []identity.Identifier{email}})
	require.NoError(t, err)
	back := res[0].Customer
	require.NotEqual(t, c, back)
	require.Equal(t, identity.OutcomeNew, res[0].Identity.Outcome)
	page, err = s.tl.Read(ctx, back, timeline.Query{})
	require.NoError(t, err)
	require.Len(t, page.Events, 1, "no old message, handoff or decision on the new customer's timeline")
	assert.Equal(t, "back", page.Events[0].ID)
	js, err := s.tr.Journeys(ctx, back)
	require.NoError(t, err)
	require.Len(t, js, 1)
	hs, err := s.b.Handoffs(ctx, back)
	require.NoError(t, err)
	assert.Empty(t, hs)
	st, err = s.trg.List(ctx)
	require.NoError(t, err)
	for _, x := range st {
		if x.Last != nil {
			assert.Equal(t, bystander, x.Last.Customer, "trigger %s", x.Name)
		}
	}
	// Only the bystander's due evaluation is left, and runs.
	now = now.Add(time.Hour)
	fs, err := s.trg.Run(ctx)
	require.NoError(t, err)
	for _, f := range fs {
		assert.Equal(t, bystander, f.Customer)
	}

	// The bystander keeps everything.
	page, err = s.tl.Read(ctx, bystander, timeline.Query{})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(page.Events), 4)
	hs, err = s.b.Handoffs(ctx, bystander)
	require.NoError(t, err)
	assert.Len(t, hs, 1)
	vs, err := s.g.Check(ctx)
	require.NoError(t, err)
	assert.Empty(t, vs)
}
