package handoff

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/timeline"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func histEvent(id string, minute int, kind timeline.ActorKind, actorID string, score *float64) *timeline.Event {
	return &timeline.Event{ID: id, Time: t0.Add(time.Duration(minute) * time.Minute), Channel: timeline.Chat,
		Actor: timeline.Actor{Kind: kind, ID: actorID}, Type: timeline.Message, Text: "text of " + id, Sentiment: score}
}

// TestAgentSentiment: an agent's sentiment is the customer's last score
// from the agent's first to last event, ties in time included, whatever
// was scored before any agent came.
func TestAgentSentiment(t *testing.T) {
	var s agentSet
	for _, e := range []*timeline.Event{
		histEvent("c1", 0, timeline.Customer, "", timeline.Sentiment(-0.9)), // before every agent
		histEvent("c2", 1, timeline.Customer, "", timeline.Sentiment(-0.8)), // same time as raj's first
		histEvent("r1", 1, timeline.Agent, "raj", nil),
		histEvent("c3", 2, timeline.Customer, "", nil),
		histEvent("k1", 3, timeline.Agent, "kim", nil),
		histEvent("c4", 4, timeline.Customer, "", timeline.Sentiment(0.1)), // after raj, in kim's range
		histEvent("k2", 4, timeline.Agent, "kim", nil),
		histEvent("c5", 6, timeline.Customer, "", timeline.Sentiment(0.5)), // after both
	} {
		s.add(e)
	}
	got := map[string]any{}
	for _, a := range s.histories() {
		if a.Sentiment == nil {
			got[a.Agent] = nil
		} else {
			got[a.Agent] = *a.Sentiment
		}
	}
	require.Equal(t, map[string]any{"raj": -0.8, "kim": 0.1}, got)

	var none agentSet
	none.add(histEvent("c1", 0, timeline.Customer, "", timeline.Sentiment(-0.9)))
	none.add(histEvent("a1", 5, timeline.Agent, "ann", nil))
	require.Nil(t, none.histories()[0].Sentiment, "a score before the agent came is not the agent's")
	require.Equal(t, []AgentHistory{}, (&agentSet{}).histories())
}

// TestRecentTurns: the ring keeps the last n turns in order, however many
// came, and cuts only those.
func TestRecentTurns(t *testing.T) {
	for _, c := range []struct{ n, turns int }{{3, 0}, {3, 2}, {3, 3}, {3, 10}, {1, 5}, {6, 7}} {
		b, err := New(nil, &Options{RecentTurns: c.n, TurnChars: 8})
		require.NoError(t, err)
		h := b.newHistory(nil)
		var want []string
		for i := range c.turns {
			e := histEvent(fmt.Sprint("m", i), i, timeline.Bot, "billy", nil)
			require.NoError(t, h.add(*e))
			require.NoError(t, h.add(*histEvent(fmt.Sprint("s", i), i, timeline.System, "", nil))) // not a turn
			want = append(want, truncate(e.Text, 8))
		}
		want = want[max(0, len(want)-c.n):]
		var got []string
		for _, turn := range h.recent() {
			got = append(got, turn.Text)
		}
		require.Equal(t, fmt.Sprint(want), fmt.Sprint(got), "%d turns, keeping %d", c.turns, c.n)
		require.NotNil(t, h.recent())
	}
}
