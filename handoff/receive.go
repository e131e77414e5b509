package handoff

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// Waiting is a handoff not taken up yet (in [StatePending] or
// [StateLost]), with the customer it is about.
type Waiting struct {
	Customer identity.CustomerID `json:"customer"`
	Record
}

// Waiting lists the handoffs not taken up yet whose destination matches
// to, oldest first: the receiving side's queue. Empty fields of to match
// any value, so Endpoint{Kind: Queue, ID: "billing"} lists the billing
// queue on every channel and Endpoint{Channel: timeline.Voice} everything
// handed to voice. Lost handoffs are listed too (a late take-up is still
// welcome), with their state.
//
// It reads every customer's timeline from one snapshot, so its cost grows
// with the store; call it to fill a receiving desk's queue, not per
// contact.
func (b *Builder) Waiting(ctx context.Context, to Endpoint) ([]Waiting, error) {
	r := Request{To: to}
	if err := r.check(b.tr.Timeline(), false); err != nil {
		return nil, err
	}
	out := []Waiting{}
	now, timeout := b.opts.Clock(), b.tr.AckTimeout()
	err := b.tr.Timeline().Graph().Customers(ctx, func(tx *identity.Tx, c identity.CustomerID) error {
		handoffs, took, err := handoffsOf(tx, c)
		if err != nil {
			return err
		}
		for i := range handoffs {
			rec := recordOf(&handoffs[i], took, now, timeout)
			if rec.State != StateAcknowledged && matches(rec.To, to) {
				out = append(out, Waiting{Customer: c, Record: rec})
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(x, y Waiting) int { return cmp.Or(x.At.Compare(y.At), cmp.Compare(x.ID, y.ID)) })
	return out, err
}

// matches reports whether endpoint e is one filter f selects.
func matches(e, f Endpoint) bool {
	return (f.Channel == "" || e.Channel == f.Channel) && (f.Kind == "" || e.Kind == f.Kind) && (f.ID == "" || e.ID == f.ID)
}

// Attach records that the receiving side of handoff handoffID of customer
// c collected identifiers ids from the customer it took over — the
// caller's phone when a chat escalated to voice — so that they belong to
// the handoff's customer from now on. It observes them together with an
// identifier the handoff was recorded under, with the handoff's
// destination channel as the source, not verified: the identity graph
// merges, attaches or refuses (a guard, a conflict) as for any
// observation, and the [identity.Result] says which. An unknown handoff
// returns [ErrUnknownHandoff].
func (b *Builder) Attach(ctx context.Context, c identity.CustomerID, handoffID string, ids ...identity.Identifier) (identity.Result, error) {
	if len(ids) == 0 {
		return identity.Result{}, &RequestError{"identifiers", "at least one required"}
	}
	var obs identity.Observation
	err := b.tr.Timeline().Graph().View(ctx, func(tx *identity.Tx) error {
		handoffs, _, err := handoffsOf(tx, c)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(handoffs, func(h timeline.Event) bool { return h.ID == handoffID })
		if i < 0 {
			return fmt.Errorf("%w: %q of customer %s", ErrUnknownHandoff, handoffID, c)
		}
		h := &handoffs[i]
		source := h.Attrs[attrToChannel]
		if source == "" {
			source = string(h.Channel)
		}
		obs = identity.Observation{Identifiers: append([]identity.Identifier{h.Identifiers[0]}, ids...),
			Source: source, Time: b.opts.Clock()}
		return nil
	})
	if err != nil {
		return identity.Result{}, err
	}
	return b.tr.Timeline().Graph().Observe(ctx, obs)
}
