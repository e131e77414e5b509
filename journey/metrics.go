package journey

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// Segment splits metrics by a property of the journey.
type Segment string

// Segments.
const (
	AllJourneys  Segment = ""              // one row for everything
	FirstChannel Segment = "first_channel" // the channel of the journey's first contact
	ByIntent     Segment = "intent"        // the journey's intent
)

// Window selects journeys that started in [From, To). Zero bounds are open.
type Window struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

func (w Window) contains(t time.Time) bool {
	return (w.From.IsZero() || !t.Before(w.From)) && (w.To.IsZero() || t.Before(w.To))
}

// Metrics are journey-level measures over a window. Every rate is a share
// in [0, 1] of the journeys in the row unless its definition says
// otherwise; a rate with an empty denominator is 0.
type Metrics struct {
	Segment string `json:"segment"` // the segment value ("" for all journeys)

	Journeys  int `json:"journeys"`  // journeys that started in the window
	Resolved  int `json:"resolved"`  // of which resolved
	Abandoned int `json:"abandoned"` // of which abandoned
	Open      int `json:"open"`      // of which still open
	Contacts  int `json:"contacts"`  // inbound sessions in those journeys

	// RepeatContactRate: journeys with two or more contacts.
	RepeatContactRate float64 `json:"repeat_contact_rate"`
	// SwitchesPerJourney: channel switches divided by journeys.
	SwitchesPerJourney float64 `json:"switches_per_journey"`
	// DropOffAtSwitch: of the journeys with at least one channel switch,
	// the share that were abandoned.
	DropOffAtSwitch float64 `json:"drop_off_at_switch"`
	// TimeToResolutionP50/P90: percentiles of End - Start over resolved
	// journeys, across channels (nearest-rank).
	TimeToResolutionP50 time.Duration `json:"time_to_resolution_p50"`
	TimeToResolutionP90 time.Duration `json:"time_to_resolution_p90"`
	// First-contact resolution, two ways, over the same journeys:
	//
	//   - JourneyFCR counts problems: resolved journeys that took exactly
	//     one contact, as a share of journeys. A problem that took email,
	//     SMS and a call is not resolved first time.
	//   - ChannelFCR counts what a channel-siloed system reports: each
	//     channel of a journey is its own ticket, resolved when the
	//     journey was resolved, and "resolved on first contact" when it
	//     is resolved and that channel saw one contact. The share of all
	//     tickets. Open and abandoned journeys' tickets are not resolved,
	//     so they never count as resolved first time.
	//
	// ChannelFCR >= JourneyFCR always; the difference is the
	// overstatement of a per-channel report (the email, SMS and call of
	// one problem each look resolved first time).
	JourneyFCR float64 `json:"journey_fcr"`
	ChannelFCR float64 `json:"channel_fcr"`
	// TransferRate: journeys with at least one transfer event.
	TransferRate float64 `json:"transfer_rate"`
	// HandoffRate: journeys with at least one handoff event.
	HandoffRate float64 `json:"handoff_rate"`
	// LostHandoffs: handoff events nobody took up within
	// Options.AckTimeout, as of the computation (a count, not a rate): the
	// handoff package's StateLost, by the one definition of
	// [WaitingHandoff]. Handoffs still within AckTimeout are waiting, not
	// lost.
	LostHandoffs int `json:"lost_handoffs"`
	// Containment: journeys resolved by a bot with no agent involved and
	// no repeat contact after the resolution.
	Containment float64 `json:"containment"`
	// RepeatAskRate: journeys in which the customer was asked again for a
	// fact already provided.
	RepeatAskRate float64 `json:"repeat_ask_rate"`
	// IdentityCoverage: the share of the window's events that belong to a
	// customer with two or more identifiers (a resolved, cross-channel
	// identity) — a share of events, not journeys.
	IdentityCoverage float64 `json:"identity_coverage"`
}

// acc accumulates one row.
type acc struct {
	m                                        Metrics
	switched, switchedAbandoned, repeat, fcr int
	tickets, ticketsFCR, transfers, handoffs int
	contained, repeatAsks, switches          int
	events, coveredEvents                    int
	ttr                                      []time.Duration
	now                                      time.Time // of the computation, for lost handoffs
	ackTimeout                               time.Duration
}

