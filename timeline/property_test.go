package timeline_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/storetest"
	"github.com/threadline/threadline/timeline"
)

// TestEveryEventOnce drives a timeline through random appends (single
// events and batches, with resent duplicates), merges (events whose
// identifiers join two customers) and splits (Unlink of a random link),
// and after every step checks that every appended event is in exactly one
// live customer's timeline, the one owning the identifier it is stored
// under, in (time, ID) order; that paging with a cursor returns what one
// unlimited read does, in both orders; that a new event lands in the
// customer Append reported; that absorbed and split-off customer IDs read
// their live customer's timeline; and that Graph.Check finds nothing.
//
// Even seeds run with the default identity guards (email and phone limits,
// component size), so merges are sometimes refused; odd seeds without
// them. A failure reproduces with -run 'TestEveryEventOnce/seed=N'.
func TestEveryEventOnce(t *testing.T) {
	seeds, steps := 20, 60
	if testing.Short() {
		seeds = 5
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			defer func() {
				if t.Failed() {
					t.Logf("reproduce: go test -run 'TestEveryEventOnce/seed=%d$' ./timeline/", seed)
				}
			}()
			p := newProp(t, seed)
			for step := range steps {
				what := p.step()
				p.check(fmt.Sprintf("seed %d step %d (%s)", seed, step, what), step%5 == 4 || step == steps-1)
			}
			t.Logf("%d events, %d customers, %d duplicates, %d merges, %d refusals, %d splits",
				len(p.sent), len(p.live()), p.dups, p.merges, p.refusals, p.splits)
		})
	}
}

// propNow is the fixed clock of the property test.
var propNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

type prop struct {
	t   *testing.T
	ctx context.Context
	rng *rand.Rand
	g   *identity.Graph
	tl  *timeline.Timeline

	pool  []identity.Identifier            // raw identifiers to draw from
	canon map[identity.Identifier]string   // raw -> canonical "kind:value"
	seen  map[string]identity.Identifier   // canonical identifiers appended so far
	sent  map[string]timeline.Event        // every event appended, by ID
	order []string                         // event IDs in first-append order
	used  map[string]bool                  // event IDs drawn, appended or not yet
	ever  map[identity.CustomerID]struct{} // every customer ID ever handed out
	fresh map[string]identity.CustomerID   // events of the last step: the customer Append reported

	merges, splits, refusals, dups int // what happened, for the log
}

