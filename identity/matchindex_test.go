package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

func matchingTestGraph(t *testing.T) *Graph {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	g, err := Open(db, &Options{Matching: &MatchOptions{Params: match.DefaultParams()}})
	require.NoError(t, err)
	return g
}

// TestCandidateBlock checks which entries of a block are read around a
// sort key: the nearest on each side, self excluded and not counted, and
// with spill the whole of a block no larger than the budget.
func TestCandidateBlock(t *testing.T) {
	ctx := context.Background()
	g := matchingTestGraph(t)
	val, _ := match.Prepare(&match.Record{GivenName: "Ann"}).AppendBinary(nil)
	name := func(i int) string { return fmt.Sprintf("n%02d", i) }
	id := func(i int) Identifier { return New(Visitor, name(i)) }
	// Block "b1" holds n00…n99 and is followed by block "b2" (n00…n09),
	// the last block of the table.
	require.NoError(t, g.Update(ctx, func(tx *Tx) error {
		for i := range 100 {
			if err := tx.txn.Set(blockKey("b1", name(i), id(i)), val); err != nil {
				return err
			}
		}
		for i := range 10 {
			if err := tx.txn.Set(blockKey("b2", name(i), id(i)), val); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, c := range []struct {
		block, at   string
		self        int // -1: none
		back, fwd   int
		spill       bool
		want        []int
		description string
	}{
		{"b1", "n50", -1, 2, 3, true, []int{48, 49, 50, 51, 52}, "middle"},
		{"b1", "n50", 50, 2, 3, true, []int{48, 49, 51, 52, 53}, "self is skipped, not counted"},
		{"b1", "a", -1, 2, 3, true, []int{0, 1, 2, 3, 4}, "before the block: forward takes all"},
		{"b1", "a", -1, 2, 3, false, []int{0, 1, 2}, "before the block, no spill"},
		{"b1", "z", -1, 2, 3, true, []int{95, 96, 97, 98, 99}, "after the block: backward takes all"},
		{"b1", "n98", -1, 2, 3, true, []int{95, 96, 97, 98, 99}, "near the end: backward takes the rest"},
		{"b1", "n01", -1, 3, 2, true, []int{0, 1, 2, 3, 4}, "near the start: forward takes the rest"},
		{"b2", "n05", -1, 2, 3, true, []int{3, 4, 5, 6, 7}, "last block"},
		{"b2", "n08", -1, 2, 3, true, []int{5, 6, 7, 8, 9}, "last block, running off the table"},
		{"b2", "z", -1, 2, 3, true, []int{5, 6, 7, 8, 9}, "past the table's end"},
		{"b2", "n03", -1, 20, 20, true, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "a small block is read whole"},
		{"b0", "n03", -1, 2, 3, true, nil, "an empty block"},
	} {
		t.Run(c.description, func(t *testing.T) {
			require.NoError(t, g.View(ctx, func(tx *Tx) error {
				self := keys.Key(nil).String("visitor:none")
				if c.self >= 0 {
					self = keys.Key(nil).String(id(c.self).String())
				}
				m, _ := match.NewModel(match.DefaultParams(), nil)
				s := &candidateScan{tx: tx, model: m, p: match.Prepare(&match.Record{}), self: self, seen: map[string]bool{}}
				it := tx.txn.NewIter(prefixRange(keys.New(keys.MatchBlock)))
				defer it.Close()
				prefix := blockPrefix(c.block)
				if err := s.block(it, prefix, keys.Key(slices.Clone(prefix)).String(c.at), c.back, c.fwd, c.spill); err != nil {
					return err
				}
				var got []int
				for k := range s.seen {
					cand := candidate{id: []byte(k)}
					v, err := cand.identifier()
					require.NoError(t, err)
					var i int
					_, err = fmt.Sscanf(v.Value, "n%d", &i)
					require.NoError(t, err)
					got = append(got, i)
				}
				slices.Sort(got)
				assert.Equal(t, c.want, got)
				return it.Error()
			}))
		})
	}
}

// TestProfileIndexFollowsChanges checks that the blocking index never
// serves a stale profile: after a profile changes, its identifier's
// entries are exactly those of the new profile, each holding the new
// prepared values, and after Forget there are none.
func TestProfileIndexFollowsChanges(t *testing.T) {
	ctx := context.Background()
	g := matchingTestGraph(t)
	email := New(Email, "ann@example.com")
	observe := func(attrs map[string]string) {
		_, err := g.Observe(ctx, Observation{Source: "chat", Identifiers: []Identifier{email}, Attributes: attrs})
		require.NoError(t, err)
	}
	entries := func() (sorts []string, blocks []string, vals []match.Prepared) {
		require.NoError(t, g.View(ctx, func(tx *Tx) error {
			it := tx.txn.NewIter(prefixRange(keys.New(keys.MatchBlock)))
			defer it.Close()
			for ok := it.First(); ok; ok = it.Next() {
				d := keys.NewDecoder(it.Key())
				b, sort, id := d.String(), d.String(), d.String()
				if id != email.String() {
					continue
				}
				var p match.Prepared
				require.NoError(t, p.UnmarshalBinary(it.Value()))
				sorts, blocks, vals = append(sorts, sort), append(blocks, b), append(vals, p)
			}
			return it.Error()
		}))
		return
	}
	check := func(r match.Record) {
		t.Helper()
		want := match.Prepare(&r)
		idx := indexOf(want)
		sorts, blocks, vals := entries()
		assert.ElementsMatch(t, idx.blocks, blocks)
		for i := range sorts {
			assert.Equal(t, idx.sort, sorts[i])
			assert.Equal(t, want.String(), vals[i].String())
		}
	}
	observe(map[string]string{AttrGivenName: "Ann", AttrFamilyName: "Lee", AttrBirthDate: "1985-03-02", AttrPostcode: "97205"})
	check(match.Record{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "97205", Email: "ann@example.com"})
	// She marries and moves: the name (so every sort key) and the
	// postcode block change.
	observe(map[string]string{AttrFamilyName: "Smith", AttrPostcode: "10001", AttrCity: "New York"})
	check(match.Record{GivenName: "Ann", FamilyName: "Smith", BirthDate: "1985-03-02", Postcode: "10001", City: "New York",
		Email: "ann@example.com"})
	// A change that keeps every key changes the values.
	observe(map[string]string{AttrAddress: "5 Elm Street"})
	check(match.Record{GivenName: "Ann", FamilyName: "Smith", BirthDate: "1985-03-02", Postcode: "10001", City: "New York",
		Address: "5 Elm Street", Email: "ann@example.com"})
	_, blocks, _ := entries()
	assert.True(t, slices.ContainsFunc(blocks, func(s string) bool { return strings.HasPrefix(s, "email:") }))

	c, err := g.Lookup(ctx, email)
	require.NoError(t, err)
	_, err = g.Forget(ctx, c, ForgetOptions{})
	require.NoError(t, err)
	sorts, _, _ := entries()
	assert.Empty(t, sorts)
}
