package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// The month of traffic, and when the report runs: at the end of it, so
// journeys still active in the last week are open rather than abandoned.
var (
	monthStart = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	monthEnd   = monthStart.AddDate(0, 1, 0)
)

// person is one generated customer and the identifiers they use.
type person struct {
	n        int
	email    identity.Identifier // zero when they never email
	phone    identity.Identifier // for voice and SMS
	whatsapp identity.Identifier
	visitor  identity.Identifier // web chat cookie
	account  identity.Identifier // CRM account, when the CRM knows them
}

var (
	firstNames = []string{"ann", "bob", "chen", "dara", "emil", "fatima", "goran", "hana", "ivan", "jules", "kofi", "lena", "mateo", "nia", "omar", "priya"}
	lastNames  = []string{"lee", "diaz", "okafor", "novak", "silva", "kim", "rossi", "haddad", "berg", "moreau", "sato", "walsh"}
	areaCodes  = []string{"212", "310", "415", "512", "617", "646", "702", "773", "206", "303"}
)

// newPerson draws customer n's identifiers: most have an email and a
// phone, some use WhatsApp and web chat, most are in the CRM. Values are
// unique per n (up to 100,000 customers).
func newPerson(rng *rand.Rand, n int) person {
	p := person{n: n}
	name := firstNames[rng.IntN(len(firstNames))] + "." + lastNames[rng.IntN(len(lastNames))]
	hasEmail, hasPhone := rng.Float64() < 0.9, rng.Float64() < 0.85
	if !hasEmail && !hasPhone {
		hasPhone = true
	}
	if hasEmail {
		p.email = identity.New(identity.Email, fmt.Sprintf("%s.%d@example.com", name, n))
	}
	if hasPhone {
		number := fmt.Sprintf("+1 %s 555 %04d", areaCodes[n%len(areaCodes)], n/len(areaCodes)%10000)
		p.phone = identity.New(identity.Phone, number)
		if rng.Float64() < 0.3 {
			p.whatsapp = identity.New(identity.WhatsApp, number)
		}
	}
	if rng.Float64() < 0.6 {
		p.visitor = identity.New(identity.Visitor, fmt.Sprintf("v-%08x", rng.Uint32()))
	}
	if rng.Float64() < 0.7 {
		p.account = identity.New(identity.Account, fmt.Sprintf("crm:%d", 100000+n))
	}
	return p
}

// crmRecord is what the CRM import observes of p: its account with the
// contact details on file, or nil when p is not in the CRM.
func (p *person) crmRecord() []identity.Identifier {
	if p.account.IsZero() {
		return nil
	}
	var ids []identity.Identifier
	for _, id := range []identity.Identifier{p.account, p.email, p.phone, p.whatsapp} {
		if !id.IsZero() {
			ids = append(ids, id)
		}
	}
	return ids
}

// intent is a reason for contact: the fact the customer gives about it and
// how often a bot can solve it alone.
type intent struct {
	name   string
	weight int
	fact   string
	botFix float64
}

var intents = []intent{
	{"order_status", 30, "order_id", 0.65},
	{"billing", 22, "invoice", 0.3},
	{"technical", 18, "device_model", 0.15},
	{"returns", 14, "order_id", 0.4},
	{"account_access", 10, "username", 0.5},
	{"cancellation", 6, "account_no", 0.1},
}

// firstChannels weights where journeys start.
var firstChannels = []struct {
	ch     timeline.Channel
	weight int
}{{timeline.Chat, 32}, {timeline.Voice, 30}, {timeline.Email, 18}, {timeline.WhatsApp, 12}, {timeline.SMS, 8}}

// botChannel reports whether a bot answers first on ch.
func botChannel(ch timeline.Channel) bool {
	return ch == timeline.Chat || ch == timeline.WhatsApp || ch == timeline.SMS
}

// gen writes one person's month of events.
type gen struct {
	rng *rand.Rand
	p   *person
	evs []timeline.Event
	j   int // journeys started
	// chatLinked says the person once logged in to chat, so the chat
	// visitor is tied to their email from then on.
	chatLinked bool
}

