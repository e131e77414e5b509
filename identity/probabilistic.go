package identity

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/store"
)

// MatchOptions turns on probabilistic matching (package match) inside
// [Graph.Observe]: an observation with profile attributes is scored
// against candidate profiles found through a blocking index kept in the
// store, with term frequencies kept in the store too, all in the same
// transaction as the rest of the observation.
//
// A candidate at or above the link band is merged into the observation's
// customer by a link whose evidence carries the weight and every field's
// comparison (see [Link].Comparisons), unless a guard refuses: the kind
// limits (two different account IDs) and the component-size guard apply as
// to any merge, and a probabilistic link never overrides them. A candidate
// between the bands becomes a [Review] item. A pair is scored into a link
// or a review once: a pair already in the review queue, or rejected, is
// never suggested again.
//
// The options are read once, by [Open]; the matcher built from them is
// immutable and shared by the Graph's concurrent calls.
type MatchOptions struct {
	// Params are the matcher's parameters: for instance estimated by
	// [match.Dedupe] on a CRM export, loaded with [match.LoadParams], or
	// [match.DefaultParams]. The prior is scaled to the number of
	// profiles in the store (see [match.Model.ForRecords]), so that
	// parameters estimated on a table of one size hold in a store of
	// another.
	Params match.Params
	// MaxCandidates bounds the profiles read per blocking key, so a
	// common key (a shared inbox, a popular name) cannot make one
	// observation slow. Within a key, profiles are kept in family-name,
	// given-name, birth-date order, and those nearest the observation's
	// are read, half on each side (a side that runs out leaves its share
	// to the other): a key shared by no more profiles is read whole.
	// Default (0): 32. Negative is invalid.
	MaxCandidates int
	// Window is the number of profiles read on each side in family-name
	// order (the sorted neighbourhood). Default (0): 2. Negative is
	// invalid.
	Window int
}

// Rules of probabilistic links.
const (
	RuleProbabilistic = "probabilistic" // scored above the link band in Observe
	RuleReviewed      = "reviewed"      // a person accepted a review item
)

// MatchDecision is what came of a probabilistic match.
type MatchDecision string

// Match decisions.
const (
	MatchLinked   MatchDecision = "link"    // merged (or joined) with the candidate's customer
	MatchReviewed MatchDecision = "review"  // a review item was created
	MatchRefused  MatchDecision = "refused" // above the link band, but Guard refused the merge
)

// Match is one candidate customer an observation was scored against and
// what came of it.
type Match struct {
	Customer   CustomerID    `json:"customer"`   // the candidate's customer at the time
	Identifier Identifier    `json:"identifier"` // the candidate profile's identifier
	Weight     float64       `json:"weight"`     // match weight: posterior log2 odds
	Decision   MatchDecision `json:"decision"`
	Guard      Guard         `json:"guard"`
	Review     ReviewID      `json:"review"`
	// Evidence holds the terms of Weight (see [Link].Comparisons).
	Evidence []string `json:"evidence"`
}

type matcher struct {
	model  *match.Model
	maxPer int
	window int
}

func newMatcher(o *MatchOptions) (*matcher, error) {
	m, err := match.NewModel(o.Params, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: matching: %w", ErrInvalidOptions, err)
	}
	return &matcher{model: m, maxPer: o.MaxCandidates, window: o.Window}, nil
}

// scored is a candidate customer's best-scoring profile.
type scored struct {
	cust  CustomerID
	id    Identifier
	score match.Score
	dec   match.Decision
}

// match scores the observation's profile against the candidates and
// links, queues for review, or records a refusal. It runs inside Observe,
// after the deterministic resolution.
func (o *observer) match(p plan) error {
	tx := o.tx
	a := anchorOf(p.included)
	anchor := a.id
	var old profile
	var oldIdx indexEntries
	var had bool
	if a.exists { // an identifier new to the store has no profile yet
		var err error
		if old, oldIdx, had, err = tx.profile(anchor); err != nil {
			return err
		}
	}
	next := overlay(old, o.obs, p.included)
	if had && next == old {
		return nil // nothing new to match on
	}
	rec := next.record()
	prep := match.Prepare(&rec)
	terms := newStoreTerms(tx)
	if err := tx.indexProfile(anchor, old, oldIdx, had, next, prep, terms); err != nil {
		return err
	}
	if tx.indexOnly {
		return terms.err
	}
	// The prior follows the store's size: a profile among more profiles
	// is less likely to match any one of them.
	model := tx.g.matcher.model.WithFrequencies(terms).ForRecords(int(terms.profiles) - 1)
	cands, err := tx.candidates(anchor, indexOf(prep), prep, model)
	if err != nil {
		return err
	}
	if terms.err != nil {
		return terms.err
	}
	linked := len(o.res.Links) // links made before matching
	best := map[CustomerID]*scored{}
	for i := range cands {
		s, err := o.scored(anchor, &cands[i])
		if err != nil {
			return err
		}
		if s == nil {
			continue
		}
		if b := best[s.cust]; b == nil || s.score.Weight > b.score.Weight {
			best[s.cust] = s
		}
	}
	order := make([]*scored, 0, len(best))
	for _, s := range best {
		order = append(order, s)
	}
	slices.SortFunc(order, func(a, b *scored) int {
		return cmp.Or(cmp.Compare(b.score.Weight, a.score.Weight), cmp.Compare(a.cust, b.cust))
	})
	for _, s := range order {
		if err := o.decide(anchor, s, len(o.res.Links) > linked); err != nil {
			return err
		}
	}
	return nil
}

