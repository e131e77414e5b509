package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/threadline/threadline/store"
)

// IdentifierInfo is one identifier of a customer with what is known of it.
type IdentifierInfo struct {
	Identifier
	Strength       Strength  `json:"strength"`
	FirstSeen      time.Time `json:"first_seen,omitzero"`
	LastSeen       time.Time `json:"last_seen,omitzero"`
	Seen           uint64    `json:"seen"` // observations that included it
	Verified       bool      `json:"verified"`
	VerifiedSource string    `json:"verified_source"` // source of the latest verifying observation
	VerifiedAt     time.Time `json:"verified_at,omitzero"`
}

// Customer is a customer as read from the graph.
type Customer struct {
	ID          CustomerID           `json:"id"`
	Identifiers []IdentifierInfo     `json:"identifiers"` // in kind, then value order
	Aliases     []CustomerID         `json:"aliases"`     // absorbed IDs that resolve to this customer
	Attributes  map[string]Attribute `json:"attributes,omitempty"`
	Consent     []ConsentState       `json:"consent"`
	Created     time.Time            `json:"created,omitzero"`
	// Updated is the time of the latest change to the customer (created,
	// merged, split, a decision) or of the latest observation of any of
	// its identifiers, whichever is later.
	Updated time.Time `json:"updated,omitzero"`
}

// Verified returns the customer's verified identifiers.
func (c *Customer) Verified() []IdentifierInfo {
	var out []IdentifierInfo
	for _, id := range c.Identifiers {
		if id.Verified {
			out = append(out, id)
		}
	}
	return out
}

// Lookup returns the customer an identifier belongs to. The identifier is
// normalized first; an unknown one returns [ErrNotFound].
func (g *Graph) Lookup(ctx context.Context, id Identifier) (CustomerID, error) {
	// One read of the committed state: no snapshot to set up.
	r := committed{ctx, g.db}
	n, err := g.normalize(r, id)
	if err != nil {
		return 0, g.failed(ctx, err) // as Observe: a closed store or cancelled context first
	}
	return find(r, n)
}

// Lookup is [Graph.Lookup] inside a transaction.
func (tx *Tx) Lookup(id Identifier) (CustomerID, error) {
	n, err := tx.Normalize(id)
	if err != nil {
		return 0, err
	}
	return find(tx.txn, n)
}

// find returns the customer of the canonical identifier n.
func find(r reader, n Identifier) (CustomerID, error) {
	rec, found, err := getRec(r, identKey(n), decodeIdent)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("%w: %s", ErrNotFound, n)
	}
	return rec.Cust, nil
}

// Resolve returns the live customer an ID refers to: the ID itself, or the
// survivor it was merged into. IDs of forgotten customers return
// [ErrNotFound].
func (g *Graph) Resolve(ctx context.Context, c CustomerID) (CustomerID, error) {
	var out CustomerID
	err := g.View(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.resolve(c)
		return err
	})
	return out, err
}

// Resolve is [Graph.Resolve] inside a transaction.
func (tx *Tx) Resolve(c CustomerID) (CustomerID, error) { return tx.resolve(c) }

func (tx *Tx) resolve(c CustomerID) (CustomerID, error) {
	if c == 0 {
		return 0, fmt.Errorf("%w: customer 0", ErrNotFound)
	}
	if has, err := tx.txn.Has(custKey(c)); err != nil || has {
		return c, err
	}
	b, err := tx.txn.Get(aliasKey(c))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("%w: customer %s", ErrNotFound, c)
		}
		return 0, err
	}
	return CustomerID(readUvarint(b)), nil
}

// Identifiers lists a customer's identifiers (after resolving aliases).
func (tx *Tx) Identifiers(c CustomerID) ([]Identifier, error) {
	c, err := tx.resolve(c)
	if err != nil {
		return nil, err
	}
	return tx.members(c)
}

// Customer reads a customer, resolving an absorbed ID to its survivor.
func (g *Graph) Customer(ctx context.Context, c CustomerID) (*Customer, error) {
	var out *Customer
	err := g.View(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Customer(c)
		return err
	})
	return out, err
}

// Customer is [Graph.Customer] inside a transaction.
func (tx *Tx) Customer(c CustomerID) (*Customer, error) {
	c, err := tx.resolve(c)
	if err != nil {
		return nil, err
	}
	r, found, err := getRec(tx.txn, custKey(c), decodeCust)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: customer %s", ErrNotFound, c)
	}
	out := &Customer{ID: c, Created: fromNano(r.Created), Updated: fromNano(r.Updated)}
	ids, err := tx.members(c)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		ir, found, err := getRec(tx.txn, identKey(id), decodeIdent)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, corrupt("member", errDangling(id))
		}
		info := IdentifierInfo{Identifier: id, FirstSeen: fromNano(ir.First), LastSeen: fromNano(ir.Last),
			Seen: ir.Seen, Verified: ir.Verified, VerifiedSource: ir.VerifiedSource, VerifiedAt: fromNano(ir.VerifiedAt)}
		if p := tx.g.kinds[id.Kind]; p != nil {
			info.Strength = p.Strength
		}
		out.Identifiers = append(out.Identifiers, info)
		// An observation that only sees the customer's identifiers
		// updates them, not the customer record.
		if info.LastSeen.After(out.Updated) {
			out.Updated = info.LastSeen
		}
	}
	aliases, err := scanUints(tx.txn, aliasRevPrefix(c))
	if err != nil {
		return nil, err
	}
	for _, a := range aliases {
		out.Aliases = append(out.Aliases, CustomerID(a))
	}
	if out.Attributes, err = tx.attributes(ids); err != nil {
		return nil, err
	}
	out.Consent, err = tx.consent(ids)
	return out, err
}

// forceLink links a and b whatever the guards say, creating a if it is new
// and merging their customers if they differ. Used for accepted conflicts
// and reviewed matches.
func (tx *Tx) forceLink(a, b Identifier, source string, at int64) error {
	bc, err := tx.Lookup(b)
	if err != nil {
		return err
	}
	ar, found, err := getRec(tx.txn, identKey(a), decodeIdent)
	if err != nil {
		return err
	}
	sr, _, err := getRec(tx.txn, custKey(bc), decodeCust)
	if err != nil {
		return err
	}
	surv := bc
	switch {
	case !found:
		seq, err := tx.nextIdentSeq()
		if err != nil {
			return err
		}
		ar = identRec{Cust: bc, Seq: seq, First: at, Last: at, Seen: 1}
		sr.add(tx.g.kinds[a.Kind], a)
		if err := tx.txn.Set(identKey(a), ar.encode()); err != nil {
			return err
		}
		if err := tx.txn.Set(memberKey(bc, a), nil); err != nil {
			return err
		}
	case ar.Cust != bc:
		surv = min(ar.Cust, bc)
		gone := max(ar.Cust, bc)
		if surv != bc {
			if sr, _, err = getRec(tx.txn, custKey(surv), decodeCust); err != nil {
				return err
			}
		}
		if err := tx.absorb(gone, surv, &sr, at); err != nil {
			return err
		}
		tx.changes = append(tx.changes, Change{Type: Merged, Customer: surv, Others: []CustomerID{gone}, Time: fromNano(at)})
	}
	sr.Updated = max(sr.Updated, at)
	if err := tx.txn.Set(custKey(surv), sr.encode()); err != nil {
		return err
	}
	l, _, err := tx.makeLink(linkRec{A: b, B: a, Rule: RuleDecision, Source: source, Time: at})
	if err != nil {
		return err
	}
	return tx.history(surv, histRec{Type: Decided, Time: at, Links: []LinkID{l}})
}
