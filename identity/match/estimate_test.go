package match_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match"
)

func TestParseBlockingRule(t *testing.T) {
	for _, spec := range append(match.DefaultBlockingRules(), match.DefaultTrainingRules()...) {
		r, err := match.ParseBlockingRule(spec)
		require.NoError(t, err, spec)
		assert.Equal(t, spec, r.String())
	}
	for _, bad := range []string{"", "nickname", "given:soundex+", "birth_date:3", "email:soundex", "phone:0", "given:x"} {
		_, err := match.ParseBlockingRule(bad)
		assert.ErrorIs(t, err, match.ErrInvalidRule, "%q", bad)
	}
	_, err := match.Dedupe(context.Background(), []match.Record{{GivenName: "a"}}, &match.Options{Blocking: []string{"shoe_size"}})
	assert.ErrorIs(t, err, match.ErrInvalidRule)
	_, _, err = match.Estimate(context.Background(), nil, &match.Options{Training: []string{"given:0"}})
	assert.ErrorIs(t, err, match.ErrInvalidRule)
}

// TestEstimationReport checks what estimation reports on the committed
// dataset: a session for each training rule, each converged and leaving
// out the fields its rule constrains, and no fallback; reduced to names
// and birth dates, the fields it no longer has fall back to the defaults,
// and a birth date typo is not taken for proof of two people (EM on
// candidate pairs alone once made m of an exact birth date 1).
func TestEstimationReport(t *testing.T) {
	recs, _ := loadDataset(t)
	ctx := context.Background()
	p, est, err := match.Estimate(ctx, recs, nil)
	require.NoError(t, err)
	require.Len(t, est.Sessions, len(match.DefaultTrainingRules()))
	assert.True(t, est.Converged)
	assert.Empty(t, est.Fallback)
	assert.Equal(t, len(recs), p.Records)
	for _, s := range est.Sessions {
		assert.True(t, s.Converged, s.Rule)
		assert.NotContains(t, s.Fields, map[string]string{"given": "given_name", "family": "family_name",
			"birth_date": "birth_date", "postcode": "location", "email": "email_local", "phone": "phone"}[s.Rule])
	}
	assert.Greater(t, est.PairsCompleteness, 0.5)
	assert.LessOrEqual(t, est.PairsCompleteness, 1.0)
	// The prior is the share of matches among all pairs: the dataset has
	// about 3,600 matching pairs among 50M.
	assert.InDelta(t, 3600/49_995_000.0, p.Prior, 4e-5)

	names := variant(recs, func(_ int, f string) bool {
		return f == "given_name" || f == "family_name" || f == "full_name" || f == "birth_date"
	})
	p, est, err = match.Estimate(ctx, names, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"location", "email_local", "phone"}, est.Fallback)
	dob := p.Fields[match.BirthDate].Levels
	assert.Less(t, dob[0].M, 0.95, "m of an exact birth date")
	assert.Greater(t, math.Log2(dob[len(dob)-1].M/dob[len(dob)-1].U), -12.0, "weight of different birth dates")
}

// TestForRecords checks that the prior is scaled down for a bigger table
// than the parameters were estimated on, and kept for a smaller one.
func TestForRecords(t *testing.T) {
	p := match.DefaultParams()
	m, err := match.NewModel(p, nil)
	require.NoError(t, err)
	a := match.Prepare(&match.Record{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02"})
	w := func(m *match.Model) float64 { s := m.Score(a, a); return s.Weight }
	base := w(m)
	assert.InDelta(t, base, w(m.ForRecords(10)), 1e-9, "a smaller store keeps the prior")
	assert.InDelta(t, base-math.Log2(10), w(m.ForRecords(10*(p.Records-1))), 0.01, "ten times the records")
	p.Records = 0
	m, err = match.NewModel(p, nil)
	require.NoError(t, err)
	assert.InDelta(t, base, w(m.ForRecords(1_000_000)), 1e-9, "records 0: any size")
	p.Records = -1
	assert.ErrorIs(t, p.Validate(), match.ErrInvalidParams)
}

// TestBlockingReport checks the report of each blocking rule: its own
// pairs, counted once, add up to the pairs compared.
func TestBlockingReport(t *testing.T) {
	recs, _ := loadDataset(t)
	rules := []string{"email", "birth_date", "family:soundex+birth_year"}
	res, err := match.Dedupe(context.Background(), recs[:3000], &match.Options{Blocking: rules})
	require.NoError(t, err)
	require.Len(t, res.Blocking, len(rules)+1)
	var sum int64
	for k, rep := range res.Blocking {
		if k < len(rules) {
			assert.Equal(t, rules[k], rep.Rule)
		} else {
			assert.Equal(t, "sorted-neighbourhood", rep.Rule)
		}
		assert.Positive(t, rep.Pairs, rep.Rule)
		sum += rep.Pairs
		assert.Equal(t, sum, rep.Cumulative)
	}
	assert.Equal(t, res.Compared, sum)
}
