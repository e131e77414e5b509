package identity

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
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
	// [match.DefaultParams]. The prior should be that of candidates found
	// by blocking, as Dedupe estimates it.
	Params match.Params
	// MaxCandidates bounds the profiles read per blocking key, so a
	// common key (a shared inbox, a popular name) cannot make one
	// observation slow. Default: 32.
	MaxCandidates int
	// Window is the number of profiles read on each side in family-name
	// order (the sorted neighbourhood). Default: 2.
	Window int
}

// Rules of probabilistic links.
const (
	RuleProbabilistic = "probabilistic" // scored above the link band in Observe
	RuleReviewed      = "reviewed"      // a person accepted a review item
)

// Match is one candidate customer an observation was scored against and
// what came of it.
type Match struct {
	Customer   CustomerID // the candidate's customer at the time
	Identifier Identifier // the candidate profile's identifier
	Weight     float64    // match weight: posterior log2 odds
	// Decision is "link" (merged), "review" (a review item was created)
	// or "refused" (above the link band, but Guard refused the merge).
	Decision string
	Guard    Guard
	Review   ReviewID
	// Evidence holds every field's comparison level and weight.
	Evidence []string
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
	mt := &matcher{model: m, maxPer: o.MaxCandidates, window: o.Window}
	if mt.maxPer <= 0 {
		mt.maxPer = 32
	}
	if mt.window <= 0 {
		mt.window = 2
	}
	return mt, nil
}

// profileFields are the attribute names kept in a match profile, in the
// order they are encoded, then email and phone taken from identifiers.
var profileFields = []string{AttrGivenName, AttrFamilyName, AttrFullName, AttrBirthDate, AttrAddress, AttrCity, AttrPostcode, AttrRegion}

// profile is the matcher's view of an identifier: the latest value of
// each field.
type profile struct {
	attrs        [8]string // in profileFields order
	email, phone string
}

func (p *profile) record() match.Record {
	a := p.attrs
	return match.Record{GivenName: a[0], FamilyName: a[1], FullName: a[2], BirthDate: a[3], Address: a[4],
		City: a[5], Postcode: a[6], Region: a[7], Email: p.email, Phone: p.phone}
}

func (p *profile) encode() []byte {
	var w enc.Writer
	w.Strings(append(p.attrs[:], p.email, p.phone))
	return w.B
}

func decodeProfile(b []byte) (profile, error) {
	r := enc.NewReader(b)
	s := r.Strings()
	var p profile
	if len(s) != len(p.attrs)+2 && r.Err() == nil {
		return p, corrupt("match profile", fmt.Errorf("%d fields", len(s)))
	}
	if r.Err() == nil {
		copy(p.attrs[:], s)
		p.email, p.phone = s[len(p.attrs)], s[len(p.attrs)+1]
	}
	return p, corrupt("match profile", r.Err())
}

// overlay returns old with the observation's non-empty values on top: a
// profile keeps what earlier observations said unless this one says
// otherwise. An observation that gives both name parts (or a full name)
// replaces the other form, so an old full name cannot shadow a new split
// name.
func overlay(old profile, obs *Observation, ids []*cand) profile {
	p := old
	if obs.Attributes[AttrGivenName] != "" || obs.Attributes[AttrFamilyName] != "" {
		p.attrs[2] = ""
	}
	if obs.Attributes[AttrFullName] != "" {
		p.attrs[0], p.attrs[1] = "", ""
	}
	for i, f := range profileFields {
		if v := obs.Attributes[f]; v != "" {
			p.attrs[i] = v
		}
	}
	for _, c := range ids {
		switch c.id.Kind {
		case Email:
			p.email = c.id.Value
		case Phone, WhatsApp:
			p.phone = c.id.Value
		}
	}
	return p
}

func hasProfileAttrs(obs *Observation) bool {
	for _, f := range profileFields {
		if obs.Attributes[f] != "" {
			return true
		}
	}
	return false
}

func profileKey(id Identifier) []byte { return keys.New(keys.MatchProfile).String(id.String()) }
func blockKey(k string, id Identifier) []byte {
	return keys.New(keys.MatchBlock).String(k).String(id.String())
}
func blockOfPrefix(id Identifier) []byte { return keys.New(keys.MatchBlockOf).String(id.String()) }
func termKey(f match.Field, v string) []byte {
	h := sha256.Sum256([]byte(v))
	return keys.New(keys.MatchTerm).Uint(uint64(f)).Bytes(h[:16])
}
func termStatsKey(f match.Field) []byte { return keys.New(keys.MatchTerm).Uint(uint64(f)) }

