package identity

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/threadline/threadline/internal/keys"
)

// Violation is one inconsistency found by Check.
type Violation struct {
	Key     string `json:"key"` // the offending key, formatted
	Problem string `json:"problem"`
}

func (v Violation) String() string { return v.Key + ": " + v.Problem }

// Check verifies the stored graph: every identifier belongs to exactly one
// live customer and is listed as its member; customer records count their
// identifiers right; every customer is one connected component of links;
// links join identifiers of one customer and are indexed both ways; aliases
// resolve to live customers. It returns every violation found (none means
// the graph is sound) and an error only if the store cannot be read.
func (g *Graph) Check(ctx context.Context) ([]Violation, error) {
	var out []Violation
	err := g.View(ctx, func(tx *Tx) error {
		c := &checker{tx: tx}
		for _, step := range []func() error{c.identifiers, c.customers, c.links, c.aliases} {
			if err := step(); err != nil {
				return err
			}
		}
		out = c.found
		return nil
	})
	return out, err
}

type checker struct {
	tx    *Tx
	found []Violation
}

func (c *checker) bad(key []byte, format string, args ...any) {
	c.found = append(c.found, Violation{Key: keys.Format(key), Problem: fmt.Sprintf(format, args...)})
}

// scan calls fn for every key/value of a table.
func (c *checker) scan(t keys.Table, fn func(k, v []byte) error) error {
	it := c.tx.txn.NewIter(prefixRange([]byte{byte(t)}))
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

func (c *checker) identifiers() error {
	return c.scan(keys.Ident, func(k, v []byte) error {
		d := keys.NewDecoder(k)
		id := Identifier{Kind: Kind(d.String()), Value: d.String()}
		r, err := decodeIdent(v)
		if err != nil || d.Err() != nil {
			c.bad(k, "undecodable identifier record")
			return nil
		}
		if has, err := c.tx.txn.Has(custKey(r.Cust)); err != nil {
			return err
		} else if !has {
			c.bad(k, "belongs to %s, which does not exist", r.Cust)
		}
		if has, err := c.tx.txn.Has(memberKey(r.Cust, id)); err != nil {
			return err
		} else if !has {
			c.bad(k, "not listed as a member of %s", r.Cust)
		}
		return nil
	})
}

func (c *checker) customers() error {
	return c.scan(keys.Customer, func(k, v []byte) error {
		cust := CustomerID(keys.NewDecoder(k).Uint())
		rec, err := decodeCust(v)
		if err != nil {
			c.bad(k, "undecodable customer record")
			return nil
		}
		ids, err := c.tx.members(cust)
		if err != nil {
			return err
		}
		var want custRec
		for _, id := range ids {
			r, found, err := getRec(c.tx.txn, identKey(id), decodeIdent)
			if err != nil {
				return err
			}
			if !found || r.Cust != cust {
				c.bad(memberKey(cust, id), "member of %s but its record says %s", cust, r.Cust)
			}
			if p := c.tx.g.kinds[id.Kind]; p != nil {
				want.add(p, id)
			}
		}
		if len(ids) == 0 {
			c.bad(k, "customer has no identifiers")
		}
		if rec.Size != want.Size || rec.Strong != want.Strong || fmt.Sprint(rec.Groups) != fmt.Sprint(want.Groups) {
			c.bad(k, "counts %d/%d/%v, identifiers give %d/%d/%v", rec.Size, rec.Strong, rec.Groups, want.Size, want.Strong, want.Groups)
		}
		if err := c.limits(k, want.Groups, ids); err != nil {
			return err
		}
		parts, err := c.tx.components(ids)
		if err != nil {
			return err
		}
		if len(parts) > 1 {
			c.bad(k, "identifiers form %d components, not one", len(parts))
		}
		return nil
	})
}

// limits reports the limit groups a customer holds more of than its kind
// allows, unless an accepted conflict names one of the customer's
// identifiers: the one way past a guard.
func (c *checker) limits(k []byte, groups map[string]uint32, ids []Identifier) error {
	var over []string
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		if lim := c.tx.g.groupLimit(g); lim > 0 && int(groups[g]) > lim {
			over = append(over, fmt.Sprintf("%s %d > %d", g, groups[g], lim))
		}
	}
	if len(over) == 0 {
		return nil
	}
	for _, id := range ids {
		xs, err := scanUints(c.tx.txn, conflictRefPrefix(id))
		if err != nil {
			return err
		}
		for _, x := range xs {
			r, found, err := getRec(c.tx.txn, conflictKey(ConflictID(x)), decodeConflict)
			if err != nil {
				return err
			}
			if found && r.Status == ConflictAccepted {
				return nil
			}
		}
	}
	c.bad(k, "over the kind limit (%s) with no accepted conflict", strings.Join(over, ", "))
	return nil
}

func (c *checker) links() error {
	return c.scan(keys.Link, func(k, v []byte) error {
		l := LinkID(keys.NewDecoder(k).Uint())
		r, err := decodeLink(v)
		if err != nil {
			c.bad(k, "undecodable link record")
			return nil
		}
		ra, fa, err := getRec(c.tx.txn, identKey(r.A), decodeIdent)
		if err != nil {
			return err
		}
		rb, fb, err := getRec(c.tx.txn, identKey(r.B), decodeIdent)
		if err != nil {
			return err
		}
		switch {
		case !fa || !fb:
			c.bad(k, "links a missing identifier")
		case ra.Cust != rb.Cust:
			c.bad(k, "links %s of %s to %s of %s", r.A, ra.Cust, r.B, rb.Cust)
		}
		for _, adj := range [][]byte{adjKey(r.A, r.B), adjKey(r.B, r.A)} {
			b, err := c.tx.txn.Get(adj)
			if err != nil && notFound(err) != nil {
				return err
			}
			if err != nil || LinkID(readUvarint(b)) != l {
				c.bad(adj, "adjacency missing or not pointing to %s", l)
			}
		}
		return nil
	})
}

func (c *checker) aliases() error {
	return c.scan(keys.Alias, func(k, v []byte) error {
		a := CustomerID(keys.NewDecoder(k).Uint())
		s := CustomerID(readUvarint(v))
		if has, err := c.tx.txn.Has(custKey(s)); err != nil {
			return err
		} else if !has {
			c.bad(k, "alias %s resolves to %s, which does not exist", a, s)
		}
		if has, err := c.tx.txn.Has(aliasRevKey(s, a)); err != nil {
			return err
		} else if !has {
			c.bad(k, "alias %s missing from %s's alias list", a, s)
		}
		return nil
	})
}
