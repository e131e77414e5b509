package match

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Estimation reports how parameters were fitted to a table without labels
// (see [Estimate]): u from random pairs, m from EM sessions, the prior from
// the candidate pairs.
type Estimation struct {
	// RandomPairs is the number of random pairs u was counted on.
	RandomPairs int
	// Sessions are the EM sessions, one per training rule that found
	// pairs (see Options.Training).
	Sessions []Session
	// PriorIterations is the number of fixed-point iterations that fitted
	// the prior over the candidate pairs.
	PriorIterations int
	// Converged reports that the prior and every session converged
	// within their iteration limits.
	Converged bool
	// Fallback names the fields whose m and u are the defaults
	// ([DefaultParams]) because the table hardly ever has them: too few
	// random pairs with both values, or too few estimated matches.
	Fallback []string
	// Matches is the estimated number of matching pairs in the table,
	// from the sessions on single exact fields; 0 when no such session
	// found enough matches.
	Matches float64
	// PairsCompleteness is the estimated share of matching pairs that
	// blocking makes candidates (the expected matches among candidates
	// over Matches, at most 1); 0 when Matches is.
	PairsCompleteness float64
}

// Session is one EM session: the pairs of one training rule, with the
// fields the rule constrains left out, so that no field's m is fixed by
// the blocking that found its pairs.
type Session struct {
	// Rule is the training rule's spec.
	Rule string
	// Pairs is the number of pairs compared; BlockPairs the number of
	// pairs in the rule's blocks, of which Pairs are a sample where blocks
	// are too big to compare whole.
	Pairs, BlockPairs int64
	// Fields are the fields whose m the session estimated.
	Fields []string
	// Prior is the share of matches among the session's pairs.
	Prior float64
	// Matches is the expected number of matching pairs among its blocks'
	// pairs, from the sample.
	Matches float64
	// Iterations run, and whether the parameters converged within them.
	Iterations int
	Converged  bool
}

// DefaultTrainingRules are the rules whose pairs EM sessions estimate m
// on: one a field, so that each field's m is estimated on the pairs of
// every other field's rule.
func DefaultTrainingRules() []string {
	return []string{"given", "family", "birth_date", "postcode", "email", "phone"}
}

// patternCounts counts comparison vectors, packed: [0] the pairs
// compared, [1] the pairs they stand for (a sample of a big block stands
// for all of its pairs).
type patternCounts map[uint64]*[2]float64

func (pc patternCounts) add(k uint64, n, w float64) {
	c := pc[k]
	if c == nil {
		c = new([2]float64)
		pc[k] = c
	}
	c[0] += n
	c[1] += w
}

const (
	// randomPairs is the number of random pairs u is counted on.
	randomPairs = 1 << 19
	// sessionPairs bounds the pairs of one EM session.
	sessionPairs = 1 << 19
	// priorPairs bounds the candidate pairs the prior is fitted on.
	priorPairs = 1 << 20
	// minPresent is the fewest random pairs with a field known on both
	// sides for its u to be estimated; minMatches the fewest expected
	// matches with the field known for its m.
	minPresent   = 100
	minMatches   = 20
	emIterations = 100
	emTolerance  = 1e-5
)

// pairSample is a list of pairs to compare, each standing for w pairs.
// Offered pairs past twice its bound are thinned: every other one is
// dropped, the rest stand for twice as many, and from then on only every
// keep-th offered pair is taken.
type pairSample struct {
	pairs [][2]int32
	w     []float32
	bound int
	keep  int
	seq   int
}

func newSample(bound int) *pairSample { return &pairSample{bound: bound, keep: 1} }

func (s *pairSample) add(i, j int32, w float64) {
	s.pairs = append(s.pairs, [2]int32{i, j})
	s.w = append(s.w, float32(w))
}

// offer adds the pair, standing for w pairs, unless thinning skips it.
func (s *pairSample) offer(i, j int32, w float64) {
	s.seq++
	if s.seq%s.keep != 0 {
		return
	}
	s.add(i, j, w*float64(s.keep))
	if len(s.pairs) < 2*s.bound {
		return
	}
	k := 0
	for x := 0; x < len(s.pairs); x += 2 {
		s.pairs[k], s.w[k] = s.pairs[x], 2*s.w[x]
		k++
	}
	s.pairs, s.w = s.pairs[:k], s.w[:k]
	s.keep *= 2
}

