package timeline_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/faulttest"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// storeHash hashes every key and value of the store, and counts them.
func storeHash(t testing.TB, db *store.DB) (string, int) {
	t.Helper()
	d, err := faulttest.StoreDigest(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return d.String(), d.Keys
}

// TestAppendBadInput appends batches of a valid event followed by an
// invalid one: each fails naming the invalid event and field, and leaves
// the store byte for byte as it was, the valid event included.
func TestAppendBadInput(t *testing.T) {
	tl, db := testTimeline(t)
	ctx := context.Background()
	ann := email("ann")
	mustAppend(t, tl, testEvent("a1", 0, ann, identity.New(identity.Phone, "+1 415 555 0100")), testEvent("a2", 1, ann))

	bad := func(f func(e *timeline.Event)) []timeline.Event {
		e := testEvent("bad", 3, ann)
		f(&e)
		return []timeline.Event{testEvent("ok", 2, email("valid-in-a-bad-batch")), e}
	}
	tooMany := make([]identity.Identifier, 17)
	for i := range tooMany {
		tooMany[i] = email(fmt.Sprintf("many%d", i))
	}
	overBatch := make([]timeline.Event, 10_001)
	for i := range overBatch {
		overBatch[i] = testEvent(fmt.Sprintf("b%d", i), i%60, ann)
	}
	changed := testEvent("a2", 1, ann)
	changed.Text = "edited"
	cancelled, stop := context.WithCancel(ctx)
	stop()

	for _, c := range []struct {
		name  string
		batch []timeline.Event
		field string // "" for errors other than *InvalidEventError
		index int
		also  error // a further error the result must match
		ctx   context.Context
	}{
		{name: "empty ID", batch: bad(func(e *timeline.Event) { e.ID = "" }), field: "id"},
		{name: "ID too long", batch: bad(func(e *timeline.Event) { e.ID = strings.Repeat("x", 257) }), field: "id"},
		{name: "zero time", batch: bad(func(e *timeline.Event) { e.Time = time.Time{} }), field: "time"},
		{name: "before 1970", batch: bad(func(e *timeline.Event) { e.Time = time.Date(1969, 12, 31, 23, 59, 0, 0, time.UTC) }), field: "time"},
		{name: "far future", batch: bad(func(e *timeline.Event) { e.Time = testNow.Add(25 * time.Hour) }), field: "time"},
		{name: "unknown channel", batch: bad(func(e *timeline.Event) { e.Channel = "fax" }), field: "channel"},
		{name: "bad social network", batch: bad(func(e *timeline.Event) { e.Channel = "social:My Space" }), field: "channel"},
		{name: "unknown type", batch: bad(func(e *timeline.Event) { e.Type = "telepathy" }), field: "type"},
		{name: "bad direction", batch: bad(func(e *timeline.Event) { e.Direction = "sideways" }), field: "direction"},
		{name: "no actor", batch: bad(func(e *timeline.Event) { e.Actor = timeline.Actor{} }), field: "actor"},
		{name: "agent without ID", batch: bad(func(e *timeline.Event) { e.Actor = timeline.Actor{Kind: timeline.Agent} }), field: "actor"},
		{name: "invalid UTF-8 text", batch: bad(func(e *timeline.Event) { e.Text = "caf\xe9" }), field: "text"},
		{name: "text over the limit", batch: bad(func(e *timeline.Event) { e.Text = strings.Repeat("x", 64<<10+1) }), field: "text"},
		{name: "10 MB text", batch: bad(func(e *timeline.Event) { e.Text = strings.Repeat("0123456789", 1<<20) }), field: "text"},
		{name: "sentiment 1.5", batch: bad(func(e *timeline.Event) { e.Sentiment = timeline.Sentiment(1.5) }), field: "sentiment"},
		{name: "sentiment NaN", batch: bad(func(e *timeline.Event) { e.Sentiment = timeline.Sentiment(math.NaN()) }), field: "sentiment"},
		{name: "no identifiers", batch: bad(func(e *timeline.Event) { e.Identifiers = nil }), field: "identifiers"},
		{name: "too many identifiers", batch: bad(func(e *timeline.Event) { e.Identifiers = tooMany }), field: "identifiers"},
		{name: "bad fact key", batch: bad(func(e *timeline.Event) { e.Facts = []timeline.Fact{{Key: "Order No", Value: "1042"}} }), field: "facts"},
		{name: "action without name", batch: bad(func(e *timeline.Event) { e.Actions = []timeline.Action{{Outcome: "failed"}} }), field: "actions"},
		{name: "bad attribute key", batch: bad(func(e *timeline.Event) { e.Attrs = map[string]string{"": "x"} }), field: "attrs"},
		{name: "NUL in ID", batch: bad(func(e *timeline.Event) { e.ID = "bad\x00x" }), field: "id"},
		{name: "bidi override in ID", batch: bad(func(e *timeline.Event) { e.ID = "bad\u202e1a" }), field: "id"},
		{name: "newline in case", batch: bad(func(e *timeline.Event) { e.Case = "INC-1\nINC-2" }), field: "case"},
		{name: "bidi isolate in actor ID", batch: bad(func(e *timeline.Event) {
			e.Actor = timeline.Actor{Kind: timeline.Agent, ID: "kim\u2066"}
		}), field: "actor"},
		{name: "NUL in action outcome", batch: bad(func(e *timeline.Event) {
			e.Actions = []timeline.Action{{Name: "refund", Outcome: "failed\x00"}}
		}), field: "actions"},
		{name: "bidi override in handoff attribute", batch: bad(func(e *timeline.Event) {
			e.Attrs = map[string]string{timeline.AttrHandoff: "h\u202e1"}
		}), field: "attrs"},
		{name: "asks not fact keys", batch: bad(func(e *timeline.Event) { e.Attrs = map[string]string{timeline.AttrAsks: "Order No"} }), field: "attrs"},
		{name: "outcome not a word", batch: bad(func(e *timeline.Event) { e.Attrs = map[string]string{timeline.AttrOutcome: "fail\x00ed"} }), field: "attrs"},
		{name: "moment not a word", batch: bad(func(e *timeline.Event) { e.Attrs = map[string]string{timeline.AttrMoment: ""} }), field: "attrs"},
		{name: "due not a time", batch: bad(func(e *timeline.Event) { e.Attrs = map[string]string{timeline.AttrDue: "tomorrow"} }), field: "attrs"},
		{name: "intent too long", batch: bad(func(e *timeline.Event) { e.Intent = strings.Repeat("i", 257) }), field: "intent"},
		{name: "invalid identifier", batch: bad(func(e *timeline.Event) {
			e.Identifiers = []identity.Identifier{ann, identity.New(identity.Email, "not an email")}
		}), field: "identifiers", also: identity.ErrInvalidIdentifier},
		{name: "unknown identifier kind", batch: bad(func(e *timeline.Event) {
			e.Identifiers = []identity.Identifier{identity.New("pager", "123")}
		}), field: "identifiers", also: identity.ErrUnknownKind},
		// Found inside the transaction, after the valid event was written
		// to it: rolled back.
		{name: "every identifier refused", batch: bad(func(e *timeline.Event) {
			e.Identifiers = []identity.Identifier{identity.New(identity.Email, "noreply@example.com")}
		}), field: "identifiers"},
		{name: "batch over Limits.Batch", batch: overBatch, field: "batch", index: 10_000},
		{name: "cancelled context", batch: []timeline.Event{testEvent("ok", 2, email("valid-in-a-bad-batch"))},
			ctx: cancelled, also: context.Canceled},
		// A phone number in canonical form is looked up in the store
		// before it is parsed: the store's error is not the event's.
		{name: "cancelled context, canonical phone", batch: []timeline.Event{testEvent("ok", 2, identity.New(identity.Phone, "+14155550199"))},
			ctx: cancelled, also: context.Canceled},
		{name: "ID reused with other content", batch: []timeline.Event{testEvent("ok", 2, email("valid-in-a-bad-batch")), changed},
			also: timeline.ErrEventConflict},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, n := storeHash(t, db)
			if c.ctx == nil {
				c.ctx = ctx
			}
			if c.field != "" && c.index == 0 {
				c.index = 1
			}
			res, err := tl.Append(c.ctx, c.batch...)
			if err == nil || res != nil {
				t.Fatalf("Append = %+v, %v; want an error", res, err)
			}
			if len(err.Error()) > 1000 {
				t.Errorf("error message of %d bytes", len(err.Error()))
			}
			if c.also != nil && !errors.Is(err, c.also) {
				t.Errorf("error %v does not match %v", err, c.also)
			}
			var ie *timeline.InvalidEventError
			switch {
			case c.field == "":
				if errors.As(err, &ie) || errors.Is(err, timeline.ErrInvalidEvent) {
					t.Errorf("error %v is an invalid-event error", err)
				}
			case !errors.Is(err, timeline.ErrInvalidEvent) || !errors.As(err, &ie):
				t.Errorf("error %v (%T) does not wrap ErrInvalidEvent and *InvalidEventError", err, err)
			case ie.Field != c.field || ie.Index != c.index:
				t.Errorf("error names event %d field %q (%v), want event %d field %q", ie.Index, ie.Field, err, c.index, c.field)
			case c.field != "batch" && ie.ID != c.batch[c.index].ID:
				t.Errorf("error names event ID %q, want %q", ie.ID, c.batch[c.index].ID)
			}
			if after, m := storeHash(t, db); after != before {
				t.Errorf("store changed: %d keys before, %d after", n, m)
			}
		})
	}
	// The valid events of the failed batches were not written.
	res := mustAppend(t, tl, testEvent("ok", 2, email("valid-in-a-bad-batch")))
	if res[0].Duplicate || res[0].Identity.Outcome != identity.OutcomeNew {
		t.Errorf("valid event of failed batches: %+v, want a new event and customer", res[0])
	}
}

