package geco_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/geco"
	"github.com/threadline/threadline/identity/match/synth"
)

var rewrite = flag.Bool("rewrite", false, "regenerate the committed dataset")

// dataset is the committed dataset of this generator, read by
// examples/evaluate -gen geco: 5,000 records, 40% duplicates, seed 1.
const dataset = "testdata/geco5k.csv"

var datasetOptions = geco.Options{Seed: 1, Records: 5_000}

// TestDatasetIsGenerated checks that the committed dataset is what the
// generator makes, so that a change to the generator is seen; -rewrite
// regenerates it.
func TestDatasetIsGenerated(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, synth.WriteCSV(&buf, geco.Generate(&datasetOptions).People))
	if *rewrite {
		require.NoError(t, os.WriteFile(dataset, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(dataset)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, buf.Bytes()), "generator output differs from %s; rerun with -rewrite and review", dataset)
}

func load(t *testing.T, path string) []synth.Person {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	ps, err := synth.ReadCSV(f)
	require.NoError(t, err)
	return ps
}

func records(ps []synth.Person) ([]match.Record, []int) {
	recs, truth := make([]match.Record, len(ps)), make([]int, len(ps))
	for i, p := range ps {
		recs[i], truth[i] = p.Record, p.Truth
	}
	return recs, truth
}

// TestMatcherOnBothGenerators deduplicates each generator's committed
// dataset with one default configuration (parameters estimated without
// labels) and logs the figures. The floors are loose: they catch a
// matcher broken on one generator, not a tuned one; the logged figures
// are what to compare between the generators.
func TestMatcherOnBothGenerators(t *testing.T) {
	for _, tc := range []struct {
		name   string
		people func(t *testing.T) []synth.Person
	}{
		{"synth", func(t *testing.T) []synth.Person { return load(t, "../testdata/people10k.csv") }},
		{"geco", func(t *testing.T) []synth.Person { return load(t, dataset) }},
		{"geco-no-contacts", func(*testing.T) []synth.Person {
			return geco.Generate(&geco.Options{Seed: 1, Records: 5_000, NoContacts: true}).People
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, truth := records(tc.people(t))
			ctx := context.Background()
			res, err := match.Dedupe(ctx, recs, nil)
			require.NoError(t, err)
			m := match.Evaluate(truth, res.Cluster, nil)
			bm, err := match.EvaluateBlocking(ctx, recs, truth, nil, nil, nil)
			require.NoError(t, err)
			t.Logf("%s: %d records, compared %d; pairwise P %.4f R %.4f F1 %.4f; B-cubed F1 %.4f; pairs completeness %.4f",
				tc.name, len(recs), res.Compared, m.Precision, m.Recall, m.F1, m.BCubedF1, bm.PairsCompleteness)
			assert.GreaterOrEqual(t, m.F1, 0.90, "pairwise F1")
			assert.GreaterOrEqual(t, m.Precision, 0.95, "pairwise precision")
			assert.GreaterOrEqual(t, bm.PairsCompleteness, 0.85, "pairs completeness")
		})
	}
}

// TestMatcherLinksGeco links the originals (table A) with the duplicates
// (table B), with contacts and without, and logs the figures across the
// tables.
func TestMatcherLinksGeco(t *testing.T) {
	for _, noContacts := range []bool{false, true} {
		ds := geco.Generate(&geco.Options{Seed: 2, Records: 5_000, NoContacts: noContacts})
		var originals, duplicates []synth.Person
		for i, p := range ds.People {
			if ds.OriginalOf[i] < 0 {
				originals = append(originals, p)
			} else {
				duplicates = append(duplicates, p)
			}
		}
		a, ta := records(originals)
		b, tb := records(duplicates)
		res, err := match.LinkTables(context.Background(), a, b, nil)
		require.NoError(t, err)
		side := make([]bool, len(a)+len(b))
		for i := len(a); i < len(side); i++ {
			side[i] = true
		}
		m := match.Evaluate(append(ta, tb...), res.Cluster, side)
		t.Logf("no contacts %v: originals %d, duplicates %d, compared %d; cross-table P %.4f R %.4f F1 %.4f",
			noContacts, len(a), len(b), res.Compared, m.Precision, m.Recall, m.F1)
		assert.GreaterOrEqual(t, m.F1, 0.85, "cross-table F1")
		assert.GreaterOrEqual(t, m.Precision, 0.95, "cross-table precision")
	}
}
