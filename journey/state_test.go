package journey

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// stateOf groups n random events of one customer into a live state.
func stateOf(seed uint64, n int) *liveState {
	r := rand.New(rand.NewPCG(seed, 1))
	st := &liveState{gen: seed + 1, ids: 1 + r.IntN(3), g: grouper{opts: Options{Gap: defaultGap, ReopenWindow: defaultReopenWindow, SessionGap: defaultSessionGap}, customer: 7}}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	kinds := []timeline.ActorKind{timeline.Customer, timeline.Bot, timeline.Agent}
	types := []timeline.Type{timeline.Message, timeline.Resolution, timeline.Handoff, timeline.Transfer}
	for i := range n {
		at = at.Add(time.Duration(r.IntN(4*24*60)) * time.Minute)
		e := timeline.Event{ID: fmt.Sprintf("e%d", i), Time: at, Channel: timeline.Channel([]string{"chat", "email", "voice"}[r.IntN(3)]),
			Direction: timeline.Inbound, Actor: timeline.Actor{Kind: kinds[r.IntN(3)], ID: "x"}, Type: types[r.IntN(4)],
			Intent: []string{"a", "b", ""}[r.IntN(3)], Verified: r.IntN(2) == 0}
		if r.IntN(3) == 0 {
			e.Facts = []timeline.Fact{{Key: "k", Value: fmt.Sprint(i)}}
			e.Actions = []timeline.Action{{Name: "n", Outcome: "o"}}
			e.Attrs = map[string]string{timeline.AttrAsks: "k"}
		}
		if r.IntN(5) == 0 {
			e.Case = "C1"
		}
		st.g.add(&e, nil)
	}
	return st
}

// TestStateRoundTrip: a state encoded as header and journey records
// decodes to the same journeys, and the header's summaries to what find
// reads.
func TestStateRoundTrip(t *testing.T) {
	for seed := range uint64(20) {
		st := stateOf(seed, int(seed)*7)
		sum, err := decodeSummary(st.encodeHeader(), 7)
		require.NoError(t, err)
		require.Equal(t, st.gen, sum.gen)
		require.Equal(t, st.ids, sum.ids)
		require.Equal(t, st.g.opts, sum.g.opts)
		require.Equal(t, st.g.lastID, sum.g.lastID)
		require.Len(t, sum.g.js, len(st.g.js))
		for i, b := range st.g.js {
			if sum.g.js[i] == nil {
				require.True(t, st.g.settled(b), "journey %d left out of the header but not settled", i)
			} else {
				s := sum.g.js[i]
				require.Equal(t, []any{b.Case, b.Intent, b.State, b.End, b.last}, []any{s.Case, s.Intent, s.State, s.End, s.last})
			}
			got, err := decodeJourney(encodeJourney(b), 7, forAppend)
			require.NoError(t, err)
			require.Equal(t, b, got)
			// Reads leave out the facts the grouper has seen, brief reads
			// the detail lists too.
			read, err := decodeJourney(encodeJourney(b), 7, forRead)
			require.NoError(t, err)
			want := *b
			want.provided = nil
			require.Equal(t, &want, read)
			brief, err := decodeJourney(encodeJourney(b), 7, forBrief)
			require.NoError(t, err)
			want.Switches, want.ContactLog, want.Facts = nil, nil, nil
			require.Equal(t, &want, brief)
		}
	}
}

// FuzzDecodeState: stored bytes that are not a valid record give an error,
// never a panic or an unbounded allocation; valid ones round-trip.
func FuzzDecodeState(f *testing.F) {
	st := stateOf(3, 30)
	f.Add(st.encodeHeader())
	for _, b := range st.g.js {
		f.Add(encodeJourney(b))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := decodeSummary(b, identity.CustomerID(1)); err == nil {
			again, err := decodeSummary(s.encodeHeader(), 1)
			require.NoError(t, err)
			require.Equal(t, len(s.g.js), len(again.g.js))
		}
		_, errRead := decodeJourney(b, 1, forRead)
		_, errBrief := decodeJourney(b, 1, forBrief)
		j, err := decodeJourney(b, 1, forAppend)
		require.Equal(t, err == nil, errRead == nil, "a read decodes what an append decodes")
		require.Equal(t, err == nil, errBrief == nil, "a brief read decodes what an append decodes")
		if err == nil {
			again, err := decodeJourney(encodeJourney(j), 1, forAppend)
			require.NoError(t, err)
			require.Equal(t, j, again)
		}
	})
}
