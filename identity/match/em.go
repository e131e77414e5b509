package match

import "math"

// patternCounts counts comparison vectors, packed.
type patternCounts map[uint64]float64

// minU bounds u from below: a level that no non-matching candidate pair
// showed (a swapped name) would otherwise weigh without limit.
const minU = 1e-4

// candidateU sets u of every level to its share among all candidate pairs.
// Matches are a small minority of candidates, so this is close to u among
// the non-matching candidates, and a start EM cannot mistake for a match
// class: a same-name pair, common among candidates, starts with little
// weight.
func candidateU(p *Params, counts patternCounts) {
	var sums [NumFields][16]float64
	for k, n := range counts {
		c := unpack(k)
		for f, l := range c {
			sums[f][l] += n
		}
	}
	for f := range NumFields {
		normalize(p.Fields[f].Levels, sums[f][1:], false)
	}
}

// expectationMaximisation estimates the prior and m and u of every level
// from the comparison vectors of unlabelled candidate pairs, starting from
// p's values, and returns the iterations run.
//
// u is estimated among the candidates, not taken from random pairs:
// blocking makes candidates that are different people agree far more
// often than random pairs do (one family name in a sorted neighbourhood,
// one home in a household), and with u from random pairs, fixed or as the
// starting point, EM takes those agreements for matches. Pairs that
// [Comparison.Contradicts] are held to be non-matches, which keeps
// households (same home, family name and landline) out of the match class.
func expectationMaximisation(p *Params, counts patternCounts, maxIter int) int {
	type pat struct {
		c Comparison
		n float64
	}
	pats := make([]pat, 0, len(counts))
	all := 0.0
	for k, n := range counts {
		pats = append(pats, pat{unpack(k), n})
		all += n
	}
	if all == 0 {
		return 0
	}
	var mLog, uLog [NumFields][16]float64
	iter := 0
	for iter < maxIter {
		iter++
		for f := range NumFields {
			for l, lv := range p.Fields[f].Levels {
				mLog[f][l+1], uLog[f][l+1] = math.Log(lv.M), math.Log(lv.U)
			}
		}
		prior := math.Log(p.Prior / (1 - p.Prior))
		var mSum, uSum [NumFields][16]float64
		matches := 0.0
		for _, x := range pats {
			if x.c.Contradicts() {
				for f, l := range x.c {
					uSum[f][l] += x.n
				}
				continue
			}
			lr := prior
			for f, l := range x.c {
				lr += mLog[f][l] - uLog[f][l]
			}
			w := x.n / (1 + math.Exp(-lr))
			matches += w
			for f, l := range x.c {
				mSum[f][l] += w
				uSum[f][l] += x.n - w
			}
		}
		q := clamp(matches/all, 1e-9, 0.5)
		change := math.Abs(q - p.Prior)
		p.Prior = q
		for f := range NumFields {
			change = max(change, normalize(p.Fields[f].Levels, mSum[f][1:], true),
				normalize(p.Fields[f].Levels, uSum[f][1:], false))
		}
		if change < 1e-6 {
			break
		}
	}
	return iter
}

// normalize sets the levels' m (or u) from expected counts and returns the
// largest change.
func normalize(levels []Level, sums []float64, m bool) float64 {
	total := 0.0
	for l := range levels {
		total += sums[l]
	}
	if total == 0 {
		return 0
	}
	change := 0.0
	for l := range levels {
		if m {
			v := clamp(sums[l]/total, 1e-6, 1)
			change = max(change, math.Abs(v-levels[l].M))
			levels[l].M = v
		} else {
			v := clamp(sums[l]/total, minU, 1)
			change = max(change, math.Abs(v-levels[l].U))
			levels[l].U = v
		}
	}
	return change
}

func clamp(x, lo, hi float64) float64 { return min(max(x, lo), hi) }