// month generates the person's journeys: one, sometimes two or three,
// starting at random times in the month. Events after the month's end
// have not happened yet and are dropped.
func (g *gen) month() []timeline.Event {
	n := 1
	for n < 3 && g.rng.Float64() < 0.3 {
		n++
	}
	for range n {
		day := g.rng.IntN(31)
		minute := 7*60 + g.rng.IntN(15*60) // 07:00 to 22:00
		g.journey(monthStart.AddDate(0, 0, day).Add(time.Duration(minute) * time.Minute))
	}
	kept := g.evs[:0]
	for _, e := range g.evs {
		if e.Time.Before(monthEnd) {
			kept = append(kept, e)
		}
	}
	return kept
}

// journey plays one problem: solved at first contact, a channel switch, a
// repeat on the same channel, an abandonment, or a resolution that the
// customer reopens.
func (g *gen) journey(start time.Time) {
	g.j++
	in := pickIntent(g.rng)
	ch := g.firstChannel()
	r := g.rng.Float64()
	switch {
	case r < 0.42:
		g.contact(ch, in, start, g.solvePlan(ch, in))
	case r < 0.67:
		g.switchChannels(ch, in, start)
	case r < 0.79:
		at := start
		contacts := 2 + g.rng.IntN(2)
		for i := range contacts {
			plan := contactPlan{giveFact: i == 0, repeatAsk: i > 0 && g.rng.Float64() < 0.4}
			plan.resolve = i == contacts-1 && g.rng.Float64() < 0.8
			at = g.contact(ch, in, at, plan).Add(g.hours(4, 96))
		}
	case r < 0.90:
		plan := contactPlan{giveFact: true}
		if botChannel(ch) {
			plan.bot, plan.handoff = true, g.rng.Float64() < 0.5 // handed off, and nobody picked up
		}
		g.contact(ch, in, start, plan)
	default:
		end := g.contact(ch, in, start, g.solvePlan(ch, in))
		back := g.otherChannel(ch, 0.5)
		g.contact(back, in, end.Add(g.hours(6, 60)), contactPlan{resolve: true, repeatAsk: g.rng.Float64() < 0.3})
	}
}

// switchChannels: the first contact does not solve it, the customer tries
// one or two other channels, and the last one usually does.
func (g *gen) switchChannels(ch timeline.Channel, in intent, start time.Time) {
	first := contactPlan{giveFact: true}
	if botChannel(ch) {
		first.bot = true
		first.handoff = g.rng.Float64() < 0.4
		first.agentJoins = first.handoff && g.rng.Float64() < 0.7
	}
	at := g.contact(ch, in, start, first)
	more := 1 + g.rng.IntN(2)
	for i := range more {
		ch = g.otherChannel(ch, 0)
		plan := contactPlan{repeatAsk: g.rng.Float64() < 0.45, transfer: ch == timeline.Voice && g.rng.Float64() < 0.2}
		plan.resolve = i == more-1 && g.rng.Float64() < 0.85
		at = g.contact(ch, in, at.Add(g.hours(1, 72)), plan)
	}
}

// solvePlan solves the problem in one contact: by the bot when it can,
// else by an agent (after a handoff on bot channels).
func (g *gen) solvePlan(ch timeline.Channel, in intent) contactPlan {
	p := contactPlan{giveFact: true, resolve: true, transfer: ch == timeline.Voice && g.rng.Float64() < 0.15}
	if botChannel(ch) {
		p.bot = true
		p.botResolves = g.rng.Float64() < in.botFix/(in.botFix+0.35)
		p.handoff, p.agentJoins = !p.botResolves, !p.botResolves
	}
	return p
}

// contactPlan is how one contact goes.
type contactPlan struct {
	giveFact    bool // the customer states the fact up front
	bot         bool // a bot answers first
	botResolves bool
	handoff     bool // the bot hands over to an agent
	agentJoins  bool // an agent picks the handoff up (else it is lost)
	transfer    bool // the agent transfers to a colleague
	repeatAsk   bool // the agent asks again for the fact given before
	resolve     bool // resolved in this contact (by the agent, or by the bot if botResolves)
}

