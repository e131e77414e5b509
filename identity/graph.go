package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/threadline/threadline/internal/notify"
	"github.com/threadline/threadline/store"
)

// Graph is the customer graph over a store. It is safe for concurrent use:
// every method runs in its own store transaction, and concurrent writers are
// serialized by the store.
type Graph struct {
	db    *store.DB
	opts  Options
	kinds map[Kind]*KindPolicy
	// cached lists the kinds whose normalizer is the built-in one, whose
	// results norm may remember (see normCache).
	cached map[Kind]bool
	norm   *normCache
	// stored lists the kinds whose stored values Tx.Normalize recognizes
	// by one read instead of normalizing them again, each with a quick
	// test of the canonical form (see Tx.Normalize).
	stored map[Kind]func(string) bool

	// same lists, per kind, the kinds its values also reach (see
	// KindPolicy.SameValue).
	same map[Kind][]sameValue

	hooks   notify.Queue[Change]
	erase   erasers
	matcher *matcher // nil: probabilistic matching off
}

// Open returns the graph kept in db, with opts (nil means defaults; see
// [Options]). An option it cannot use is an [*OptionError].
// Several Graphs may share one store only if they share the same options.
func Open(db *store.DB, opts *Options) (*Graph, error) {
	o := opts.Clone()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	g := &Graph{db: db, opts: *o, kinds: map[Kind]*KindPolicy{}, cached: map[Kind]bool{}, norm: newNormCache(),
		stored: map[Kind]func(string) bool{}}
	defaults := DefaultKinds(o.DefaultRegion, o.Email)
	for i, p := range slices.Concat(defaults, o.Kinds) {
		g.kinds[p.Kind] = &p
		// A policy from Options.Kinds replaces the default and is not cached.
		g.cached[p.Kind] = i < len(defaults)
	}
	same, err := sameValues(g.kinds)
	if err != nil {
		return nil, err
	}
	g.same = same
	// Parsing and validating a phone number costs far more than one read.
	// (Validate refused an unknown default region, with which the
	// normalizer would refuse every number, stored ones too.)
	for _, k := range []Kind{Phone, WhatsApp} {
		if g.cached[k] {
			g.stored[k] = e164Form
		}
	}
	if o.Matching != nil {
		m, err := newMatcher(o.Matching)
		if err != nil {
			return nil, err
		}
		g.matcher = m
	}
	return g, nil
}

// DB returns the store the graph lives in, so that packages layered on
// identity can write in the same transactions (see [Graph.Update]).
func (g *Graph) DB() *store.DB { return g.db }

// Policy returns the policy of kind k.
func (g *Graph) Policy(k Kind) (KindPolicy, bool) {
	p, ok := g.kinds[k]
	if !ok {
		return KindPolicy{}, false
	}
	return *p, true
}

// Normalize returns id in canonical form, or an error naming the kind,
// input and reason. It touches no storage.
func (g *Graph) Normalize(id Identifier) (Identifier, error) { return g.normalize(nil, id) }

// Normalize is [Graph.Normalize], except that a phone or WhatsApp number
// given in its canonical form (E.164, "+14155550100") that the graph
// already holds is recognized by one read instead of being parsed and
// validated again, which costs several times more. This is sound because
// a stored value was normalized when it was first observed and
// normalizing a canonical value gives it back. One consequence: a number
// stored before an update of the phone number metadata made it invalid
// is still accepted in its canonical form while the graph holds it.
func (tx *Tx) Normalize(id Identifier) (Identifier, error) { return tx.g.normalize(tx.txn, id) }

// NormalizeStored is [Tx.Normalize] outside a transaction: its one read
// sees the latest committed state.
func (g *Graph) NormalizeStored(ctx context.Context, id Identifier) (Identifier, error) {
	return g.normalize(committed{ctx, g.db}, id)
}

// reader reads stored records: a transaction, or the committed state.
type reader interface {
	Get(key []byte) ([]byte, error)
	Has(key []byte) (bool, error)
}

// committed reads the store's committed state.
type committed struct {
	ctx context.Context
	db  *store.DB
}

func (c committed) Get(key []byte) ([]byte, error) { return c.db.Get(c.ctx, key) }
func (c committed) Has(key []byte) (bool, error)   { return c.db.Has(c.ctx, key) }

