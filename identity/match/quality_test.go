package match_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
)

func records(ps []synth.Person) ([]match.Record, []int) {
	recs := make([]match.Record, len(ps))
	truth := make([]int, len(ps))
	for i, p := range ps {
		recs[i], truth[i] = p.Record, p.Truth
	}
	return recs, truth
}

func TestQualityGenerated(t *testing.T) {
	ps := synth.Generate(&synth.Options{Seed: 1, Records: 10000})
	recs, truth := records(ps)
	res, err := match.Dedupe(context.Background(), recs, nil)
	require.NoError(t, err)
	m := match.Evaluate(truth, res.Cluster, nil)
	bm, err := match.EvaluateBlocking(context.Background(), recs, truth, nil, nil, nil)
	require.NoError(t, err)
	t.Logf("compared %d, em %d iterations, prior %.4f", res.Compared, res.EMIterations, res.Params.Prior)
	t.Logf("pairwise P %.4f R %.4f F1 %.4f; B3 F1 %.4f; PC %.4f RR %.6f", m.Precision, m.Recall, m.F1, m.BCubedF1, bm.PairsCompleteness, bm.ReductionRatio)
	for _, s := range res.Stages {
		t.Logf("%s %v", s.Name, s.Duration)
	}
	for _, f := range res.Params.Fields {
		for _, l := range f.Levels {
			t.Logf("%s %s m=%.4f u=%.5f", f.Field, l.Name, l.M, l.U)
		}
	}
}
