package identity

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// LinkSelector chooses the links Unlink removes. Set exactly one field.
type LinkSelector struct {
	Link        LinkID        // one link
	Observation ObservationID // every link made by one observation
	Source      string        // every link made by one source
	Pair        [2]Identifier // the direct link between two identifiers
}

// UnlinkResult reports what Unlink did.
type UnlinkResult struct {
	Removed []LinkID `json:"removed"`
	// Splits lists, for each customer that fell apart, the customer kept
	// and the new customers made of the other parts.
	Splits []SplitResult `json:"splits"`
}

// SplitResult is one customer split in parts.
type SplitResult struct {
	Customer CustomerID   `json:"customer"` // kept by the part holding the customer's oldest identifier
	Parts    []CustomerID `json:"parts"`    // new customers, one per other part, oldest part first
}

// Unlink removes links (a bad merge) and recomputes the customers they
// joined. Each customer that falls apart keeps its ID for the part holding
// its oldest (first observed) identifier; every other part becomes a new
// customer, in order of its oldest identifier. Aliases of the old customer
// keep resolving to the part that kept the ID. Attributes, consent and
// events follow the identifiers they were observed with.
func (g *Graph) Unlink(ctx context.Context, sel LinkSelector) (UnlinkResult, error) {
	var out UnlinkResult
	err := g.Update(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Unlink(sel)
		return err
	})
	return out, err
}

// Unlink is [Graph.Unlink] inside a transaction.
func (tx *Tx) Unlink(sel LinkSelector) (UnlinkResult, error) {
	ls, err := tx.selectLinks(sel)
	if err != nil {
		return UnlinkResult{}, err
	}
	var out UnlinkResult
	affected := map[CustomerID]bool{}
	for _, l := range ls {
		r, err := tx.deleteLinkRec(l)
		if err != nil {
			return UnlinkResult{}, err
		}
		if err := tx.rememberUnlinked(r); err != nil {
			return UnlinkResult{}, err
		}
		c, err := tx.Lookup(r.A)
		if err != nil {
			return UnlinkResult{}, err
		}
		affected[c] = true
		out.Removed = append(out.Removed, l)
	}
	now := unixNano(tx.now())
	for _, c := range slices.Sorted(maps.Keys(affected)) {
		parts, err := tx.split(c, now)
		if err != nil {
			return UnlinkResult{}, err
		}
		if err := tx.history(c, histRec{Type: Unlinked, Time: now, Links: out.Removed, Others: parts}); err != nil {
			return UnlinkResult{}, err
		}
		if len(parts) > 0 {
			out.Splits = append(out.Splits, SplitResult{Customer: c, Parts: parts})
		}
	}
	return out, nil
}

