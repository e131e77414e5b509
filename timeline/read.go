package timeline

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// Query selects and orders a customer's events. The zero value reads every
// event, oldest first.
type Query struct {
	From     time.Time `json:"from,omitzero"`
	To       time.Time `json:"to,omitzero"` // inclusive bounds on event time; zero is unbounded
	Channels []Channel `json:"channels"`    // only these channels; empty means all
	Types    []Type    `json:"types"`       // only these types; empty means all
	Case     string    `json:"case"`        // only this case reference
	Intent   string    `json:"intent"`      // only this intent
	Newest   bool      `json:"newest"`      // newest first instead of oldest first
	Limit    int       `json:"limit"`       // at most this many events; 0 means all
	// Cursor continues a previous read: pass its Page.Next. A cursor is a
	// position in (time, event ID) order, so it stays valid across appends,
	// merges and splits: the next page starts right after the last event
	// returned, whatever was added or regrouped since.
	Cursor string `json:"cursor"`
}

// Page is one page of a read.
type Page struct {
	Events []Event `json:"events"`
	// Next is the cursor for the following page; empty when there is none.
	Next string `json:"next"`
}

// Read returns a customer's events across all its identifiers and channels,
// in event-time order (ties broken by event ID). An absorbed customer ID
// reads its survivor's timeline.
func (tl *Timeline) Read(ctx context.Context, c identity.CustomerID, q Query) (Page, error) {
	var p Page
	err := tl.g.View(ctx, func(tx *identity.Tx) error {
		var err error
		p, err = ReadTx(tx, c, q)
		return err
	})
	return p, err
}

// ReadTx is [Timeline.Read] inside an identity transaction, for layers that
// read the timeline together with other state.
func ReadTx(tx *identity.Tx, c identity.CustomerID, q Query) (Page, error) {
	m, err := openMerger(tx, c, &q)
	if err != nil {
		return Page{}, err
	}
	defer m.close()
	if q.Limit == 0 {
		events, err := collectAll(m, &q)
		return Page{Events: events}, err
	}
	page := Page{Events: make([]Event, 0, min(q.Limit, 1024))}
	err = m.walk(&q, func(e Event) error {
		page.Events = append(page.Events, e)
		return nil
	})
	if err != nil {
		return Page{}, err
	}
	if len(page.Events) < q.Limit || m.pick() == nil {
		return page, nil
	}
	last := page.Events[len(page.Events)-1]
	page.Next = encodeCursor(position{nanos(last.Time), last.ID}, q.Newest)
	return page, nil
}

// Scan calls fn with each of a customer's events that q selects, in the
// order [Timeline.Read] returns them, without collecting them: for reads
// that fold a long timeline into something small. Each event is fn's to
// keep: it shares nothing with the next one but the Identifiers slice, as
// in Read (the strings of events read together share blocks of a few
// kilobytes, so a kept event keeps its block alive). q.Limit bounds how
// many events fn sees and q.Cursor starts after a position as in Read; no
// next cursor is returned (the last event fn saw is the position to
// continue from). If fn returns an error, the scan stops and Scan returns
// that error.
//
// fn runs inside the read transaction, whose snapshot of the store stays
// open until the scan ends; it sees none of the appends made meanwhile.
func (tl *Timeline) Scan(ctx context.Context, c identity.CustomerID, q Query, fn func(e Event) error) error {
	return tl.g.View(ctx, func(tx *identity.Tx) error { return ScanTx(tx, c, q, fn) })
}

// ScanTx is [Timeline.Scan] inside an identity transaction, for layers that
// read the timeline together with other state.
func ScanTx(tx *identity.Tx, c identity.CustomerID, q Query, fn func(e Event) error) error {
	m, err := openMerger(tx, c, &q)
	if err != nil {
		return err
	}
	defer m.close()
	return m.walk(&q, fn)
}

