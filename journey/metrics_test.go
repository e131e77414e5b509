package journey_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// plan is a generated journey whose properties the generator knows.
type plan struct {
	contacts []timeline.Channel
	outcome  string // "bot", "agent", "abandoned", "open"
	handoff  bool   // a bot hands the first contact over to an agent
	lost     bool   // ... and nobody picks it up (abandoned journeys only)
	transfer bool
	ask      bool // an agent asks again for the order number
}

var channels = []timeline.Channel{timeline.Chat, timeline.Email, timeline.Voice, timeline.SMS, timeline.WhatsApp}

func genPlan(r *rand.Rand) plan {
	p := plan{outcome: []string{"bot", "agent", "abandoned", "open"}[r.IntN(4)]}
	for range 1 + r.IntN(3) {
		p.contacts = append(p.contacts, channels[r.IntN(len(channels))])
	}
	if p.outcome != "bot" {
		p.handoff = r.IntN(2) == 0
		p.lost = p.handoff && p.outcome == "abandoned" && len(p.contacts) == 1
		p.transfer = r.IntN(3) == 0 && !p.lost
		p.ask = r.IntN(2) == 0 && len(p.contacts) > 1
	}
	return p
}

// events renders a plan starting at t for a customer's identifiers.
func (p plan) events(prefix string, t time.Time, ids []identity.Identifier) []timeline.Event {
	var out []timeline.Event
	n := 0
	ev := func(at time.Time, ch timeline.Channel, actor timeline.ActorKind, typ timeline.Type) *timeline.Event {
		n++
		e := timeline.Event{ID: fmt.Sprintf("%s-%02d", prefix, n), Time: at, Channel: ch, Direction: timeline.Outbound,
			Actor: timeline.Actor{Kind: actor, ID: string(actor) + "-1"}, Type: typ, Intent: prefix, Identifiers: ids[:1]}
		if actor == timeline.Customer {
			e.Direction, e.Actor.ID = timeline.Inbound, ""
		}
		if actor == timeline.System {
			e.Direction = timeline.Internal
		}
		out = append(out, e)
		return &out[len(out)-1]
	}
	agentLater := p.outcome != "bot"
	for i, ch := range p.contacts {
		at := t.Add(time.Duration(i) * 6 * time.Hour)
		c := ev(at, ch, timeline.Customer, timeline.Message)
		if i == 0 {
			c.Identifiers = ids
			c.Facts = []timeline.Fact{{Key: "order_id", Value: prefix}}
		}
		responder := timeline.Bot
		if agentLater && (i > 0 || !p.handoff) {
			responder = timeline.Agent
		}
		ev(at.Add(time.Minute), ch, responder, timeline.Message)
		if i == 0 && p.handoff {
			ev(at.Add(2*time.Minute), ch, timeline.Bot, timeline.Handoff).Direction = timeline.Internal
			if !p.lost {
				ev(at.Add(3*time.Minute), ch, timeline.Agent, timeline.Message)
			}
		}
		if i == 1 && p.ask {
			ev(at.Add(4*time.Minute), ch, timeline.Agent, timeline.Message).Attrs = map[string]string{timeline.AttrAsks: "order_id"}
		}
		if i == 0 && p.transfer {
			ev(at.Add(5*time.Minute), ch, timeline.Agent, timeline.Transfer).Direction = timeline.Internal
		}
	}
	last := t.Add(time.Duration(len(p.contacts)-1)*6*time.Hour + 10*time.Minute)
	switch p.outcome {
	case "bot":
		ev(last, p.contacts[len(p.contacts)-1], timeline.Bot, timeline.Resolution)
	case "agent":
		ev(last, p.contacts[len(p.contacts)-1], timeline.Agent, timeline.Resolution)
	}
	return out
}

