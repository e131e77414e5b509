package identity

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/threadline/threadline/identity/match"
)

// RuleBulk is the rule of links made by [Graph.LoadMatches].
const RuleBulk = "bulk-match"

// LoadResult says what [Graph.LoadMatches] did.
type LoadResult struct {
	Observed int `json:"observed"` // records observed (all but those SkipInvalid left with no identifier)
	Linked   int `json:"linked"`   // linked pairs that merged two customers
	Already  int `json:"already"`  // linked pairs whose records were one customer already
	Refused  int `json:"refused"`  // linked pairs a guard refused (kind limit, size): len(Refusals)
	Reviews  int `json:"reviews"`  // review items created
	// Refusals are the linked pairs a guard refused, in the result's order.
	// LoadMatches returns a [*RefusedLinksError] when there are any.
	Refusals []LoadRefusal `json:"refusals"`
	// Skipped are the records that lost identifiers with
	// LoadOptions.SkipInvalid, in record order.
	Skipped []SkippedRecord `json:"skipped"`
}

// LoadRefusal is a linked pair of records that a guard kept apart.
type LoadRefusal struct {
	A     int   `json:"a"`
	B     int   `json:"b"` // the records, as indexes of the table (match.Pair's A and B)
	Guard Guard `json:"guard"`
}

// SkippedRecord is a record whose invalid identifiers [Graph.LoadMatches]
// left out (LoadOptions.SkipInvalid).
type SkippedRecord struct {
	Record int     `json:"record"` // index of the record in the table
	Errors []error `json:"errors"` // why, one per identifier left out; each from its kind's normalizer
	// Unobserved says no identifier was left: the record was not observed,
	// and the result's pairs naming it were neither linked nor reviewed.
	Unobserved bool `json:"unobserved"`
}

// LoadOptions configures [Graph.LoadMatches]. nil means the defaults.
type LoadOptions struct {
	// Progress, if set, is called from the calling goroutine after each
	// committed transaction: Stage "observe" counts records, "link" counts
	// res's pairs. Default: nil.
	Progress func(match.Progress)
	// SkipInvalid leaves an identifier its kind's normalizer rejects (an
	// invalid phone number) out of its record, and reports it in
	// LoadResult.Skipped, instead of failing the whole load before
	// anything is written. Identifiers of unregistered kinds and invalid
	// records (a bad time, bad attributes) still fail the load. Default:
	// false.
	SkipInvalid bool
}

// ErrRefusedLinks is wrapped by [*RefusedLinksError].
var ErrRefusedLinks = errors.New("identity: guards refused bulk links")

// RefusedLinksError is returned by [Graph.LoadMatches], with its complete
// LoadResult, when a guard refused some of the result's linked pairs. The
// load itself finished: every record was observed and every other pair
// linked or reviewed. It is an error because a refusal is rarely what an
// importer expects: when every pair is refused by the kind limit, the
// table's record IDs are most likely stored as [Account] (one per
// customer) instead of [SourceRecord]. An importer that expects some
// refusals (two rows with different account IDs that the matcher links)
// checks for it with [errors.As] and lists LoadResult.Refusals.
type RefusedLinksError struct {
	Refused int           // refused pairs
	Linked  int           // pairs of the result above the link band
	Guards  map[Guard]int // refused pairs by guard
}

func (e *RefusedLinksError) Error() string {
	gs := slices.Sorted(maps.Keys(e.Guards))
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = fmt.Sprintf("%s %d", g, e.Guards[g])
	}
	s := fmt.Sprintf("identity: guards refused %d of %d linked pairs (%s)", e.Refused, e.Linked, strings.Join(parts, ", "))
	if e.Guards[GuardLimit] == e.Linked {
		s += "; were record IDs stored as account instead of record?"
	}
	return s
}

// Unwrap returns [ErrRefusedLinks].
func (e *RefusedLinksError) Unwrap() error { return ErrRefusedLinks }