func newProp(t *testing.T, seed uint64) *prop {
	t.Helper()
	db := storetest.Open(t)
	opts := &identity.Options{DefaultRegion: "US", Clock: func() time.Time { return propNow }}
	if seed%2 == 1 { // no guards: every strong identifier shared merges
		for _, k := range identity.DefaultKinds("US", identity.EmailPolicy{}) {
			if k.Kind == identity.Email || k.Kind == identity.Phone {
				k.Limit = 0
				opts.Kinds = append(opts.Kinds, k)
			}
		}
		opts.MaxStrongIdentifiers = 1 << 30
	}
	g, err := identity.Open(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := timeline.Open(g, &timeline.Options{Clock: func() time.Time { return propNow }})
	if err != nil {
		t.Fatal(err)
	}
	p := &prop{t: t, ctx: context.Background(), rng: rand.New(rand.NewPCG(seed, 0x7431)), g: g, tl: tl,
		canon: map[identity.Identifier]string{}, seen: map[string]identity.Identifier{},
		sent: map[string]timeline.Event{}, used: map[string]bool{}, fresh: map[string]identity.CustomerID{}, ever: map[identity.CustomerID]struct{}{}}
	// A pool of 10 emails (some spelled in upper case) and 8 phones
	// (spelled several ways), so that customers collide often.
	for i := range 10 {
		v := fmt.Sprintf("user%d@example.com", i)
		if p.rng.IntN(3) == 0 {
			v = strings.ToUpper(v)
		}
		p.pool = append(p.pool, identity.New(identity.Email, v))
	}
	for i := range 8 {
		spell := []string{"+1 415 555 01%02d", "(415) 555-01%02d", "415.555.01%02d"}[p.rng.IntN(3)]
		p.pool = append(p.pool, identity.New(identity.Phone, fmt.Sprintf(spell, 10+i)))
	}
	for _, raw := range p.pool {
		c, err := g.Normalize(raw)
		if err != nil {
			t.Fatalf("Normalize(%s): %v", raw, err)
		}
		p.canon[raw] = c.String()
	}
	return p
}

// step makes one random change and says what it did.
func (p *prop) step() string {
	switch r := p.rng.IntN(100); {
	case r < 30:
		return p.appendBatch([]timeline.Event{p.newEvent(p.drawIDs())})
	case r < 48: // a batch: new events, resends, a repeat inside the batch
		var b []timeline.Event
		for range 2 + p.rng.IntN(5) {
			switch {
			case len(p.order) > 0 && p.rng.IntN(4) == 0:
				b = append(b, p.sent[p.order[p.rng.IntN(len(p.order))]])
			case len(b) > 0 && p.rng.IntN(6) == 0:
				b = append(b, b[p.rng.IntN(len(b))])
			default:
				b = append(b, p.newEvent(p.drawIDs()))
			}
		}
		return p.appendBatch(b)
	case r < 56 && len(p.order) > 0: // at-least-once delivery: resend
		var b []timeline.Event
		for range 1 + p.rng.IntN(3) {
			b = append(b, p.sent[p.order[p.rng.IntN(len(p.order))]])
		}
		return p.appendBatch(b)
	case r < 72: // merge two customers through one event
		if a, b, ok := p.twoCustomers(); ok {
			return "merge " + p.appendBatch([]timeline.Event{p.newEvent([]identity.Identifier{a, b})})
		}
		return p.appendBatch([]timeline.Event{p.newEvent(p.drawIDs())})
	default:
		return p.unlink()
	}
}

// drawIDs draws 1 or 2 identifiers of the pool.
func (p *prop) drawIDs() []identity.Identifier {
	ids := []identity.Identifier{p.pool[p.rng.IntN(len(p.pool))]}
	if p.rng.IntN(3) == 0 {
		ids = append(ids, p.pool[p.rng.IntN(len(p.pool))])
	}
	return ids
}

// twoCustomers returns raw identifiers of two different live customers.
func (p *prop) twoCustomers() (identity.Identifier, identity.Identifier, bool) {
	perm := p.rng.Perm(len(p.pool))
	for _, i := range perm {
		ci, err := p.g.Lookup(p.ctx, p.pool[i])
		if err != nil {
			continue
		}
		for _, j := range perm {
			if cj, err := p.g.Lookup(p.ctx, p.pool[j]); err == nil && cj != ci {
				return p.pool[i], p.pool[j], true
			}
		}
	}
	return identity.Identifier{}, identity.Identifier{}, false
}

var propChannels = []timeline.Channel{timeline.Chat, timeline.Email, timeline.Voice, timeline.SMS, timeline.Social("x")}

func (p *prop) newEvent(ids []identity.Identifier) timeline.Event {
	var id string
	for {
		id = fmt.Sprintf("ev%04d", p.rng.IntN(10000))
		if !p.used[id] {
			break
		}
	}
	p.used[id] = true
	// Times on a coarse grid so that ties (broken by ID) are common.
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(p.rng.IntN(60)) * time.Hour)
	return timeline.Event{ID: id, Time: at, Channel: propChannels[p.rng.IntN(len(propChannels))],
		Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message,
		Text: "text of " + id, Identifiers: ids}
}