// count compares the sample's pairs on the workers and counts their
// comparison vectors.
func (r *runner) count(s *pairSample) patternCounts {
	local := make([]patternCounts, r.o.Workers)
	var wg sync.WaitGroup
	chunk := (len(s.pairs) + r.o.Workers - 1) / r.o.Workers
	for w := range r.o.Workers {
		local[w] = patternCounts{}
		lo, hi := min(w*chunk, len(s.pairs)), min((w+1)*chunk, len(s.pairs))
		wg.Go(func() {
			for k := lo; k < hi; k++ {
				p := s.pairs[k]
				c := Compare(r.recs[p[0]], r.recs[p[1]])
				local[w].add(c.pack(), 1, float64(s.w[k]))
			}
		})
	}
	wg.Wait()
	for _, l := range local[1:] {
		for k, c := range l {
			local[0].add(k, c[0], c[1])
		}
	}
	return local[0]
}

// allPairs is the number of pairs there are: within the table, or across
// the two tables of a linkage.
func (r *runner) allPairs() float64 {
	n := float64(len(r.recs))
	if r.side == nil {
		return n * (n - 1) / 2
	}
	a := float64(r.tableA())
	return a * (n - a)
}

// tableA is the number of records in a linkage's first table.
func (r *runner) tableA() int {
	a := 0
	for _, s := range r.side {
		if !s {
			a++
		}
	}
	return a
}

// randomSample draws pairs uniformly (across the tables of a linkage),
// or takes all of them when there are few.
func (r *runner) randomSample(rng *rand.Rand) *pairSample {
	s := newSample(randomPairs)
	n := int32(len(r.recs))
	cross := func(i, j int32) bool { return r.side == nil || r.side[i] != r.side[j] }
	if r.allPairs() <= randomPairs {
		for i := range n {
			for j := i + 1; j < n; j++ {
				if cross(i, j) {
					s.add(i, j, 1)
				}
			}
		}
		return s
	}
	for len(s.pairs) < randomPairs {
		i, j := rng.Int32N(n), rng.Int32N(n)
		if i != j && cross(i, j) {
			s.add(i, j, 1)
		}
	}
	return s
}

// randomU sets u of every field from random pairs, almost all different
// people, and returns how many pairs had each field known on both sides.
func randomU(p *Params, counts patternCounts) [NumFields]float64 {
	var sums [NumFields][16]float64
	for k, c := range counts {
		for f, l := range unpack(k) {
			sums[f][l] += c[0]
		}
	}
	var present [NumFields]float64
	for f := range NumFields {
		levels := p.Fields[f].Levels
		for l := range levels {
			present[f] += sums[f][l+1]
		}
		if present[f] < minPresent {
			continue
		}
		// Add-half smoothing: a level no random pair showed (swapped
		// names) gets a small u, not zero.
		for l := range levels {
			levels[l].U = (sums[f][l+1] + 0.5) / (present[f] + 0.5*float64(len(levels)))
		}
	}
	return present
}

// trainingSample samples the pairs of rule r's blocks: all pairs of a
// block up to the block limit, Window random pairs a record of a bigger
// one, at most sessionPairs in all. It also returns the number of pairs in
// the blocks.
func (r *runner) trainingSample(b *blocker, rule int, rng *rand.Rand) (*pairSample, float64) {
	s := newSample(sessionPairs)
	total := 0.0
	add := func(i, j int32, w float64) {
		if r.side == nil || r.side[i] != r.side[j] {
			s.offer(i, j, w)
		}
	}
	b.blocks(rule, nil, func(block []blockEntry) bool {
		k := len(block)
		pairs := float64(k) * float64(k-1) / 2
		total += pairs
		if k <= r.o.BlockLimit {
			for x := range block {
				for y := x + 1; y < k; y++ {
					add(block[x].i, block[y].i, 1)
				}
			}
			return true
		}
		draws := k * r.o.Window
		for range draws {
			x, y := rng.IntN(k), rng.IntN(k)
			if x != y {
				add(block[x].i, block[y].i, pairs/float64(draws))
			}
		}
		return true
	})
	return s, total
}

// session runs EM over one rule's pairs with u fixed: the prior and m of
// the fields in active change, the other fields are left out.
type sessionFit struct {
	prior     float64
	m         [NumFields][16]float64
	mass      [NumFields]float64 // expected matches with the field known
	matches   float64            // expected matches the pairs stand for
	iter      int
	converged bool
}