// profileCount is kept in the stats key of field 0 (every profile counts
// there) next to the field's sum of squared counts.
type termStats struct {
	profiles uint64
	sumSq    uint64
}

func (tx *Tx) termStats(f match.Field) (termStats, error) {
	b, err := tx.txn.Get(termStatsKey(f))
	if err != nil {
		if isNotFound(err) {
			return termStats{}, nil
		}
		return termStats{}, err
	}
	var s termStats
	var n int
	s.profiles, n = binary.Uvarint(b)
	s.sumSq, _ = binary.Uvarint(b[max(n, 0):])
	return s, nil
}

func (tx *Tx) setTermStats(f match.Field, s termStats) error {
	return tx.txn.Set(termStatsKey(f), binary.AppendUvarint(binary.AppendUvarint(nil, s.profiles), s.sumSq))
}

// countTerm adds d (+1 or -1) to the count of value v of field f and keeps
// the sum of squares in step.
func (tx *Tx) countTerm(f match.Field, v string, d int) error {
	if v == "" {
		return nil
	}
	k := termKey(f, v)
	var n uint64
	if b, err := tx.txn.Get(k); err == nil {
		n = readUvarint(b)
	} else if !isNotFound(err) {
		return err
	}
	s, err := tx.termStats(f)
	if err != nil {
		return err
	}
	next := uint64(max(int64(n)+int64(d), 0))
	s.sumSq = s.sumSq - n*n + next*next
	if err := tx.setTermStats(f, s); err != nil {
		return err
	}
	if next == 0 {
		return tx.txn.Delete(k)
	}
	return tx.txn.Set(k, uvarint(next))
}

// storeTerms reads term frequencies from the store for one observation,
// remembering what it read: the candidates of one observation share the
// observation's values.
type storeTerms struct {
	tx       *Tx
	profiles float64
	freq     map[termRef]float64
	agree    [match.NumFields]float64 // -1: not read yet
	err      error
}

type termRef struct {
	f match.Field
	v string
}

func newStoreTerms(tx *Tx, profiles uint64) *storeTerms {
	t := &storeTerms{tx: tx, profiles: float64(profiles), freq: map[termRef]float64{}}
	for f := range t.agree {
		t.agree[f] = -1
	}
	return t
}

func (t *storeTerms) Frequency(f match.Field, v string) float64 {
	if t.profiles == 0 || v == "" {
		return 0
	}
	if q, ok := t.freq[termRef{f, v}]; ok {
		return q
	}
	var q float64
	b, err := t.tx.txn.Get(termKey(f, v))
	switch {
	case err == nil:
		q = float64(readUvarint(b)) / t.profiles
	case !isNotFound(err) && t.err == nil:
		t.err = err
	}
	t.freq[termRef{f, v}] = q
	return q
}

func (t *storeTerms) Agreement(f match.Field) float64 {
	if t.profiles == 0 {
		return 0
	}
	if t.agree[f] < 0 {
		s, err := t.tx.termStats(f)
		if err != nil && t.err == nil {
			t.err = err
		}
		t.agree[f] = float64(s.sumSq) / (t.profiles * t.profiles)
	}
	return t.agree[f]
}

// indexProfile stores id's new profile and brings the blocking index and
// the term counts in step with it.
func (tx *Tx) indexProfile(id Identifier, old profile, had bool, next profile, p *match.Prepared) error {
	var oldKeys []string
	var oldP *match.Prepared
	if had {
		r := old.record()
		oldP = match.Prepare(&r)
		oldKeys = profileKeys(oldP)
	}
	newKeys := profileKeys(p)
	for _, k := range oldKeys {
		if !slices.Contains(newKeys, k) {
			if err := tx.deleteAll(blockKey(k, id), keys.Key(blockOfPrefix(id)).String(k)); err != nil {
				return err
			}
		}
	}
	for _, k := range newKeys {
		if !slices.Contains(oldKeys, k) {
			if err := tx.txn.Set(blockKey(k, id), nil); err != nil {
				return err
			}
			if err := tx.txn.Set(keys.Key(blockOfPrefix(id)).String(k), nil); err != nil {
				return err
			}
		}
	}
	if !had {
		s, err := tx.termStats(0)
		if err != nil {
			return err
		}
		s.profiles++
		if err := tx.setTermStats(0, s); err != nil {
			return err
		}
	}
	for f := range match.Field(match.NumFields) {
		if !f.HasTerms() {
			continue
		}
		var before string
		if oldP != nil {
			before = oldP.Term(f)
		}
		if after := p.Term(f); before != after {
			if err := tx.countTerm(f, before, -1); err != nil {
				return err
			}
			if err := tx.countTerm(f, after, +1); err != nil {
				return err
			}
		}
	}
	return tx.txn.Set(profileKey(id), next.encode())
}

