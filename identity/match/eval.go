package match

import "context"

// Metrics measures predicted clusters against the truth.
type Metrics struct {
	// Pairwise counts: pairs of records put in one cluster (Predicted),
	// pairs that are one person (True), and both (Correct).
	Predicted, True, Correct int64
	// Precision = Correct/Predicted, Recall = Correct/True, F1 their
	// harmonic mean. An empty denominator gives 1.
	Precision, Recall, F1 float64
	// B-cubed precision, recall and F1: per record, the share of its
	// predicted cluster that is the same person, and the share of the
	// person's records in its predicted cluster, averaged over records.
	BCubedPrecision, BCubedRecall, BCubedF1 float64
}

// Evaluate compares predicted clusters (cluster[i] names record i's
// cluster, as [Result.Cluster] does) with the truth (records with equal
// truth values are one person). For a linkage, side[i] says which table
// record i came from and only pairs across the tables count; nil means
// deduplication.
func Evaluate[T comparable](truth []T, cluster []int, side []bool) Metrics {
	type cell struct {
		c int
		t T
	}
	var predA, predB = map[int]int64{}, map[int]int64{}
	var trueA, trueB = map[T]int64{}, map[T]int64{}
	var cellA, cellB = map[cell]int64{}, map[cell]int64{}
	for i, t := range truth {
		c := cluster[i]
		if side != nil && side[i] {
			predB[c]++
			trueB[t]++
			cellB[cell{c, t}]++
			continue
		}
		predA[c]++
		trueA[t]++
		cellA[cell{c, t}]++
	}
	var m Metrics
	m.Predicted = pairCount(predA, predB, side != nil)
	m.True = pairCount(trueA, trueB, side != nil)
	m.Correct = pairCount(cellA, cellB, side != nil)
	m.Precision, m.Recall = ratio(m.Correct, m.Predicted), ratio(m.Correct, m.True)
	m.F1 = harmonic(m.Precision, m.Recall)

	// B-cubed over all records, one table or two.
	pred, tr, both := map[int]int64{}, map[T]int64{}, map[cell]int64{}
	for i, t := range truth {
		pred[cluster[i]]++
		tr[t]++
		both[cell{cluster[i], t}]++
	}
	for i, t := range truth {
		n := float64(both[cell{cluster[i], t}])
		m.BCubedPrecision += n / float64(pred[cluster[i]])
		m.BCubedRecall += n / float64(tr[t])
	}
	if len(truth) > 0 {
		m.BCubedPrecision /= float64(len(truth))
		m.BCubedRecall /= float64(len(truth))
	}
	m.BCubedF1 = harmonic(m.BCubedPrecision, m.BCubedRecall)
	return m
}

// pairCount counts the pairs within groups: all pairs of one table, or the
// pairs across two tables (a group's count in A times its count in B).
func pairCount[K comparable](a, b map[K]int64, cross bool) int64 {
	var n int64
	if cross {
		for k, x := range a {
			n += x * b[k]
		}
		return n
	}
	for _, x := range a {
		n += x * (x - 1) / 2
	}
	return n
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// BlockingMetrics measures blocking against the truth.
type BlockingMetrics struct {
	// Candidates is the number of candidate pairs blocking produced;
	// All the number of pairs there are.
	Candidates, All int64
	// Found counts the candidate pairs that are one person; True counts
	// all pairs that are.
	Found, True int64
	// PairsCompleteness = Found/True: the share of true pairs blocking
	// lets through. ReductionRatio = 1 - Candidates/All: the share of
	// comparisons blocking saves.
	PairsCompleteness, ReductionRatio float64
}

// EvaluateBlocking runs the blocking of opts (Blocking, Window, BlockLimit) over a
// table, or over two tables when b is not nil, and measures it against
// the truth.
func EvaluateBlocking[T comparable](ctx context.Context, a []Record, truthA []T, b []Record, truthB []T, opts *Options) (BlockingMetrics, error) {
	o := opts.withDefaults()
	rules, _, err := o.rules()
	if err != nil {
		return BlockingMetrics{}, err
	}
	recs := prepareAll(append(append([]Record(nil), a...), b...), o.Workers)
	truth := append(append([]T(nil), truthA...), truthB...)
	var side []bool
	if b != nil {
		side = make([]bool, len(recs))
		for i := len(a); i < len(recs); i++ {
			side[i] = true
		}
	}
	var m BlockingMetrics
	newBlocker(recs, side, rules, o.Window, o.BlockLimit).pairs(func(i, j int32, _ int) bool {
		m.Candidates++
		if truth[i] == truth[j] {
			m.Found++
		}
		if m.Candidates%(1<<16) == 0 {
			err = ctx.Err()
		}
		return err == nil
	})
	if err != nil {
		return BlockingMetrics{}, err
	}
	counts := map[T]int64{}
	countsB := map[T]int64{}
	for i, t := range truth {
		if side != nil && side[i] {
			countsB[t]++
		} else {
			counts[t]++
		}
	}
	m.True = pairCount(counts, countsB, side != nil)
	n := int64(len(recs))
	if side != nil {
		m.All = int64(len(a)) * int64(len(b))
	} else {
		m.All = n * (n - 1) / 2
	}
	m.PairsCompleteness = ratio(m.Found, m.True)
	m.ReductionRatio = 1 - ratio(m.Candidates, m.All)
	return m, nil
}