// selectLinks returns the links a selector names, or ErrNotFound.
func (tx *Tx) selectLinks(sel LinkSelector) ([]LinkID, error) {
	var ids []uint64
	var err error
	switch {
	case sel.Link != 0:
		ids = []uint64{uint64(sel.Link)}
		if has, err := tx.txn.Has(linkKey(sel.Link)); err != nil || !has {
			return nil, errors.Join(err, fmt.Errorf("%w: link %s", ErrNotFound, sel.Link))
		}
	case sel.Observation != 0:
		ids, err = scanUints(tx.txn, obsLinkPrefix(sel.Observation))
	case sel.Source != "":
		ids, err = scanUints(tx.txn, sourceLinkPrefix(sel.Source))
	case !sel.Pair[0].IsZero():
		var a, b Identifier
		if a, err = tx.g.Normalize(sel.Pair[0]); err != nil {
			return nil, err
		}
		if b, err = tx.g.Normalize(sel.Pair[1]); err != nil {
			return nil, err
		}
		v, gerr := tx.txn.Get(adjKey(a, b))
		if gerr != nil {
			return nil, errors.Join(notFound(gerr), fmt.Errorf("%w: no link %s -- %s", ErrNotFound, a, b))
		}
		ids = []uint64{readUvarint(v)}
	default:
		return nil, fmt.Errorf("%w: empty link selector", ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: no links selected", ErrNotFound)
	}
	out := make([]LinkID, len(ids))
	for i, n := range ids {
		out[i] = LinkID(n)
	}
	return out, nil
}

// adjacent lists the links touching id.
func (tx *Tx) adjacent(id Identifier) ([]LinkID, error) {
	prefix := adjPrefix(id)
	it := tx.txn.NewIter(prefixRange(prefix))
	var out []LinkID
	for ok := it.First(); ok; ok = it.Next() {
		out = append(out, LinkID(readUvarint(it.Value())))
	}
	return out, it.Close()
}

// neighbours lists the identifiers linked directly to id.
func (tx *Tx) neighbours(id Identifier) ([]Identifier, error) {
	prefix := adjPrefix(id)
	it := tx.txn.NewIter(prefixRange(prefix))
	var out []Identifier
	for ok := it.First(); ok; ok = it.Next() {
		d := keys.NewSuffixDecoder(it.Key()[len(prefix):])
		n, err := Parse(d.String())
		if err = firstErr(d.Err(), err); err != nil {
			it.Close()
			return nil, corrupt("adjacency", err)
		}
		out = append(out, n)
	}
	return out, it.Close()
}

func (tx *Tx) deleteLink(l LinkID) error {
	_, err := tx.deleteLinkRec(l)
	return err
}

// deleteLinkRec deletes a link and its indexes, returning its record.
func (tx *Tx) deleteLinkRec(l LinkID) (linkRec, error) {
	r, found, err := getRec(tx.txn, linkKey(l), decodeLink)
	if err != nil {
		return r, err
	}
	if !found {
		return r, fmt.Errorf("%w: link %s", ErrNotFound, l)
	}
	for _, k := range [][]byte{
		linkKey(l), adjKey(r.A, r.B), adjKey(r.B, r.A),
		obsLinkKey(r.Obs, l),
		sourceLinkKey(r.Source, l),
	} {
		if err := tx.txn.Delete(k); err != nil {
			return r, err
		}
	}
	return r, nil
}

// split recomputes customer c's connected components and moves every part
// but the one holding the oldest identifier to a new customer.
func (tx *Tx) split(c CustomerID, now int64) ([]CustomerID, error) {
	ids, err := tx.members(c)
	if err != nil {
		return nil, err
	}
	parts, err := tx.components(ids)
	if err != nil || len(parts) < 2 {
		return nil, err
	}
	rec, _, err := getRec(tx.txn, custKey(c), decodeCust)
	if err != nil {
		return nil, err
	}
	var made []CustomerID
	for _, part := range parts[1:] {
		n, err := nextCustomer(tx)
		if err != nil {
			return nil, err
		}
		nc := CustomerID(n)
		nr := custRec{Created: now, Updated: now}
		for _, id := range part {
			p := tx.g.kinds[id.Kind]
			if p != nil {
				rec.count(p, id, -1)
				nr.add(p, id)
			}
			if err := tx.moveIdentifier(id, c, nc); err != nil {
				return nil, err
			}
		}
		if err := tx.txn.Set(custKey(nc), nr.encode()); err != nil {
			return nil, err
		}
		if err := tx.history(nc, histRec{Type: SplitFrom, Time: now, Others: []CustomerID{c}}); err != nil {
			return nil, err
		}
		made = append(made, nc)
	}
	rec.Updated = max(rec.Updated, now)
	if err := tx.txn.Set(custKey(c), rec.encode()); err != nil {
		return nil, err
	}
	tx.changes = append(tx.changes, Change{Type: Split, Customer: c, Others: made, Time: fromNano(now)})
	return made, tx.history(c, histRec{Type: Split, Time: now, Others: made})
}

// components partitions ids into connected components over links, ordered
// by each component's oldest identifier (smallest first-seen sequence).
func (tx *Tx) components(ids []Identifier) ([][]Identifier, error) {
	seq := make(map[Identifier]uint64, len(ids))
	for _, id := range ids {
		r, found, err := getRec(tx.txn, identKey(id), decodeIdent)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, corrupt("member", errDangling(id))
		}
		seq[id] = r.Seq
	}
	seen := map[Identifier]bool{}
	var parts [][]Identifier
	for _, start := range ids {
		if seen[start] {
			continue
		}
		seen[start] = true
		part := []Identifier{start}
		for i := 0; i < len(part); i++ {
			ns, err := tx.neighbours(part[i])
			if err != nil {
				return nil, err
			}
			for _, n := range ns {
				if _, member := seq[n]; member && !seen[n] {
					seen[n] = true
					part = append(part, n)
				}
			}
		}
		parts = append(parts, part)
	}
	oldest := func(p []Identifier) uint64 {
		return seq[slices.MinFunc(p, func(a, b Identifier) int { return cmp.Compare(seq[a], seq[b]) })]
	}
	slices.SortFunc(parts, func(a, b []Identifier) int { return cmp.Compare(oldest(a), oldest(b)) })
	return parts, nil
}

func nextCustomer(tx *Tx) (uint64, error) { return store.NextSequence(tx.txn, seqCustomer) }

// notFound maps the store's not-found to nil, keeping other errors.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