// profileKeys lists the index keys of a profile: its blocking keys and
// its name key for the sorted neighbourhood.
func profileKeys(p *match.Prepared) []string {
	ks := match.BlockingKeys(p)
	if n := match.NameKey(p); n != "" {
		ks = append(ks, "name:"+n)
	}
	return ks
}

// eraseProfile removes id's profile, index entries, term counts and the
// reviews naming it (Forget).
func (tx *Tx) eraseProfile(id Identifier) error {
	b, err := tx.txn.Get(profileKey(id))
	if err == nil {
		old, err := decodeProfile(b)
		if err != nil {
			return err
		}
		r := old.record()
		p := match.Prepare(&r)
		for _, k := range profileKeys(p) {
			if err := tx.txn.Delete(blockKey(k, id)); err != nil {
				return err
			}
		}
		for f := range match.Field(match.NumFields) {
			if f.HasTerms() {
				if err := tx.countTerm(f, p.Term(f), -1); err != nil {
					return err
				}
			}
		}
		s, err := tx.termStats(0)
		if err != nil {
			return err
		}
		s.profiles = max(s.profiles, 1) - 1
		if err := tx.setTermStats(0, s); err != nil {
			return err
		}
	} else if !isNotFound(err) {
		return err
	}
	reviews, err := scanUints(tx.txn, reviewRefPrefix(id))
	if err != nil {
		return err
	}
	for _, r := range reviews {
		if err := tx.eraseReview(ReviewID(r)); err != nil {
			return err
		}
	}
	return tx.deleteAll(profileKey(id), blockOfPrefix(id), reviewRefPrefix(id))
}

