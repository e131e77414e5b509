package timeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/named"
	"github.com/threadline/threadline/internal/notify"
	"github.com/threadline/threadline/store"
)

// Timeline is the cross-channel interaction history of every customer in
// an identity graph. It is safe for concurrent use.
type Timeline struct {
	g      *identity.Graph
	v      validator
	notify notify.Queue[Notice]
	hooks  named.List[Hook]
}

// Open returns the timeline kept beside graph g, with opts (nil means
// defaults; see [Options]); an option it cannot use is an [*OptionError].
// It registers the timeline's eraser with g (see
// [identity.Graph.RegisterEraser]), so that every Forget through g erases
// the customer's events too.
func Open(g *identity.Graph, opts *Options) (*Timeline, error) {
	o := opts.Clone()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	v := validator{channels: map[Channel]bool{}, types: map[Type]bool{}, limits: o.Limits, now: o.Clock}
	for _, c := range slices.Concat(builtinChannels, o.Channels) {
		v.channels[c] = true
	}
	for _, t := range slices.Concat(builtinTypes, o.Types) {
		v.types[t] = true
	}
	g.RegisterEraser(eraserName, identity.EraserFunc(eraseEvents))
	return &Timeline{g: g, v: v}, nil
}

// Graph returns the identity graph the timeline resolves customers in.
func (tl *Timeline) Graph() *identity.Graph { return tl.g }

// KnownChannel reports whether events may be appended on channel c: a
// built-in channel, one registered in Options.Channels, or a social
// network's "social:<network>".
func (tl *Timeline) KnownChannel(c Channel) bool { return tl.v.knownChannel(c) }

// Appended reports the fate of one appended event.
type Appended struct {
	ID       string              `json:"id"`
	Customer identity.CustomerID `json:"customer"` // the customer it belongs to
	// Duplicate is true when the same event (same ID and content) was
	// appended before: nothing was written.
	Duplicate bool `json:"duplicate"`
	// Identity is what resolving the event's identifiers did; zero for a
	// duplicate.
	Identity identity.Result `json:"identity"`
}

// Notice is one committed event, delivered to subscribers.
type Notice struct {
	Customer identity.CustomerID
	Event    Event
}

// Append validates a batch of events, resolves each event's identifiers in
// the identity graph and stores the events, all in one atomic transaction:
// if any event is invalid, or reuses an ID with different content, nothing
// of the batch is written. Events may arrive in any time order; they are
// visible to the next read as soon as Append returns.
func (tl *Timeline) Append(ctx context.Context, events ...Event) ([]Appended, error) {
	if len(events) > tl.v.limits.Batch {
		return nil, &InvalidEventError{Index: tl.v.limits.Batch, Field: "batch", Reason: fmt.Sprintf("%d events, at most %d", len(events), tl.v.limits.Batch)}
	}
	// Validate before the transaction, so that the store's serialized
	// commit pipeline does not wait for it.
	prepared, err := tl.prepare(ctx, events)
	if err != nil {
		return nil, err
	}
	var out []Appended
	err = tl.g.Update(ctx, func(tx *identity.Tx) error {
		var err error
		out, err = tl.append(tx, prepared)
		return err
	})
	tl.notify.Drain()
	return out, err
}

// prepared is a validated event with canonical identifiers.
type prepared struct {
	e    Event
	rec  []byte
	at   int64
	ids  []identity.Identifier
	set  string // the identifiers as one string, to resolve each set once per batch
	hash []byte
}

func (tl *Timeline) prepare(ctx context.Context, events []Event) ([]prepared, error) {
	out := make([]prepared, len(events))
	for i := range events {
		e := events[i]
		if err := tl.v.check(i, &e); err != nil {
			return nil, err
		}
		p := prepared{e: e, at: nanos(e.Time), rec: encodeEvent(&e)}
		var sb strings.Builder
		for _, raw := range e.Identifiers {
			id, err := tl.g.NormalizeStored(ctx, raw)
			switch {
			case storeFailed(err):
				return nil, err
			case err != nil:
				return nil, &InvalidEventError{Index: i, ID: e.ID, Field: "identifiers", Reason: err.Error(), Err: err}
			}
			p.ids = append(p.ids, id)
			sb.WriteString(id.String())
			sb.WriteByte(0)
		}
		p.set = sb.String()
		p.hash = contentHash(&e, p.rec, p.at, p.ids)
		out[i] = p
	}
	return out, nil
}

