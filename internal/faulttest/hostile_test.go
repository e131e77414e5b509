package faulttest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// Hostile input to every public entry point of identity, timeline,
// journey and handoff: each call must fail with an error that errors.Is matches, and
// leave the store byte for byte as it was. Observe and Append are covered
// in depth by identity/badinput_test.go and timeline/badinput_test.go
// (every field of an observation and an event); this table covers the
// other entry points and the extremes the issue names, across packages.

// hostileWorld is a store with two customers, events, a pending and a
// decided conflict and a recorded arbiter decision.
type hostileWorld struct {
	*world
	tr       *journey.Tracker
	arb      *journey.Arbiter
	trg      *journey.Triggers
	b        *handoff.Builder
	ann, bob identity.CustomerID
	decided  identity.ConflictID
	decision string
}

var (
	hostileNow = workBase.Add(48 * time.Hour)
	annEmail   = identity.New(identity.Email, "ann@example.com")
	bobEmail   = identity.New(identity.Email, "bob@example.com")
)

func newHostileWorld(t *testing.T) *hostileWorld {
	ctx := context.Background()
	w, err := openWorld("", nil, nil)
	require.NoError(t, err)
	t.Cleanup(func() { w.close() })
	w.now.Store(hostileNow.UnixNano())
	h := &hostileWorld{world: w}
	h.tr, err = journey.NewTracker(w.tl, &journey.Options{Clock: func() time.Time { return hostileNow }})
	require.NoError(t, err)
	h.arb, err = journey.NewArbiter(h.tr, journey.DefaultRules()...)
	require.NoError(t, err)
	h.trg, err = journey.NewTriggers(h.arb, journey.DefaultTriggers()...)
	require.NoError(t, err)
	h.b, err = handoff.New(h.tr, &handoff.Options{Clock: func() time.Time { return hostileNow }})
	require.NoError(t, err)

	ev := workEvent(1, []identity.Identifier{annEmail, identity.New(identity.Phone, "+1 415 555 0100")})
	ev.Time = hostileNow.Add(-time.Hour)
	res, err := w.tl.Append(ctx, ev)
	require.NoError(t, err)
	h.ann = res[0].Customer
	ev = workEvent(2, []identity.Identifier{bobEmail})
	ev.Time = hostileNow.Add(-time.Hour)
	res, err = w.tl.Append(ctx, ev)
	require.NoError(t, err)
	h.bob = res[0].Customer
	// Six accounts on one phone: the account limit refuses, twice.
	for i := range 3 {
		_, err := w.g.Observe(ctx, identity.Observation{Source: "crm", Identifiers: []identity.Identifier{
			identity.New(identity.Phone, "+1 415 555 0100"), identity.New(identity.Account, fmt.Sprintf("crm:%d", i))}})
		require.NoError(t, err)
	}
	cs, err := w.g.Conflicts(ctx, identity.ConflictPending)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(cs), 2, "the setup makes no conflicts")
	h.decided = cs[0].ID
	_, err = w.g.Decide(ctx, h.decided, identity.Decision{Accept: false, By: "qa"})
	require.NoError(t, err)
	d, err := h.arb.Decide(ctx, h.ann, journey.Candidate{Name: "billing_callback", Kind: "service", Channel: timeline.Voice, Purpose: "service"})
	require.NoError(t, err)
	h.decision = d.ID
	return h
}

// hostileCase is one call with bad input and the error it must match.
type hostileCase struct {
	name string
	call func(ctx context.Context) error
	want error
}

