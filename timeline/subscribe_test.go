package timeline_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/scripttest"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// testNow is the fixed clock of the unit tests.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// testTimeline opens a timeline with default options on an in-memory
// store, closed when the test ends.
func testTimeline(t testing.TB) (*timeline.Timeline, *store.DB) {
	tl := scripttest.Timeline(t, func() time.Time { return testNow })
	return tl, tl.Graph().DB()
}

// testEvent is a valid inbound chat message with the given identifiers.
func testEvent(id string, minute int, ids ...identity.Identifier) timeline.Event {
	return timeline.Event{ID: id, Time: testNow.Add(-time.Hour).Add(time.Duration(minute) * time.Minute),
		Channel: timeline.Chat, Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer},
		Type: timeline.Message, Text: "text of " + id, Identifiers: ids}
}

func email(name string) identity.Identifier { return identity.New(identity.Email, name+"@example.com") }

// recorder collects notices. Delivery never overlaps (the notify contract),
// so it takes no lock: the race detector reports overlapping calls, and
// inFlight catches them without it.
type recorder struct {
	t        testing.TB
	inFlight atomic.Int32
	got      []timeline.Notice
}

func (r *recorder) fn(n timeline.Notice) {
	if !r.inFlight.CompareAndSwap(0, 1) {
		r.t.Errorf("notice %s delivered while another delivery was in flight", n.Event.ID)
	}
	r.got = append(r.got, n)
	r.inFlight.Store(0)
}

func (r *recorder) ids() []string {
	out := make([]string, len(r.got))
	for i, n := range r.got {
		out[i] = n.Event.ID
	}
	return out
}

func mustAppend(t testing.TB, tl *timeline.Timeline, evs ...timeline.Event) []timeline.Appended {
	t.Helper()
	res, err := tl.Append(context.Background(), evs...)
	if err != nil {
		t.Fatalf("Append(%s): %v", propIDs(evs), err)
	}
	return res
}

func TestSubscribeAll(t *testing.T) {
	tl, _ := testTimeline(t)
	ctx := context.Background()
	r := &recorder{t: t}
	// A subscriber may call back into the library: the event it is told
	// about is already readable.
	var unreadable []string
	cancel := tl.Subscribe(0, func(n timeline.Notice) {
		r.fn(n)
		page, err := tl.Read(ctx, n.Customer, timeline.Query{})
		if err != nil || !slices.ContainsFunc(page.Events, func(e timeline.Event) bool { return e.ID == n.Event.ID }) {
			unreadable = append(unreadable, fmt.Sprintf("%s (%v)", n.Event.ID, err))
		}
	})
	defer cancel()

	ann, bob := email("ann"), identity.New(identity.Phone, "+1 415 555 0100")
	var want []timeline.Appended
	for _, batch := range [][]timeline.Event{
		{testEvent("a1", 5, ann)},
		{testEvent("b1", 1, bob), testEvent("a2", 0, ann), testEvent("a1", 5, ann)}, // out of time order, a resend
		{testEvent("a1", 5, ann), testEvent("b1", 1, bob)},                          // only resends
		{testEvent("m1", 9, email("ANN"), bob), testEvent("m1", 9, ann, bob)},       // a merge, repeated
	} {
		for _, a := range mustAppend(t, tl, batch...) {
			if !a.Duplicate {
				want = append(want, a)
			}
		}
	}
	if len(r.got) != len(want) {
		t.Fatalf("got notices %v, want %d: %+v", r.ids(), len(want), want)
	}
	for i, n := range r.got {
		if n.Event.ID != want[i].ID || n.Customer != want[i].Customer {
			t.Errorf("notice %d = %s for %s, want %s for %s", i, n.Event.ID, n.Customer, want[i].ID, want[i].Customer)
		}
		if len(n.Event.Identifiers) != 1 || n.Event.Text != "text of "+n.Event.ID || n.Event.Time.Location() != time.UTC {
			t.Errorf("notice %d: event %+v, want the stored form (one canonical identifier, UTC time)", i, n.Event)
		}
	}
	if got := r.got[len(r.got)-1].Event.Identifiers[0].String(); got != "email:ann@example.com" {
		t.Errorf("merge event stored under %s, want its first identifier, canonical", got)
	}
	if len(unreadable) > 0 {
		t.Errorf("events not readable from their own notice: %v", unreadable)
	}
}

