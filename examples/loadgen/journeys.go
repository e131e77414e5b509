package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// intent is one kind of customer problem, with the words around it.
type intent struct {
	name, fact, opening, issue, action string
}

var (
	intents = []intent{
		{"billing", "invoice", "I was charged twice for invoice %s.", "double charge on invoice %s", "auto_refund"},
		{"delivery", "order_id", "My order %s has not arrived yet.", "late delivery of order %s", "reship_order"},
		{"returns", "order_id", "I want to return order %s, it is the wrong size.", "return of order %s", "create_return_label"},
		{"technical", "device_model", "The app crashes on my %s whenever I log in.", "app crash on %s", "reset_session"},
		{"account", "account_ref", "I cannot log in to account %s since yesterday.", "locked account %s", "unlock_account"},
		{"cancellation", "contract", "Please cancel contract %s at the end of the month.", "cancellation of contract %s", "cancel_contract"},
	}
	followUps = []string{"Any update on this?", "I already gave you the number.", "Still waiting, this is taking long.",
		"Can someone call me back?", "Thanks, I will wait.", "Is there anything else you need from me?"}
	botLines   = []string{"I am looking into %s for you.", "I found %s; checking what I can do.", "Thanks, I have the details of %s."}
	agentLines = []string{"Hi, I can see everything about %s; let me check.", "I have %s in front of me and I am on it.",
		"Sorry for the wait about %s; I am escalating it."}
	models = []string{"Pixel 8", "iPhone 15", "Galaxy S24", "iPad Air", "ThinkPad X1"}
)

// journeyWriter writes one customer's journeys into its plan.
type journeyWriter struct {
	p        *profile
	r        *rand.Rand
	pl       *plan
	customer int
}

// step is one slot of a journey before it gets its time: an event, or the
// handoff and its acknowledgement (e is nil for those).
type step struct {
	e       *timeline.Event
	gap     time.Duration // natural time since the previous step
	handoff bool          // the handoff (true) or, with e nil, the acknowledgement
}

// journey appends a journey of n events (handoff and acknowledgement
// included) starting at start and lasting at most maxSpan.
func (w *journeyWriter) journey(k, n int, start time.Time, maxSpan time.Duration, withHandoff, dup bool) {
	r := w.r
	in := pick(r, intents)
	value := fmt.Sprintf("%d", 10000+r.IntN(900000))
	if in.fact == "device_model" {
		value = pick(r, models)
	}
	j := &journeyState{w: w, in: in, value: value, k: k, dup: dup, caseRef: fmt.Sprintf("CS-%d-%d", w.customer, k)}
	var steps []step
	var resolved bool
	if withHandoff {
		steps, resolved = j.withHandoff(n)
	} else {
		steps, resolved = j.plain(n)
	}
	w.place(steps, start, maxSpan)
	w.pl.switches += j.switches
	w.pl.expect(resolved, steps[len(steps)-1].e.Time) // a journey ends with an event
	if !withHandoff {
		for _, s := range steps {
			w.pl.before = append(w.pl.before, *s.e)
		}
		return
	}
	h := w.pl.handoff
	h.req.Journey = steps[0].e.ID
	afterHandoff := false
	for _, s := range steps {
		switch {
		case s.e == nil:
			afterHandoff = true
		case afterHandoff:
			w.pl.after = append(w.pl.after, *s.e)
		default:
			w.pl.before = append(w.pl.before, *s.e)
		}
	}
}

// place gives the steps their times, compressing the natural gaps when
// they would not fit in maxSpan.
func (w *journeyWriter) place(steps []step, start time.Time, maxSpan time.Duration) {
	var total time.Duration
	for _, s := range steps[1:] {
		total += s.gap
	}
	scale := 1.0
	if total > maxSpan && total > 0 {
		scale = float64(maxSpan) / float64(total)
	}
	at := start
	for i, s := range steps {
		if i > 0 {
			at = at.Add(max(time.Millisecond, time.Duration(float64(s.gap)*scale)))
		}
		switch {
		case s.e != nil:
			s.e.Time = at
		case s.handoff:
			w.pl.handoff.at = at
		default:
			w.pl.handoff.ackAt = at
		}
	}
}

// journeyState is one journey being written.
type journeyState struct {
	w        *journeyWriter
	in       intent
	value    string
	caseRef  string
	k        int
	dup      bool
	events   int
	given    bool // the customer has stated the problem
	lastCh   timeline.Channel
	switches int
}

