package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// The simulated world: every customer's history lies in the 120 days
// before simEnd, which is also "now" for the library's clocks, so the
// same seed gives the same data and the same journey states on any day.
var simEnd = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

const (
	history = 120 * 24 * time.Hour
	// dupShare of customers also appear under a second identity (a new
	// phone and a work email, no identifier in common) with the same name,
	// birth date and address: only probabilistic matching could join them.
	dupShare = 0.05
	// handoffShare of customers with room for one get a bot-to-human
	// handoff in their latest journey.
	handoffShare = 0.6
	// minHandoffJourney is the fewest events a journey with a handoff
	// takes: customer, failed bot attempt, handoff, acknowledgement, agent.
	minHandoffJourney = 5
	// abandonAfter mirrors journey.Options.Gap's default: an unresolved
	// journey quiet for longer is abandoned.
	abandonAfter = 7 * 24 * time.Hour
)

// maxCustomers bounds -customers: phone numbers are drawn without
// repetition from phoneSpace numbers per area code.
const maxCustomers = phoneSpace

// plan is everything one customer does, derived from (seed, index) alone,
// so that every phase can regenerate it and any -concurrency gives the
// same data.
type plan struct {
	obs []identity.Observation // identity observations, main identity first, the duplicate last
	// before are the events appended before the handoff (all of them when
	// there is none), in time order; after are those that follow the
	// acknowledgement.
	before, after []timeline.Event
	handoff       *handoffPlan
	dup           bool // has a second identity
	dupObs        int  // index in obs of the duplicate's observation

	journeys, resolved, abandoned, open int
	events                              int // all events, handoff and acknowledgement included
	switches                            int // channel changes between contacts
}

// handoffPlan is one bot-to-human handoff and its acknowledgement.
type handoffPlan struct {
	req   handoff.Request
	at    time.Time // the builder's clock when the handoff is recorded
	ackAt time.Time
	by    timeline.Actor
}

// profile is one person with the identifiers they use.
type profile struct {
	given, family, birth, address, city, postcode string

	email, phone, whatsapp, visitor, visitor2, device, account identity.Identifier
	// The duplicate identity, if any.
	workEmail, phone2 identity.Identifier
}

// generator makes plans for one seed.
type generator struct {
	seed      uint64
	customers int
	events    int
}

func (g *generator) rng(stream, i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed^stream*0x9e3779b97f4a7c15, i))
}

// budget is customer i's share of -events: customers are paired and each
// pair splits its part unevenly, so sizes vary but the total is exact.
func (g *generator) budget(i int) int {
	base := func(j int) int {
		b := g.events / g.customers
		if j < g.events%g.customers {
			b++
		}
		return b
	}
	if i^1 >= g.customers { // the odd one out
		return base(i)
	}
	pair := base(i &^ 1)
	pair += base(i | 1)
	half := pair / 2
	r := g.rng(1, uint64(i/2))
	d := 0
	if half > 1 {
		d = r.IntN(half) - half/2
	}
	if i&1 == 0 {
		return half + d
	}
	return pair - half - d
}

// plan builds customer i's plan.
func (g *generator) plan(i int) *plan {
	r := g.rng(2, uint64(i))
	p := g.profile(i, r)
	pl := &plan{}
	b := g.budget(i)
	pl.events = b

	start := simEnd.Add(-history + time.Duration(r.Int64N(int64(history/10))))
	pl.obs = p.observations(start)

	dupEvents := 0
	if r.Float64() < dupShare {
		pl.dup = true
		if b >= 4 {
			dupEvents = 2 + r.IntN(min(4, b-3))
		}
	}
	handoffEvents := 0
	if b-dupEvents >= minHandoffJourney && r.Float64() < handoffShare {
		handoffEvents = minHandoffJourney + r.IntN(min(6, b-dupEvents-minHandoffJourney+1))
	}
	sizes := journeySizes(r, b-dupEvents-handoffEvents)
	if handoffEvents > 0 {
		sizes = append(sizes, handoffEvents)
	}
	span := simEnd.Add(-time.Hour).Sub(start)
	w := span / time.Duration(max(1, len(sizes)))
	js := &journeyWriter{p: p, r: r, pl: pl, customer: i}
	for k, n := range sizes {
		// Each journey lies within its own slot, so journeys never
		// overlap; one late in the last slot may still be open at simEnd.
		off := time.Duration(r.Int64N(int64(w * 9 / 10)))
		at := start.Add(time.Duration(k)*w + off)
		js.journey(k, n, at, w-off, handoffEvents > 0 && k == len(sizes)-1, false)
	}
	if pl.dup {
		at := start.Add(time.Duration(r.Int64N(int64(span / 2))))
		pl.dupObs = len(pl.obs)
		pl.obs = append(pl.obs, p.dupObservation(at.Add(-time.Hour)))
		if dupEvents > 0 {
			js.journey(len(sizes), dupEvents, at, span/4, false, true)
		}
	}
	return pl
}

