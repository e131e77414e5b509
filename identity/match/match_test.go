package match_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
)

func TestJaroWinkler(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"abc", "abc", 1},
		{"abc", "xyz", 0},
		{"", "abc", 0},
		{strings.Repeat("a", 80) + "b", strings.Repeat("a", 80) + "c", 0.99506}, // past 64 bytes: the slice path,
	} {
		assert.InDelta(t, c.want, match.JaroWinkler(c.a, c.b), 1e-3, "%s/%s", c.a, c.b)
		assert.InDelta(t, match.JaroWinkler(c.a, c.b), match.JaroWinkler(c.b, c.a), 1e-12)
	}
}

func TestParamsSaveLoad(t *testing.T) {
	p := match.DefaultParams()
	p.Fields[match.BirthDate].Levels[0].M = 0.9
	var buf bytes.Buffer
	require.NoError(t, p.Save(&buf))
	q, err := match.LoadParams(&buf)
	require.NoError(t, err)
	assert.Equal(t, p, q)

	for name, edit := range map[string]func(*match.Params){
		"prior":        func(p *match.Params) { p.Prior = 1 },
		"fields":       func(p *match.Params) { p.Fields = p.Fields[1:] },
		"level name":   func(p *match.Params) { p.Fields[0].Levels[0].Name = "same" },
		"m":            func(p *match.Params) { p.Fields[0].Levels[0].M = 0 },
		"u":            func(p *match.Params) { p.Fields[0].Levels[0].U = 2 },
		"bands":        func(p *match.Params) { p.Review = p.Link + 1 },
		"tf":           func(p *match.Params) { p.Fields[match.BirthDate].TermFrequency = true },
		"levels count": func(p *match.Params) { p.Fields[1].Levels = p.Fields[1].Levels[1:] },
	} {
		bad := match.DefaultParams()
		edit(&bad)
		var buf bytes.Buffer
		require.NoError(t, bad.Save(&buf))
		_, err := match.LoadParams(&buf)
		assert.ErrorIs(t, err, match.ErrInvalidParams, name)
		_, err = match.NewModel(bad, nil)
		assert.ErrorIs(t, err, match.ErrInvalidParams, name)
	}
	_, err = match.LoadParams(strings.NewReader(`{"prior":0.1,"extra":1}`))
	assert.ErrorIs(t, err, match.ErrInvalidParams)
}

func TestRecordSet(t *testing.T) {
	var r match.Record
	for _, n := range match.FieldNames() {
		require.NoError(t, r.Set(n, "x"))
	}
	before := r
	err := r.Set("nickname", "Bob")
	assert.True(t, errors.Is(err, match.ErrUnknownField))
	assert.Equal(t, before, r, "a failed Set changes nothing")
}

func TestEvaluate(t *testing.T) {
	// Truth: {0,1,2} {3,4} {5}. Predicted: {0,1} {2,3} {4} {5}.
	truth := []string{"a", "a", "a", "b", "b", "c"}
	cluster := []int{0, 0, 2, 2, 4, 5}
	m := match.Evaluate(truth, cluster, nil)
	assert.Equal(t, int64(2), m.Predicted)
	assert.Equal(t, int64(4), m.True)
	assert.Equal(t, int64(1), m.Correct)
	assert.InDelta(t, 0.5, m.Precision, 1e-9)
	assert.InDelta(t, 0.25, m.Recall, 1e-9)
	// B-cubed precision: 1,1,.5,.5,1,1 → 5/6; recall: 2/3,2/3,1/3,1/2,1/2,1 → 11/18.
	assert.InDelta(t, 5.0/6, m.BCubedPrecision, 1e-9)
	assert.InDelta(t, 11.0/18, m.BCubedRecall, 1e-9)

	// Across two tables only the pairs across count.
	side := []bool{false, true, true, false, true, false}
	m = match.Evaluate(truth, cluster, side)
	assert.Equal(t, int64(2), m.Predicted) // (0,1) and (3,2)
	assert.Equal(t, int64(3), m.True)      // (0,1) (0,2) (3,4)
	assert.Equal(t, int64(1), m.Correct)
}

// TestCompareSymmetric is a property test: the order of a pair changes
// neither the comparison nor the weight.
func TestCompareSymmetric(t *testing.T) {
	ps := synth.Generate(&synth.Options{Seed: 9, Records: 2000})
	recs := make([]*match.Prepared, len(ps))
	tc := match.NewTermCounts()
	for i := range ps {
		recs[i] = match.Prepare(&ps[i].Record)
		tc.Add(recs[i])
	}
	m, err := match.NewModel(match.DefaultParams(), tc)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := recs[rng.IntN(len(recs))], recs[rng.IntN(len(recs))]
		require.Equal(t, match.Compare(a, b), match.Compare(b, a), "%s / %s", a, b)
		sa, sb := m.Score(a, b), m.Score(b, a)
		require.InDelta(t, sa.Weight, sb.Weight, 1e-9, "%s / %s", a, b)
	}
}

