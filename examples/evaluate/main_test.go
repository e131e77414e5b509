package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrintsMapping: the program says which column it read each field
// from and warns about the columns it did not map.
func TestPrintsMapping(t *testing.T) {
	path := filepath.Join(t.TempDir(), "people.csv")
	require.NoError(t, os.WriteFile(path, []byte("rec_id,given_name,surname,street_number,address_1,birth_place,gender,person\n"+
		"a1,ann,lee,14,miller place,leeds,f,1\n"+
		"a2,anne,lee,14,miller pl,leeds,f,1\n"+
		"a3,bob,ray,3,high street,york,m,2\n"), 0o644))
	var out bytes.Buffer
	c := config{a: path, truth: "person"}
	require.NoError(t, run(context.Background(), &out, c))
	got := out.String()
	for _, want := range []string{
		"read 3 records from " + path,
		"address      ← street_number+address_1 (parts)",
		"city         ← birth_place (fallback)",
		"family_name  ← surname (name)",
		"warning: columns not mapped, which the matcher does not see: gender (",
		"pairwise:",
	} {
		assert.Contains(t, got, want)
	}

	out.Reset()
	c.truth = "truth"
	require.NoError(t, run(context.Background(), &out, c))
	assert.Contains(t, out.String(), `warning: no truth column "truth", so no quality figures`)
	assert.NotContains(t, out.String(), "pairwise:")
}

// TestGenerators: -gen picks the generator for -generate and the
// committed dataset otherwise.
func TestGenerators(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, config{gen: "geco", generate: 600, seed: 2, noContacts: true, truth: "truth"}))
	assert.Contains(t, out.String(), "generated 600 records with geco (seed 2, 40% duplicates, 1 to 9 per original)")
	assert.Contains(t, out.String(), "pairwise:")

	out.Reset()
	require.NoError(t, os.Chdir("../.."))
	t.Cleanup(func() { require.NoError(t, os.Chdir("examples/evaluate")) })
	require.NoError(t, run(context.Background(), &out, config{gen: "geco", truth: "truth"}))
	assert.Contains(t, out.String(), "read 5000 records from identity/match/geco/testdata/geco5k.csv")

	for _, c := range []config{{gen: "febrl"}, {gen: "synth", generate: 10, noContacts: true}} {
		assert.Error(t, run(context.Background(), &out, c))
	}
}