// walk passes fn each event of m that q selects, up to q.Limit (0: all),
// and stops at fn's first error. Events go to fn by value: one that fn
// does not keep never reaches the heap, where writing it would cost write
// barriers while a collection runs.
func (m *merger) walk(q *Query, fn func(e Event) error) error {
	var e Event
	for n := 0; q.Limit == 0 || n < q.Limit; {
		ok, err := m.next(&e)
		if err != nil || !ok {
			return err
		}
		if q.matches(&e) {
			n++
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// openMerger checks q and positions a merger over customer c's events.
func openMerger(tx *identity.Tx, c identity.CustomerID, q *Query) (*merger, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("%w: negative limit %d", ErrInvalidQuery, q.Limit)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.From.After(q.To) {
		return nil, fmt.Errorf("%w: From %s is after To %s", ErrInvalidQuery, q.From.Format(time.RFC3339Nano), q.To.Format(time.RFC3339Nano))
	}
	after, err := decodeCursor(q.Cursor, q.Newest)
	if err != nil {
		return nil, err
	}
	ids, err := tx.Identifiers(c)
	if err != nil {
		return nil, err
	}
	return newMerger(tx.Store(), ids, *q, after)
}

// chunk is where an unbounded read collects events before it knows how
// many there are. Chunks are pooled, so the read allocates its result once,
// at its final size, instead of regrowing it.
type chunk [256]Event

var chunks = sync.Pool{New: func() any { return new(chunk) }}

// collectAll reads every remaining event that q matches.
func collectAll(m *merger, q *Query) ([]Event, error) {
	var full []*chunk
	cur, n := chunks.Get().(*chunk), 0
	defer func() {
		for _, c := range append(full, cur) {
			clear(c[:]) // drop the strings and slices before pooling
			chunks.Put(c)
		}
	}()
	for {
		if n == len(cur) {
			full, cur, n = append(full, cur), chunks.Get().(*chunk), 0
		}
		ok, err := m.next(&cur[n]) // decoded in place: an event is not copied on its way
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if q.matches(&cur[n]) {
			n++
		}
	}
	if len(full) == 0 && n == 0 {
		return nil, nil
	}
	out := make([]Event, 0, len(full)*len(cur)+n)
	for _, c := range full {
		out = append(out, c[:]...)
	}
	return append(out, cur[:n]...), nil
}

func (q *Query) matches(e *Event) bool {
	return (len(q.Channels) == 0 || slices.Contains(q.Channels, e.Channel)) &&
		(len(q.Types) == 0 || slices.Contains(q.Types, e.Type)) &&
		(q.Case == "" || q.Case == e.Case) &&
		(q.Intent == "" || q.Intent == e.Intent)
}

// position is a place in (time, event ID) order.
type position struct {
	at int64
	id string
}

func (a position) less(b position) bool {
	return a.at < b.at || (a.at == b.at && a.id < b.id)
}

func encodeCursor(p position, newest bool) string {
	var w enc.Writer
	w.Bool(newest)
	w.Int(p.at)
	w.String(p.id)
	return base64.RawURLEncoding.EncodeToString(w.B)
}

func decodeCursor(s string, newest bool) (*position, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrInvalidCursor
	}
	r := enc.NewReader(b)
	dir := r.Bool()
	p := position{at: r.Int(), id: r.String()}
	if r.Err() != nil || p.id == "" || encodeCursor(p, dir) != s { // trailing or non-canonical bytes
		return nil, ErrInvalidCursor
	}
	if dir != newest {
		return nil, fmt.Errorf("%w: cursor is for the other order", ErrInvalidCursor)
	}
	return &p, nil
}

// merger merges the per-identifier event ranges of one customer.
type merger struct {
	newest     bool
	heads      []*head
	strings    enc.Arena // backs the events' strings (see decodeEvent)
	sentiments []float64 // backs the events' Sentiment pointers
}

// head is one identifier's iterator and its current event.
type head struct {
	it     *store.Iterator
	prefix []byte
	anchor []identity.Identifier // the one identifier, shared by the events read (capacity 1)
	valid  bool
	pos    position
}

func newMerger(t *store.Txn, ids []identity.Identifier, q Query, after *position) (*merger, error) {
	m := &merger{newest: q.Newest}
	for _, id := range ids {
		prefix := eventPrefix(id)
		lo, hi := prefix, keys.PrefixEnd(prefix)
		if !q.From.IsZero() {
			lo = keys.Key(slices.Clone(prefix)).Int(nanos(q.From))
		}
		if !q.To.IsZero() {
			hi = keys.Key(slices.Clone(prefix)).Int(nanos(q.To) + 1)
		}
		h := &head{it: t.NewIter(&store.IterOptions{LowerBound: lo, UpperBound: hi}), prefix: prefix, anchor: []identity.Identifier{id}}
		m.heads = append(m.heads, h)
		var ok bool
		switch {
		case after == nil && !q.Newest:
			ok = h.it.First()
		case after == nil:
			ok = h.it.Last()
		case !q.Newest:
			k := eventKey(id, after.at, after.id)
			ok = h.it.SeekGE(k)
			if ok && string(h.it.Key()) == string(k) {
				ok = h.it.Next()
			}
		default:
			ok = h.it.SeekLT(eventKey(id, after.at, after.id))
		}
		if err := h.load(ok); err != nil {
			m.close()
			return nil, err
		}
	}
	return m, nil
}

func (h *head) load(ok bool) error {
	h.valid = ok
	if !ok {
		return h.it.Error()
	}
	at, id, err := decodeKey(h.it.Key(), h.prefix)
	h.pos = position{at, id}
	return err
}

// pick returns the head holding the next event in order.
func (m *merger) pick() *head {
	var best *head
	for _, h := range m.heads {
		if !h.valid {
			continue
		}
		if best == nil || (!m.newest && h.pos.less(best.pos)) || (m.newest && best.pos.less(h.pos)) {
			best = h
		}
	}
	return best
}

// next decodes the next event in order into *e, which it overwrites
// whole; false when there is none.
func (m *merger) next(e *Event) (bool, error) {
	h := m.pick()
	if h == nil {
		return false, nil
	}
	*e = Event{ID: h.pos.id, Time: fromNanos(h.pos.at), Identifiers: h.anchor}
	if err := decodeEvent(h.it.Value(), e, &m.strings, &m.sentiments); err != nil {
		return false, err
	}
	var ok bool
	if m.newest {
		ok = h.it.Prev()
	} else {
		ok = h.it.Next()
	}
	return true, h.load(ok)
}

func (m *merger) close() {
	for _, h := range m.heads {
		h.it.Close()
	}
}
