package match_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
)

// dataset is the committed generated dataset the quality floors are
// measured on: 10,000 records, 30% duplicates, seed 1.
const dataset = "testdata/people10k.csv"

var datasetOptions = synth.Options{Seed: 1, Records: 10_000}

func records(ps []synth.Person) ([]match.Record, []int) {
	recs := make([]match.Record, len(ps))
	truth := make([]int, len(ps))
	for i, p := range ps {
		recs[i], truth[i] = p.Record, p.Truth
	}
	return recs, truth
}

func loadDataset(t testing.TB) ([]match.Record, []int) {
	f, err := os.Open(dataset)
	require.NoError(t, err)
	defer f.Close()
	ps, err := synth.ReadCSV(f)
	require.NoError(t, err)
	return records(ps)
}

// TestDatasetIsGenerated checks that the committed dataset is what the
// generator makes, so that a change to the generator is seen; -rewrite
// regenerates it.
func TestDatasetIsGenerated(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, synth.WriteCSV(&buf, synth.Generate(&datasetOptions)))
	if f := flag.Lookup("rewrite"); f != nil && f.Value.String() == "true" {
		require.NoError(t, os.WriteFile(dataset, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(dataset)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, buf.Bytes()), "generator output differs from %s; rerun with -rewrite and review", dataset)
}

// TestQualityFloors measures deduplication with parameters estimated from
// the data, no labels used, against the floors the issue sets (pairwise
// F1 ≥ 0.97); measured values are logged.
func TestQualityFloors(t *testing.T) {
	recs, truth := loadDataset(t)
	ctx := context.Background()
	res, err := match.Dedupe(ctx, recs, nil)
	require.NoError(t, err)
	m := match.Evaluate(truth, res.Cluster, nil)
	bm, err := match.EvaluateBlocking(ctx, recs, truth, nil, nil, nil)
	require.NoError(t, err)
	t.Logf("compared %d; pairwise P %.4f R %.4f F1 %.4f; B-cubed F1 %.4f; PC %.4f RR %.5f",
		res.Compared, m.Precision, m.Recall, m.F1, m.BCubedF1, bm.PairsCompleteness, bm.ReductionRatio)
	assert.GreaterOrEqual(t, m.F1, 0.97, "pairwise F1")
	assert.GreaterOrEqual(t, m.Precision, 0.97, "pairwise precision")
	assert.GreaterOrEqual(t, m.Recall, 0.97, "pairwise recall")
	assert.GreaterOrEqual(t, m.BCubedF1, 0.99, "B-cubed F1")
	assert.GreaterOrEqual(t, bm.PairsCompleteness, 0.99, "pairs completeness")
	assert.GreaterOrEqual(t, bm.ReductionRatio, 0.99, "reduction ratio")
	assert.Equal(t, bm.Candidates, res.Compared, "blocking evaluation and run compare the same pairs")
}

// TestQualityLinkTables links the records of people seen first (table A)
// with the later records (table B) and measures the pairs across tables.
func TestQualityLinkTables(t *testing.T) {
	recs, truth := loadDataset(t)
	var a, b []match.Record
	var ta, tb []int
	seen := map[int]bool{}
	for i, r := range recs {
		if !seen[truth[i]] {
			seen[truth[i]] = true
			a, ta = append(a, r), append(ta, truth[i])
			continue
		}
		b, tb = append(b, r), append(tb, truth[i])
	}
	ctx := context.Background()
	res, err := match.LinkTables(ctx, a, b, nil)
	require.NoError(t, err)
	side := make([]bool, len(a)+len(b))
	for i := len(a); i < len(side); i++ {
		side[i] = true
	}
	m := match.Evaluate(append(ta, tb...), res.Cluster, side)
	bm, err := match.EvaluateBlocking(ctx, a, ta, b, tb, nil)
	require.NoError(t, err)
	t.Logf("A %d B %d compared %d; cross-table P %.4f R %.4f F1 %.4f; PC %.4f RR %.5f",
		len(a), len(b), res.Compared, m.Precision, m.Recall, m.F1, bm.PairsCompleteness, bm.ReductionRatio)
	assert.GreaterOrEqual(t, m.F1, 0.95, "cross-table F1")
	for _, p := range res.Pairs {
		require.Less(t, p.A, len(a))
		require.Less(t, p.B, len(b))
	}
}

// variant keeps only some fields of the records, or drops fields at
// random, to measure the matcher on data unlike the full generated
// profiles: names and birth dates only, or sparse records.
func variant(recs []match.Record, keep func(i int, field string) bool) []match.Record {
	out := make([]match.Record, len(recs))
	for i, r := range recs {
		v := match.Record{ID: r.ID}
		for _, f := range []struct {
			name string
			dst  *string
			src  string
		}{
			{"given_name", &v.GivenName, r.GivenName}, {"family_name", &v.FamilyName, r.FamilyName},
			{"full_name", &v.FullName, r.FullName}, {"birth_date", &v.BirthDate, r.BirthDate},
			{"address", &v.Address, r.Address}, {"city", &v.City, r.City}, {"postcode", &v.Postcode, r.Postcode},
			{"region", &v.Region, r.Region}, {"email", &v.Email, r.Email}, {"phone", &v.Phone, r.Phone},
		} {
			if keep(i, f.name) {
				*f.dst = f.src
			}
		}
		out[i] = v
	}
	return out
}

// TestQualityVariants measures deduplication of the committed dataset
// reduced to names and birth dates, and made sparse (each field of each
// record kept with probability one half, by a fixed hash), with
// parameters estimated from each.
func TestQualityVariants(t *testing.T) {
	recs, truth := loadDataset(t)
	names := func(_ int, f string) bool {
		return f == "given_name" || f == "family_name" || f == "full_name" || f == "birth_date"
	}
	sparse := func(i int, f string) bool {
		h := uint32(i)*2654435761 ^ uint32(len(f))*40503 ^ uint32(f[0])*9973
		h ^= h >> 13
		h *= 2246822519
		h ^= h >> 16
		return h&1 == 0
	}
	for _, c := range []struct {
		name  string
		keep  func(int, string) bool
		floor float64
	}{
		{"names+dob", names, 0.90},
		{"sparse", sparse, 0.40},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := match.Dedupe(context.Background(), variant(recs, c.keep), nil)
			require.NoError(t, err)
			m := match.Evaluate(truth, res.Cluster, nil)
			e := res.Estimation
			t.Logf("%s: compared %d; pairwise P %.4f R %.4f F1 %.4f; prior %.3g; fallback %v; estimated PC %.3f",
				c.name, res.Compared, m.Precision, m.Recall, m.F1, res.Params.Prior, e.Fallback, e.PairsCompleteness)
			assert.GreaterOrEqual(t, m.F1, c.floor, "pairwise F1")
		})
	}
}
