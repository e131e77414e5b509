package identity

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// ReviewID identifies a review item. Printed as "r4".
type ReviewID uint64

func (r ReviewID) String() string { return "r" + strconv.FormatUint(uint64(r), 10) }

// ReviewStatus is where a review item stands.
type ReviewStatus string

// Review statuses.
const (
	ReviewPending  ReviewStatus = "pending"
	ReviewAccepted ReviewStatus = "accepted"
	ReviewRejected ReviewStatus = "rejected"
)

// Review is a pair of profiles the matcher scored between its bands: maybe
// one person, for a person to decide.
type Review struct {
	ID ReviewID `json:"id"`
	// A is the identifier of the observation that was scored; B the
	// candidate's. Customers are their customers now (0 if erased).
	A         Identifier `json:"a"`
	B         Identifier `json:"b"`
	CustomerA CustomerID `json:"customer_a"`
	CustomerB CustomerID `json:"customer_b"`
	Weight    float64    `json:"weight"`
	// Evidence holds the terms of Weight (see [Link].Comparisons).
	Evidence    []string      `json:"evidence"`
	Observation ObservationID `json:"observation"`
	Source      string        `json:"source"`
	Time        time.Time     `json:"time,omitzero"`
	Status      ReviewStatus  `json:"status"`
	By          string        `json:"by"` // who accepted or rejected it
	DecidedAt   time.Time     `json:"decided_at,omitzero"`
}

type reviewRec struct {
	A, B      Identifier
	Weight    float64
	Evidence  []string
	Obs       ObservationID
	Source    string
	Time      int64
	Status    ReviewStatus
	By        string
	DecidedAt int64
}

func (r *reviewRec) encode() []byte {
	var w enc.Writer
	w.String(r.A.String())
	w.String(r.B.String())
	w.Float(r.Weight)
	w.Strings(r.Evidence)
	w.Uint(uint64(r.Obs))
	w.String(r.Source)
	w.Int(r.Time)
	w.String(string(r.Status))
	w.String(r.By)
	w.Int(r.DecidedAt)
	return w.B
}

func decodeReview(b []byte) (reviewRec, error) {
	r := enc.NewReader(b)
	a, _ := Parse(r.String())
	bb, _ := Parse(r.String())
	v := reviewRec{A: a, B: bb, Weight: r.Float(), Evidence: r.Strings(), Obs: ObservationID(r.Uint()),
		Source: r.String(), Time: r.Int(), Status: ReviewStatus(r.String()), By: r.String(), DecidedAt: r.Int()}
	return v, corrupt("review", r.Err())
}

const seqReview = "identity.review"

func reviewKey(id ReviewID) []byte { return keys.New(keys.MatchReview).Uint(uint64(id)) }
func reviewRefPrefix(id Identifier) []byte {
	return keys.New(keys.MatchRef).String(id.String())
}

// pairKey is the pair's key, smaller identifier first.
func pairKey(a, b Identifier) []byte {
	x, y := a.String(), b.String()
	if y < x {
		x, y = y, x
	}
	return keys.New(keys.MatchPair).String(x).String(y)
}