// TestMetricsMatchGeneratedTruth generates customers whose journeys the
// generator knows and checks every metric equals the value computed from
// that knowledge.
func TestMetricsMatchGeneratedTruth(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	now := start.AddDate(0, 2, 0)
	clock := func() time.Time { return now }
	g, err := identity.Open(db, &identity.Options{Clock: clock})
	require.NoError(t, err)
	tl, err := timeline.Open(g, &timeline.Options{Clock: clock})
	require.NoError(t, err)
	tr, err := journey.NewTracker(tl, &journey.Options{Clock: clock})
	require.NoError(t, err)

	r := rand.New(rand.NewPCG(7, 7))
	var want journey.Metrics
	var ttr []time.Duration
	var switched, switchedAbandoned, tickets, ticketsFCR, events, covered int
	var fcr, repeat, transfers, handoffs, contained, asks, switches int
	for c := range 150 {
		ids := []identity.Identifier{identity.New(identity.Email, fmt.Sprintf("c%d@example.com", c))}
		if c%3 != 0 {
			ids = append(ids, identity.New(identity.Phone, fmt.Sprintf("+1415555%04d", c)))
		}
		for k := range 1 + r.IntN(3) {
			p := genPlan(r)
			begin := start.Add(time.Duration(k)*20*24*time.Hour + time.Duration(r.IntN(60))*time.Minute)
			if p.outcome == "open" {
				begin = now.Add(-2 * 24 * time.Hour).Add(-time.Duration(k) * time.Hour)
			}
			evs := p.events(fmt.Sprintf("c%dj%d", c, k), begin, ids)
			_, err := tl.Append(ctx, evs...)
			require.NoError(t, err)

			want.Journeys++
			want.Contacts += len(p.contacts)
			events += len(evs)
			if len(ids) > 1 {
				covered += len(evs)
			}
			sw := 0
			for i := 1; i < len(p.contacts); i++ {
				if p.contacts[i] != p.contacts[i-1] {
					sw++
				}
			}
			switches += sw
			per := map[timeline.Channel]int{}
			for _, ch := range p.contacts {
				per[ch]++
			}
			for _, n := range per {
				tickets++
				if n == 1 && (p.outcome == "bot" || p.outcome == "agent") {
					ticketsFCR++ // open and abandoned tickets are not resolved
				}
			}
			if len(p.contacts) > 1 {
				repeat++
			}
			switch p.outcome {
			case "bot", "agent":
				want.Resolved++
				ttr = append(ttr, evs[len(evs)-1].Time.Sub(evs[0].Time))
				if len(p.contacts) == 1 {
					fcr++
				}
				if p.outcome == "bot" {
					contained++
				}
			case "abandoned":
				want.Abandoned++
			default:
				want.Open++
			}
			if sw > 0 {
				switched++
				if p.outcome == "abandoned" {
					switchedAbandoned++
				}
			}
			if p.transfer {
				transfers++
			}
			if p.handoff {
				handoffs++
			}
			if p.lost {
				want.LostHandoffs++
			}
			if p.ask {
				asks++
			}
		}
	}
	rate := func(n, d int) float64 {
		if d == 0 {
			return 0
		}
		return float64(n) / float64(d)
	}
	n := want.Journeys
	want.RepeatContactRate = rate(repeat, n)
	want.SwitchesPerJourney = rate(switches, n)
	want.DropOffAtSwitch = rate(switchedAbandoned, switched)
	want.JourneyFCR = rate(fcr, n)
	want.ChannelFCR = rate(ticketsFCR, tickets)
	want.TransferRate = rate(transfers, n)
	want.HandoffRate = rate(handoffs, n)
	want.Containment = rate(contained, n)
	want.RepeatAskRate = rate(asks, n)
	want.IdentityCoverage = rate(covered, events)
	slices.Sort(ttr)
	nearest := func(p int) time.Duration { return ttr[max((p*len(ttr)+99)/100, 1)-1] }
	want.TimeToResolutionP50, want.TimeToResolutionP90 = nearest(50), nearest(90)

	got, err := tr.Compute(ctx, journey.Window{}, journey.AllJourneys)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, want, got[0])
	require.Greater(t, got[0].ChannelFCR, got[0].JourneyFCR, "the siloed view overstates first contact resolution")

	byChannel, err := tr.Compute(ctx, journey.Window{}, journey.FirstChannel)
	require.NoError(t, err)
	total := 0
	for _, m := range byChannel {
		total += m.Journeys
	}
	require.Equal(t, want.Journeys, total)
	windowed, err := tr.Compute(ctx, journey.Window{From: now.AddDate(0, 0, -7)}, journey.AllJourneys)
	require.NoError(t, err)
	require.Equal(t, want.Open, windowed[0].Journeys, "only the recent (open) journeys start in the last week")

	// The metrics above came from the live state; without it Compute
	// groups every timeline and must find the same.
	_, valid, err := tr.LiveState(ctx, 1)
	require.NoError(t, err)
	require.True(t, valid)
	require.NoError(t, db.Update(ctx, func(txn *store.Txn) error {
		return txn.DeleteRange([]byte{byte(keys.JourneyState)}, []byte{byte(keys.JourneyState) + 1})
	}))
	_, valid, err = tr.LiveState(ctx, 1)
	require.NoError(t, err)
	require.False(t, valid)
	regrouped, err := tr.Compute(ctx, journey.Window{}, journey.AllJourneys)
	require.NoError(t, err)
	require.Equal(t, got, regrouped)
}
