package journey

import (
	"slices"
	"strings"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// State is where a journey stands.
type State string

// Journey states.
const (
	Open      State = "open"      // unresolved and active within Options.Gap
	Resolved  State = "resolved"  // closed by a resolution event
	Abandoned State = "abandoned" // unresolved and quiet for longer than Options.Gap
)

// Journey is one customer problem across channels.
type Journey struct {
	// ID is the ID of the journey's first event, so it is stable as events
	// arrive and survives merges of the customer.
	ID       string              `json:"id"`
	Customer identity.CustomerID `json:"customer"`
	Intent   string              `json:"intent"`
	Case     string              `json:"case"`
	State    State               `json:"state"`
	Start    time.Time           `json:"start,omitzero"`
	// End is the resolution time, or the last event's time.
	End      time.Time          `json:"end,omitzero"`
	Channels []timeline.Channel `json:"channels"` // channels of its contacts, in order, repeats removed only when adjacent
	Switches []Switch           `json:"switches"`
	Contacts int                `json:"contacts"` // inbound sessions (see Options.SessionGap)
	// ContactLog lists the contacts: each one's channel and first event,
	// in order. A channel-siloed report counts its tickets from it.
	ContactLog []Contact      `json:"contact_log"`
	Handoffs   int            `json:"handoffs"`  // handoff events
	Transfers  int            `json:"transfers"` // transfer events
	Facts      []ProvidedFact `json:"facts"`
	Attempts   []Attempt      `json:"attempts"` // actions bots and agents attempted, in order
	RepeatAsks []RepeatAsk    `json:"repeat_asks"`
	// ResolvedBy is the actor kind of the resolution event.
	ResolvedBy timeline.ActorKind `json:"resolved_by"`
	// Reopened counts contacts that came within Options.ReopenWindow after
	// a resolution and so reopened the journey.
	Reopened int      `json:"reopened"`
	Events   []string `json:"events"` // event IDs, in order
	// HumanInvolved says an agent acted in the journey.
	HumanInvolved bool `json:"human_involved"`

	handoffs HandoffWatch // its handoffs nobody has taken up yet
}

// Contact is one inbound session of a journey: a customer event on a
// channel other than the previous customer event's, or more than
// Options.SessionGap after the journey's previous event.
type Contact struct {
	Channel timeline.Channel `json:"channel"`
	Start   time.Time        `json:"start,omitzero"`
	EventID string           `json:"event_id"` // the customer event that started it
}

// Switch is a change of channel between two contacts of a journey.
type Switch struct {
	From timeline.Channel `json:"from"`
	To   timeline.Channel `json:"to"`
	At   time.Time        `json:"at,omitzero"`
	// ToHuman says the contact after the switch was answered by an agent.
	ToHuman bool `json:"to_human"`
}

// ProvidedFact is a fact given in the journey.
type ProvidedFact struct {
	Key      string           `json:"key"`
	Value    string           `json:"value"`
	Channel  timeline.Channel `json:"channel"`
	Time     time.Time        `json:"time,omitzero"`
	Verified bool             `json:"verified"`
	EventID  string           `json:"event_id"`
}

// Attempt is an action a bot or agent attempted in the journey.
type Attempt struct {
	Name    string           `json:"name"`
	Outcome timeline.Outcome `json:"outcome"`
	Actor   timeline.Actor   `json:"actor"`
	Channel timeline.Channel `json:"channel"`
	Time    time.Time        `json:"time,omitzero"`
	EventID string           `json:"event_id"`
}

// RepeatAsk is a request for a fact the journey already held.
type RepeatAsk struct {
	Key      string           `json:"key"`
	Channel  timeline.Channel `json:"channel"`
	Time     time.Time        `json:"time,omitzero"`
	EventID  string           `json:"event_id"`
	Provided time.Time        `json:"provided,omitzero"` // when the customer had given it
}

// grouper assigns events, oldest first, to journeys. [Group] runs one over
// a whole timeline; the live state (see live.go) keeps one in the store and
// feeds it each new event, so both paths share this code.
type grouper struct {
	opts     Options
	customer identity.CustomerID
	js       []*building
	// lastTime and lastID place the last event added; lastID is "" before
	// the first.
	lastTime time.Time
	lastID   string
}

// building is a journey under construction.
type building struct {
	Journey
	last        time.Time            // last event
	lastChannel timeline.Channel     // channel of the last customer event; "" before the first
	provided    map[string]time.Time // first time each fact key was given
	awaitReply  bool                 // a contact started and no agent or bot has answered yet
	openSwitch  int                  // index+1 of the switch whose first reply is awaited; 0 for none
}

// Group splits a customer's events (in any order) into journeys as of now.
// It is a pure function: the same events and options give the same
// journeys.
func Group(c identity.CustomerID, events []timeline.Event, opts *Options, now time.Time) []Journey {
	o := opts.Clone()
	o.EnsureDefaults()
	g := &grouper{opts: o.grouping(), customer: c}
	cmp := func(a, b timeline.Event) int { return compareEvents(&a, &b) }
	sorted := events // a timeline read is sorted already; the grouper keeps no pointer to an event
	if !slices.IsSortedFunc(events, cmp) {
		sorted = slices.Clone(events)
		slices.SortFunc(sorted, cmp)
	}
	for i := range sorted {
		g.add(&sorted[i], nil) // cannot fail without complete
	}
	return g.journeys(now)
}

// compareEvents is the order journeys are grouped in: time, then event ID
// (the timeline's read order).
func compareEvents(a, b *timeline.Event) int { return comparePlace(a.Time, a.ID, b.Time, b.ID) }

func comparePlace(at time.Time, aID string, bt time.Time, bID string) int {
	if c := at.Compare(bt); c != 0 {
		return c
	}
	return strings.Compare(aID, bID)
}

// journeys returns the journeys as of now: an open journey quiet for longer
// than Gap is abandoned.
func (g *grouper) journeys(now time.Time) []Journey {
	out := make([]Journey, len(g.js))
	for i, b := range g.js {
		out[i] = b.Journey
		if b.State == Open && now.Sub(b.last) > g.opts.Gap {
			out[i].State = Abandoned
		}
	}
	return out
}

// add places one event, which must not be older than the events added
// before it, and returns the index of the journey that took it (-1 for a
// decision, which no journey takes).
//
// complete, if not nil, is called with the index of an existing journey
// before it takes the event: the live state keeps only what find reads of
// each journey in memory, and loads the one journey an event goes to.
func (g *grouper) add(e *timeline.Event, complete func(i int) error) (int, error) {
	if e.Type == timeline.Decision { // decisions are about the customer, not a step of a journey
		return -1, nil
	}
	i := g.find(e)
	if i < 0 {
		g.js = append(g.js, &building{Journey: Journey{ID: e.ID, Customer: g.customer, Intent: e.Intent, Case: e.Case,
			State: Open, Start: e.Time}, provided: map[string]time.Time{}})
		i = len(g.js) - 1
	} else if complete != nil {
		if err := complete(i); err != nil {
			return -1, err
		}
	}
	g.js[i].take(e, g.opts)
	g.lastTime, g.lastID = e.Time, e.ID
	return i, nil
}

// precedes reports whether e comes after every event added so far, so that
// adding it gives what grouping all of them anew would.
func (g *grouper) precedes(e *timeline.Event) bool {
	return g.lastID == "" || comparePlace(g.lastTime, g.lastID, e.Time, e.ID) < 0
}

// sortEvents sorts events into grouping order.
func sortEvents(events []*timeline.Event) { slices.SortFunc(events, compareEvents) }

// find returns the index of the journey an event continues, or -1 for a
// new one: the journey with its case reference, else the latest compatible
// journey by intent that is open within Gap or resolved within
// ReopenWindow. It reads only Case, Intent, State, End and last of each
// journey (the live state's summaries).
func (g *grouper) find(e *timeline.Event) int {
	for i := len(g.js) - 1; i >= 0; i-- {
		b := g.js[i]
		switch {
		case b == nil: // settled, left out by the live state
			continue
		case e.Case != "" && b.Case != "" && e.Case != b.Case:
			continue
		case e.Case == "" && e.Intent != "" && b.Intent != "" && e.Intent != b.Intent:
			continue
		case e.Case != "" && b.Case == "" && e.Intent != b.Intent && b.Intent != "":
			continue
		}
		if b.State == Resolved {
			if e.Time.Sub(b.End) <= g.opts.ReopenWindow && reopens(e) {
				return i
			}
			if e.Case != "" && e.Case == b.Case && !reopens(e) {
				return i // follow-up bookkeeping on a closed case
			}
			continue
		}
		if e.Time.Sub(b.last) <= g.opts.Gap {
			return i
		}
	}
	return -1
}

// settled reports whether find will pass over b for every event after the
// last one added, so that the live state need not keep its summary at hand.
func (g *grouper) settled(b *building) bool {
	if b.State == Resolved {
		return b.Case == "" && g.lastTime.Sub(b.End) > g.opts.ReopenWindow
	}
	return g.lastTime.Sub(b.last) > g.opts.Gap
}

// reopens reports whether an event after a resolution counts as the
// customer coming back (rather than, say, a survey the system sent).
func reopens(e *timeline.Event) bool {
	return e.Actor.Kind == timeline.Customer && e.Direction == timeline.Inbound
}

func (b *building) take(e *timeline.Event, o Options) {
	if b.Intent == "" {
		b.Intent = e.Intent
	}
	if b.Case == "" {
		b.Case = e.Case
	}
	if b.State == Resolved && reopens(e) {
		b.State, b.ResolvedBy = Open, ""
		b.Reopened++
	}
	b.Events = append(b.Events, e.ID)
	b.contact(e, o)
	b.handoff(e)
	switch e.Type {
	case timeline.Handoff:
		b.Handoffs++
	case timeline.Transfer:
		b.Transfers++
	case timeline.Resolution:
		b.State, b.ResolvedBy = Resolved, e.Actor.Kind
	}
	if e.Actor.Kind == timeline.Agent {
		b.HumanInvolved = true
	}
	b.facts(e)
	b.last = e.Time
	if b.State != Resolved || e.Type == timeline.Resolution {
		b.End = e.Time
	}
}

// handoff follows which of the journey's handoffs are taken up (see
// [WaitingHandoff]).
func (b *building) handoff(e *timeline.Event) {
	b.handoffs.Add(e)
}

// contact counts inbound sessions and channel switches.
func (b *building) contact(e *timeline.Event, o Options) {
	if e.Actor.Kind != timeline.Customer {
		if b.awaitReply && (e.Actor.Kind == timeline.Agent || e.Actor.Kind == timeline.Bot) {
			b.awaitReply = false
			if b.openSwitch > 0 {
				b.Switches[b.openSwitch-1].ToHuman = e.Actor.Kind == timeline.Agent
				b.openSwitch = 0
			}
		}
		return
	}
	prev := b.lastChannel
	b.lastChannel = e.Channel
	if prev == e.Channel && e.Time.Sub(b.last) < o.SessionGap {
		return
	}
	b.Contacts++
	b.ContactLog = append(b.ContactLog, Contact{Channel: e.Channel, Start: e.Time, EventID: e.ID})
	b.awaitReply, b.openSwitch = true, 0
	if n := len(b.Channels); n == 0 || b.Channels[n-1] != e.Channel {
		if n > 0 {
			b.Switches = append(b.Switches, Switch{From: b.Channels[n-1], To: e.Channel, At: e.Time})
			b.openSwitch = len(b.Switches)
		}
		b.Channels = append(b.Channels, e.Channel)
	}
}

// facts records provided facts and repeat asks.
func (b *building) facts(e *timeline.Event) {
	for _, f := range e.Facts {
		if _, seen := b.provided[f.Key]; !seen {
			b.provided[f.Key] = e.Time
		}
		b.Facts = append(b.Facts, ProvidedFact{Key: f.Key, Value: f.Value, Channel: e.Channel, Time: e.Time, Verified: e.Verified, EventID: e.ID})
	}
	if e.Actor.Kind == timeline.Customer {
		return
	}
	for _, a := range e.Actions {
		b.Attempts = append(b.Attempts, Attempt{Name: a.Name, Outcome: a.Outcome, Actor: e.Actor, Channel: e.Channel, Time: e.Time, EventID: e.ID})
	}
	for k := range strings.SplitSeq(e.Attrs[timeline.AttrAsks], ",") {
		k = strings.TrimSpace(k)
		if at, seen := b.provided[k]; k != "" && seen {
			b.RepeatAsks = append(b.RepeatAsks, RepeatAsk{Key: k, Channel: e.Channel, Time: e.Time, EventID: e.ID, Provided: at})
		}
	}
}