func (tx *Tx) newReview(r reviewRec) (ReviewID, error) {
	n, err := store.NextSequence(tx.txn, seqReview)
	if err != nil {
		return 0, err
	}
	id := ReviewID(n)
	for _, kv := range [][2][]byte{
		{reviewKey(id), r.encode()},
		{pairKey(r.A, r.B), uvarint(n)},
		{keys.Key(reviewRefPrefix(r.A)).Uint(n), nil},
		{keys.Key(reviewRefPrefix(r.B)).Uint(n), nil},
	} {
		if err := tx.txn.Set(kv[0], kv[1]); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// eraseReview deletes a review item with its pair key and references.
func (tx *Tx) eraseReview(id ReviewID) error {
	r, found, err := getRec(tx.txn, reviewKey(id), decodeReview)
	if err != nil || !found {
		return err
	}
	return tx.deleteAll(reviewKey(id), pairKey(r.A, r.B),
		keys.Key(reviewRefPrefix(r.A)).Uint(uint64(id)), keys.Key(reviewRefPrefix(r.B)).Uint(uint64(id)))
}

func (tx *Tx) review(id ReviewID, r reviewRec) Review {
	ca, _ := tx.lookupRaw(r.A)
	cb, _ := tx.lookupRaw(r.B)
	return Review{ID: id, A: r.A, B: r.B, CustomerA: ca, CustomerB: cb, Weight: r.Weight, Evidence: r.Evidence,
		Observation: r.Obs, Source: r.Source, Time: fromNano(r.Time), Status: r.Status, By: r.By, DecidedAt: fromNano(r.DecidedAt)}
}

// lookupRaw returns the customer of a stored (canonical) identifier, 0 if
// it is gone.
func (tx *Tx) lookupRaw(id Identifier) (CustomerID, error) {
	r, found, err := getRec(tx.txn, identKey(id), decodeIdent)
	if err != nil || !found {
		return 0, err
	}
	return r.Cust, nil
}

// Reviews lists review items in the order they were created; with status
// "" it lists all of them.
func (g *Graph) Reviews(ctx context.Context, status ReviewStatus) ([]Review, error) {
	var out []Review
	err := g.View(ctx, func(tx *Tx) error {
		prefix := keys.New(keys.MatchReview)
		it := tx.txn.NewIter(prefixRange(prefix))
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			r, err := decodeReview(it.Value())
			if err != nil {
				return err
			}
			if status != "" && r.Status != status {
				continue
			}
			d := keys.NewDecoder(it.Key())
			out = append(out, tx.review(ReviewID(d.Uint()), r))
		}
		return it.Error()
	})
	return out, err
}

// AcceptReview decides that a review item's two profiles are one person:
// it links them with rule "reviewed", recording by as the reviewer, and
// merges their customers (the older ID survives). Guards still apply: if
// the merge would join two different account IDs or exceed the size
// guard, it returns a [*MergeRefusedError] and the item stays pending.
func (g *Graph) AcceptReview(ctx context.Context, id ReviewID, by string) (Review, error) {
	return g.decideReview(ctx, id, by, true)
}

// RejectReview decides that a review item's profiles are different
// people. The decision is recorded and the pair is never suggested again.
func (g *Graph) RejectReview(ctx context.Context, id ReviewID, by string) (Review, error) {
	return g.decideReview(ctx, id, by, false)
}

func (g *Graph) decideReview(ctx context.Context, id ReviewID, by string, accept bool) (Review, error) {
	var out Review
	err := g.Update(ctx, func(tx *Tx) error {
		r, found, err := getRec(tx.txn, reviewKey(id), decodeReview)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("%w: review %s", ErrNotFound, id)
		}
		if r.Status != ReviewPending {
			return fmt.Errorf("%w: %s is %s", ErrReviewDecided, id, r.Status)
		}
		now := unixNano(tx.now())
		r.Status, r.By, r.DecidedAt = ReviewRejected, by, now
		if accept {
			r.Status = ReviewAccepted
			if err := tx.acceptReview(r, now); err != nil {
				return err
			}
		}
		if err := tx.txn.Set(reviewKey(id), r.encode()); err != nil {
			return err
		}
		out = tx.review(id, r)
		return nil
	})
	return out, err
}

func (tx *Tx) acceptReview(r reviewRec, now int64) error {
	ca, err := tx.lookupRaw(r.A)
	if err != nil {
		return err
	}
	cb, err := tx.lookupRaw(r.B)
	if err != nil {
		return err
	}
	if ca == 0 || cb == 0 {
		return fmt.Errorf("%w: an identifier of the review is gone", ErrNotFound)
	}
	if ca == cb {
		return nil // joined since by other evidence
	}
	if g, err := tx.mergeGuard(ca, cb); err != nil {
		return err
	} else if g != "" {
		return &MergeRefusedError{Guard: g, A: ca, B: cb}
	}
	_, _, err = tx.linkCustomers(linkRec{A: r.A, B: r.B, Rule: RuleReviewed, Source: r.Source, Obs: r.Obs,
		Time: now, Score: r.Weight, Comparisons: r.Evidence, Reviewer: r.By}, ca, cb)
	return err
}

// rememberUnlinked records that a person undid a matcher's link: the pair
// is marked rejected (by "unlink"), so the matcher does not link it again
// the next time it sees the same profiles.
func (tx *Tx) rememberUnlinked(l linkRec) error {
	if l.Rule != RuleProbabilistic && l.Rule != RuleReviewed && l.Rule != RuleBulk {
		return nil
	}
	now := unixNano(tx.now())
	b, err := tx.txn.Get(pairKey(l.A, l.B))
	if err == nil {
		id := ReviewID(readUvarint(b))
		r, found, err := getRec(tx.txn, reviewKey(id), decodeReview)
		if err != nil || !found {
			return err
		}
		r.Status, r.By, r.DecidedAt = ReviewRejected, "unlink", now
		return tx.txn.Set(reviewKey(id), r.encode())
	}
	if !isNotFound(err) {
		return err
	}
	_, err = tx.newReview(reviewRec{A: l.A, B: l.B, Weight: l.Score, Evidence: l.Comparisons, Obs: l.Obs,
		Source: l.Source, Time: l.Time, Status: ReviewRejected, By: "unlink", DecidedAt: now})
	return err
}