// normalize is Normalize, reading stored values with r unless it is nil.
func (g *Graph) normalize(r reader, id Identifier) (Identifier, error) {
	p, ok := g.kinds[id.Kind]
	if !ok {
		return Identifier{}, fmt.Errorf("%w: %q", ErrUnknownKind, id.Kind)
	}
	cached := g.cached[id.Kind]
	if cached {
		if v, ok := g.norm.get(id.Kind, id.Value); ok {
			return Identifier{Kind: id.Kind, Value: v}, nil
		}
	}
	if form := g.stored[id.Kind]; r != nil && form != nil && form(id.Value) {
		switch ok, err := r.Has(identKey(id)); {
		case err != nil:
			return Identifier{}, err
		case ok:
			g.norm.put(id.Kind, id.Value, id.Value)
			return id, nil
		}
	}
	v, err := p.Normalize(id.Value)
	if err != nil {
		var ie *InvalidIdentifierError
		if errors.As(err, &ie) && ie.Kind != id.Kind {
			// A shared normalizer (phone for whatsapp) names its own kind.
			cp := *ie
			cp.Kind = id.Kind
			err = &cp
		}
		return Identifier{}, err
	}
	if cached {
		g.norm.put(id.Kind, id.Value, v)
	}
	return Identifier{Kind: id.Kind, Value: v}, nil
}

// Tx is one transaction on the graph, passed to the closures of
// [Graph.Update] and [Graph.View]. Packages layered on identity (timeline,
// journey) use it to resolve identity and write their own keys atomically
// through [Tx.Store]. A Tx is valid only inside its closure and is not safe
// for concurrent use.
type Tx struct {
	g       *Graph
	txn     *store.Txn
	changes []Change
	// indexOnly makes probabilistic matching index observed profiles
	// without scoring them (LoadMatches, whose result does the linking).
	indexOnly bool
}

// Store returns the underlying store transaction.
func (tx *Tx) Store() *store.Txn { return tx.txn }

// Graph returns the graph the transaction belongs to.
func (tx *Tx) Graph() *Graph { return tx.g }

// Update runs fn in a read-write transaction. Changes it makes (merges,
// splits, forgets) are delivered to subscribers after the commit. Like
// [store.DB.Update], fn may run more than once.
func (g *Graph) Update(ctx context.Context, fn func(*Tx) error) error {
	err := g.db.Update(ctx, func(t *store.Txn) error {
		tx := &Tx{g: g, txn: t}
		if err := fn(tx); err != nil {
			return err
		}
		if len(tx.changes) > 0 {
			t.OnCommit(func() { g.hooks.Enqueue(tx.changes...) })
		}
		return nil
	})
	g.hooks.Drain()
	return err
}

// View runs fn in a read-only transaction over one consistent snapshot.
func (g *Graph) View(ctx context.Context, fn func(*Tx) error) error {
	return g.db.View(ctx, func(t *store.Txn) error { return fn(&Tx{g: g, txn: t}) })
}

func (tx *Tx) now() time.Time { return tx.g.opts.Clock() }

// ChangeType names a change to the graph.
type ChangeType string

// Change types, delivered to subscribers and recorded in customer history.
const (
	Created   ChangeType = "created"
	Merged    ChangeType = "merged"
	Absorbed  ChangeType = "absorbed"
	Split     ChangeType = "split"
	SplitFrom ChangeType = "split-from"
	Refused   ChangeType = "refused"
	Decided   ChangeType = "decided"
	Unlinked  ChangeType = "unlinked"
	Forgotten ChangeType = "forgotten"
)

// Change is one committed change to the graph, as delivered to subscribers.
// It carries customer IDs only, never identifier values, so that a
// subscriber's log holds nothing that Forget would have to chase.
type Change struct {
	Type     ChangeType   `json:"type"`
	Customer CustomerID   `json:"customer"` // the customer changed (the survivor of a merge)
	Others   []CustomerID `json:"others"`   // absorbed customers of a merge; new parts of a split
	Time     time.Time    `json:"time,omitzero"`
}

// Subscribe registers fn to receive every change committed through this
// Graph (not changes made by other processes sharing the store).
//
// Delivery: after the commit, in commit order, one change at a time (calls
// never overlap), synchronously in a goroutine that just committed: usually
// the caller's own, but if another goroutine is already delivering, that
// goroutine delivers this change too and the caller returns without
// waiting. fn may call back into the library; a change it makes is delivered
// after fn returns. The returned function cancels the subscription.
func (g *Graph) Subscribe(fn func(Change)) (cancel func()) { return g.hooks.Subscribe(fn) }
