package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

func errDangling(id Identifier) error { return fmt.Errorf("dangling identifier %s", id) }

// ConflictStatus is where a conflict stands.
type ConflictStatus string

// Conflict statuses.
const (
	ConflictPending   ConflictStatus = "pending"   // awaiting a decision
	ConflictAccepted  ConflictStatus = "accepted"  // a person linked the values anyway
	ConflictDismissed ConflictStatus = "dismissed" // a person confirmed the refusal
)

// Conflict is a recorded refusal: a guard kept an identifier from joining a
// customer. Repeated refusals of the same values update one conflict.
type Conflict struct {
	ID         ConflictID   `json:"id"`
	Guard      Guard        `json:"guard"`
	Identifier Identifier   `json:"identifier"` // the identifier held back
	Against    []Identifier `json:"against"`    // the values it conflicted with
	Customer   CustomerID   `json:"customer"`   // the customer it would have joined (resolved through aliases)
	// Observation, Source and Time are of the first refusal; Last and
	// Count of the latest and how many.
	Observation ObservationID  `json:"observation"`
	Source      string         `json:"source"`
	Time        time.Time      `json:"time,omitzero"`
	Last        time.Time      `json:"last,omitzero"`
	Count       uint64         `json:"count"`
	Status      ConflictStatus `json:"status"`
	DecidedBy   string         `json:"decided_by"`
	DecidedAt   time.Time      `json:"decided_at,omitzero"`
	Note        string         `json:"note"`
}

type conflictRec struct {
	Guard       Guard
	Held        Identifier
	Against     []Identifier
	Customer    CustomerID
	Obs         ObservationID
	Source      string
	First, Last int64
	Count       uint64
	Status      ConflictStatus
	DecidedBy   string
	DecidedAt   int64
	Note        string
}

func (r *conflictRec) encode() []byte {
	var w enc.Writer
	w.String(string(r.Guard))
	w.String(r.Held.String())
	w.Uint(uint64(len(r.Against)))
	for _, a := range r.Against {
		w.String(a.String())
	}
	w.Uint(uint64(r.Customer))
	w.Uint(uint64(r.Obs))
	w.String(r.Source)
	w.Int(r.First)
	w.Int(r.Last)
	w.Uint(r.Count)
	w.String(string(r.Status))
	w.String(r.DecidedBy)
	w.Int(r.DecidedAt)
	w.String(r.Note)
	return w.B
}

func decodeConflict(b []byte) (conflictRec, error) {
	r := enc.NewReader(b)
	v := conflictRec{Guard: Guard(r.String())}
	v.Held, _ = Parse(r.String())
	for n := r.Uint(); n > 0 && r.Err() == nil; n-- {
		a, _ := Parse(r.String())
		v.Against = append(v.Against, a)
	}
	v.Customer, v.Obs, v.Source = CustomerID(r.Uint()), ObservationID(r.Uint()), r.String()
	v.First, v.Last, v.Count = r.Int(), r.Int(), r.Uint()
	v.Status, v.DecidedBy, v.DecidedAt, v.Note = ConflictStatus(r.String()), r.String(), r.Int(), r.String()
	return v, corrupt("conflict", r.Err())
}

// dedupKey identifies repeated refusals of the same values: by the values
// for a limit (or a blocked value), by the customer for size and weak
// guards, whose other side is a whole customer.
func (r *conflictRec) dedupKey() []byte {
	other := make([]string, len(r.Against))
	for i, a := range r.Against {
		other[i] = a.String()
	}
	if r.Guard == GuardSize || r.Guard == GuardWeak {
		other = []string{r.Customer.String()}
	}
	return conflictDedupKey(r.Guard, r.Held, strings.Join(other, " "))
}

// refuse records a refusal as a conflict (deduplicated by guard and
// values) and adds it to the result.
func (o *observer) refuse(ref Refusal) error {
	id, err := o.tx.recordConflict(ref, o.id, o.obs.Source, o.at)
	if err != nil {
		return err
	}
	ref.Conflict = id
	o.res.Refusals = append(o.res.Refusals, ref)
	if ref.Customer != 0 {
		o.tx.changes = append(o.tx.changes, Change{Type: Refused, Customer: ref.Customer, Time: fromNano(o.at)})
		return o.tx.history(ref.Customer, histRec{Type: Refused, Time: o.at, Obs: o.id, Guard: ref.Guard, Conflict: id})
	}
	return nil
}