// Compute streams over every customer and returns one row per segment
// value, sorted by segment. It reads each customer's live journey state
// where it is valid and groups the customer's timeline otherwise. Memory
// holds one customer's journeys (or events) at a time plus one duration
// per resolved journey (for exact percentiles).
func (t *Tracker) Compute(ctx context.Context, w Window, by Segment) ([]Metrics, error) {
	rows := map[string]*acc{}
	now := t.now()
	err := t.tl.Graph().Customers(ctx, func(tx *identity.Tx, c identity.CustomerID) error {
		js, ids, err := t.journeysOf(tx, c, now, forRead)
		if err != nil {
			return err
		}
		for i := range js {
			j := &js[i]
			if !w.contains(j.Start) {
				continue
			}
			key := ""
			switch by {
			case FirstChannel:
				if len(j.Channels) > 0 {
					key = string(j.Channels[0])
				}
			case ByIntent:
				key = j.Intent
			}
			a := rows[key]
			if a == nil {
				a = &acc{m: Metrics{Segment: key}, now: now, ackTimeout: t.opts.AckTimeout}
				rows[key] = a
			}
			a.add(j)
			a.events += len(j.Events)
			if ids >= 2 {
				a.coveredEvents += len(j.Events)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Metrics, 0, len(rows))
	for _, a := range rows {
		out = append(out, a.finish())
	}
	slices.SortFunc(out, func(a, b Metrics) int { return cmp.Compare(a.Segment, b.Segment) })
	return out, nil
}

func (a *acc) add(j *Journey) {
	m := &a.m
	m.Journeys++
	m.Contacts += j.Contacts
	switch j.State {
	case Resolved:
		m.Resolved++
		a.ttr = append(a.ttr, j.End.Sub(j.Start))
		if j.Contacts == 1 {
			a.fcr++
		}
		if j.ResolvedBy == timeline.Bot && !j.HumanInvolved && j.Reopened == 0 {
			a.contained++
		}
	case Abandoned:
		m.Abandoned++
	default:
		m.Open++
	}
	if j.Contacts >= 2 {
		a.repeat++
	}
	a.switches += len(j.Switches)
	if len(j.Switches) > 0 {
		a.switched++
		if j.State == Abandoned {
			a.switchedAbandoned++
		}
	}
	if j.Transfers > 0 {
		a.transfers++
	}
	if j.Handoffs > 0 {
		a.handoffs++
	}
	if len(j.RepeatAsks) > 0 {
		a.repeatAsks++
	}
	// Channel-siloed tickets: one per channel of the journey, "first
	// contact resolution" when the journey was resolved and that channel
	// saw one contact. Journeys have few contacts, so counting by scanning
	// beats a map.
	for i, c := range j.ContactLog {
		if slices.ContainsFunc(j.ContactLog[:i], func(p Contact) bool { return p.Channel == c.Channel }) {
			continue
		}
		a.tickets++
		n := 0
		for _, other := range j.ContactLog[i:] {
			if other.Channel == c.Channel {
				n++
			}
		}
		if n == 1 && j.State == Resolved {
			a.ticketsFCR++
		}
	}
	m.LostHandoffs += j.handoffs.lost(a.now, a.ackTimeout)
}

func rate(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func (a *acc) finish() Metrics {
	m := a.m
	n := m.Journeys
	m.RepeatContactRate = rate(a.repeat, n)
	m.SwitchesPerJourney = rate(a.switches, n)
	m.DropOffAtSwitch = rate(a.switchedAbandoned, a.switched)
	m.JourneyFCR = rate(a.fcr, n)
	m.ChannelFCR = rate(a.ticketsFCR, a.tickets)
	m.TransferRate = rate(a.transfers, n)
	m.HandoffRate = rate(a.handoffs, n)
	m.Containment = rate(a.contained, n)
	m.RepeatAskRate = rate(a.repeatAsks, n)
	m.IdentityCoverage = rate(a.coveredEvents, a.events)
	slices.Sort(a.ttr)
	m.TimeToResolutionP50, m.TimeToResolutionP90 = percentile(a.ttr, 50), percentile(a.ttr, 90)
	return m
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}