// contact plays one inbound contact on ch at t and returns the time of its
// last event.
func (g *gen) contact(ch timeline.Channel, in intent, t time.Time, plan contactPlan) time.Time {
	ids := g.identifiers(ch)
	first := g.event(ch, ids, t, customer, inboundType(ch), in, "Customer describes the "+strings.ReplaceAll(in.name, "_", " ")+" problem.")
	if plan.giveFact {
		first.Facts = []timeline.Fact{{Key: in.fact, Value: g.factValue(in)}}
	}
	g.add(first)
	t = t.Add(time.Duration(20+g.rng.IntN(60)) * time.Second)
	if plan.bot {
		outcome := timeline.Failed
		if plan.botResolves {
			outcome = timeline.Succeeded
		}
		reply := g.event(ch, ids, t, bot, timeline.Message, in, "Bot looks it up.")
		reply.Direction = timeline.Outbound
		reply.Actions = []timeline.Action{{Name: "lookup_" + in.name, Outcome: outcome}}
		g.add(reply)
		if plan.botResolves {
			t = t.Add(time.Minute)
			g.add(g.event(ch, ids, t, bot, timeline.Resolution, in, "Bot solved it."))
			return t
		}
		if !plan.handoff {
			return t // the customer gives up on the bot
		}
		t = t.Add(30 * time.Second)
		h := g.event(ch, ids, t, bot, timeline.Handoff, in, "Bot hands over to an agent.")
		h.Direction = timeline.Internal
		g.add(h)
		if !plan.agentJoins {
			return t
		}
		t = t.Add(time.Duration(1+g.rng.IntN(8)) * time.Minute)
	}
	return g.agentTurn(ch, ids, in, t, plan)
}

// agentTurn is the agent's part of a contact.
func (g *gen) agentTurn(ch timeline.Channel, ids []identity.Identifier, in intent, t time.Time, plan contactPlan) time.Time {
	if ch == timeline.Email {
		t = t.Add(g.hours(1, 6)) // email is answered later
	}
	if plan.transfer {
		tr := g.event(ch, ids, t, agentNamed(g.rng), timeline.Transfer, in, "Transfers to a specialist.")
		tr.Direction = timeline.Internal
		g.add(tr)
		t = t.Add(2 * time.Minute)
	}
	msg := g.event(ch, ids, t, agentNamed(g.rng), timeline.Message, in, "Agent takes the case.")
	msg.Direction = timeline.Outbound
	if !plan.giveFact && (plan.repeatAsk || !g.factGiven(in)) {
		msg.Attrs = map[string]string{timeline.AttrAsks: in.fact}
	}
	g.add(msg)
	if msg.Attrs != nil && ch != timeline.Email {
		t = t.Add(time.Minute)
		answer := g.event(ch, ids, t, customer, inboundType(ch), in, "Customer gives it (again).")
		answer.Facts = []timeline.Fact{{Key: in.fact, Value: g.factValue(in)}}
		g.add(answer)
	}
	t = t.Add(time.Duration(2+g.rng.IntN(12)) * time.Minute)
	if plan.resolve {
		g.add(g.event(ch, ids, t, msg.Actor, timeline.Resolution, in, "Agent solved it."))
		return t
	}
	promise := g.event(ch, ids, t, msg.Actor, timeline.Message, in, "Agent promises to follow up.")
	promise.Direction = timeline.Outbound
	g.add(promise)
	return t
}

var (
	customer = timeline.Actor{Kind: timeline.Customer}
	bot      = timeline.Actor{Kind: timeline.Bot, ID: "helper-bot"}
)

func agentNamed(rng *rand.Rand) timeline.Actor {
	return timeline.Actor{Kind: timeline.Agent, ID: fmt.Sprintf("agent-%02d", 1+rng.IntN(40))}
}

func inboundType(ch timeline.Channel) timeline.Type {
	switch ch {
	case timeline.Voice:
		return timeline.CallStart
	case timeline.Email:
		return timeline.EmailMsg
	}
	return timeline.Message
}