// LoadMatches loads a deduplicated table into the graph: it observes every
// record (identifiers and profile attributes, as Observe does), then links
// the records that res, the [match.Dedupe] result over the same records in
// the same order, clustered, and queues its review-band pairs as [Review]
// items, except pairs whose records are one customer already (joined by a
// shared identifier). Each link's (and review's) evidence is the pair
// scored again with res.Params: its weight and the prior and field weights
// that add up to it. Guards apply as to any merge:
// a pair whose merge a guard refuses is not linked; it is listed in
// LoadResult.Refusals, and LoadMatches then returns a [*RefusedLinksError]
// with the complete result.
//
// Store each row's own ID as a [SourceRecord] ("crm:123"), not as an
// [Account]: a customer may hold many records but one account per
// namespace, so account IDs would refuse every link.
//
// With probabilistic matching on (Options.Matching), each record's profile
// is indexed, so that later observations are matched against it in real
// time, but the records are not scored against the graph as they are
// observed: res alone decides which of them are linked or reviewed.
//
// An invalid identifier fails the load before anything is written, unless
// LoadOptions.SkipInvalid. Records are written in transactions of 1,000,
// each atomic; on a later error the records and links of earlier
// transactions stay. A record's anchor (the
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
	skip := opts != nil && opts.SkipInvalid
	recs = slices.Clone(recs) // SkipInvalid edits records
	prepared := make([]*match.Prepared, len(recs))
	anchors := make([]Identifier, len(recs))
	tc := match.NewTermCounts()
	for i := range recs {
		ids, _, err := g.validate(nil, recs[i])
		if err != nil && skip {
			ids, err = g.skipInvalid(&out, recs, i, err)
		}
		if err != nil {
			return out, fmt.Errorf("record %d: %w", i, err)
		}
		if len(ids) == 0 {
			continue // unobserved: every identifier was invalid
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
		observed := 0
		err := g.Update(ctx, func(tx *Tx) error {
			tx.indexOnly = true
			observed = 0
			for i := lo; i < min(lo+batch, len(recs)); i++ {
				if anchors[i].IsZero() {
					continue
				}
				if _, err := tx.Observe(recs[i]); err != nil {
					return fmt.Errorf("record %d: %w", i, err)
				}
				observed++
			}
			return nil
		})
		if err != nil {
			return out, err
		}
		out.Observed += observed
		progress("observe", min(lo+batch, len(recs)), len(recs))
	}
	for lo := 0; lo < len(res.Pairs); lo += batch {
		var part LoadResult
		err := g.Update(ctx, func(tx *Tx) error {
			part = LoadResult{}
			for _, p := range res.Pairs[lo:min(lo+batch, len(res.Pairs))] {
				if anchors[p.A].IsZero() || anchors[p.B].IsZero() {
					continue // a record SkipInvalid left unobserved
				}
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
		out.Refusals = append(out.Refusals, part.Refusals...)
		progress("link", min(lo+batch, len(res.Pairs)), len(res.Pairs))
	}
	if out.Refused > 0 {
		return out, refusedLinks(&out, res)
	}
	return out, nil
}

// skipInvalid leaves the invalid identifiers out of recs[i], given that
// validating it failed with err, and reports them in out.Skipped. It
// returns the record's identifiers validated again, none if every one was
// invalid, or err if no identifier was invalid.
func (g *Graph) skipInvalid(out *LoadResult, recs []Observation, i int, err error) ([]Identifier, error) {
	sk := SkippedRecord{Record: i}
	var kept []Identifier
	for _, raw := range recs[i].Identifiers {
		switch _, nerr := g.normalize(nil, raw); {
		case nerr == nil:
			kept = append(kept, raw)
		case errors.Is(nerr, ErrUnknownKind):
			return nil, nerr
		default:
			sk.Errors = append(sk.Errors, nerr)
		}
	}
	if len(sk.Errors) == 0 {
		return nil, err
	}
	sk.Unobserved = len(kept) == 0
	out.Skipped = append(out.Skipped, sk)
	if sk.Unobserved {
		return nil, nil
	}
	recs[i].Identifiers = kept
	ids, _, err := g.validate(nil, recs[i])
	return ids, err
}

// refusedLinks returns the error for out's refusals.
func refusedLinks(out *LoadResult, res *match.Result) error {
	e := &RefusedLinksError{Refused: out.Refused, Guards: map[Guard]int{}}
	for _, p := range res.Pairs {
		if p.Decision == match.Link && p.Clustered {
			e.Linked++
		}
	}
	for _, r := range out.Refusals {
		e.Guards[r.Guard]++
	}
	return e
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
		_, err := tx.newReview(reviewRec{A: a, B: b, Weight: s.Weight, Evidence: evidence(&s), Source: source,
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
			out.Refusals = append(out.Refusals, LoadRefusal{A: p.A, B: p.B, Guard: g})
		}
		return err
	}
	_, _, err = tx.linkCustomers(linkRec{A: a, B: b, Rule: RuleBulk, Source: source, Time: unixNano(tx.now()),
		Score: s.Weight, Comparisons: evidence(&s)}, ca, cb)
	out.Linked++
	return err
}
