package synth_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match/synth"
)

func TestGenerate(t *testing.T) {
	a := synth.Generate(&synth.Options{Seed: 7, Records: 2000, Duplicates: 0.25})
	b := synth.Generate(&synth.Options{Seed: 7, Records: 2000, Duplicates: 0.25})
	require.Equal(t, a, b, "same seed, same records")
	require.Len(t, a, 2000)
	people := map[int]int{}
	ids := map[string]bool{}
	for _, p := range a {
		people[p.Truth]++
		ids[p.ID] = true
	}
	assert.Len(t, ids, 2000, "IDs are unique")
	assert.Equal(t, 1500, len(people), "25% of the records are duplicates")

	var buf bytes.Buffer
	require.NoError(t, synth.WriteCSV(&buf, a))
	back, err := synth.ReadCSV(&buf)
	require.NoError(t, err)
	assert.Equal(t, a, back, "CSV round trip")

	c := synth.Generate(&synth.Options{Seed: 8, Records: 2000, Duplicates: 0.25})
	assert.NotEqual(t, a, c, "another seed, other records")
}

func ExampleGenerate() {
	for _, p := range synth.Generate(&synth.Options{Seed: 1, Records: 4})[:2] {
		fmt.Printf("%s person %d: %s %s, born %s\n", p.ID, p.Truth, p.GivenName, p.FamilyName, p.BirthDate)
	}
	// Output:
	// r000001 person 1: Richard Drilorard, born 1964-10-04
	// r000002 person 0: Mary Lewis, born 1949-09-10
}
