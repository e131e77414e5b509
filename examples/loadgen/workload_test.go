package main

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

func TestBudgetsSumToEvents(t *testing.T) {
	for _, c := range []struct{ customers, events int }{{1, 0}, {1, 17}, {7, 3}, {10, 200}, {101, 2020}, {1000, 20000}} {
		g := &generator{seed: 3, customers: c.customers, events: c.events}
		sum, planned := 0, 0
		for i := range c.customers {
			b := g.budget(i)
			require.GreaterOrEqual(t, b, 0)
			sum += b
			pl := g.plan(i)
			planned += len(pl.before) + len(pl.after)
			if pl.handoff != nil {
				planned += 2
			}
			require.Equal(t, b, pl.events, "customer %d", i)
		}
		assert.Equal(t, c.events, sum, "%+v", c)
		assert.Equal(t, c.events, planned, "%+v", c)
	}
}

func TestPlansAreDeterministic(t *testing.T) {
	g := &generator{seed: 11, customers: 50, events: 1000}
	for i := range 50 {
		require.Equal(t, g.plan(i), g.plan(i))
	}
	other := &generator{seed: 12, customers: 50, events: 1000}
	assert.NotEqual(t, g.plan(0).obs, other.plan(0).obs, "the seed changes the data")
}

// TestIdentitiesNeverCollide checks that no identifier is shared by two
// people, or by a person's two identities: the run's checks count on it.
func TestIdentitiesNeverCollide(t *testing.T) {
	g := &generator{seed: 5, customers: 800, events: 16000}
	owner := map[string]string{}
	for i := range g.customers {
		pl := g.plan(i)
		claim := func(who string, ids []identity.Identifier) {
			for _, id := range ids {
				canon, err := normalize(id)
				require.NoError(t, err, "%s", id)
				if prev, ok := owner[canon]; ok && prev != who {
					t.Fatalf("%s is both %s's and %s's", canon, prev, who)
				}
				owner[canon] = who
			}
		}
		main := fmt.Sprintf("customer %d", i)
		dupIDs := map[identity.Identifier]bool{}
		if pl.dup {
			for _, id := range pl.obs[pl.dupObs].Identifiers {
				dupIDs[id] = true
			}
		}
		for k, o := range pl.obs {
			who := main
			if pl.dup && k == pl.dupObs {
				who = main + " (duplicate)"
			}
			claim(who, o.Identifiers)
		}
		for _, e := range append(pl.before, pl.after...) {
			who := main
			if dupIDs[e.Identifiers[0]] {
				who = main + " (duplicate)"
			}
			claim(who, e.Identifiers)
		}
	}
}

// testGraph normalizes identifiers as the run's graph does.
var testGraph = func() *identity.Graph {
	db, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		panic(err)
	}
	g, err := identity.Open(db, &identity.Options{DefaultRegion: "US"})
	if err != nil {
		panic(err)
	}
	return g
}()

func normalize(id identity.Identifier) (string, error) {
	c, err := testGraph.Normalize(id)
	return c.String(), err
}

func TestJourneysAreWellFormed(t *testing.T) {
	g := &generator{seed: 9, customers: 300, events: 6000}
	for i := range g.customers {
		pl := g.plan(i)
		events := append(append([]timeline.Event(nil), pl.before...), pl.after...)
		seen := map[string]bool{}
		for _, e := range events {
			require.False(t, seen[e.ID], "event ID %s reused", e.ID)
			seen[e.ID] = true
			require.NotEmpty(t, e.Identifiers)
			require.NotEmpty(t, e.Case)
			require.True(t, e.Time.Before(simEnd) && e.Time.After(simEnd.Add(-history)), "%s at %s", e.ID, e.Time)
		}
		if h := pl.handoff; h != nil {
			var caseRef string
			for _, e := range pl.before {
				if e.ID == h.req.Journey {
					caseRef = e.Case
				}
			}
			require.NotEmpty(t, caseRef, "the handoff names its journey's first event")
			var last timeline.Event
			for _, e := range pl.before {
				if e.Case == caseRef {
					last = e
				}
			}
			require.True(t, last.Time.Before(h.at), "the handoff follows the bot's last turn")
			require.Equal(t, timeline.Bot, last.Actor.Kind)
			require.True(t, h.at.Before(h.ackAt))
			require.True(t, h.ackAt.Before(pl.after[0].Time), "the agent acknowledges before answering")
			for _, e := range pl.after {
				require.Equal(t, caseRef, e.Case)
			}
		}
	}
}

func BenchmarkPlan(b *testing.B) {
	for _, per := range []int{20, 200} {
		b.Run(fmt.Sprintf("events_per_customer=%d", per), func(b *testing.B) {
			g := &generator{seed: 1, customers: 1000, events: 1000 * per}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				g.plan(i % g.customers)
				i++
			}
		})
	}
}
