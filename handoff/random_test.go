package handoff_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// randomSeeds is how many random timelines TestRandomPackets builds (the
// first 40 with -short).
const randomSeeds = 200

// TestRandomPackets builds the packets of random timelines and checks
// each timeline's output against its SHA-256 in testdata/golden/random.txt
// (rewrite with -update). The hashes were written by the builder that held
// every event in memory before packets were folded from a timeline scan,
// so they prove the fold builds the same packets; a change that alters a
// packet legitimately rewrites them, and the diff names the timelines
// whose packets changed (print one with -v -random.seed=N).
func TestRandomPackets(t *testing.T) {
	path := filepath.Join("testdata", "golden", "random.txt")
	n := randomSeeds
	if testing.Short() {
		n = 40
	}
	if *randomSeed >= 0 {
		var sb strings.Builder
		randomPackets(t, uint64(*randomSeed), &sb)
		fmt.Print(sb.String())
		return
	}
	var got []string
	for seed := range n {
		var sb strings.Builder
		randomPackets(t, uint64(seed), &sb)
		sum := sha256.Sum256([]byte(sb.String()))
		got = append(got, fmt.Sprintf("%d %s", seed, hex.EncodeToString(sum[:12])))
	}
	if *update {
		require.Equal(t, randomSeeds, n, "-update needs the full run, without -short")
		require.NoError(t, os.WriteFile(path, []byte(strings.Join(got, "\n")+"\n"), 0o644))
		return
	}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var want []string
	for s := bufio.NewScanner(f); s.Scan() && len(want) < n; {
		want = append(want, s.Text())
	}
	require.Equal(t, want, got)
}

var randomSeed = flag.Int("random.seed", -1, "print the packets of this random timeline of TestRandomPackets")