func (g *gen) event(ch timeline.Channel, ids []identity.Identifier, t time.Time, a timeline.Actor, typ timeline.Type, in intent, text string) timeline.Event {
	dir := timeline.Inbound
	if a.Kind != timeline.Customer {
		dir = timeline.Outbound
	}
	return timeline.Event{ID: fmt.Sprintf("p%d-j%d-e%d", g.p.n, g.j, len(g.evs)+1), Time: t, Channel: ch, Direction: dir,
		Actor: a, Type: typ, Intent: in.name, Text: text, Identifiers: ids}
}

func (g *gen) add(e timeline.Event) { g.evs = append(g.evs, e) }

// factValue is the person's value of a fact: the same every time they
// give it.
func (g *gen) factValue(in intent) string { return fmt.Sprintf("%s-%d", in.fact, g.p.n) }

// factGiven reports whether the current journey already holds the fact.
func (g *gen) factGiven(in intent) bool {
	prefix := fmt.Sprintf("p%d-j%d-", g.p.n, g.j)
	for i := len(g.evs) - 1; i >= 0 && strings.HasPrefix(g.evs[i].ID, prefix); i-- {
		for _, f := range g.evs[i].Facts {
			if f.Key == in.fact {
				return true
			}
		}
	}
	return false
}

// identifiers are what channel ch sees of the person. A web chat carries
// the visitor cookie, and the email once the person has logged in (most
// do, the first time); a call sometimes records the email the caller
// confirms.
func (g *gen) identifiers(ch timeline.Channel) []identity.Identifier {
	p := g.p
	switch ch {
	case timeline.Chat:
		if !g.chatLinked && !p.email.IsZero() && g.rng.Float64() < 0.75 {
			g.chatLinked = true
			return []identity.Identifier{p.visitor, p.email}
		}
		return []identity.Identifier{p.visitor}
	case timeline.Voice:
		if !p.email.IsZero() && g.rng.Float64() < 0.3 {
			return []identity.Identifier{p.phone, p.email}
		}
		return []identity.Identifier{p.phone}
	case timeline.SMS:
		return []identity.Identifier{p.phone}
	case timeline.WhatsApp:
		return []identity.Identifier{p.whatsapp}
	}
	return []identity.Identifier{p.email}
}

// usable reports whether the person can use ch.
func (p *person) usable(ch timeline.Channel) bool {
	switch ch {
	case timeline.Chat:
		return !p.visitor.IsZero()
	case timeline.Voice, timeline.SMS:
		return !p.phone.IsZero()
	case timeline.WhatsApp:
		return !p.whatsapp.IsZero()
	}
	return !p.email.IsZero()
}

// firstChannel draws where a journey starts among the channels the person
// uses.
func (g *gen) firstChannel() timeline.Channel {
	total := 0
	for _, c := range firstChannels {
		if g.p.usable(c.ch) {
			total += c.weight
		}
	}
	r := g.rng.IntN(total)
	for _, c := range firstChannels {
		if g.p.usable(c.ch) {
			if r < c.weight {
				return c.ch
			}
			r -= c.weight
		}
	}
	panic("unreachable: every person has a phone or an email")
}

// otherChannel draws the channel of a later contact: with probability
// same the same one, else another the person uses (voice first: people
// who are stuck call), or the same when they use no other.
func (g *gen) otherChannel(ch timeline.Channel, same float64) timeline.Channel {
	if g.rng.Float64() < same {
		return ch
	}
	var options []timeline.Channel
	for _, c := range firstChannels {
		if c.ch != ch && g.p.usable(c.ch) {
			options = append(options, c.ch)
			if c.ch == timeline.Voice {
				options = append(options, c.ch, c.ch)
			}
		}
	}
	if len(options) == 0 {
		return ch
	}
	return options[g.rng.IntN(len(options))]
}

func pickIntent(rng *rand.Rand) intent {
	total := 0
	for _, in := range intents {
		total += in.weight
	}
	r := rng.IntN(total)
	for _, in := range intents {
		if r < in.weight {
			return in
		}
		r -= in.weight
	}
	panic("unreachable")
}

// hours draws a delay between lo and hi hours.
func (g *gen) hours(lo, hi int) time.Duration {
	return time.Duration(lo)*time.Hour + time.Duration(g.rng.Int64N(int64(hi-lo)*int64(time.Hour)))
}