// plain is a journey without a handoff: one to three contacts, resolved by
// a bot (all contacts on bot channels), by an agent, or not at all.
func (j *journeyState) plain(n int) ([]step, bool) {
	r := j.w.r
	by := timeline.ActorKind("")
	if x := r.Float64(); n >= 2 && x < 0.3 {
		by = timeline.Bot
	} else if n >= 2 && x < 0.75 {
		by = timeline.Agent
	}
	body := n
	if by != "" {
		body--
	}
	contacts := 1 + r.IntN(min(3, body))
	sizes := split(r, body, contacts)
	var steps []step
	for c, s := range sizes {
		ch := j.channel(by == timeline.Bot)
		responder := responderOf(ch)
		if by == timeline.Agent && c == len(sizes)-1 {
			responder = timeline.Agent
		}
		steps = append(steps, j.contact(ch, s, responder)...)
	}
	if by != "" {
		steps = append(steps, j.resolution(by))
	}
	return steps, by != ""
}

// withHandoff is a journey whose bot fails and hands over to a person: a
// contact on a bot channel, the handoff and its acknowledgement, then a
// contact with an agent, usually ending in a resolution.
func (j *journeyState) withHandoff(n int) ([]step, bool) {
	r := j.w.r
	resolved := n > minHandoffJourney && r.Float64() < 0.8
	body := n - 2
	if resolved {
		body--
	}
	sizes := split(r, body, 2)
	if sizes[0] < 2 { // the bot needs a turn to fail in
		sizes[0], sizes[1] = sizes[1], sizes[0]
	}
	if sizes[0]%2 == 1 { // and that turn comes last
		sizes[0], sizes[1] = sizes[0]-1, sizes[1]+1
	}
	from := j.channel(true)
	steps := j.contact(from, sizes[0], timeline.Bot)
	// The bot's last turn is the failed attempt that triggers the handoff.
	if last := steps[len(steps)-1].e; last.Actor.Kind == timeline.Bot {
		last.Type = timeline.Note
		last.Actions = []timeline.Action{{Name: j.in.action, Outcome: "failed"}}
	}
	to := handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "support"}
	if r.IntN(2) == 0 {
		to = handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Agent, ID: fmt.Sprintf("agent-%02d", r.IntN(50))}
	}
	agent := timeline.Actor{Kind: timeline.Agent, ID: fmt.Sprintf("agent-%02d", r.IntN(50))}
	if to.Kind == handoff.Agent {
		agent.ID = to.ID
	}
	j.w.pl.handoff = &handoffPlan{by: agent, req: handoff.Request{
		From:   handoff.Endpoint{Channel: from, Kind: handoff.Bot, ID: "bot-" + string(from)},
		To:     to,
		Reason: j.in.action + " failed"}}
	steps = append(steps,
		step{handoff: true, gap: time.Duration(20+r.IntN(40)) * time.Second},
		step{gap: time.Duration(1+r.IntN(5)) * time.Minute})
	contact := j.contact(to.Channel, sizes[1], timeline.Agent)
	contact[0].gap = 30 * time.Second
	for _, s := range contact {
		if s.e.Actor.Kind == timeline.Agent {
			s.e.Actor = agent
		}
	}
	steps = append(steps, contact...)
	if resolved {
		res := j.resolution(timeline.Agent)
		res.e.Actor = agent
		steps = append(steps, res)
	}
	return steps, resolved
}

// split divides n into k parts of at least one (k <= n).
func split(r *rand.Rand, n, k int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = 1
	}
	for range n - k {
		out[r.IntN(k)]++
	}
	return out
}

// channel picks the next contact's channel, a different one from the last
// contact's when the customer has another.
func (j *journeyState) channel(botOnly bool) timeline.Channel {
	p := j.w.p
	var chs []timeline.Channel
	switch {
	case j.dup:
		chs = []timeline.Channel{timeline.Email, timeline.Voice, timeline.SMS}
		if botOnly {
			chs = []timeline.Channel{timeline.SMS}
		}
	case botOnly:
		chs = []timeline.Channel{timeline.Chat, timeline.SMS}
	default:
		chs = []timeline.Channel{timeline.Email, timeline.Voice, timeline.Chat, timeline.SMS}
	}
	if !j.dup && !p.whatsapp.IsZero() {
		chs = append(chs, timeline.WhatsApp)
	}
	if !j.dup && !p.device.IsZero() {
		chs = append(chs, timeline.App)
	}
	ch := pick(j.w.r, chs)
	for ch == j.lastCh && len(chs) > 1 {
		ch = pick(j.w.r, chs)
	}
	return ch
}

func responderOf(ch timeline.Channel) timeline.ActorKind {
	if ch == timeline.Voice || ch == timeline.Email {
		return timeline.Agent
	}
	return timeline.Bot
}