func (p *prop) appendBatch(b []timeline.Event) string {
	p.t.Helper()
	res, err := p.tl.Append(p.ctx, b...)
	if err != nil {
		p.t.Fatalf("Append(%s): %v", propIDs(b), err)
	}
	if len(res) != len(b) {
		p.t.Fatalf("Append(%s): %d results", propIDs(b), len(res))
	}
	added, refused := 0, false
	for i, a := range res {
		_, before := p.sent[b[i].ID]
		if a.ID != b[i].ID || a.Duplicate != before || a.Customer == 0 {
			p.t.Fatalf("Append(%s): result %d = %+v, want ID %s, duplicate %v", propIDs(b), i, a, b[i].ID, before)
		}
		p.ever[a.Customer] = struct{}{}
		refused = refused || len(a.Identity.Refusals) > 0
		if a.Duplicate {
			p.dups++
		}
		if len(a.Identity.Merged) > 0 {
			p.merges++
		}
		if len(a.Identity.Refusals) > 0 {
			p.refusals++
		}
		for _, m := range a.Identity.Merged {
			p.ever[m] = struct{}{}
		}
		if !before {
			p.fresh[a.ID] = a.Customer
			p.sent[b[i].ID] = b[i]
			p.order = append(p.order, b[i].ID)
			added++
		}
	}
	// Identifiers held back by a guard are not stored; every other one of
	// a new event is.
	for i, e := range b {
		if res[i].Duplicate {
			continue
		}
		for _, raw := range e.Identifiers {
			if _, err := p.g.Lookup(p.ctx, raw); err == nil {
				p.seen[p.canon[raw]] = raw
			} else if !errors.Is(err, identity.ErrNotFound) || !refused {
				p.t.Fatalf("Append(%s): then Lookup(%s): %v, and no identifier was refused", propIDs(b), raw, err)
			}
		}
	}
	return fmt.Sprintf("append %s: %d new", propIDs(b), added)
}

func (p *prop) unlink() string {
	p.t.Helper()
	cs := p.live()
	if len(cs) == 0 {
		return "unlink: no customer"
	}
	c := cs[p.rng.IntN(len(cs))]
	links, err := p.g.Links(p.ctx, c)
	if err != nil {
		p.t.Fatalf("Links(%s): %v", c, err)
	}
	if len(links) == 0 {
		return fmt.Sprintf("unlink: %s has no links", c)
	}
	// One link, or every link its observation made.
	l := links[p.rng.IntN(len(links))]
	sel := identity.LinkSelector{Link: l.ID}
	if p.rng.IntN(2) == 0 {
		sel = identity.LinkSelector{Observation: l.Observation}
	}
	res, err := p.g.Unlink(p.ctx, sel)
	if err != nil {
		p.t.Fatalf("Unlink(%+v): %v", sel, err)
	}
	p.splits += len(res.Splits)
	for _, s := range res.Splits {
		for _, part := range s.Parts {
			p.ever[part] = struct{}{}
		}
	}
	return fmt.Sprintf("unlink %+v (%s -- %s): splits %v", sel, l.A, l.B, res.Splits)
}