func emSession(p *Params, counts patternCounts, active uint32) sessionFit {
	type pat struct {
		c    Comparison
		n, w float64
	}
	pats := make([]pat, 0, len(counts))
	all := 0.0
	for k, c := range counts {
		pats = append(pats, pat{unpack(k), c[0], c[1]})
		all += c[0]
	}
	fit := sessionFit{prior: 0.1}
	var uLog [NumFields][16]float64
	for f := range NumFields {
		for l, lv := range p.Fields[f].Levels {
			fit.m[f][l+1] = lv.M
			uLog[f][l+1] = math.Log(lv.U)
		}
	}
	if all == 0 {
		return fit
	}
	posterior := func(x *pat, logPrior float64, mLog *[NumFields][16]float64) float64 {
		if x.c.Contradicts() {
			return 0
		}
		lr := logPrior
		for f, l := range x.c {
			if l != Missing && active&(1<<f) != 0 {
				lr += mLog[f][l] - uLog[f][l]
			}
		}
		return 1 / (1 + math.Exp(-lr))
	}
	var mLog [NumFields][16]float64
	for fit.iter < emIterations && !fit.converged {
		fit.iter++
		for f := range NumFields {
			for l := range fit.m[f] {
				mLog[f][l] = math.Log(max(fit.m[f][l], 1e-300))
			}
		}
		logPrior := math.Log(fit.prior / (1 - fit.prior))
		var sums [NumFields][16]float64
		matches := 0.0
		for k := range pats {
			x := &pats[k]
			w := x.n * posterior(x, logPrior, &mLog)
			matches += w
			for f, l := range x.c {
				sums[f][l] += w
			}
		}
		prior := clamp(matches/all, 1e-9, 1-1e-9)
		change := math.Abs(prior-fit.prior) / max(fit.prior, 1e-6)
		fit.prior = prior
		for f := range NumFields {
			if active&(1<<f) == 0 {
				continue
			}
			levels := len(p.Fields[f].Levels)
			known := 0.0
			for l := 1; l <= levels; l++ {
				known += sums[f][l]
			}
			fit.mass[f] = known
			if known == 0 {
				continue
			}
			for l := 1; l <= levels; l++ {
				v := clamp(sums[f][l]/known, 1e-6, 1)
				change = max(change, math.Abs(v-fit.m[f][l]))
				fit.m[f][l] = v
			}
		}
		fit.converged = change < emTolerance
	}
	for f := range NumFields {
		for l := range fit.m[f] {
			mLog[f][l] = math.Log(max(fit.m[f][l], 1e-300))
		}
	}
	logPrior := math.Log(fit.prior / (1 - fit.prior))
	for k := range pats {
		fit.matches += pats[k].w * posterior(&pats[k], logPrior, &mLog)
	}
	return fit
}

// estimate fits parameters to the records without labels, the way the
// field's tools do (Splink's method): u from random pairs of the whole
// table; m from one EM session per training rule, each leaving out the
// fields its rule constrains, combined weighted by each session's
// expected matches; the prior as the share of matches among all pairs,
// fitted over the candidate pairs with m and u fixed. A field the table
// hardly ever has keeps the defaults.
func (r *runner) estimate(b *blocker, training []BlockingRule) (Params, *Estimation, error) {
	rng := rand.New(rand.NewPCG(uint64(len(r.recs)), 0x5eed))
	est := &Estimation{Converged: true}
	params := DefaultParams()
	random := r.randomSample(rng)
	est.RandomPairs = len(random.pairs)
	present := randomU(&params, r.count(random))
	if err := r.ctx.Err(); err != nil {
		return Params{}, nil, err
	}

	tb := b.withRules(r.recs, training)
	var mSum [NumFields][16]float64
	var mass [NumFields]float64
	fits := make([]sessionFit, len(training))
	for t, rule := range training {
		sample, blockPairs := r.trainingSample(tb, t, rng)
		if len(sample.pairs) == 0 {
			continue
		}
		active := ^dependent(rule.fields)
		fit := emSession(&params, r.count(sample), active)
		fits[t] = fit
		if err := r.ctx.Err(); err != nil {
			return Params{}, nil, err
		}
		s := Session{Rule: rule.spec, Pairs: int64(len(sample.pairs)), BlockPairs: int64(blockPairs),
			Prior: fit.prior, Matches: fit.matches, Iterations: fit.iter, Converged: fit.converged}
		for f := range NumFields {
			if active&(1<<f) == 0 || fit.mass[f] < minMatches {
				continue
			}
			s.Fields = append(s.Fields, Field(f).String())
			mass[f] += fit.mass[f]
			for l := range mSum[f] {
				mSum[f][l] += fit.mass[f] * fit.m[f][l]
			}
		}
		est.Converged = est.Converged && fit.converged
		est.Sessions = append(est.Sessions, s)
	}
	defaults := DefaultParams()
	for f := range NumFields {
		levels := params.Fields[f].Levels
		if present[f] < minPresent || mass[f] < minMatches {
			params.Fields[f] = defaults.Fields[f]
			est.Fallback = append(est.Fallback, Field(f).String())
			continue
		}
		for l := range levels {
			levels[l].M = clamp(mSum[f][l+1]/mass[f], 1e-6, 1)
		}
		monotone(levels)
	}
	est.Matches = matchesFromSessions(&params, training, fits, present, est.RandomPairs)

	var err error
	params.Prior, est.PriorIterations, err = r.fitPrior(b, &params, est)
	if err != nil {
		return Params{}, nil, err
	}
	params.Records = len(r.recs)
	if r.side != nil {
		params.Records = int(r.allPairs()/float64(len(r.recs)-r.tableA())) + 1
	}
	params.SetDefaultBands()
	return params, est, nil
}