// ids are the identifiers a channel shows; first says the contact's first
// customer turn, where customers log in or give their email.
func (j *journeyState) ids(ch timeline.Channel, first bool) []identity.Identifier {
	p := j.w.p
	if j.dup {
		if ch == timeline.Email {
			return []identity.Identifier{p.workEmail}
		}
		return []identity.Identifier{p.phone2}
	}
	with := func(id, extra identity.Identifier) []identity.Identifier {
		if first && !extra.IsZero() {
			return []identity.Identifier{id, extra}
		}
		return []identity.Identifier{id}
	}
	switch ch {
	case timeline.Email:
		return []identity.Identifier{p.email}
	case timeline.Voice:
		return with(p.phone, p.account)
	case timeline.Chat:
		v := p.visitor
		if j.k > 0 && !p.visitor2.IsZero() { // a second browser
			v = p.visitor2
		}
		return with(v, p.email)
	case timeline.WhatsApp:
		return []identity.Identifier{p.whatsapp}
	case timeline.App:
		return with(p.device, p.account)
	default:
		return []identity.Identifier{p.phone}
	}
}

// contact writes one contact of n events on ch: the customer, then the
// responder, in turns.
func (j *journeyState) contact(ch timeline.Channel, n int, responder timeline.ActorKind) []step {
	r := j.w.r
	if j.lastCh != "" && j.lastCh != ch {
		j.switches++
	}
	j.lastCh = ch
	steps := make([]step, n)
	for i := range steps {
		gap := time.Duration(1+r.IntN(4)) * time.Minute
		if i == 0 {
			gap = time.Duration(2+r.IntN(46)) * time.Hour
		}
		var e *timeline.Event
		if i%2 == 0 {
			e = j.customerTurn(ch, i == 0)
		} else {
			e = j.reply(ch, responder)
		}
		steps[i] = step{e: e, gap: gap}
	}
	return steps
}

func (j *journeyState) event(ch timeline.Channel, actor timeline.Actor, typ timeline.Type, text string, ids []identity.Identifier) *timeline.Event {
	dir := timeline.Outbound
	if actor.Kind == timeline.Customer {
		dir = timeline.Inbound
	}
	e := &timeline.Event{ID: fmt.Sprintf("e%d-%d-%d", j.w.customer, j.k, j.events), Channel: ch, Direction: dir,
		Actor: actor, Type: typ, Text: text, Intent: j.in.name, Case: j.caseRef, Identifiers: ids}
	j.events++
	return e
}

func (j *journeyState) customerTurn(ch timeline.Channel, first bool) *timeline.Event {
	r := j.w.r
	typ := timeline.Message
	switch {
	case ch == timeline.Email:
		typ = timeline.EmailMsg
	case ch == timeline.Voice && first:
		typ = timeline.CallStart
	}
	text := pick(r, followUps)
	if !j.given {
		text = fmt.Sprintf(j.in.opening, j.value)
	}
	e := j.event(ch, timeline.Actor{Kind: timeline.Customer}, typ, text, j.ids(ch, first))
	if !j.given {
		j.given = true
		e.Facts = []timeline.Fact{{Key: j.in.fact, Value: j.value}, {Key: handoff.FactIssue, Value: fmt.Sprintf(j.in.issue, j.value)}}
	}
	e.Sentiment = timeline.Sentiment(float64(r.IntN(11)-8) / 10)
	e.Verified = ch == timeline.Voice && first && !j.dup
	return e
}

func (j *journeyState) reply(ch timeline.Channel, kind timeline.ActorKind) *timeline.Event {
	r := j.w.r
	actor := timeline.Actor{Kind: kind, ID: "bot-" + string(ch)}
	line := pick(r, botLines)
	if kind == timeline.Agent {
		actor.ID = fmt.Sprintf("agent-%02d", r.IntN(50))
		line = pick(r, agentLines)
	}
	typ := timeline.Message
	if ch == timeline.Email {
		typ = timeline.EmailMsg
	}
	e := j.event(ch, actor, typ, fmt.Sprintf(line, fmt.Sprintf(j.in.issue, j.value)), j.ids(ch, false)[:1])
	if kind == timeline.Agent && r.IntN(5) == 0 { // agents sometimes ask again for what was given
		e.Attrs = map[string]string{timeline.AttrAsks: j.in.fact}
	}
	return e
}

func (j *journeyState) resolution(by timeline.ActorKind) step {
	ch := j.lastCh
	e := j.reply(ch, by)
	e.Type = timeline.Resolution
	e.Text = "Resolved: " + fmt.Sprintf(j.in.issue, j.value) + "."
	e.Attrs = nil
	e.Actions = []timeline.Action{{Name: j.in.action, Outcome: "succeeded"}}
	return step{e: e, gap: time.Duration(1+j.w.r.IntN(10)) * time.Minute}
}