func TestReadBadInput(t *testing.T) {
	tl, _ := testTimeline(t)
	ctx := context.Background()
	res := mustAppend(t, tl, testEvent("a1", 0, email("ann")), testEvent("a2", 1, email("ann")))
	ann := res[0].Customer

	if _, err := tl.Read(ctx, ann+100, timeline.Query{}); !errors.Is(err, identity.ErrNotFound) {
		t.Errorf("Read(unknown customer) = %v, want identity.ErrNotFound", err)
	}
	if _, err := tl.Read(ctx, 0, timeline.Query{}); !errors.Is(err, identity.ErrNotFound) {
		t.Errorf("Read(customer 0) = %v, want identity.ErrNotFound", err)
	}
	page, err := tl.Read(ctx, ann, timeline.Query{Limit: 1})
	if err != nil || page.Next == "" {
		t.Fatalf("Read(limit 1) = %+v, %v; want a next cursor", page, err)
	}
	for name, q := range map[string]timeline.Query{
		"negative limit": {Limit: -1},
		"From after To":  {From: testNow, To: testNow.Add(-time.Nanosecond)},
	} {
		if _, err := tl.Read(ctx, ann, q); !errors.Is(err, timeline.ErrInvalidQuery) {
			t.Errorf("Read with %s = %v, want ErrInvalidQuery", name, err)
		}
		if err := tl.Scan(ctx, ann, q, func(timeline.Event) error { return nil }); !errors.Is(err, timeline.ErrInvalidQuery) {
			t.Errorf("Scan with %s = %v, want ErrInvalidQuery", name, err)
		}
	}
	for name, q := range map[string]timeline.Query{
		"not base64":       {Cursor: "not a cursor!"},
		"base64 garbage":   {Cursor: "AAAA"},
		"truncated":        {Cursor: page.Next[:len(page.Next)-3]},
		"for other order":  {Cursor: page.Next, Newest: true},
		"trailing garbage": {Cursor: page.Next + "x"},
	} {
		if _, err := tl.Read(ctx, ann, q); !errors.Is(err, timeline.ErrInvalidCursor) {
			t.Errorf("Read with a cursor %s (%q) = %v, want ErrInvalidCursor", name, q.Cursor, err)
		}
	}
}

