package main

import (
	"cmp"
	"slices"
	"time"

	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// channelRow is what one channel's own, siloed report says about its
// tickets (one ticket per journey that had a customer contact on the
// channel), beside what happened to the journeys behind those tickets.
// Rates are shares of Tickets.
type channelRow struct {
	Channel  string `json:"channel"` // "all" for the total row
	Tickets  int    `json:"tickets"`
	Contacts int    `json:"contacts"` // customer contacts on the channel
	// ChannelFCR: tickets of resolved journeys with exactly one contact on
	// the channel, which the channel counts as solved first time (see
	// journey.Metrics for both definitions).
	ChannelFCR float64 `json:"channel_fcr"`
	// BotContained: tickets where a bot acted and no agent did on the
	// channel: what a bot dashboard counts as contained.
	BotContained float64 `json:"bot_contained"`
	// MovedOn: tickets after which the customer contacted another channel
	// about the same problem, which the channel never sees.
	MovedOn float64 `json:"moved_on"`
	// JourneyResolved: tickets whose journey was resolved.
	JourneyResolved float64 `json:"journey_resolved"`
	// JourneyFCR: tickets whose journey was resolved in one contact.
	JourneyFCR float64 `json:"journey_fcr"`
}

// ticket is one channel's part of one journey.
type ticket struct {
	contacts     int
	bot, agent   bool
	lastContact  time.Time
	movedOn      bool
	resolved, fc bool
}

// silo accumulates channel rows over journeys.
type silo struct {
	counts map[string]*siloCount
}

type siloCount struct{ tickets, contacts, fcr, bot, moved, resolved, jfcr int }

func newSilo() *silo {
	return &silo{counts: map[string]*siloCount{}}
}

// add splits journey j into channel tickets. events are the customer's
// events in time order, as the timeline reads them. Contacts are the
// journey's own (Journey.ContactLog), so both views count the same ones.
func (s *silo) add(j *journey.Journey, events []timeline.Event) {
	in := make(map[string]bool, len(j.Events))
	for _, id := range j.Events {
		in[id] = true
	}
	starts := make(map[string]bool, len(j.ContactLog))
	for _, c := range j.ContactLog {
		starts[c.EventID] = true
	}
	tickets := map[timeline.Channel]*ticket{}
	for i := range events {
		e := &events[i]
		if !in[e.ID] {
			continue
		}
		t := tickets[e.Channel]
		switch e.Actor.Kind {
		case timeline.Customer:
			if starts[e.ID] {
				if t == nil {
					t = &ticket{}
					tickets[e.Channel] = t
				}
				t.contacts++
				t.lastContact = e.Time
				for ch, other := range tickets {
					if ch != e.Channel {
						other.movedOn = true
					}
				}
			}
		case timeline.Bot:
			if t != nil {
				t.bot = true
			}
		case timeline.Agent:
			if t != nil {
				t.agent = true
			}
		}
	}
	for ch, t := range tickets {
		t.resolved = j.State == journey.Resolved
		t.fc = t.resolved && j.Contacts == 1
		s.count(string(ch), t)
		s.count("all", t)
	}
}

func (s *silo) count(ch string, t *ticket) {
	c := s.counts[ch]
	if c == nil {
		c = &siloCount{}
		s.counts[ch] = c
	}
	c.tickets++
	c.contacts += t.contacts
	c.fcr += b2i(t.contacts == 1 && t.resolved)
	c.bot += b2i(t.bot && !t.agent)
	c.moved += b2i(t.movedOn)
	c.resolved += b2i(t.resolved)
	c.jfcr += b2i(t.fc)
}

// rows returns one row per channel by tickets (most first), then "all".
func (s *silo) rows() []channelRow {
	var out []channelRow
	for ch, c := range s.counts {
		n := float64(c.tickets)
		out = append(out, channelRow{Channel: ch, Tickets: c.tickets, Contacts: c.contacts,
			ChannelFCR: float64(c.fcr) / n, BotContained: float64(c.bot) / n, MovedOn: float64(c.moved) / n,
			JourneyResolved: float64(c.resolved) / n, JourneyFCR: float64(c.jfcr) / n})
	}
	slices.SortFunc(out, func(a, b channelRow) int {
		if a.Channel == "all" || b.Channel == "all" {
			return b2i(a.Channel == "all") - b2i(b.Channel == "all")
		}
		return cmp.Or(cmp.Compare(b.Tickets, a.Tickets), cmp.Compare(a.Channel, b.Channel))
	})
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
