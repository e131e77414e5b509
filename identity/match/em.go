package match

import (
	"math"
	"math/rand/v2"
)

// estimateU sets u of every level from n random pairs, which are almost all
// pairs of different people. side, if not nil, restricts pairs to one
// record from each table.
func estimateU(p *Params, recs []*Prepared, side []bool, n int, seed uint64) {
	if len(recs) < 2 {
		return
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var counts [NumFields][16]float64
	var a, b []int32
	if side != nil {
		for i, s := range side {
			if s {
				b = append(b, int32(i))
			} else {
				a = append(a, int32(i))
			}
		}
		if len(a) == 0 || len(b) == 0 {
			return
		}
	}
	for range n {
		var i, j int32
		if side != nil {
			i, j = a[rng.IntN(len(a))], b[rng.IntN(len(b))]
		} else {
			i, j = int32(rng.IntN(len(recs))), int32(rng.IntN(len(recs)-1))
			if j >= i {
				j++
			}
		}
		c := Compare(recs[i], recs[j])
		for f, l := range c {
			counts[f][l]++
		}
	}
	for f := range NumFields {
		levels := p.Fields[f].Levels
		total := 0.0
		for l := range levels {
			total += counts[f][l+1]
		}
		if total == 0 {
			continue // never observed: keep the current values
		}
		// Half a pair of pseudo-count keeps levels that random pairs
		// never reach (a swapped name) from getting u = 0.
		for l := range levels {
			levels[l].U = (counts[f][l+1] + 0.5) / (total + 0.5*float64(len(levels)))
		}
	}
}

// patternCounts counts comparison vectors, packed.
type patternCounts map[uint64]float64

// minU bounds u from below: a level that no non-matching candidate pair
// showed (a swapped name) would otherwise weigh without limit.
const minU = 1e-4

// expectationMaximisation estimates the prior and m and u of every level
// from the comparison vectors of unlabelled candidate pairs, starting from
// p's values (u from random pairs), and returns the iterations run.
//
// u is re-estimated, not kept at its random-pair value: blocking makes
// candidates that are different people agree far more often than random
// pairs do (one family name in a sorted neighbourhood, one home in a
// household), and with u fixed EM takes those agreements for matches.
// Pairs that [Comparison.Contradicts] are held to be non-matches, which
// keeps households (same home, family name and landline) out of the match
// class.
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
