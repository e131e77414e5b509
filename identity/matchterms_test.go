package identity

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/keys"
)

// TestTermCountsFollowProfiles checks that the stored term counts and
// per-field statistics always equal a recount of the stored profiles, as
// profiles are added, changed, merged and forgotten.
func TestTermCountsFollowProfiles(t *testing.T) {
	ctx := context.Background()
	g := matchingTestGraph(t)
	check := func(step string) {
		t.Helper()
		require.NoError(t, g.View(ctx, func(tx *Tx) error {
			var profiles uint64
			counts := map[string]uint64{}  // termKey -> count
			var terms [match.NumFields]int // distinct terms per field
			it := tx.txn.NewIter(prefixRange(keys.New(keys.MatchProfile)))
			for ok := it.First(); ok; ok = it.Next() {
				p, _, err := decodeProfile(it.Value())
				require.NoError(t, err)
				r := p.record()
				prep := match.Prepare(&r)
				profiles++
				for f := range match.Field(match.NumFields) {
					if v := prep.Term(f); v != "" {
						k := string(termKey(f, v))
						if counts[k] == 0 {
							terms[f]++
						}
						counts[k]++
					}
				}
			}
			require.NoError(t, it.Close())
			s, err := tx.termStats()
			require.NoError(t, err)
			assert.Equal(t, profiles, s.profiles, "%s: profiles", step)
			for f := range match.Field(match.NumFields) {
				it := tx.txn.NewIter(prefixRange(termPrefix(f)))
				var sumSq uint64
				stored := 0
				for ok := it.First(); ok; ok = it.Next() {
					n, _ := binary.Uvarint(it.Value())
					assert.Equal(t, counts[string(it.Key())], n, "%s: count of a field %d term", step, f)
					sumSq += n * n
					stored++
				}
				require.NoError(t, it.Close())
				assert.Equal(t, terms[f], stored, "%s: field %d terms stored", step, f)
				assert.Equal(t, sumSq, s.sumSq[f], "%s: field %d sum of squares", step, f)
			}
			return nil
		}))
	}
	observe := func(email string, attrs map[string]string) CustomerID {
		res, err := g.Observe(ctx, Observation{Source: "crm", Identifiers: []Identifier{New(Email, email)}, Attributes: attrs})
		require.NoError(t, err)
		return res.Customer
	}
	ann := observe("ann@example.com", map[string]string{AttrGivenName: "Ann", AttrFamilyName: "Lee", AttrBirthDate: "1985-03-02"})
	observe("bob@example.com", map[string]string{AttrGivenName: "Bob", AttrFamilyName: "Lee", AttrPostcode: "97205"})
	observe("cy@example.com", map[string]string{AttrFullName: "Cy Young"})
	check("three profiles")
	observe("ann@example.com", map[string]string{AttrFamilyName: "Smith"})
	check("a changed family name")
	observe("bob@example.com", map[string]string{AttrCity: "Portland"})
	check("a change without new terms")
	_, err := g.Forget(ctx, ann, ForgetOptions{})
	require.NoError(t, err)
	check("after Forget")
}