// TestForgetThenAppend: Forget erases the events and their ID index, so
// the same event IDs appended afterwards are new, and nothing of them is
// left in the store.
func TestForgetThenAppend(t *testing.T) {
	tl, db := testTimeline(t)
	ctx := context.Background()
	ann, phone := email("ann"), identity.New(identity.Phone, "+1 415 555 0100")
	secret := func(id string, minute int, ids ...identity.Identifier) timeline.Event {
		e := testEvent(id, minute, ids...)
		e.Text = "secret text of " + id
		return e
	}
	res := mustAppend(t, tl, secret("forget-me-1", 0, ann), secret("forget-me-2", 1, phone), secret("forget-me-3", 2, phone, ann))
	c := res[2].Customer
	mustAppend(t, tl, testEvent("keep-1", 3, email("bob")))

	out, err := tl.Forget(ctx, c, identity.ForgetOptions{})
	if err != nil || out.Customer != c || len(out.Identifiers) != 2 {
		t.Fatalf("Forget(%s) = %+v, %v", c, out, err)
	}
	if _, err := tl.Read(ctx, c, timeline.Query{}); !errors.Is(err, identity.ErrNotFound) {
		t.Errorf("Read(forgotten) = %v, want identity.ErrNotFound", err)
	}
	err = db.View(ctx, func(txn *store.Txn) error {
		it := txn.NewIter(nil)
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			if bytes.Contains(it.Key(), []byte("forget-me")) || bytes.Contains(it.Value(), []byte("forget-me")) ||
				bytes.Contains(it.Value(), []byte("secret text")) {
				t.Errorf("left after Forget: %s = %q", store.FormatKey(it.Key()), it.Value())
			}
		}
		return it.Error()
	})
	if err != nil {
		t.Fatal(err)
	}

	res = mustAppend(t, tl, secret("forget-me-1", 0, ann), secret("forget-me-2", 1, ann))
	for _, a := range res {
		if a.Duplicate || a.Customer == c {
			t.Errorf("re-appended after Forget: %+v, want a new event of a new customer", a)
		}
	}
	page, err := tl.Read(ctx, res[0].Customer, timeline.Query{})
	if err != nil || propIDs(page.Events) != "forget-me-1,forget-me-2" {
		t.Errorf("Read after re-append = %s, %v; want forget-me-1,forget-me-2", propIDs(page.Events), err)
	}
	bob, _ := tl.Graph().Lookup(ctx, email("bob"))
	if page, err := tl.Read(ctx, bob, timeline.Query{}); err != nil || propIDs(page.Events) != "keep-1" {
		t.Errorf("another customer after Forget: %s, %v", propIDs(page.Events), err)
	}
}

