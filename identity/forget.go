package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/threadline/threadline/internal/keys"
)

// ForgetOptions controls erasure.
type ForgetOptions struct {
	// Suppress keeps keyed hashes (HMAC-SHA256 with
	// Options.SuppressionKey) of the erased identifiers, so later
	// observations of the same values are refused instead of starting a new
	// customer. The hashes cannot be reversed without the key.
	Suppress bool
}

// ForgetResult reports what Forget erased.
type ForgetResult struct {
	Customer    CustomerID   `json:"customer"`
	Identifiers []Identifier `json:"identifiers"` // the erased identifiers, for layers that keep data per identifier
	Aliases     []CustomerID `json:"aliases"`     // absorbed IDs that no longer resolve
}

// Forget erases a customer from every layer, in one transaction: first
// what the registered erasers keep (see [Graph.RegisterEraser]: the
// timeline's events, among them handoffs and decisions, and the journeys'
// live and trigger state, once those layers are opened on g), then its
// identity: identifiers, links and their evidence, attributes, consent,
// conflicts and review items naming its identifiers, history and aliases.
// It refuses with an [*IncompleteErasureError], erasing nothing, when the
// store holds data of a layer whose eraser is not registered with g, so
// that it never erases half a customer. Without suppression, a later
// observation of the same values starts a new customer with nothing of the
// old one. Erased data may linger in the store's files until they are
// compacted; call [store.DB.Compact] to remove it physically.
func (g *Graph) Forget(ctx context.Context, c CustomerID, opts ForgetOptions) (ForgetResult, error) {
	var out ForgetResult
	err := g.Update(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.Forget(c, opts)
		return err
	})
	return out, err
}

// Forget is [Graph.Forget] inside a transaction.
func (tx *Tx) Forget(c CustomerID, opts ForgetOptions) (ForgetResult, error) {
	if opts.Suppress && len(tx.g.opts.SuppressionKey) == 0 {
		return ForgetResult{}, fmt.Errorf("%w: suppression needs Options.SuppressionKey", ErrInvalidOptions)
	}
	c, err := tx.resolve(c)
	if err != nil {
		return ForgetResult{}, err
	}
	ids, err := tx.members(c)
	if err != nil {
		return ForgetResult{}, err
	}
	if err := tx.runErasers(c, ids); err != nil {
		return ForgetResult{}, err
	}
	out := ForgetResult{Customer: c, Identifiers: ids}
	for _, id := range ids {
		if err := tx.eraseIdentifier(c, id); err != nil {
			return ForgetResult{}, err
		}
		if opts.Suppress {
			if err := tx.txn.Set(keys.New(keys.Suppression).Bytes(tx.suppressionHash(id)), uvarint(uint64(unixNano(tx.now())))); err != nil {
				return ForgetResult{}, err
			}
		}
	}
	aliases, err := scanUints(tx.txn, aliasRevPrefix(c))
	if err != nil {
		return ForgetResult{}, err
	}
	for _, a := range append(aliases, uint64(c)) {
		a := CustomerID(a)
		if a != c {
			out.Aliases = append(out.Aliases, a)
		}
		if err := tx.deleteAll(aliasKey(a), historyPrefix(a)); err != nil {
			return ForgetResult{}, err
		}
	}
	if err := tx.deleteAll(custKey(c), aliasRevPrefix(c)); err != nil {
		return ForgetResult{}, err
	}
	tx.changes = append(tx.changes, Change{Type: Forgotten, Customer: c, Others: out.Aliases, Time: tx.now()})
	return out, nil
}

// eraseIdentifier deletes one identifier and everything keyed by or naming
// it.
func (tx *Tx) eraseIdentifier(c CustomerID, id Identifier) error {
	if err := tx.eraseLinks(id); err != nil {
		return err
	}
	conflicts, err := scanUints(tx.txn, conflictRefPrefix(id))
	if err != nil {
		return err
	}
	for _, x := range conflicts {
		if err := tx.eraseConflict(ConflictID(x)); err != nil {
			return err
		}
	}
	if err := tx.eraseProfile(id); err != nil {
		return err
	}
	return tx.deleteAll(identKey(id), memberKey(c, id), attrPrefix(id), consentPrefix(id), conflictRefPrefix(id))
}

// eraseLinks deletes every link of id with its indexes.
func (tx *Tx) eraseLinks(id Identifier) error {
	ls, err := tx.adjacent(id)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if err := tx.deleteLink(l); err != nil {
			return err
		}
	}
	return nil
}

// eraseConflict deletes a conflict, its dedup key and its references.
func (tx *Tx) eraseConflict(x ConflictID) error {
	r, found, err := getRec(tx.txn, conflictKey(x), decodeConflict)
	if err != nil || !found {
		return err
	}
	for _, a := range r.Against {
		if err := tx.txn.Delete(keys.Key(conflictRefPrefix(a)).Uint(uint64(x))); err != nil {
			return err
		}
	}
	return tx.deleteAll(conflictKey(x), r.dedupKey(), keys.Key(conflictRefPrefix(r.Held)).Uint(uint64(x)))
}

// deleteAll deletes each key, or every key under it when it is a prefix
// (prefix deletion is harmless for exact keys: no other key extends them
// except by design).
func (tx *Tx) deleteAll(ks ...[]byte) error {
	for _, k := range ks {
		if err := tx.txn.Delete(k); err != nil {
			return err
		}
		if end := keys.PrefixEnd(k); end != nil {
			if err := tx.txn.DeleteRange(k, end); err != nil {
				return err
			}
		}
	}
	return nil
}

func (tx *Tx) suppressionHash(id Identifier) []byte {
	m := hmac.New(sha256.New, tx.g.opts.SuppressionKey)
	m.Write([]byte(id.String()))
	return m.Sum(nil)
}

// suppressed reports whether id was forgotten with suppression.
func (tx *Tx) suppressed(id Identifier) (bool, error) {
	if len(tx.g.opts.SuppressionKey) == 0 {
		return false, nil
	}
	return tx.txn.Has(keys.New(keys.Suppression).Bytes(tx.suppressionHash(id)))
}