// live returns the distinct customers of every identifier appended so far.
func (p *prop) live() []identity.CustomerID {
	p.t.Helper()
	set := map[identity.CustomerID]bool{}
	for s, raw := range p.seen {
		c, err := p.g.Lookup(p.ctx, raw)
		if err != nil {
			p.t.Fatalf("Lookup(%s): %v", s, err)
		}
		set[c] = true
	}
	out := make([]identity.CustomerID, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// check verifies the invariants; with aliases also that every absorbed or
// split-off customer ID reads its live customer's timeline.
func (p *prop) check(when string, aliases bool) {
	t := p.t
	t.Helper()
	vs, err := p.g.Check(p.ctx)
	if err != nil {
		t.Fatalf("%s: Check: %v", when, err)
	}
	for _, v := range vs {
		t.Errorf("%s: Check: %s", when, v)
	}
	owner := map[string]identity.CustomerID{}
	full := map[identity.CustomerID][]string{}
	for _, c := range p.live() {
		page, err := p.tl.Read(p.ctx, c, timeline.Query{})
		if err != nil {
			t.Fatalf("%s: Read(%s): %v", when, c, err)
		}
		if page.Next != "" {
			t.Errorf("%s: Read(%s) without a limit returned a cursor", when, c)
		}
		if scanned, err := scanAll(t, p.tl, c, timeline.Query{}); err != nil || !reflect.DeepEqual(scanned, page.Events) {
			t.Fatalf("%s: Scan(%s) = %s, %v; want what Read returns, %s", when, c, propIDs(scanned), err, propIDs(page.Events))
		}
		for i, e := range page.Events {
			orig, ok := p.sent[e.ID]
			switch {
			case !ok:
				t.Fatalf("%s: Read(%s) returned %s, never appended", when, c, e.ID)
			case owner[e.ID] != 0:
				t.Fatalf("%s: event %s is in the timelines of %s and %s", when, e.ID, owner[e.ID], c)
			case !e.Time.Equal(orig.Time) || e.Text != orig.Text || e.Channel != orig.Channel:
				t.Fatalf("%s: event %s read back as %v %q %s, appended as %v %q %s",
					when, e.ID, e.Time, e.Text, e.Channel, orig.Time, orig.Text, orig.Channel)
			case i > 0 && !propBefore(page.Events[i-1], e):
				t.Fatalf("%s: Read(%s): %s@%v before %s@%v, not in (time, ID) order", when, c,
					page.Events[i-1].ID, page.Events[i-1].Time, e.ID, e.Time)
			case len(e.Identifiers) != 1:
				t.Fatalf("%s: event %s read back with identifiers %v, want the one it is stored under", when, e.ID, e.Identifiers)
			}
			owner[e.ID] = c
			anchor := e.Identifiers[0]
			if !slices.ContainsFunc(orig.Identifiers, func(raw identity.Identifier) bool { return p.canon[raw] == anchor.String() }) {
				t.Fatalf("%s: event %s is stored under %s, not one of its identifiers %v", when, e.ID, anchor, orig.Identifiers)
			}
			if got, err := p.g.Lookup(p.ctx, anchor); err != nil || got != c {
				t.Fatalf("%s: event %s is in %s's timeline but stored under %s, which belongs to %s (%v)",
					when, e.ID, c, anchor, got, err)
			}
			full[c] = append(full[c], e.ID)
		}
		for _, newest := range []bool{false, true} {
			want := slices.Clone(full[c])
			if newest {
				slices.Reverse(want)
			}
			if got := p.paged(c, newest); !slices.Equal(got, want) {
				t.Fatalf("%s: Read(%s, newest=%v) in pages of 3 = %v, want %v", when, c, newest, got, want)
			}
		}
	}
	for _, id := range p.order {
		if owner[id] == 0 {
			t.Fatalf("%s: event %s is in no customer's timeline", when, id)
		}
	}
	if len(owner) != len(p.sent) {
		t.Fatalf("%s: %d events in timelines, %d appended", when, len(owner), len(p.sent))
	}
	// A new event is in the timeline of the customer Append reported (or
	// of the survivor that customer merged into later in the batch).
	for id, c := range p.fresh {
		if live, err := p.g.Resolve(p.ctx, c); err != nil || owner[id] != live {
			t.Fatalf("%s: Append put %s in %s (now %s, %v), but it is in %s's timeline", when, id, c, live, err, owner[id])
		}
	}
	clear(p.fresh)
	if !aliases {
		return
	}
	for c := range p.ever {
		live, err := p.g.Resolve(p.ctx, c)
		if err != nil {
			t.Fatalf("%s: Resolve(%s): %v", when, c, err)
		}
		if live == c {
			continue
		}
		page, err := p.tl.Read(p.ctx, c, timeline.Query{})
		if err != nil {
			t.Fatalf("%s: Read(%s, absorbed into %s): %v", when, c, live, err)
		}
		if got := propIDs(page.Events); got != strings.Join(full[live], ",") {
			t.Fatalf("%s: Read(%s) = %s, want the timeline of %s = %v", when, c, got, live, full[live])
		}
	}
}

// paged reads c's timeline in pages of 3 and returns the event IDs.
func (p *prop) paged(c identity.CustomerID, newest bool) []string {
	p.t.Helper()
	var ids []string
	q := timeline.Query{Limit: 3, Newest: newest}
	for n := 0; ; n++ {
		page, err := p.tl.Read(p.ctx, c, q)
		if err != nil {
			p.t.Fatalf("Read(%s, %+v): %v", c, q, err)
		}
		if len(page.Events) > 3 || (page.Next != "" && len(page.Events) != 3) {
			p.t.Fatalf("Read(%s, %+v): %d events, next %q", c, q, len(page.Events), page.Next)
		}
		for _, e := range page.Events {
			ids = append(ids, e.ID)
		}
		if page.Next == "" {
			return ids
		}
		if n > len(p.sent) {
			p.t.Fatalf("Read(%s): paging does not end", c)
		}
		q.Cursor = page.Next
	}
}

func propBefore(a, b timeline.Event) bool {
	return a.Time.Before(b.Time) || (a.Time.Equal(b.Time) && a.ID < b.ID)
}

func propIDs(evs []timeline.Event) string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return strings.Join(ids, ",")
}
