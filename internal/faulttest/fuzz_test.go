package faulttest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// FuzzAppend feeds arbitrary event fields to Append. A rejected event must
// be rejected with ErrInvalidEvent (or ErrEventConflict for a reused ID)
// and leave the store unchanged; an accepted one must read back as it was
// given (identifiers aside, which are stored canonical) and append again
// as a duplicate.
func FuzzAppend(f *testing.F) {
	f.Add("ev-1", "hello", "chat", "message", "inbound", "customer", "", "order", "1042", "email", "ann@example.com", int64(0))
	f.Add("", "", "fax", "telepathy", "sideways", "agent", "", "Order No", "x", "pager", "1", int64(-1))
	f.Add("ev-2", "caf\xe9", "social:x", "call", "outbound", "bot", "b1", "k", "\xff", "phone", "+1 415 555 0100", int64(1<<40))
	f.Add("ev-3", "ok", "email", "email", "internal", "system", "s", "", "", "visitor", "v\x00v", int64(3600))
	f.Fuzz(func(t *testing.T, id, text, channel, typ, dir, actor, actorID, factKey, factValue, kind, value string, offset int64) {
		ctx := context.Background()
		w := fuzzWorld(t)
		e := timeline.Event{
			ID: id, Time: fuzzNow.Add(-time.Duration(offset) * time.Second), Channel: timeline.Channel(channel),
			Direction: timeline.Direction(dir), Actor: timeline.Actor{Kind: timeline.ActorKind(actor), ID: actorID},
			Type: timeline.Type(typ), Text: text, Identifiers: []identity.Identifier{identity.New(identity.Kind(kind), value)},
		}
		if factKey != "" || factValue != "" {
			e.Facts = []timeline.Fact{{Key: factKey, Value: factValue}}
		}
		before, err := StoreDigest(ctx, w.db)
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.tl.Append(ctx, e)
		if err != nil {
			if !errors.Is(err, timeline.ErrInvalidEvent) && !errors.Is(err, timeline.ErrEventConflict) {
				t.Fatalf("Append: untyped error %v", err)
			}
			after, derr := StoreDigest(ctx, w.db)
			if derr != nil {
				t.Fatal(derr)
			}
			if after != before {
				t.Fatalf("rejected append (%v) changed the store", err)
			}
			return
		}
		page, err := w.tl.Read(ctx, res[0].Customer, timeline.Query{})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(page.Events, func(x timeline.Event) bool { return x.ID == id })
		if i < 0 {
			t.Fatalf("appended event %q not read back", id)
		}
		got := page.Events[i]
		if !got.Time.Equal(e.Time) || got.Text != e.Text || got.Channel != e.Channel || got.Type != e.Type ||
			got.Direction != e.Direction || got.Actor != e.Actor || !slices.Equal(got.Facts, e.Facts) {
			t.Fatalf("read back %+v, appended %+v", got, e)
		}
		again, err := w.tl.Append(ctx, e)
		if err != nil || !again[0].Duplicate {
			t.Fatalf("append again = %+v, %v; want a duplicate", again, err)
		}
	})
}

// FuzzReadCursor reads with arbitrary cursors: each either fails with
// ErrInvalidCursor or reads a page; none panics.
func FuzzReadCursor(f *testing.F) {
	ctx := context.Background()
	w := fuzzWorld(f)
	page, err := w.tl.Read(ctx, 1, timeline.Query{Limit: 1})
	if err != nil || page.Next == "" {
		f.Fatalf("setup read: %+v, %v", page, err)
	}
	f.Add(page.Next, false)
	f.Add(page.Next, true)
	f.Add("", false)
	f.Add("AAAA", true)
	f.Fuzz(func(t *testing.T, cursor string, newest bool) {
		_, err := w.tl.Read(ctx, 1, timeline.Query{Cursor: cursor, Newest: newest, Limit: 2})
		if err != nil && !errors.Is(err, timeline.ErrInvalidCursor) {
			t.Fatalf("Read(cursor %q) = %v", cursor, err)
		}
	})
}

var fuzzNow = workBase.Add(24 * time.Hour)

// fuzzWorld is an in-memory world with customer 1 holding two events.
func fuzzWorld(tb testing.TB) *world {
	w, err := openWorld("", nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.close() })
	w.now.Store(fuzzNow.UnixNano())
	ann := []identity.Identifier{annEmail}
	if _, err := w.tl.Append(context.Background(), workEvent(1, ann), workEvent(2, ann)); err != nil {
		tb.Fatal(err)
	}
	return w
}