// storeFailed reports whether err is the store's (closed, cancelled,
// failed) rather than the input's.
func storeFailed(err error) bool {
	return errors.Is(err, store.ErrClosed) || errors.Is(err, store.ErrEngine) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// resolved is the identity outcome for one identifier set.
type resolved struct {
	res    identity.Result
	anchor identity.Identifier
}

func (tl *Timeline) append(tx *identity.Tx, events []prepared) ([]Appended, error) {
	out := make([]Appended, len(events))
	bySet := make(map[string]resolved, len(events))
	notices := make([]Notice, 0, len(events))
	for i := range events {
		p := &events[i]
		a, dup, err := tl.duplicate(tx, p)
		if err != nil {
			return nil, err
		}
		if dup {
			out[i] = a
			continue
		}
		r, ok := bySet[p.set]
		if !ok {
			if r, err = tl.resolve(tx, i, p); err != nil {
				return nil, err
			}
			// Later events with the same identifiers find them resolved.
			bySet[p.set] = resolved{anchor: r.anchor, res: identity.Result{
				Customer: r.res.Customer, Outcome: identity.OutcomeExisting, Observation: r.res.Observation}}
		}
		idx := indexRec{anchor: r.anchor, at: p.at, hash: p.hash}
		if err := tx.Store().Set(eventKey(r.anchor, p.at, p.e.ID), p.rec); err != nil {
			return nil, err
		}
		if err := tx.Store().Set(eventIDKey(p.e.ID), idx.encode()); err != nil {
			return nil, err
		}
		out[i] = Appended{ID: p.e.ID, Customer: r.res.Customer, Identity: r.res}
		e := p.e
		e.Identifiers = []identity.Identifier{r.anchor}
		e.Time = fromNanos(p.at)
		notices = append(notices, Notice{Customer: r.res.Customer, Event: e})
	}
	if len(notices) == 0 {
		return out, nil
	}
	if err := tx.RequireEraser(eraserName); err != nil {
		return nil, err
	}
	for _, h := range tl.hooks.All() {
		if err := h.Value.Appended(tx, notices); err != nil {
			return nil, err
		}
	}
	tx.Store().OnCommit(func() { tl.notify.Enqueue(notices...) })
	return out, nil
}

// duplicate checks the event ID index: a repeat with equal content is a
// duplicate, with other content a conflict. An ID repeated within one batch
// is caught too, since the index is written as the batch goes.
func (tl *Timeline) duplicate(tx *identity.Tx, p *prepared) (Appended, bool, error) {
	b, err := tx.Store().Get(eventIDKey(p.e.ID))
	if errors.Is(err, store.ErrNotFound) {
		return Appended{}, false, nil
	}
	if err != nil {
		return Appended{}, false, err
	}
	x, err := decodeIndex(b)
	if err != nil {
		return Appended{}, false, err
	}
	if string(x.hash) != string(p.hash) {
		return Appended{}, false, &ConflictError{ID: p.e.ID}
	}
	c, err := tx.Lookup(x.anchor)
	if err != nil {
		return Appended{}, false, err
	}
	return Appended{ID: p.e.ID, Customer: c, Duplicate: true}, true, nil
}

// resolve observes an event's identifiers and picks the one to store the
// event under: the first of them that belongs to the resolved customer.
func (tl *Timeline) resolve(tx *identity.Tx, i int, p *prepared) (resolved, error) {
	res, err := tx.Observe(identity.Observation{Identifiers: p.ids, Source: string(p.e.Channel), Time: p.e.Time, Verified: p.e.Verified})
	if err != nil {
		return resolved{}, &InvalidEventError{Index: i, ID: p.e.ID, Field: "identifiers", Reason: err.Error(), Err: err}
	}
	if len(res.Identifiers) == 0 {
		why := make([]string, len(res.Refusals))
		for j, r := range res.Refusals {
			why[j] = r.String()
		}
		return resolved{}, &InvalidEventError{Index: i, ID: p.e.ID, Field: "identifiers",
			Reason: "no identifier could be kept (" + strings.Join(why, "; ") + "), so the event belongs to no customer"}
	}
	return resolved{res: res, anchor: res.Identifiers[0]}, nil
}

// Subscribe calls fn for every event committed through this Timeline for
// customer c (or for every customer when c is 0), after the commit, in
// commit order, one event at a time; see package notify's contract: fn runs
// in a committing goroutine and may call back into the library. A
// subscription to an ID later absorbed in a merge follows the survivor.
// The returned function cancels the subscription.
func (tl *Timeline) Subscribe(c identity.CustomerID, fn func(Notice)) (cancel func()) {
	return tl.notify.Subscribe(func(n Notice) {
		if c == 0 || n.Customer == c {
			fn(n)
			return
		}
		if live, err := tl.g.Resolve(context.Background(), c); err == nil && live == n.Customer {
			fn(n)
		}
	})
}