// journeySizes splits n events into journeys of 2 to 10 events (a last
// journey of one event is a customer who wrote once and never again).
func journeySizes(r *rand.Rand, n int) []int {
	var out []int
	for n > 0 {
		s := min(n, 2+r.IntN(9))
		if n-s == 1 {
			s++
		}
		out = append(out, s)
		n -= s
	}
	return out
}

var (
	givenNames  = []string{"Ann", "Raj", "Maria", "Chen", "Fatima", "John", "Aiko", "Lucas", "Olga", "Kwame", "Sofia", "Omar", "Ines", "Pavel", "Grace", "Diego", "Leila", "Tom", "Yuki", "Nadia"}
	familyNames = []string{"Lee", "Patel", "Garcia", "Wang", "Khan", "Smith", "Sato", "Silva", "Ivanova", "Mensah", "Rossi", "Haddad", "Costa", "Novak", "Okafor", "Lopez", "Farah", "Brown", "Tanaka", "Haddad"}
	streets     = []string{"Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St", "Lake Blvd", "Hill Rd"}
	cities      = []string{"San Francisco", "Oakland", "San Jose", "Berkeley", "Palo Alto", "Fremont"}
	mailHosts   = []string{"example.com", "example.net", "example.org"}
	workHosts   = []string{"acme.example", "globex.example", "initech.example", "umbrella.example"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (g *generator) profile(i int, r *rand.Rand) *profile {
	p := &profile{
		given: pick(r, givenNames), family: pick(r, familyNames),
		birth:   time.Date(1950+r.IntN(55), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		address: fmt.Sprintf("%d %s", 1+r.IntN(9999), pick(r, streets)), city: pick(r, cities),
		postcode: fmt.Sprintf("94%03d", r.IntN(1000)),
	}
	n := g.unique(i, 0)
	p.email = identity.New(identity.Email, fmt.Sprintf("%s.%s%d@%s", p.given, p.family, n, pick(r, mailHosts)))
	p.phone = identity.New(identity.Phone, phoneNumber("415", n))
	p.visitor = identity.New(identity.Visitor, fmt.Sprintf("v-%016x", r.Uint64()))
	if r.Float64() < 0.3 {
		p.visitor2 = identity.New(identity.Visitor, fmt.Sprintf("v-%016x", r.Uint64()))
	}
	switch x := r.Float64(); {
	case x < 0.3: // WhatsApp on the same number
		p.whatsapp = identity.New(identity.WhatsApp, phoneNumber("415", n))
	case x < 0.5:
		p.whatsapp = identity.New(identity.WhatsApp, phoneNumber("628", g.unique(i, 1)))
	}
	if r.Float64() < 0.5 {
		p.device = identity.New(identity.Device, fmt.Sprintf("d-%016x", r.Uint64()))
	}
	if r.Float64() < 0.7 {
		p.account = identity.New(identity.Account, fmt.Sprintf("crm:%08d", n))
	}
	p.workEmail = identity.New(identity.Email, fmt.Sprintf("%c.%s%d@%s", p.given[0], p.family, n, pick(r, workHosts)))
	p.phone2 = identity.New(identity.Phone, phoneNumber("510", g.unique(i, 2)))
	return p
}

// unique maps customer i to a distinct number below phoneSpace, scrambled
// by the seed and the identifier space, so identifiers never collide and
// do not arrive in key order.
func (g *generator) unique(i, space int) int {
	off := (g.seed + uint64(space)*0x9e3779b97f4a7c15) % phoneSpace
	return int((uint64(i)*phoneMultiplier + off) % phoneSpace)
}

// US numbers: a real area code, an exchange from 200 to 999 that is not
// one digit repeated (those look like placeholders and are blocked), and
// a line number.
const (
	phoneSpace      = 792 * 10_000
	phoneMultiplier = 1_000_003 // prime, so coprime with phoneSpace
)

func phoneNumber(area string, n int) string {
	ex := 200 + n/10_000
	for d := 2; d <= 9; d++ { // skip 222, 333, ... 999 below ex
		if d*111 <= ex {
			ex++
		}
	}
	return fmt.Sprintf("+1 %s %03d %04d", area, ex, n%10_000)
}

// observations are what web, sign-up, CRM and app systems saw of the
// customer before their first journey.
func (p *profile) observations(start time.Time) []identity.Observation {
	at := func(days int) time.Time { return start.Add(-time.Duration(days) * 24 * time.Hour) }
	obs := []identity.Observation{
		{Source: "web", Time: at(10), Identifiers: []identity.Identifier{p.visitor}},
		{Source: "signup", Time: at(9), Identifiers: []identity.Identifier{p.email, p.visitor},
			Attributes: map[string]string{identity.AttrGivenName: p.given, identity.AttrFamilyName: p.family}},
	}
	crm := identity.Observation{Source: "crm", Time: at(8), Verified: true, Identifiers: []identity.Identifier{p.email, p.phone},
		Attributes: p.attributes()}
	if !p.account.IsZero() {
		crm.Identifiers = append(crm.Identifiers, p.account)
	}
	obs = append(obs, crm)
	if !p.whatsapp.IsZero() {
		obs = append(obs, identity.Observation{Source: "whatsapp", Time: at(7), Identifiers: []identity.Identifier{p.whatsapp, p.phone}})
	}
	if !p.device.IsZero() {
		obs = append(obs, identity.Observation{Source: "app", Time: at(6), Identifiers: []identity.Identifier{p.device, p.email}})
	}
	return obs
}

func (p *profile) attributes() map[string]string {
	return map[string]string{
		identity.AttrGivenName: p.given, identity.AttrFamilyName: p.family, identity.AttrFullName: p.given + " " + p.family,
		identity.AttrBirthDate: p.birth, identity.AttrAddress: p.address, identity.AttrCity: p.city,
		identity.AttrPostcode: p.postcode, identity.AttrCountry: "US",
	}
}

// dupObservation is the same person seen by a system that only knew their
// work email and new phone: nothing but the profile attributes says it is
// them.
func (p *profile) dupObservation(at time.Time) identity.Observation {
	return identity.Observation{Source: "crm-import", Time: at, Identifiers: []identity.Identifier{p.workEmail, p.phone2},
		Attributes: p.attributes()}
}

// expect records the state journey.Tracker should derive for a journey
// whose last event is at last.
func (pl *plan) expect(resolved bool, last time.Time) {
	pl.journeys++
	switch {
	case resolved:
		pl.resolved++
	case simEnd.Sub(last) > abandonAfter:
		pl.abandoned++
	default:
		pl.open++
	}
}

// expected sums what the plans of customers [0, n) hold.
type expected struct {
	Customers    int `json:"customers"`
	Duplicates   int `json:"duplicates"`
	Observations int `json:"observations"`
	Events       int `json:"events"`
	Appended     int `json:"appended_events"` // events appended directly (not handoff or acknowledgement)
	Journeys     int `json:"journeys"`
	Resolved     int `json:"resolved"`
	Abandoned    int `json:"abandoned"`
	Open         int `json:"open"`
	Handoffs     int `json:"handoffs"`
	Switches     int `json:"channel_switches"`
}

func (e *expected) add(pl *plan) {
	e.Customers++
	if pl.dup {
		e.Duplicates++
	}
	e.Observations += len(pl.obs)
	e.Events += pl.events
	e.Appended += len(pl.before) + len(pl.after)
	e.Journeys += pl.journeys
	e.Resolved += pl.resolved
	e.Abandoned += pl.abandoned
	e.Open += pl.open
	e.Switches += pl.switches
	if pl.handoff != nil {
		e.Handoffs++
	}
}