// candidates returns the identifiers whose profiles share a blocking key
// with p, or sit within the window of it in name order; self excluded.
func (tx *Tx) candidates(self Identifier, p *match.Prepared) ([]Identifier, error) {
	m := tx.g.matcher
	var out []Identifier
	add := func(key []byte) error {
		d := keys.NewDecoder(key)
		_ = d.Bytes() // the blocking key
		s := d.String()
		if d.Err() != nil {
			return corrupt("match index", d.Err())
		}
		id, err := Parse(s)
		if err != nil {
			return corrupt("match index", err)
		}
		if id != self && !slices.Contains(out, id) {
			out = append(out, id)
		}
		return nil
	}
	// One iterator serves every key: creating one costs more than a seek.
	it := tx.txn.NewIter(prefixRange(keys.New(keys.MatchBlock)))
	defer it.Close()
	for _, k := range match.BlockingKeys(p) {
		prefix := keys.New(keys.MatchBlock).String(k)
		for ok, n := it.SeekGE(prefix), 0; ok && n < m.maxPer && bytes.HasPrefix(it.Key(), prefix); ok, n = it.Next(), n+1 {
			if err := add(it.Key()); err != nil {
				return nil, err
			}
		}
	}
	if name := match.NameKey(p); name != "" {
		// Every name key starts with the bytes "name:": the encoded
		// component without its terminator is a prefix of all of them.
		names := keys.New(keys.MatchBlock).String("name:")
		names = names[:len(names)-2]
		at := keys.New(keys.MatchBlock).String("name:" + name)
		for ok, n := it.SeekGE(at), 0; ok && n < m.window+1 && bytes.HasPrefix(it.Key(), names); ok, n = it.Next(), n+1 {
			if err := add(it.Key()); err != nil {
				return nil, err
			}
		}
		for ok, n := it.SeekLT(at), 0; ok && n < m.window && bytes.HasPrefix(it.Key(), names); ok, n = it.Prev(), n+1 {
			if err := add(it.Key()); err != nil {
				return nil, err
			}
		}
	}
	return out, it.Error()
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
	anchor := anchorOf(p.included).id
	old, had, err := tx.profile(anchor)
	if err != nil {
		return err
	}
	next := overlay(old, o.obs, p.included)
	if had && next == old {
		return nil // nothing new to match on
	}
	rec := next.record()
	prep := match.Prepare(&rec)
	if err := tx.indexProfile(anchor, old, had, next, prep); err != nil {
		return err
	}
	cands, err := tx.candidates(anchor, prep)
	if err != nil {
		return err
	}
	st, err := tx.termStats(0)
	if err != nil {
		return err
	}
	terms := newStoreTerms(tx, st.profiles)
	model := tx.g.matcher.model.WithFrequencies(terms)
	best := map[CustomerID]*scored{}
	for _, id := range cands {
		s, err := o.score(model, anchor, prep, id)
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
	if terms.err != nil {
		return terms.err
	}
	order := make([]*scored, 0, len(best))
	for _, s := range best {
		order = append(order, s)
	}
	slices.SortFunc(order, func(a, b *scored) int {
		return cmp.Or(cmp.Compare(b.score.Weight, a.score.Weight), cmp.Compare(a.cust, b.cust))
	})
	for _, s := range order {
		if err := o.decide(anchor, s); err != nil {
			return err
		}
	}
	return nil
}

// score compares the observation's profile with candidate id's; nil when
// it scores below the review band, is the observation's own customer, or
// was reviewed before. Most candidates score below the band: the profile
// is read first, the rest only for those above it.
func (o *observer) score(model *match.Model, anchor Identifier, prep *match.Prepared, id Identifier) (*scored, error) {
	tx := o.tx
	prof, found, err := tx.profile(id)
	if err != nil || !found {
		return nil, err
	}
	rec := prof.record()
	s := model.Score(prep, match.Prepare(&rec))
	d := model.Decide(&s)
	if d == match.NoMatch {
		return nil, nil
	}
	r, found, err := getRec(tx.txn, identKey(id), decodeIdent)
	if err != nil || !found || r.Cust == o.res.Customer {
		return nil, err
	}
	if has, err := tx.txn.Has(pairKey(anchor, id)); err != nil || has {
		return nil, err
	}
	return &scored{cust: r.Cust, id: id, score: s, dec: d}, nil
}

// decide links, queues or refuses one scored candidate.
func (o *observer) decide(anchor Identifier, s *scored) error {
	tx := o.tx
	cur, err := tx.Lookup(s.id) // earlier links of this call may have merged it
	if err != nil {
		return err
	}
	if cur == o.res.Customer {
		return nil
	}
	m := Match{Customer: cur, Identifier: s.id, Weight: s.score.Weight, Evidence: s.score.Evidence()}
	if s.dec == match.Link {
		g, err := tx.mergeGuard(o.res.Customer, cur)
		if err != nil {
			return err
		}
		if g != "" {
			m.Decision, m.Guard = "refused", g
			o.res.Matches = append(o.res.Matches, m)
			return nil
		}
		surv, l, err := tx.linkCustomers(linkRec{A: anchor, B: s.id, Rule: RuleProbabilistic, Source: o.obs.Source,
			Obs: o.id, Time: o.at, Score: s.score.Weight, Comparisons: m.Evidence}, o.res.Customer, cur)
		if err != nil {
			return err
		}
		m.Decision = "link"
		o.res.Links = append(o.res.Links, l)
		o.res.Merged = append(o.res.Merged, max(surv, o.res.Customer, cur))
		o.res.Customer, o.res.Outcome = surv, OutcomeMerged
		o.res.Matches = append(o.res.Matches, m)
		return nil
	}
	id, err := tx.newReview(reviewRec{A: anchor, B: s.id, Weight: s.score.Weight, Evidence: m.Evidence,
		Obs: o.id, Source: o.obs.Source, Time: o.at, Status: ReviewPending})
	if err != nil {
		return err
	}
	m.Decision, m.Review = "review", id
	o.res.Matches = append(o.res.Matches, m)
	return nil
}

func (tx *Tx) profile(id Identifier) (profile, bool, error) {
	b, err := tx.txn.Get(profileKey(id))
	if err != nil {
		if isNotFound(err) {
			return profile{}, false, nil
		}
		return profile{}, false, err
	}
	p, err := decodeProfile(b)
	return p, err == nil, err
}

// mergeGuard returns the guard that refuses making customers a and b one,
// or "": a kind limit (two different account IDs) or the component size.
func (tx *Tx) mergeGuard(a, b CustomerID) (Guard, error) {
	ra, _, err := getRec(tx.txn, custKey(a), decodeCust)
	if err != nil {
		return "", err
	}
	rb, _, err := getRec(tx.txn, custKey(b), decodeCust)
	if err != nil {
		return "", err
	}
	for g, na := range ra.Groups {
		nb := rb.Groups[g]
		kind, _, _ := strings.Cut(g, ":")
		if pol := tx.g.kinds[Kind(kind)]; pol != nil && pol.Limit > 0 && int(na+nb) > pol.Limit && na+nb > max(na, nb) {
			return GuardLimit, nil
		}
	}
	if s := int(ra.Strong + rb.Strong); s > tx.g.opts.MaxStrongIdentifiers && s > int(max(ra.Strong, rb.Strong)) {
		return GuardSize, nil
	}
	return "", nil
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

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