// TestDedupeOrder is a property test: shuffling the input changes no
// cluster when the parameters are given (estimation sums in a different
// order, which moves weights by rounding only).
func TestDedupeOrder(t *testing.T) {
	ps := synth.Generate(&synth.Options{Seed: 5, Records: 3000})
	recs, _ := records(ps)
	p := match.DefaultParams()
	ctx := context.Background()
	base, err := match.Dedupe(ctx, recs, &match.Options{Params: &p})
	require.NoError(t, err)
	partition := func(res *match.Result, ids []string) map[string]string {
		out := map[string]string{}
		for i, c := range res.Cluster {
			out[ids[i]] = ids[c]
		}
		return out
	}
	idsOf := func(rs []match.Record) []string {
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = r.ID
		}
		return ids
	}
	canon := func(m map[string]string) map[string][]string {
		groups := map[string][]string{}
		for id, root := range m {
			groups[root] = append(groups[root], id)
		}
		out := map[string][]string{}
		for _, g := range groups {
			out[slices.Min(g)] = g
		}
		for k := range out {
			slices.Sort(out[k])
		}
		return out
	}
	want := canon(partition(base, idsOf(recs)))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 3 {
		shuffled := append([]match.Record(nil), recs...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		res, err := match.Dedupe(ctx, shuffled, &match.Options{Params: &p})
		require.NoError(t, err)
		got := canon(partition(res, idsOf(shuffled)))
		diff := 0
		for k, v := range want {
			if strings.Join(got[k], ",") != strings.Join(v, ",") {
				diff++
			}
		}
		// Ties in the sorted neighbourhood are broken by position, so a
		// handful of borderline candidates may differ.
		assert.LessOrEqual(t, diff, len(want)/200, "clusters that differ after a shuffle")
	}
}

func TestDedupeProgressAndCancel(t *testing.T) {
	ps := synth.Generate(&synth.Options{Seed: 6, Records: 2000})
	recs, _ := records(ps)
	var stages []string
	res, err := match.Dedupe(context.Background(), recs, &match.Options{Progress: func(p match.Progress) {
		if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
			stages = append(stages, p.Stage)
		}
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"prepare", "estimate", "score", "cluster"}, stages)
	var names []string
	for _, s := range res.Stages {
		names = append(names, s.Name)
	}
	assert.Equal(t, stages, names)
	assert.Greater(t, res.EMIterations, 0)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = match.Dedupe(ctx, recs, nil)
	assert.ErrorIs(t, err, context.Canceled)

	bad := match.DefaultParams()
	bad.Prior = 0
	_, err = match.Dedupe(context.Background(), recs, &match.Options{Params: &bad})
	assert.ErrorIs(t, err, match.ErrInvalidParams)
}

func TestClusterSizeGuard(t *testing.T) {
	// Twelve identical records: with at most 5 a cluster, none is larger.
	recs := make([]match.Record, 12)
	for i := range recs {
		recs[i] = match.Record{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "97205"}
	}
	p := match.DefaultParams()
	res, err := match.Dedupe(context.Background(), recs, &match.Options{Params: &p, MaxClusterSize: 5})
	require.NoError(t, err)
	for _, c := range res.Clusters() {
		assert.LessOrEqual(t, len(c), 5)
	}
}

// TestClusterReview checks that a pair in the review band joins a cluster
// only when Options.ClusterReview says so, and is reported either way.
func TestClusterReview(t *testing.T) {
	recs := []match.Record{
		{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "97205"},
		{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1986-03-02", Postcode: "97250"},
	}
	p := match.DefaultParams()
	for _, review := range []bool{false, true} {
		res, err := match.Dedupe(context.Background(), recs, &match.Options{Params: &p, ClusterReview: review})
		require.NoError(t, err)
		require.Len(t, res.Pairs, 1)
		assert.Equal(t, match.Review, res.Pairs[0].Decision)
		assert.Equal(t, review, res.Pairs[0].Clustered)
		assert.Equal(t, review, res.Cluster[0] == res.Cluster[1])
	}
}

// TestLinkTablesTwoRecordsOfOne checks that two records of the second
// table that link to one record of the first are one cluster: the
// linkage bound counts only pairs across the tables, which are all that
// a linkage compares.
func TestLinkTablesTwoRecordsOfOne(t *testing.T) {
	ann := match.Record{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "97205",
		Email: "ann.lee@example.com"}
	p := match.DefaultParams()
	res, err := match.LinkTables(context.Background(), []match.Record{ann}, []match.Record{ann, ann}, &match.Options{Params: &p})
	require.NoError(t, err)
	assert.Equal(t, []int{0, 0, 0}, res.Cluster)
}
