package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/threadline/threadline/internal/keys"
)

// Link is an accepted edge between two identifiers, with its evidence.
type Link struct {
	ID          LinkID        `json:"id"`
	A           Identifier    `json:"a"`
	B           Identifier    `json:"b"`
	Rule        string        `json:"rule"` // RuleStrong, RuleWeak, RuleDecision, or a matcher's rule
	Source      string        `json:"source"`
	Observation ObservationID `json:"observation"`
	Time        time.Time     `json:"time,omitzero"`
	Verified    bool          `json:"verified"`
	// Score and Comparisons are set for probabilistic links: the match
	// weight and its terms, which add up to it: the prior
	// ("prior=-4.51"), then each field's comparison level and weight
	// ("given_name=exact:+3.20").
	Score       float64  `json:"score"`
	Comparisons []string `json:"comparisons"`
	Reviewer    string   `json:"reviewer"`
}

// String renders the link as one line of evidence:
// "phone:+14155550100 -- email:ann@example.com  rule=strong-identifier source=voice o2".
func (l Link) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s -- %s  rule=%s", l.A, l.B, l.Rule)
	if l.Source != "" {
		fmt.Fprintf(&sb, " source=%s", l.Source)
	}
	if l.Observation != 0 {
		fmt.Fprintf(&sb, " %s", l.Observation)
	}
	if l.Verified {
		sb.WriteString(" verified")
	}
	if l.Score != 0 {
		fmt.Fprintf(&sb, " score=%.2f", l.Score)
	}
	if l.Reviewer != "" {
		fmt.Fprintf(&sb, " reviewer=%s", l.Reviewer)
	}
	if len(l.Comparisons) > 0 {
		fmt.Fprintf(&sb, " fields=[%s]", strings.Join(l.Comparisons, " "))
	}
	return sb.String()
}

func (r *linkRec) link(id LinkID) Link {
	return Link{ID: id, A: r.A, B: r.B, Rule: r.Rule, Source: r.Source, Observation: r.Obs, Time: fromNano(r.Time),
		Verified: r.Verified, Score: r.Score, Comparisons: r.Comparisons, Reviewer: r.Reviewer}
}

// ErrNotLinked is returned by Explain for identifiers of different
// customers.
var ErrNotLinked = fmt.Errorf("%w: identifiers are not linked", ErrNotFound)

// Explain returns why a and b belong to one customer: a shortest path of
// links from a to b, each oriented along the path, with its evidence.
// Identifiers of different customers return [ErrNotLinked]; a and b equal
// return an empty path.
func (g *Graph) Explain(ctx context.Context, a, b Identifier) ([]Link, error) {
	var out []Link
	err := g.View(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Explain(a, b)
		return err
	})
	return out, err
}

// Explain is [Graph.Explain] inside a transaction.
func (tx *Tx) Explain(a, b Identifier) ([]Link, error) {
	ca, err := tx.Lookup(a)
	if err != nil {
		return nil, err
	}
	cb, err := tx.Lookup(b)
	if err != nil {
		return nil, err
	}
	if ca != cb {
		return nil, fmt.Errorf("%w: %s is %s, %s is %s", ErrNotLinked, a, ca, b, cb)
	}
	a, _ = tx.g.Normalize(a)
	b, _ = tx.g.Normalize(b)
	prev := map[Identifier]Identifier{a: {}}
	for queue := []Identifier{a}; len(queue) > 0 && !hasKey(prev, b); queue = queue[1:] {
		ns, err := tx.neighbours(queue[0])
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if !hasKey(prev, n) {
				prev[n] = queue[0]
				queue = append(queue, n)
			}
		}
	}
	if !hasKey(prev, b) {
		return nil, corrupt("graph", fmt.Errorf("%s and %s share %s but no path", a, b, ca))
	}
	var path []Link
	for at := b; at != a; at = prev[at] {
		l, err := tx.link(prev[at], at)
		if err != nil {
			return nil, err
		}
		path = append([]Link{l}, path...)
	}
	return path, nil
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

// link reads the link between from and to, oriented from -> to.
func (tx *Tx) link(from, to Identifier) (Link, error) {
	v, err := tx.txn.Get(adjKey(from, to))
	if err != nil {
		return Link{}, err
	}
	id := LinkID(readUvarint(v))
	r, found, err := getRec(tx.txn, linkKey(id), decodeLink)
	if err != nil || !found {
		return Link{}, firstErr(err, corrupt("link", fmt.Errorf("missing %s", id)))
	}
	l := r.link(id)
	if l.A != from {
		l.A, l.B = l.B, l.A
	}
	return l, nil
}

// Links lists every link inside a customer, in link order.
func (g *Graph) Links(ctx context.Context, c CustomerID) ([]Link, error) {
	var out []Link
	err := g.View(ctx, func(tx *Tx) error {
		ids, err := tx.Identifiers(c)
		if err != nil {
			return err
		}
		seen := map[LinkID]bool{}
		for _, id := range ids {
			ls, err := tx.adjacent(id)
			if err != nil {
				return err
			}
			for _, l := range ls {
				if seen[l] {
					continue
				}
				seen[l] = true
				r, found, err := getRec(tx.txn, linkKey(l), decodeLink)
				if err != nil || !found {
					return firstErr(err, corrupt("link", fmt.Errorf("missing %s", l)))
				}
				out = append(out, r.link(l))
			}
		}
		return nil
	})
	sortLinks(out)
	return out, err
}

// HistoryEntry is one event in a customer's identity history.
type HistoryEntry struct {
	Customer    CustomerID    `json:"customer"` // the customer (or absorbed alias) it was recorded on
	Type        ChangeType    `json:"type"`
	Time        time.Time     `json:"time,omitzero"`
	Observation ObservationID `json:"observation"`
	Others      []CustomerID  `json:"others"` // absorbed, survivor, or split parts
	Links       []LinkID      `json:"links"`
	Guard       Guard         `json:"guard"`
	Conflict    ConflictID    `json:"conflict"`
}

// History returns the merges, splits, refusals and decisions recorded for
// a customer and for every ID absorbed into it, oldest first.
func (g *Graph) History(ctx context.Context, c CustomerID) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := g.View(ctx, func(tx *Tx) error {
		c, err := tx.resolve(c)
		if err != nil {
			return err
		}
		aliases, err := scanUints(tx.txn, aliasRevPrefix(c))
		if err != nil {
			return err
		}
		type seqEntry struct {
			seq uint64
			e   HistoryEntry
		}
		var all []seqEntry
		for _, id := range append([]uint64{uint64(c)}, aliases...) {
			prefix := historyPrefix(CustomerID(id))
			it := tx.txn.NewIter(prefixRange(prefix))
			for ok := it.First(); ok; ok = it.Next() {
				seq := keys.NewSuffixDecoder(it.Key()[len(prefix):]).Uint()
				h, err := decodeHist(it.Value())
				if err != nil {
					it.Close()
					return err
				}
				all = append(all, seqEntry{seq, HistoryEntry{Customer: CustomerID(id), Type: h.Type, Time: fromNano(h.Time),
					Observation: h.Obs, Others: h.Others, Links: h.Links, Guard: h.Guard, Conflict: h.Conflict}})
			}
			if err := it.Close(); err != nil {
				return err
			}
		}
		sortBy(all, func(e seqEntry) uint64 { return e.seq })
		for _, e := range all {
			out = append(out, e.e)
		}
		return nil
	})
	return out, err
}