// randomPackets builds a random timeline from seed (events of every type,
// actor and channel, ties in time, handoffs and acknowledgements, late and
// batched appends, a profile) and writes to sb every packet, routing and
// handoff list the builder returns for it, as JSON.
func randomPackets(t *testing.T, seed uint64, sb *strings.Builder) {
	rng := rand.New(rand.NewPCG(seed, 7))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	opts := &handoff.Options{RecentTurns: rng.IntN(4), MaxFacts: []int{0, 2, 3}[rng.IntN(3)], TurnChars: []int{0, 8, 30}[rng.IntN(3)]}
	if rng.IntN(3) == 0 {
		opts.NegativeAt = -0.3
	}
	opts.TextBudget = []int{0, 0, 60, 130}[rng.IntN(4)]
	w := newWorld(t, opts)
	fmt.Fprintf(sb, "opts %+v\n", *opts)
	ids := []identity.Identifier{identity.New(identity.Email, fmt.Sprintf("d%d@example.com", seed)), identity.New(identity.Visitor, fmt.Sprintf("v-%d", seed)),
		identity.New(identity.Phone, fmt.Sprintf("+1415555%04d", seed))}
	chans := []timeline.Channel{timeline.Chat, timeline.Email, timeline.Voice, timeline.SMS}
	actors := []timeline.Actor{customer, customer, customer, billy, {Kind: timeline.Bot, ID: "b2"}, {Kind: timeline.Agent, ID: "raj"},
		{Kind: timeline.Agent, ID: "kim"}, {Kind: timeline.System}}
	n := 5 + rng.IntN(80)
	tm := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var evs []timeline.Event
	var handoffs []string
	for i := range n {
		switch rng.IntN(10) {
		case 0, 1:
		case 2:
			tm = tm.Add(time.Duration(rng.IntN(48)) * time.Hour)
		case 3:
			tm = tm.Add(time.Duration(rng.IntN(10)) * 24 * time.Hour)
		default:
			tm = tm.Add(time.Duration(rng.IntN(40)) * time.Minute)
		}
		a := actors[rng.IntN(len(actors))]
		e := timeline.Event{ID: fmt.Sprintf("x%03d-%d", i, rng.IntN(3)), Time: tm, Channel: chans[rng.IntN(len(chans))], Actor: a,
			Type: timeline.Message, Direction: timeline.Outbound,
			Text:   pick("", "hello", "I was charged twice for invoice 4411, é and ü included, and this is long enough to be cut.", "ok", "Any news?"),
			Intent: pick("billing", "billing", "shipping", ""), Identifiers: []identity.Identifier{ids[rng.IntN(3)]}}
		if i == 0 {
			e.Identifiers = ids
		}
		if a.Kind == timeline.Customer {
			e.Direction = timeline.Direction(pick("inbound", "inbound", "inbound", "outbound"))
		} else if rng.IntN(4) == 0 {
			e.Direction = timeline.Internal
		}
		switch rng.IntN(14) {
		case 0:
			e.Type = timeline.EmailMsg
		case 1:
			e.Type = timeline.CallStart
		case 2, 3:
			e.Type = timeline.Handoff
			handoffs = append(handoffs, e.ID)
			if rng.IntN(2) == 0 {
				e.Attrs = map[string]string{"to_channel": "voice", "to_kind": "agent", "from_kind": "bot", "digest": "d", "journey": "j"}
			}
		case 4:
			e.Type = timeline.HandoffAck
			h := "nope"
			if len(handoffs) > 0 && rng.IntN(4) > 0 {
				h = handoffs[rng.IntN(len(handoffs))]
			}
			e.Attrs = map[string]string{timeline.AttrHandoff: h}
		case 5:
			e.Type = timeline.Resolution
		case 6:
			e.Type = timeline.Transfer
		case 7:
			e.Type = timeline.Note
		}
		if rng.IntN(5) == 0 {
			e.Case = pick("CS-1", "CS-2")
		}
		if rng.IntN(2) == 0 {
			e.Sentiment = timeline.Sentiment(float64(rng.IntN(21)-10) / 10)
		}
		if rng.IntN(4) == 0 {
			for range 1 + rng.IntN(2) {
				e.Facts = append(e.Facts, timeline.Fact{Key: pick("invoice", "account_number", handoff.FactIssue, "order"), Value: pick("1", "2", "double charge")})
			}
		}
		e.Verified = rng.IntN(5) == 0
		if a.Kind != timeline.Customer && rng.IntN(3) == 0 {
			for range 1 + rng.IntN(2) {
				e.Actions = append(e.Actions, timeline.Action{Name: pick("refund", "callback", "confirm_charge"), Outcome: timeline.Outcome(pick("failed", "succeeded", "pending"))})
			}
		}
		if rng.IntN(6) == 0 {
			if e.Attrs == nil {
				e.Attrs = map[string]string{}
			}
			attr := [][2]string{{timeline.AttrMoment, "complaint"}, {timeline.AttrMoment, "threat_to_leave"},
				{timeline.AttrDue, "2026-02-01T17:00:00Z"}, {timeline.AttrAsks, "invoice,order"}}[rng.IntN(4)]
			e.Attrs[attr[0]] = attr[1]
		}
		if a.Kind == timeline.Agent && e.Type == timeline.Message && rng.IntN(3) == 0 {
			e.Type = timeline.Resolution
		}
		evs = append(evs, e)
	}
	// Appends in a few batches, sometimes out of order.
	for len(evs) > 0 {
		k := 1 + rng.IntN(len(evs))
		batch := evs[:k]
		if rng.IntN(4) == 0 && k > 1 {
			batch[0], batch[k-1] = batch[k-1], batch[0]
		}
		w.append(t, batch...)
		evs = evs[k:]
	}
	ctx := context.Background()
	if rng.IntN(2) == 0 {
		_, err := w.g.Observe(ctx, identity.Observation{Source: "crm", Time: w.now, Identifiers: ids[:1],
			Attributes: map[string]string{identity.AttrGivenName: "Ann", handoff.AttrPreferredChannel: pick("sms", "chat")}})
		if err != nil {
			t.Fatal(err)
		}
	}
	w.now = w.now.Add(time.Duration(rng.IntN(12*24)) * time.Hour)
	c, err := w.g.Lookup(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	js, err := w.tr.Journeys(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	reqs := []handoff.Request{{}, toVoice, {Journey: "unknown"}}
	for _, j := range js {
		reqs = append(reqs, handoff.Request{Journey: j.ID, To: handoff.Endpoint{Channel: timeline.Chat}})
	}
	dump := func(what string, v any, err error) {
		b, _ := json.MarshalIndent(v, "", " ")
		fmt.Fprintf(sb, "%s: %v\n%s\n", what, err, b)
	}
	for _, r := range reqs {
		p, err := w.b.Build(ctx, c, r)
		dump("build "+r.Journey, p, err)
	}
	p, err := w.b.Handoff(ctx, c, toVoice)
	dump("handoff", p, err)
	if err == nil && rng.IntN(2) == 0 {
		w.now = w.now.Add(time.Minute)
		fmt.Fprintf(sb, "ack: %v\n", w.b.Acknowledge(ctx, c, p.HandoffID, timeline.Actor{Kind: timeline.Agent, ID: "raj"}))
	}
	w.now = w.now.Add(time.Duration(rng.IntN(40)) * time.Minute)
	p, err = w.b.Build(ctx, c, handoff.Request{})
	dump("after", p, err)
	rt, err := w.b.Route(ctx, c)
	dump("route", rt, err)
	hs, err := w.b.Handoffs(ctx, c)
	dump("handoffs", hs, err)
}
