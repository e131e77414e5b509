package identity

import (
	"encoding/binary"

	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

func uvarint(n uint64) []byte { return binary.AppendUvarint(nil, n) }

func readUvarint(b []byte) uint64 {
	n, _ := binary.Uvarint(b)
	return n
}

// members lists a customer's identifiers in key order.
func (tx *Tx) members(c CustomerID) ([]Identifier, error) {
	prefix := memberPrefix(c)
	it := tx.txn.NewIter(prefixRange(prefix))
	var out []Identifier
	for ok := it.First(); ok; ok = it.Next() {
		d := keys.NewSuffixDecoder(it.Key()[len(prefix):])
		k, v := d.String(), d.String()
		if d.Err() != nil {
			it.Close()
			return nil, corrupt("member", d.Err())
		}
		out = append(out, Identifier{Kind: Kind(k), Value: v})
	}
	return out, it.Close()
}

// scanUints lists the trailing uint components of the keys under prefix
// (link IDs under obslink, alias IDs under aliasrev, ...).
func scanUints(t *store.Txn, prefix []byte) ([]uint64, error) {
	it := t.NewIter(prefixRange(prefix))
	var out []uint64
	for ok := it.First(); ok; ok = it.Next() {
		d := keys.NewSuffixDecoder(it.Key()[len(prefix):])
		n := d.Uint()
		if d.Err() != nil {
			it.Close()
			return nil, corrupt("index", d.Err())
		}
		out = append(out, n)
	}
	return out, it.Close()
}

// absorb moves every identifier of customer c into the survivor s (whose
// record is sr, updated in place but not written), leaves c as an alias of
// s, and repoints c's own aliases to s so alias chains stay one hop long.
func (tx *Tx) absorb(c, s CustomerID, sr *custRec, at int64) error {
	if err := tx.moveMembers(c, s, sr); err != nil {
		return err
	}
	aliases, err := scanUints(tx.txn, aliasRevPrefix(c))
	if err != nil {
		return err
	}
	for _, a := range append(aliases, uint64(c)) {
		a := CustomerID(a)
		if err := tx.txn.Delete(aliasRevKey(c, a)); err != nil {
			return err
		}
		if err := tx.txn.Set(aliasKey(a), uvarint(uint64(s))); err != nil {
			return err
		}
		if err := tx.txn.Set(aliasRevKey(s, a), nil); err != nil {
			return err
		}
	}
	if err := tx.txn.Delete(custKey(c)); err != nil {
		return err
	}
	return tx.history(c, histRec{Type: Absorbed, Time: at, Others: []CustomerID{s}})
}

// moveMembers moves every identifier of customer c to s, counting them
// (and c's creation time) into s's record sr, updated in place but not
// written.
func (tx *Tx) moveMembers(c, s CustomerID, sr *custRec) error {
	ids, err := tx.members(c)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.moveIdentifier(id, c, s); err != nil {
			return err
		}
	}
	cr, found, err := getRec(tx.txn, custKey(c), decodeCust)
	if err != nil || !found {
		return err
	}
	sr.Created = min(sr.Created, cr.Created)
	sr.Strong += cr.Strong
	sr.Size += cr.Size
	for g, n := range cr.Groups {
		if sr.Groups == nil {
			sr.Groups = map[string]uint32{}
		}
		sr.Groups[g] += n
	}
	return nil
}

// moveIdentifier reassigns id from customer from to customer to.
func (tx *Tx) moveIdentifier(id Identifier, from, to CustomerID) error {
	r, found, err := getRec(tx.txn, identKey(id), decodeIdent)
	if err != nil {
		return err
	}
	if !found {
		return corrupt("member", errDangling(id))
	}
	r.Cust = to
	if err := tx.txn.Set(identKey(id), r.encode()); err != nil {
		return err
	}
	if err := tx.txn.Delete(memberKey(from, id)); err != nil {
		return err
	}
	return tx.txn.Set(memberKey(to, id), nil)
}

// history appends an entry to a customer's history.
func (tx *Tx) history(c CustomerID, h histRec) error {
	n, err := store.NextSequence(tx.txn, seqHistory)
	if err != nil {
		return err
	}
	return tx.txn.Set(historyKey(c, n), h.encode())
}

func (tx *Tx) nextIdentSeq() (uint64, error) { return store.NextSequence(tx.txn, seqIdentifier) }