// TestAppendUserNormalizerError checks that an identifier refused by a
// user's normalizer with an error of its own (not an
// *identity.InvalidIdentifierError) is the event's fault, not the store's.
func TestAppendUserNormalizerError(t *testing.T) {
	db, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	refused := errors.New("not a member number")
	g, err := identity.Open(db, &identity.Options{Kinds: []identity.KindPolicy{{Kind: "member",
		Normalize: func(s string) (string, error) {
			if !strings.HasPrefix(s, "M-") {
				return "", refused
			}
			return s, nil
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := timeline.Open(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := testEvent("m1", 0, identity.New("member", "42"))
	e.Time = time.Now().Add(-time.Minute)
	_, err = tl.Append(context.Background(), e)
	var ie *timeline.InvalidEventError
	if !errors.As(err, &ie) || ie.Field != "identifiers" || !errors.Is(err, refused) {
		t.Fatalf("Append = %v; want an invalid event naming identifiers and wrapping the normalizer's error", err)
	}
}

// TestRedeliveryInAnotherOrder: a redelivered event that lists its
// identifiers, facts or actions in another order is a duplicate, not a
// conflict; what does change content (a value, or the order of two facts
// of one key, whose later one is the newer) still conflicts.
func TestRedeliveryInAnotherOrder(t *testing.T) {
	tl, _ := testTimeline(t)
	ctx := context.Background()
	ann, phone := email("ann"), identity.New(identity.Phone, "+1 415 555 0100")
	e := testEvent("r1", 0, ann, phone)
	e.Facts = []timeline.Fact{{Key: "order", Value: "1042"}, {Key: "account", Value: "AC-1"}, {Key: "order", Value: "1043"}}
	e.Actions = []timeline.Action{{Name: "reset", Outcome: "failed"}, {Name: "line_test", Outcome: "failed"}}
	mustAppend(t, tl, e)

	again := e
	again.Identifiers = []identity.Identifier{phone, ann, ann}
	again.Facts = []timeline.Fact{{Key: "account", Value: "AC-1"}, {Key: "order", Value: "1042"}, {Key: "order", Value: "1043"}}
	again.Actions = []timeline.Action{e.Actions[1], e.Actions[0]}
	res, err := tl.Append(ctx, again)
	if err != nil || !res[0].Duplicate {
		t.Fatalf("reordered redelivery = %+v, %v; want a duplicate", res, err)
	}

	swapped := again
	swapped.Facts = []timeline.Fact{{Key: "account", Value: "AC-1"}, {Key: "order", Value: "1043"}, {Key: "order", Value: "1042"}}
	changed := again
	changed.Facts = []timeline.Fact{{Key: "account", Value: "AC-2"}, {Key: "order", Value: "1042"}, {Key: "order", Value: "1043"}}
	for name, ev := range map[string]timeline.Event{"same-key facts swapped": swapped, "fact value changed": changed} {
		if _, err := tl.Append(ctx, ev); !errors.Is(err, timeline.ErrEventConflict) {
			t.Errorf("%s: Append = %v, want ErrEventConflict", name, err)
		}
	}
}