func (tx *Tx) recordConflict(ref Refusal, obs ObservationID, src string, at int64) (ConflictID, error) {
	r := conflictRec{Guard: ref.Guard, Held: ref.Identifier, Against: ref.Against, Customer: ref.Customer,
		Obs: obs, Source: src, First: at, Last: at, Count: 1, Status: ConflictPending}
	dk := r.dedupKey()
	if b, err := tx.txn.Get(dk); err == nil {
		id := ConflictID(readUvarint(b))
		old, found, err := getRec(tx.txn, conflictKey(id), decodeConflict)
		if err != nil || !found {
			return 0, errors.Join(err, corrupt("conflict", fmt.Errorf("missing %s", id)))
		}
		old.Count++
		old.Last = max(old.Last, at)
		return id, tx.txn.Set(conflictKey(id), old.encode())
	} else if !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	n, err := store.NextSequence(tx.txn, seqConflict)
	if err != nil {
		return 0, err
	}
	id := ConflictID(n)
	if err := tx.txn.Set(conflictKey(id), r.encode()); err != nil {
		return 0, err
	}
	if err := tx.txn.Set(dk, uvarint(n)); err != nil {
		return 0, err
	}
	for _, v := range append([]Identifier{ref.Identifier}, ref.Against...) {
		if err := tx.txn.Set(keys.Key(conflictRefPrefix(v)).Uint(n), nil); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// Conflicts lists recorded conflicts in the order they were first
// recorded; with status "" it lists all of them.
func (g *Graph) Conflicts(ctx context.Context, status ConflictStatus) ([]Conflict, error) {
	var out []Conflict
	err := g.View(ctx, func(tx *Tx) error {
		prefix := keys.New(keys.Conflict)
		it := tx.txn.NewIter(prefixRange(prefix))
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			r, err := decodeConflict(it.Value())
			if err != nil {
				return err
			}
			if status != "" && r.Status != status {
				continue
			}
			d := keys.NewDecoder(it.Key())
			c, err := tx.conflict(ConflictID(d.Uint()), r)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return it.Error()
	})
	return out, err
}

func (tx *Tx) conflict(id ConflictID, r conflictRec) (Conflict, error) {
	cust, err := tx.resolve(r.Customer)
	if errors.Is(err, ErrNotFound) {
		cust, err = 0, nil
	}
	return Conflict{ID: id, Guard: r.Guard, Identifier: r.Held, Against: r.Against, Customer: cust,
		Observation: r.Obs, Source: r.Source, Time: fromNano(r.First), Last: fromNano(r.Last), Count: r.Count,
		Status: r.Status, DecidedBy: r.DecidedBy, DecidedAt: fromNano(r.DecidedAt), Note: r.Note}, err
}

// Decision settles a conflict.
type Decision struct {
	// Accept links the held-back identifier to every value it conflicted
	// with, bypassing the guard and merging customers as needed.
	// Otherwise the refusal is confirmed.
	Accept bool `json:"accept"`
	// By names the person or process deciding; recorded.
	By string `json:"by"`
	// Note is free text; recorded.
	Note string `json:"note"`
}

// Decide settles a pending conflict. Accepting it links the values with
// rule "conflict-decision", merging customers if need be.
func (g *Graph) Decide(ctx context.Context, id ConflictID, d Decision) (Conflict, error) {
	var out Conflict
	err := g.Update(ctx, func(tx *Tx) error {
		r, found, err := getRec(tx.txn, conflictKey(id), decodeConflict)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: conflict %s", ErrNotFound, id)
		}
		if r.Status != ConflictPending {
			return fmt.Errorf("%w: %s is %s", ErrDecided, id, r.Status)
		}
		now := unixNano(tx.now())
		r.Status, r.DecidedBy, r.DecidedAt, r.Note = ConflictDismissed, d.By, now, d.Note
		if d.Accept {
			r.Status = ConflictAccepted
			if err := tx.acceptConflict(r, now); err != nil {
				return err
			}
		}
		if err := tx.txn.Set(conflictKey(id), r.encode()); err != nil {
			return err
		}
		out, err = tx.conflict(id, r)
		return err
	})
	return out, err
}

// acceptConflict links the held identifier to every value it conflicted
// with, bypassing guards and merging customers as needed.
func (tx *Tx) acceptConflict(r conflictRec, now int64) error {
	linked := false
	for _, a := range r.Against {
		if _, err := tx.Lookup(a); errors.Is(err, ErrNotFound) {
			continue // erased or never stored
		} else if err != nil {
			return err
		}
		if err := tx.forceLink(r.Held, a, r.Source, now); err != nil {
			return err
		}
		linked = true
	}
	if !linked {
		return fmt.Errorf("%w: nothing left to link %s to", ErrNotFound, r.Held)
	}
	return nil
}