// TestSubscribeConcurrent appends from 8 goroutines: every non-duplicate
// event is delivered once, each goroutine's in its append order, and all in
// commit order, which shows in the customer IDs handed out by the commits
// (each new identifier makes a customer; IDs grow in commit order).
func TestSubscribeConcurrent(t *testing.T) {
	tl, _ := testTimeline(t)
	r := &recorder{t: t}
	defer tl.Subscribe(0, r.fn)()

	const writers, rounds = 8, 40
	var wg sync.WaitGroup
	appended := make([][]timeline.Appended, writers)
	for w := range writers {
		wg.Go(func() {
			var prev timeline.Event
			for i := range rounds {
				e := testEvent(fmt.Sprintf("w%d-%03d", w, i), i, email(fmt.Sprintf("w%d-%d", w, i)))
				batch := []timeline.Event{e}
				switch i % 4 {
				case 1: // a resend of the previous event, then a new one
					batch = []timeline.Event{prev, e}
				case 2: // a second event for the same, now known, customer
					batch = append(batch, testEvent(e.ID+"b", i, e.Identifiers[0]))
				}
				res, err := tl.Append(context.Background(), batch...)
				if err != nil {
					t.Errorf("writer %d: Append: %v", w, err)
					return
				}
				appended[w] = append(appended[w], res...)
				prev = e
			}
		})
	}
	wg.Wait()

	byID := map[string]timeline.Notice{}
	for _, n := range r.got {
		if _, dup := byID[n.Event.ID]; dup {
			t.Fatalf("event %s delivered twice", n.Event.ID)
		}
		byID[n.Event.ID] = n
	}
	total := 0
	for w, res := range appended {
		var want []string
		for _, a := range res {
			if a.Duplicate {
				continue
			}
			want = append(want, a.ID)
			total++
			if n, ok := byID[a.ID]; !ok || n.Customer != a.Customer {
				t.Errorf("event %s (customer %s) delivered as %+v, %v", a.ID, a.Customer, n, ok)
			}
		}
		var got []string
		for _, n := range r.got {
			if n.Event.ID[:3] == fmt.Sprintf("w%d-", w) {
				got = append(got, n.Event.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("writer %d: delivered %v, want %v", w, got, want)
		}
	}
	if len(r.got) != total || total != writers*(rounds+rounds/4) {
		t.Errorf("%d notices, %d events appended, want %d", len(r.got), total, writers*(rounds+rounds/4))
	}
	for i := 1; i < len(r.got); i++ {
		if r.got[i].Customer < r.got[i-1].Customer {
			t.Fatalf("notice %d (%s of %s) after %s of %s: not in commit order", i,
				r.got[i].Event.ID, r.got[i].Customer, r.got[i-1].Event.ID, r.got[i-1].Customer)
		}
	}
}

// TestSubscribeCustomer subscribes to one customer, which is then absorbed
// in a merge: the subscription follows the survivor.
func TestSubscribeCustomer(t *testing.T) {
	tl, _ := testTimeline(t)
	ann, bob, cy := email("ann"), email("bob"), email("cy")
	mustAppend(t, tl, testEvent("a1", 0, ann), testEvent("b1", 1, bob), testEvent("c1", 2, cy))
	b, err := tl.Graph().Lookup(context.Background(), bob)
	if err != nil || b.String() != "c2" {
		t.Fatalf("bob is %s, %v; want c2", b, err)
	}
	r := &recorder{t: t}
	cancel := tl.Subscribe(b, r.fn)
	all := &recorder{t: t}
	defer tl.Subscribe(0, all.fn)()

	mustAppend(t, tl, testEvent("a2", 3, ann), testEvent("b2", 4, bob), testEvent("c2", 5, cy))
	if got := r.ids(); !slices.Equal(got, []string{"b2"}) {
		t.Fatalf("subscribed to %s: got %v, want [b2]", b, got)
	}
	// Bob's phone call proves he is Ann (c1, the older ID): c2 is absorbed.
	res := mustAppend(t, tl, testEvent("m", 6, identity.New(identity.Phone, "+1 415 555 0100"), bob, ann))
	if res[0].Customer.String() != "c1" || !slices.Contains(res[0].Identity.Merged, b) {
		t.Fatalf("merge: %+v, want c2 absorbed into c1", res[0])
	}
	mustAppend(t, tl, testEvent("a3", 7, ann), testEvent("c3", 8, cy), testEvent("b3", 9, bob))
	if got, want := r.ids(), []string{"b2", "m", "a3", "b3"}; !slices.Equal(got, want) {
		t.Fatalf("subscribed to absorbed %s: got %v, want %v", b, got, want)
	}
	for _, n := range r.got[1:] {
		if n.Customer.String() != "c1" {
			t.Errorf("notice %s for %s, want the survivor c1", n.Event.ID, n.Customer)
		}
	}

	cancel()
	mustAppend(t, tl, testEvent("a4", 10, ann), testEvent("b4", 11, bob))
	if got := r.ids(); len(got) != 4 {
		t.Errorf("after cancel: got %v, want nothing more", got)
	}
	if got := all.ids(); !slices.Equal(got, []string{"a2", "b2", "c2", "m", "a3", "c3", "b3", "a4", "b4"}) {
		t.Errorf("subscribed to all: %v", got)
	}
	cancel() // cancelling twice is harmless
}

// TestSubscribeRollback: a batch that fails delivers nothing, not even its
// valid events, and they can be appended afterwards as new.
func TestSubscribeRollback(t *testing.T) {
	tl, _ := testTimeline(t)
	r := &recorder{t: t}
	defer tl.Subscribe(0, r.fn)()
	ann := email("ann")
	mustAppend(t, tl, testEvent("a1", 0, ann))

	changed := testEvent("a1", 0, ann)
	changed.Text = "edited"
	blocked := testEvent("x1", 2, identity.New(identity.Email, "noreply@example.com"))
	invalid := testEvent("x2", 2, ann)
	invalid.Channel = "fax"
	cancelled, stop := context.WithCancel(context.Background())
	stop()
	for _, c := range []struct {
		name  string
		ctx   context.Context
		batch []timeline.Event
		want  error
	}{
		{"conflict", context.Background(), []timeline.Event{testEvent("v1", 1, ann), testEvent("v2", 1, email("new")), changed}, timeline.ErrEventConflict},
		{"every identifier refused", context.Background(), []timeline.Event{testEvent("v1", 1, ann), blocked}, timeline.ErrInvalidEvent},
		{"invalid", context.Background(), []timeline.Event{testEvent("v1", 1, ann), invalid}, timeline.ErrInvalidEvent},
		{"cancelled", cancelled, []timeline.Event{testEvent("v1", 1, ann)}, context.Canceled},
	} {
		res, err := tl.Append(c.ctx, c.batch...)
		if !errors.Is(err, c.want) || res != nil {
			t.Errorf("%s: Append = %v, %v; want nil, %v", c.name, res, err, c.want)
		}
	}
	if got := r.ids(); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("rolled-back batches delivered %v", got[1:])
	}
	if _, err := tl.Graph().Lookup(context.Background(), email("new")); !errors.Is(err, identity.ErrNotFound) {
		t.Errorf("identifier of a rolled-back batch: Lookup = %v, want not found", err)
	}
	res := mustAppend(t, tl, testEvent("v1", 1, ann), testEvent("v2", 1, email("new")))
	if res[0].Duplicate || res[1].Duplicate {
		t.Errorf("events of rolled-back batches appended again: %+v, want new", res)
	}
	if got := r.ids(); !slices.Equal(got, []string{"a1", "v1", "v2"}) {
		t.Errorf("delivered %v, want [a1 v1 v2]", got)
	}
}