func TestHostileInput(t *testing.T) {
	h := newHostileWorld(t)
	g, tl := h.g, h.tl
	huge := strings.Repeat("x", 10<<20)
	badUTF8 := "caf\xe9"
	id := identity.New
	many := make([]identity.Identifier, 10_000)
	for i := range many {
		many[i] = id(identity.Email, fmt.Sprintf("many%05d@example.com", i))
	}
	ev := func(f func(e *timeline.Event)) timeline.Event {
		e := workEvent(99, []identity.Identifier{annEmail})
		e.Time = hostileNow.Add(-time.Minute)
		f(&e)
		return e
	}
	appendErr := func(e timeline.Event) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := tl.Append(ctx, e); return err }
	}
	var cases []hostileCase
	add := func(name string, want error, call func(ctx context.Context) error) {
		cases = append(cases, hostileCase{name, call, want})
	}

	// identity: lookups and reads.
	for name, x := range map[string]identity.Identifier{
		"empty": id(identity.Email, ""), "10 MB": id(identity.Email, huge), "invalid UTF-8": id(identity.Visitor, badUTF8),
		"unknown kind": id("fax", "1"), "zero": {},
	} {
		want := identity.ErrInvalidIdentifier
		if x.Kind == "fax" || x.IsZero() {
			want = identity.ErrUnknownKind
		}
		add("Lookup "+name, want, func(ctx context.Context) error { _, err := g.Lookup(ctx, x); return err })
		add("Explain "+name, want, func(ctx context.Context) error { _, err := g.Explain(ctx, annEmail, x); return err })
		add("Unlink pair "+name, want, func(ctx context.Context) error {
			_, err := g.Unlink(ctx, identity.LinkSelector{Pair: [2]identity.Identifier{annEmail, x}})
			return err
		})
		add("Observe "+name, want, func(ctx context.Context) error {
			_, err := g.Observe(ctx, identity.Observation{Identifiers: []identity.Identifier{annEmail, x}})
			return err
		})
	}
	add("Lookup unknown", identity.ErrNotFound, func(ctx context.Context) error {
		_, err := g.Lookup(ctx, id(identity.Email, "nobody@example.com"))
		return err
	})
	for name, c := range map[string]identity.CustomerID{"zero": 0, "unknown": 1 << 40} {
		add("Customer "+name, identity.ErrNotFound, func(ctx context.Context) error { _, err := g.Customer(ctx, c); return err })
		add("Resolve "+name, identity.ErrNotFound, func(ctx context.Context) error { _, err := g.Resolve(ctx, c); return err })
		add("History "+name, identity.ErrNotFound, func(ctx context.Context) error { _, err := g.History(ctx, c); return err })
		add("Links "+name, identity.ErrNotFound, func(ctx context.Context) error { _, err := g.Links(ctx, c); return err })
		add("Forget "+name, identity.ErrNotFound, func(ctx context.Context) error {
			_, err := g.Forget(ctx, c, identity.ForgetOptions{})
			return err
		})
		add("timeline.Read "+name, identity.ErrNotFound, func(ctx context.Context) error { _, err := tl.Read(ctx, c, timeline.Query{}); return err })
		add("timeline.Forget "+name, identity.ErrNotFound, func(ctx context.Context) error {
			_, err := tl.Forget(ctx, c, identity.ForgetOptions{})
			return err
		})
		add("journey.Journeys "+name, identity.ErrNotFound, func(ctx context.Context) error { _, err := h.tr.Journeys(ctx, c); return err })
		add("journey.OpenJourneys "+name, identity.ErrNotFound, func(ctx context.Context) error { _, err := h.tr.OpenJourneys(ctx, c); return err })
		add("Arbiter.Decide "+name, identity.ErrNotFound, func(ctx context.Context) error {
			_, err := h.arb.Decide(ctx, c, journey.Candidate{Name: "promo", Kind: "promo", Channel: timeline.Email, Purpose: "marketing"})
			return err
		})
		add("Arbiter.Explain "+name, identity.ErrNotFound, func(ctx context.Context) error { _, err := h.arb.Explain(ctx, c, h.decision); return err })
	}

	// identity: writes.
	add("Forget with suppression but no key", identity.ErrInvalidOptions, func(ctx context.Context) error {
		_, err := g.Forget(ctx, h.ann, identity.ForgetOptions{Suppress: true})
		return err
	})
	add("Unlink a pair never linked", identity.ErrNotFound, func(ctx context.Context) error {
		_, err := g.Unlink(ctx, identity.LinkSelector{Pair: [2]identity.Identifier{annEmail, bobEmail}})
		return err
	})
	add("Unlink a 10 MB source", identity.ErrNotFound, func(ctx context.Context) error {
		_, err := g.Unlink(ctx, identity.LinkSelector{Source: huge})
		return err
	})
	add("Decide twice", identity.ErrDecided, func(ctx context.Context) error {
		_, err := g.Decide(ctx, h.decided, identity.Decision{Accept: true, By: "qa"})
		return err
	})
	add("Observe 10k identifiers", identity.ErrInvalidObservation, func(ctx context.Context) error {
		_, err := g.Observe(ctx, identity.Observation{Identifiers: many})
		return err
	})
	for name, o := range map[string]identity.Observation{
		"10 MB attribute":         {Attributes: map[string]string{identity.AttrGivenName: huge}},
		"invalid UTF-8 attribute": {Attributes: map[string]string{identity.AttrGivenName: badUTF8}},
		"invalid UTF-8 source":    {Source: badUTF8},
		"consent without purpose": {Consent: []identity.ConsentChange{{Channel: "email", Granted: true}}},
		"year 1900":               {Time: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
		"year 3000":               {Time: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		o.Identifiers = []identity.Identifier{annEmail}
		add("Observe "+name, identity.ErrInvalidObservation, func(ctx context.Context) error { _, err := g.Observe(ctx, o); return err })
	}

	// timeline.
	add("Append 10 MB identifier", timeline.ErrInvalidEvent, appendErr(ev(func(e *timeline.Event) {
		e.Identifiers = []identity.Identifier{id(identity.Email, huge)}
	})))
	add("Append 10k identifiers", timeline.ErrInvalidEvent, appendErr(ev(func(e *timeline.Event) { e.Identifiers = many })))
	add("Append 10 MB fact", timeline.ErrInvalidEvent, appendErr(ev(func(e *timeline.Event) {
		e.Facts = []timeline.Fact{{Key: "order", Value: huge}}
	})))
	add("Append invalid UTF-8 fact", timeline.ErrInvalidEvent, appendErr(ev(func(e *timeline.Event) {
		e.Facts = []timeline.Fact{{Key: "order", Value: badUTF8}}
	})))
	add("Append year 1900", timeline.ErrInvalidEvent, appendErr(ev(func(e *timeline.Event) { e.Time = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) })))
	add("Append year 3000", timeline.ErrInvalidEvent, appendErr(ev(func(e *timeline.Event) { e.Time = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) })))
	add("Append unknown channel", timeline.ErrInvalidEvent, appendErr(ev(func(e *timeline.Event) { e.Channel = "pigeon" })))
	add("Append unknown identifier kind", identity.ErrUnknownKind, appendErr(ev(func(e *timeline.Event) {
		e.Identifiers = []identity.Identifier{id("fax", "1")}
	})))
	add("Read 10 MB cursor", timeline.ErrInvalidCursor, func(ctx context.Context) error {
		_, err := tl.Read(ctx, h.ann, timeline.Query{Cursor: huge})
		return err
	})
	add("Read negative limit", timeline.ErrInvalidQuery, func(ctx context.Context) error {
		_, err := tl.Read(ctx, h.ann, timeline.Query{Limit: -1})
		return err
	})

	// journey.
	add("Arbiter.Decide without candidates", journey.ErrNoCandidates, func(ctx context.Context) error {
		_, err := h.arb.Decide(ctx, h.ann)
		return err
	})
	add("Arbiter.Decide 10 MB reason", timeline.ErrInvalidEvent, func(ctx context.Context) error {
		_, err := h.arb.Decide(ctx, h.ann, journey.Candidate{Name: "promo", Kind: "promo", Channel: timeline.Email, Purpose: "marketing", Reason: huge})
		return err
	})
	add("Arbiter.Decide invalid UTF-8 name", timeline.ErrInvalidEvent, func(ctx context.Context) error {
		_, err := h.arb.Decide(ctx, h.ann, journey.Candidate{Name: badUTF8, Kind: "promo", Channel: timeline.Email, Purpose: "marketing"})
		return err
	})
	add("Arbiter.Explain unknown decision", journey.ErrNotDecision, func(ctx context.Context) error {
		_, err := h.arb.Explain(ctx, h.ann, "decision-0000")
		return err
	})

	// handoff: requests, customers, journeys and handoffs that do not exist.
	toVoice := handoff.Request{From: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot},
		To: handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Agent}, Reason: "escalation"}
	for name, req := range map[string]handoff.Request{
		"no reason": {From: toVoice.From, To: toVoice.To}, "10 MB reason": {From: toVoice.From, To: toVoice.To, Reason: huge},
		"invalid UTF-8 reason": {From: toVoice.From, To: toVoice.To, Reason: badUTF8},
		"unknown kind":         {From: toVoice.From, To: handoff.Endpoint{Channel: timeline.Voice, Kind: "robot"}, Reason: "x"},
	} {
		add("handoff.Handoff "+name, handoff.ErrInvalidRequest, func(ctx context.Context) error {
			_, err := h.b.Handoff(ctx, h.ann, req)
			return err
		})
	}
	add("handoff.Handoff unknown customer", identity.ErrNotFound, func(ctx context.Context) error {
		_, err := h.b.Handoff(ctx, 1<<40, toVoice)
		return err
	})
	add("handoff.Build unknown journey", handoff.ErrUnknownJourney, func(ctx context.Context) error {
		_, err := h.b.Build(ctx, h.ann, handoff.Request{Journey: "j-none"})
		return err
	})
	add("handoff.Acknowledge unknown handoff", handoff.ErrUnknownHandoff, func(ctx context.Context) error {
		return h.b.Acknowledge(ctx, h.ann, "handoff-none", timeline.Actor{Kind: timeline.Agent, ID: "a"})
	})
	add("handoff.Acknowledge by a customer", handoff.ErrInvalidRequest, func(ctx context.Context) error {
		return h.b.Acknowledge(ctx, h.ann, "handoff-none", timeline.Actor{Kind: timeline.Customer})
	})

	// Every entry point with a cancelled context.
	cancelled := []hostileCase{
		{"Observe", func(ctx context.Context) error {
			_, err := g.Observe(ctx, identity.Observation{Identifiers: []identity.Identifier{bobEmail}})
			return err
		}, nil},
		{"Lookup", func(ctx context.Context) error { _, err := g.Lookup(ctx, annEmail); return err }, nil},
		{"Lookup of an invalid identifier", func(ctx context.Context) error {
			_, err := g.Lookup(ctx, identity.New(identity.Email, "not an email"))
			return err
		}, nil},
		{"Lookup of a canonical phone number", func(ctx context.Context) error {
			_, err := g.Lookup(ctx, identity.New(identity.Phone, "+14155550177"))
			return err
		}, nil},
		{"Customer", func(ctx context.Context) error { _, err := g.Customer(ctx, h.ann); return err }, nil},
		{"Customers", func(ctx context.Context) error {
			return g.Customers(ctx, func(*identity.Tx, identity.CustomerID) error { return nil })
		}, nil},
		{"Explain", func(ctx context.Context) error { _, err := g.Explain(ctx, annEmail, annEmail); return err }, nil},
		{"History", func(ctx context.Context) error { _, err := g.History(ctx, h.ann); return err }, nil},
		{"Links", func(ctx context.Context) error { _, err := g.Links(ctx, h.ann); return err }, nil},
		{"Conflicts", func(ctx context.Context) error { _, err := g.Conflicts(ctx, ""); return err }, nil},
		{"Check", func(ctx context.Context) error { _, err := g.Check(ctx); return err }, nil},
		{"Unlink", func(ctx context.Context) error {
			_, err := g.Unlink(ctx, identity.LinkSelector{Source: "chat"})
			return err
		}, nil},
		{"Decide", func(ctx context.Context) error {
			_, err := g.Decide(ctx, h.decided+1, identity.Decision{By: "qa"})
			return err
		}, nil},
		{"Forget", func(ctx context.Context) error { _, err := g.Forget(ctx, h.bob, identity.ForgetOptions{}); return err }, nil},
		{"timeline.Append", appendErr(ev(func(*timeline.Event) {})), nil},
		{"timeline.Read", func(ctx context.Context) error { _, err := tl.Read(ctx, h.ann, timeline.Query{}); return err }, nil},
		{"timeline.Forget", func(ctx context.Context) error { _, err := tl.Forget(ctx, h.bob, identity.ForgetOptions{}); return err }, nil},
		{"journey.Journeys", func(ctx context.Context) error { _, err := h.tr.Journeys(ctx, h.ann); return err }, nil},
		{"journey.Compute", func(ctx context.Context) error {
			_, err := h.tr.Compute(ctx, journey.Window{}, journey.AllJourneys)
			return err
		}, nil},
		{"Arbiter.Decide", func(ctx context.Context) error {
			_, err := h.arb.Decide(ctx, h.bob, journey.Candidate{Name: "promo", Kind: "promo", Channel: timeline.Email, Purpose: "marketing"})
			return err
		}, nil},
		{"Arbiter.Explain", func(ctx context.Context) error { _, err := h.arb.Explain(ctx, h.ann, h.decision); return err }, nil},
		{"Triggers.Run", func(ctx context.Context) error { _, err := h.trg.Run(ctx); return err }, nil},
		{"Triggers.List", func(ctx context.Context) error { _, err := h.trg.List(ctx); return err }, nil},
		{"handoff.Build", func(ctx context.Context) error { _, err := h.b.Build(ctx, h.ann, toVoice); return err }, nil},
		{"handoff.Handoff", func(ctx context.Context) error { _, err := h.b.Handoff(ctx, h.ann, toVoice); return err }, nil},
		{"handoff.Handoffs", func(ctx context.Context) error { _, err := h.b.Handoffs(ctx, h.ann); return err }, nil},
		{"handoff.Route", func(ctx context.Context) error { _, err := h.b.Route(ctx, h.ann); return err }, nil},
	}
	for _, c := range cancelled {
		add(c.name+" cancelled", context.Canceled, func(context.Context) error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return c.call(ctx)
		})
	}

	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, err := StoreDigest(ctx, h.db)
			require.NoError(t, err)
			err = c.call(ctx)
			require.Error(t, err)
			require.ErrorIs(t, err, c.want)
			require.Less(t, len(err.Error()), 2000, "error message of %d bytes", len(err.Error()))
			after, err := StoreDigest(ctx, h.db)
			require.NoError(t, err)
			require.Equal(t, before, after, "the store changed")
		})
	}
}