// scored returns a candidate scored at or above the review band with its
// customer; nil when it is the observation's own customer or the pair was
// reviewed before.
func (o *observer) scored(anchor Identifier, c *candidate) (*scored, error) {
	tx := o.tx
	id, err := c.identifier()
	if err != nil {
		return nil, err
	}
	r, found, err := getRec(tx.txn, identKey(id), decodeIdent)
	if err != nil || !found || r.Cust == o.res.Customer {
		return nil, err
	}
	if has, err := tx.txn.Has(pairKey(anchor, id)); err != nil || has {
		return nil, err
	}
	return &scored{cust: r.Cust, id: id, score: c.score, dec: c.dec}, nil
}

// decide links, queues or refuses one scored candidate. Unless an earlier
// candidate was linked (merged), the candidate's customer is still the one
// scored read.
func (o *observer) decide(anchor Identifier, s *scored, merged bool) error {
	tx := o.tx
	cur := s.cust
	if merged {
		var err error
		if cur, err = find(tx.txn, s.id); err != nil { // s.id is canonical: read from the index
			return err
		}
	}
	if cur == o.res.Customer {
		return nil
	}
	m := Match{Customer: cur, Identifier: s.id, Weight: s.score.Weight, Evidence: evidence(&s.score)}
	if s.dec == match.Link {
		g, err := tx.mergeGuard(o.res.Customer, cur)
		if err != nil {
			return err
		}
		if g != "" {
			m.Decision, m.Guard = MatchRefused, g
			o.res.Matches = append(o.res.Matches, m)
			return nil
		}
		r := linkRec{A: anchor, B: s.id, Rule: RuleProbabilistic, Source: o.obs.Source,
			Obs: o.id, Time: o.at, Score: s.score.Weight, Comparisons: m.Evidence}
		m.Decision = MatchLinked
		o.res.Matches = append(o.res.Matches, m)
		if o.res.Outcome == OutcomeNew {
			// The customer this Observe created joins the candidate's
			// directly: its ID was never seen outside, so it does not
			// survive as an alias or count as merged.
			l, err := tx.join(r, o.res.Customer, cur)
			o.res.Links = append(o.res.Links, l)
			o.res.Customer, o.res.Outcome = cur, OutcomeAttached
			return err
		}
		surv, l, err := tx.linkCustomers(r, o.res.Customer, cur)
		if err != nil {
			return err
		}
		o.res.Links = append(o.res.Links, l)
		o.res.Merged = append(o.res.Merged, max(surv, o.res.Customer, cur))
		o.res.Customer, o.res.Outcome = surv, OutcomeMerged
		return nil
	}
	id, err := tx.newReview(reviewRec{A: anchor, B: s.id, Weight: s.score.Weight, Evidence: m.Evidence,
		Obs: o.id, Source: o.obs.Source, Time: o.at, Status: ReviewPending})
	if err != nil {
		return err
	}
	m.Decision, m.Review = MatchReviewed, id
	o.res.Matches = append(o.res.Matches, m)
	return nil
}

func (tx *Tx) profile(id Identifier) (profile, indexEntries, bool, error) {
	b, err := tx.txn.Get(profileKey(id))
	if err != nil {
		if isNotFound(err) {
			return profile{}, indexEntries{}, false, nil
		}
		return profile{}, indexEntries{}, false, err
	}
	p, idx, err := decodeProfile(b)
	return p, idx, err == nil, err
}

// join moves every identifier of customer c, created in this transaction,
// into customer s and links r, erasing c: its customer record, its history
// and its Created change.
func (tx *Tx) join(r linkRec, c, s CustomerID) (LinkID, error) {
	sr, _, err := getRec(tx.txn, custKey(s), decodeCust)
	if err != nil {
		return 0, err
	}
	if err := tx.moveMembers(c, s, &sr); err != nil {
		return 0, err
	}
	if err := tx.deleteAll(custKey(c), historyPrefix(c)); err != nil {
		return 0, err
	}
	tx.changes = slices.DeleteFunc(tx.changes, func(ch Change) bool { return ch.Customer == c })
	sr.Updated = max(sr.Updated, r.Time)
	if err := tx.txn.Set(custKey(s), sr.encode()); err != nil {
		return 0, err
	}
	l, _, err := tx.makeLink(r)
	return l, err
}

// linkCustomers links r.A (of customer a) and r.B (of customer b), merging
// the two into the older, and records the merge. It returns the survivor.
func (tx *Tx) linkCustomers(r linkRec, a, b CustomerID) (CustomerID, LinkID, error) {
	surv, gone := min(a, b), max(a, b)
	sr, _, err := getRec(tx.txn, custKey(surv), decodeCust)
	if err != nil {
		return 0, 0, err
	}
	if err := tx.absorb(gone, surv, &sr, r.Time); err != nil {
		return 0, 0, err
	}
	sr.Updated = max(sr.Updated, r.Time)
	if err := tx.txn.Set(custKey(surv), sr.encode()); err != nil {
		return 0, 0, err
	}
	l, _, err := tx.makeLink(r)
	if err != nil {
		return 0, 0, err
	}
	tx.changes = append(tx.changes, Change{Type: Merged, Customer: surv, Others: []CustomerID{gone}, Time: fromNano(r.Time)})
	err = tx.history(surv, histRec{Type: Merged, Time: r.Time, Obs: r.Obs, Others: []CustomerID{gone}, Links: []LinkID{l}, Note: r.Rule})
	return surv, l, err
}

// evidence lists the terms of a score, which add up to its weight: the
// prior ("prior=-4.51"), the log2 odds of a match before any field is
// compared, then every field's comparison level and weight
// ("given_name=exact:+3.20").
func evidence(s *match.Score) []string {
	prior := s.Weight
	for _, w := range s.Fields {
		prior -= w
	}
	return append([]string{fmt.Sprintf("prior=%+.2f", prior)}, s.Evidence()...)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