// dependent widens a set of fields (a bit per Field) by the fields that
// are not independent of them: email local parts are often built from
// names ("ann.lee"), so among different people who share a name the
// emails agree far more often than among random pairs. A session on names
// leaves email out, and one on email leaves the names out.
func dependent(fields uint32) uint32 {
	const names = 1<<GivenName | 1<<FamilyName
	if fields&names != 0 {
		fields |= 1 << Email
	}
	if fields&(1<<Email) != 0 {
		fields |= names
	}
	return fields
}

// monotone raises m of any level that would weigh less than the last
// level, disagreement, to weigh as much: a level no match showed (a
// similar address where the data has none) is no evidence against.
func monotone(levels []Level) {
	last := levels[len(levels)-1]
	for l := range levels[:len(levels)-1] {
		if lv := &levels[l]; lv.M/lv.U < last.M/last.U {
			lv.M = lv.U * last.M / last.U
		}
	}
}

// matchesFromSessions estimates the number of matching pairs from the
// sessions of rules on one exact field: a session on exact birth dates
// finds the matches whose birth dates are both known and equal, a share
// of all matches its field's m of the exact level gives. The median over
// such sessions is returned, 0 if there is none.
func matchesFromSessions(p *Params, training []BlockingRule, fits []sessionFit, present [NumFields]float64, random int) float64 {
	var ests []float64
	for t, rule := range training {
		if len(rule.parts) != 1 || rule.parts[0].soundex || rule.parts[0].n > 0 || fits[t].matches < minMatches {
			continue
		}
		f, ok := partField[rule.parts[0].attr]
		if !ok || f == Location || rule.parts[0].attr == "birth_year" {
			continue
		}
		// The share of matches with the field known on both sides is
		// taken as that of random pairs.
		known := present[f] / float64(random)
		if share := known * p.Fields[f].Levels[0].M; share > 0 {
			ests = append(ests, fits[t].matches/share)
		}
	}
	if len(ests) == 0 {
		return 0
	}
	slices.Sort(ests)
	return ests[len(ests)/2]
}

// fitPrior fits the prior, the share of matches among all pairs, as the
// fixed point of: expected matches among the candidate pairs (each
// pair's posterior under the prior) over all pairs. Pairs blocking does
// not find are taken to be non-matches. Past priorPairs candidates, a
// sample stands for them all. It also sets est's pairs completeness.
func (r *runner) fitPrior(b *blocker, p *Params, est *Estimation) (float64, int, error) {
	s := newSample(priorPairs)
	b.pairs(func(i, j int32, _ int) bool {
		s.offer(i, j, 1)
		return true
	})
	counts := r.count(s)
	if err := r.ctx.Err(); err != nil {
		return 0, 0, err
	}
	var weight [NumFields][16]float64
	for f := range NumFields {
		for l, lv := range p.Fields[f].Levels {
			weight[f][l+1] = math.Log(lv.M / lv.U)
		}
	}
	type pat struct{ lr, w float64 }
	pats := make([]pat, 0, len(counts))
	for k, c := range counts {
		cmp := unpack(k)
		if cmp.Contradicts() {
			continue
		}
		lr := 0.0
		for f, l := range cmp {
			lr += weight[f][l]
		}
		pats = append(pats, pat{lr, c[1]})
	}
	all := r.allPairs()
	prior := clamp(DefaultPrior, 1/all, 0.5)
	iter, expected := 0, 0.0
	for iter < emIterations {
		iter++
		logOdds := math.Log(prior / (1 - prior))
		expected = 0
		for _, x := range pats {
			expected += x.w / (1 + math.Exp(-(logOdds + x.lr)))
		}
		next := clamp(expected/all, 1/(all+1), 0.5)
		done := math.Abs(next-prior) <= emTolerance*prior
		prior = next
		if done {
			break
		}
	}
	if iter == emIterations {
		est.Converged = false
	}
	if est.Matches > 0 {
		est.PairsCompleteness = min(1, expected/est.Matches)
	}
	return prior, iter, nil
}

func clamp(x, lo, hi float64) float64 { return min(max(x, lo), hi) }
