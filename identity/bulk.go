package identity

import (
	"context"
	"fmt"

	"github.com/threadline/threadline/identity/match"
)

// RuleBulk is the rule of links made by [Graph.LoadMatches].
const RuleBulk = "bulk-match"

// LoadResult says what [Graph.LoadMatches] did.
type LoadResult struct {
	Observed int // records observed
	Linked   int // linked pairs that merged two customers
	Already  int // linked pairs whose records were one customer already
	Refused  int // linked pairs a guard refused (kind limit, size)
	Reviews  int // review items created
}

// LoadOptions configures [Graph.LoadMatches]. nil means the defaults.
type LoadOptions struct {
	// Progress, if set, is called from the calling goroutine after each
	// committed transaction: Stage "observe" counts records, "link" counts
	// res's pairs. Default: nil.
	Progress func(match.Progress)
}

// LoadMatches loads a deduplicated table into the graph: it observes every
// record (identifiers and profile attributes, as Observe does), then links
// the records that res, the [match.Dedupe] result over the same records in
// the same order, clustered, and queues its review-band pairs as [Review]
// items, except pairs whose records are one customer already (joined by a
// shared identifier). Each link's evidence is the pair's weight and every field's
// comparison, scored again with res.Params. Guards apply as to any merge:
// a pair whose merge a guard refuses is counted, not linked.
//
// With probabilistic matching on (Options.Matching), each record's profile
// is indexed, so that later observations are matched against it in real
// time, but the records are not scored against the graph as they are
// observed: res alone decides which of them are linked or reviewed.
//
// Records are written in transactions of 1,000, each atomic; on error the
// records and links of earlier transactions stay. A record's anchor (the
// identifier its profile is kept under) is its highest-priority
// identifier.
func (g *Graph) LoadMatches(ctx context.Context, recs []Observation, res *match.Result, opts *LoadOptions) (LoadResult, error) {
	var out LoadResult
	progress := func(stage string, done, total int) {
		if opts != nil && opts.Progress != nil {
			opts.Progress(match.Progress{Stage: stage, Done: int64(done), Total: int64(total)})
		}
	}
	if len(res.Cluster) != len(recs) {
		return out, fmt.Errorf("%w: %d records, result for %d", ErrInvalidObservation, len(recs), len(res.Cluster))
	}
	model, err := match.NewModel(res.Params, nil)
	if err != nil {
		return out, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	prepared := make([]*match.Prepared, len(recs))
	anchors := make([]Identifier, len(recs))
	tc := match.NewTermCounts()
	for i := range recs {
		ids, _, err := g.validate(nil, recs[i])
		if err != nil {
			return out, fmt.Errorf("record %d: %w", i, err)
		}
		cs := make([]*cand, len(ids))
		for j, id := range ids {
			cs[j] = &cand{id: id, pol: g.kinds[id.Kind]}
		}
		anchors[i] = anchorOf(cs).id
		p := overlay(profile{}, &recs[i], cs)
		r := p.record()
		prepared[i] = match.Prepare(&r)
		tc.Add(prepared[i])
	}
	model = model.WithFrequencies(tc)
	const batch = 1000
	for lo := 0; lo < len(recs); lo += batch {
		err := g.Update(ctx, func(tx *Tx) error {
			tx.indexOnly = true
			for i := lo; i < min(lo+batch, len(recs)); i++ {
				if _, err := tx.Observe(recs[i]); err != nil {
					return fmt.Errorf("record %d: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			return out, err
		}
		out.Observed = min(lo+batch, len(recs))
		progress("observe", out.Observed, len(recs))
	}
	for lo := 0; lo < len(res.Pairs); lo += batch {
		var part LoadResult
		err := g.Update(ctx, func(tx *Tx) error {
			part = LoadResult{}
			for _, p := range res.Pairs[lo:min(lo+batch, len(res.Pairs))] {
				s := model.Score(prepared[p.A], prepared[p.B])
				if err := tx.loadPair(&part, anchors[p.A], anchors[p.B], p, s, recs[p.A].Source); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return out, err
		}
		out.Linked += part.Linked
		out.Already += part.Already
		out.Refused += part.Refused
		out.Reviews += part.Reviews
		progress("link", min(lo+batch, len(res.Pairs)), len(res.Pairs))
	}
	return out, nil
}

func (tx *Tx) loadPair(out *LoadResult, a, b Identifier, p match.Pair, s match.Score, source string) error {
	review := p.Decision == match.Review
	if review {
		if has, err := tx.txn.Has(pairKey(a, b)); err != nil || has {
			return err
		}
	} else if !p.Clustered {
		return nil // refused by a cluster guard
	}
	ca, err := tx.lookupRaw(a)
	if err != nil {
		return err
	}
	cb, err := tx.lookupRaw(b)
	if err != nil {
		return err
	}
	if review {
		if ca != 0 && ca == cb {
			return nil // joined by a shared identifier: no person needs to decide
		}
		_, err := tx.newReview(reviewRec{A: a, B: b, Weight: p.Weight, Evidence: s.Evidence(), Source: source,
			Time: unixNano(tx.now()), Status: ReviewPending})
		out.Reviews++
		return err
	}
	switch {
	case ca == 0 || cb == 0:
		return nil // refused when observed (blocked, suppressed)
	case ca == cb:
		out.Already++
		return nil
	}
	if g, err := tx.mergeGuard(ca, cb); err != nil || g != "" {
		if g != "" {
			out.Refused++
		}
		return err
	}
	_, _, err = tx.linkCustomers(linkRec{A: a, B: b, Rule: RuleBulk, Source: source, Time: unixNano(tx.now()),
		Score: p.Weight, Comparisons: s.Evidence()}, ca, cb)
	out.Linked++
	return err
}
