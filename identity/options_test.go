package identity_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/store"
)

func TestOpenInvalidOptions(t *testing.T) {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	norm := identity.NormalizeAccount
	nanParams := match.DefaultParams()
	nanParams.Link = math.NaN()
	badPrior := match.DefaultParams()
	badPrior.Prior = 2
	for _, tc := range []struct {
		name  string
		opts  identity.Options
		field string
	}{
		{"empty kind", identity.Options{Kinds: []identity.KindPolicy{{Normalize: norm}}}, "Kinds[0].Kind"},
		{"upper-case kind", identity.Options{Kinds: []identity.KindPolicy{{Kind: "Loyalty", Normalize: norm}}}, "Kinds[0].Kind"},
		{"colon in kind", identity.Options{Kinds: []identity.KindPolicy{{Kind: "ok", Normalize: norm}, {Kind: "a:b", Normalize: norm}}}, "Kinds[1].Kind"},
		{"no normalizer", identity.Options{Kinds: []identity.KindPolicy{{Kind: "loyalty"}}}, "Kinds[0].Normalize"},
		{"unknown strength", identity.Options{Kinds: []identity.KindPolicy{{Kind: "loyalty", Normalize: norm, Strength: 7}}}, "Kinds[0].Strength"},
		{"negative limit", identity.Options{Kinds: []identity.KindPolicy{{Kind: "loyalty", Normalize: norm, Limit: -1}}}, "Kinds[0].Limit"},
		{"unknown region", identity.Options{DefaultRegion: "XX"}, "DefaultRegion"},
		{"negative MaxStrongIdentifiers", identity.Options{MaxStrongIdentifiers: -1}, "MaxStrongIdentifiers"},
		{"negative MaxIdentifiersPerObservation", identity.Options{MaxIdentifiersPerObservation: -5}, "MaxIdentifiersPerObservation"},
		{"unknown survivorship", identity.Options{Survivorship: map[string]identity.Survivorship{identity.AttrPostcode: 9}}, "Survivorship[postcode]"},
		{"NaN link band", identity.Options{Matching: &identity.MatchOptions{Params: nanParams}}, "Matching.Params"},
		{"prior out of range", identity.Options{Matching: &identity.MatchOptions{Params: badPrior}}, "Matching.Params"},
		{"no match params", identity.Options{Matching: &identity.MatchOptions{}}, "Matching.Params"},
		{"negative MaxCandidates", identity.Options{Matching: &identity.MatchOptions{Params: match.DefaultParams(), MaxCandidates: -1}}, "Matching.MaxCandidates"},
		{"negative Window", identity.Options{Matching: &identity.MatchOptions{Params: match.DefaultParams(), Window: -1}}, "Matching.Window"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := identity.Open(db, &tc.opts)
			require.Nil(t, g)
			require.ErrorIs(t, err, identity.ErrInvalidOptions)
			var oe *identity.OptionError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tc.field, oe.Field)
			assert.Contains(t, err.Error(), tc.field)
			if tc.field == "Matching.Params" {
				assert.ErrorIs(t, err, match.ErrInvalidParams)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	var nilOpts *identity.Options
	o := nilOpts.Clone()
	o.EnsureDefaults()
	require.NoError(t, o.Validate())
	assert.Equal(t, 20, o.MaxStrongIdentifiers)
	assert.Equal(t, 64, o.MaxIdentifiersPerObservation)
	assert.NotNil(t, o.Clock)

	in := &identity.Options{MaxStrongIdentifiers: identity.NoLimit, Matching: &identity.MatchOptions{Params: match.DefaultParams()},
		Survivorship: map[string]identity.Survivorship{identity.AttrPostcode: identity.MostTrusted}}
	c := in.Clone()
	c.EnsureDefaults()
	require.NoError(t, c.Validate())
	assert.Equal(t, identity.NoLimit, c.MaxStrongIdentifiers, "NoLimit is kept: the guard is off")
	assert.Equal(t, 32, c.Matching.MaxCandidates)
	assert.Equal(t, 2, c.Matching.Window)
	assert.Zero(t, in.Matching.MaxCandidates, "EnsureDefaults works on the clone")
	c.Survivorship[identity.AttrPostcode] = identity.MostFrequent
	assert.Equal(t, identity.MostTrusted, in.Survivorship[identity.AttrPostcode], "the clone's maps are its own")
}
