package journey_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/scripttest"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// TestAskThenDecide: asking the arbiter records nothing, however often;
// deciding records one decision, and deciding the same again within
// DecisionWindow returns it without recording another. After the window,
// or with another outcome, a decision is new.
func TestAskThenDecide(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tl := scripttest.Timeline(t, clock)
	tr, err := journey.NewTracker(tl, &journey.Options{Clock: clock})
	require.NoError(t, err)
	arb, err := journey.NewArbiter(tr, journey.DefaultRules()...)
	require.NoError(t, err)
	kim := identity.New(identity.Email, "kim@example.com")
	res, err := tl.Append(ctx, timeline.Event{ID: "s1", Time: now, Channel: timeline.Email, Direction: timeline.Inbound,
		Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.EmailMsg, Intent: "delivery_late", Identifiers: []identity.Identifier{kim}})
	require.NoError(t, err)
	c := res[0].Customer
	_, err = tl.Graph().Observe(ctx, identity.Observation{Source: "preferences", Time: now, Identifiers: []identity.Identifier{kim},
		Consent: []identity.ConsentChange{{Purpose: "marketing", Channel: "*", Granted: true}}})
	require.NoError(t, err)
	promo := journey.Candidate{Name: "cart_promo", Kind: journey.Promotion, Channel: timeline.Email, Purpose: "marketing", Priority: 10}
	decisions := func() int {
		page, err := tl.Read(ctx, c, timeline.Query{Types: []timeline.Type{timeline.Decision}})
		require.NoError(t, err)
		return len(page.Events)
	}

	for range 3 {
		d, err := arb.Ask(ctx, c, promo)
		require.NoError(t, err)
		require.Nil(t, d.Chosen, "the open delivery issue suppresses the promotion")
		require.Empty(t, d.ID)
	}
	require.Zero(t, decisions(), "asking records nothing")

	first, err := arb.Decide(ctx, c, promo)
	require.NoError(t, err)
	require.NotEmpty(t, first.ID)
	now = now.Add(30 * time.Minute)
	again, err := arb.Decide(ctx, c, promo)
	require.NoError(t, err)
	require.Equal(t, first, again, "the same decision within the window is the recorded one")
	require.Equal(t, 1, decisions())

	now = now.Add(31 * time.Minute)
	later, err := arb.Decide(ctx, c, promo)
	require.NoError(t, err)
	require.NotEqual(t, first.ID, later.ID, "after the window a decision is new")
	require.Equal(t, 2, decisions())

	// The issue resolved, the outcome differs: a new decision at once.
	_, err = tl.Append(ctx, timeline.Event{ID: "s2", Time: now, Channel: timeline.Email, Direction: timeline.Outbound,
		Actor: timeline.Actor{Kind: timeline.Agent, ID: "lee"}, Type: timeline.Resolution, Intent: "delivery_late", Identifiers: []identity.Identifier{kim}})
	require.NoError(t, err)
	chosen, err := arb.Decide(ctx, c, promo)
	require.NoError(t, err)
	require.NotNil(t, chosen.Chosen)
	require.Equal(t, 3, decisions())
}

// TestSalesIntentsAreAParameter: the rule's sales intents are its own.
func TestSalesIntentsAreAParameter(t *testing.T) {
	s := &journey.Situation{Journeys: []journey.Journey{{ID: "j1", State: journey.Open, Intent: "upgrade"}}}
	promo := journey.Candidate{Name: "p", Kind: journey.Promotion}
	sup, _ := journey.NoPromoDuringOpenIssue().Suppress(s, promo)
	require.True(t, sup, "upgrade is a service issue by default")
	sup, _ = journey.NoPromoDuringOpenIssue("", "upgrade").Suppress(s, promo)
	require.False(t, sup, "upgrade is a sales intent when the rule says so")
	d := journey.DefaultSalesIntents()
	d[0] = "changed"
	require.Equal(t, "", journey.DefaultSalesIntents()[0], "the defaults cannot be changed from outside")
}