// TestOpenBadOptions: every Open refuses unusable options with its
// package's ErrInvalidOptions.
func TestOpenBadOptions(t *testing.T) {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	_, err = store.Open("", nil)
	require.ErrorIs(t, err, store.ErrInvalidOptions)
	for name, k := range map[string]identity.KindPolicy{
		"no normalizer": {Kind: "loyalty"}, "upper-case kind": {Kind: "Loyalty", Normalize: identity.NormalizeAccount},
		"colon in kind": {Kind: "a:b", Normalize: identity.NormalizeAccount}, "negative limit": {Kind: "loyalty", Normalize: identity.NormalizeAccount, Limit: -1},
	} {
		_, err := identity.Open(db, &identity.Options{Kinds: []identity.KindPolicy{k}})
		require.ErrorIs(t, err, identity.ErrInvalidOptions, name)
	}
	g, err := identity.Open(db, nil)
	require.NoError(t, err)
	for name, o := range map[string]timeline.Options{
		"empty channel": {Channels: []timeline.Channel{""}}, "channel with a space": {Channels: []timeline.Channel{"carrier pigeon"}},
		"empty type": {Types: []timeline.Type{""}},
	} {
		_, err := timeline.Open(g, &o)
		require.ErrorIs(t, err, timeline.ErrInvalidOptions, name)
		require.False(t, errors.Is(err, identity.ErrInvalidOptions), name)
	}
}
