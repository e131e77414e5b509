package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
)

// crmTable is a generated CRM table with each row's ID as an identifier
// of kind k, deduplicated in bulk.
func crmTable(t *testing.T, k identity.Kind) ([]identity.Observation, *match.Result) {
	t.Helper()
	people := synth.Generate(&synth.Options{Seed: 21, Records: 1000})
	recs := make([]match.Record, len(people))
	obs := make([]identity.Observation, len(people))
	for i, p := range people {
		recs[i] = p.Record
		obs[i] = identity.Observation{Source: "crm-import", Attributes: matchAttrs(&p.Record),
			Identifiers: []identity.Identifier{identity.New(k, "crm:"+p.ID)}}
	}
	res, err := match.Dedupe(context.Background(), recs, nil)
	require.NoError(t, err)
	return obs, res
}

// TestLoadMatchesSourceRecords loads a table whose only identifiers are
// its row IDs: as SourceRecord every matched pair links, clusters of any
// size; as Account (one per customer) every link is refused, and
// LoadMatches says so with an error instead of a count nobody reads.
func TestLoadMatchesSourceRecords(t *testing.T) {
	ctx := context.Background()
	obs, res := crmTable(t, identity.SourceRecord)
	largest := 0
	for _, c := range res.Clusters() {
		largest = max(largest, len(c))
	}
	require.Greater(t, largest, 2, "clusters larger than the account limit")

	g := plainGraph(t)
	lr, err := g.LoadMatches(ctx, obs, res, nil)
	require.NoError(t, err)
	assert.Zero(t, lr.Refused)
	assert.Empty(t, lr.Refusals)
	assert.Positive(t, lr.Linked)
	for _, c := range res.Clusters() {
		want, err := g.Lookup(ctx, obs[c[0]].Identifiers[0])
		require.NoError(t, err)
		for _, i := range c[1:] {
			got, err := g.Lookup(ctx, obs[i].Identifiers[0])
			require.NoError(t, err)
			require.Equal(t, want, got, "record %d: one cluster, one customer", i)
		}
	}
	vs, err := g.Check(ctx)
	require.NoError(t, err)
	assert.Empty(t, vs)

	obs, res = crmTable(t, identity.Account)
	lr, err = plainGraph(t).LoadMatches(ctx, obs, res, nil)
	var refused *identity.RefusedLinksError
	require.ErrorAs(t, err, &refused)
	assert.ErrorIs(t, err, identity.ErrRefusedLinks)
	assert.Zero(t, lr.Linked)
	assert.Equal(t, len(obs), lr.Observed, "the load finished")
	assert.Positive(t, lr.Refused)
	assert.Len(t, lr.Refusals, lr.Refused)
	assert.Equal(t, map[identity.Guard]int{identity.GuardLimit: lr.Refused}, refused.Guards)
	assert.Equal(t, refused.Linked, refused.Refused)
	assert.Contains(t, err.Error(), "stored as account instead of record")
	for _, r := range lr.Refusals {
		assert.Equal(t, res.Cluster[r.A], res.Cluster[r.B], "a refused pair is one of the result's links")
	}
}

// TestLoadMatchesSkipInvalid: one bad phone fails the whole load before
// anything is written, unless SkipInvalid, which loads the rest and
// reports each record's invalid identifiers; a record left with none is
// not observed, and the result's pairs naming it are ignored.
func TestLoadMatchesSkipInvalid(t *testing.T) {
	ctx := context.Background()
	badPhone := identity.New(identity.Phone, "+1 555 01")
	obs := []identity.Observation{
		annProfile("zuzanna.w@example.com"),
		annProfile("z.wisniewska@example.org"),
		annProfile("third@example.com"),
	}
	obs[1].Identifiers = append(obs[1].Identifiers, badPhone)
	obs[2].Identifiers = []identity.Identifier{badPhone, identity.New(identity.Email, "not an email")}
	res := &match.Result{Params: match.DefaultParams(), Cluster: []int{0, 0, 2}, Pairs: []match.Pair{
		{A: 0, B: 1, Weight: 20, Decision: match.Link, Clustered: true},
		{A: 0, B: 2, Weight: 1, Decision: match.Review},
	}}

	g := plainGraph(t)
	_, err := g.LoadMatches(ctx, obs, res, nil)
	require.ErrorIs(t, err, identity.ErrInvalidIdentifier)
	assert.ErrorContains(t, err, "record 1: ")
	_, err = g.Lookup(ctx, obs[0].Identifiers[0])
	assert.ErrorIs(t, err, identity.ErrNotFound, "nothing written")

	lr, err := g.LoadMatches(ctx, obs, res, &identity.LoadOptions{SkipInvalid: true})
	require.NoError(t, err)
	assert.Equal(t, 1, lr.Linked)
	assert.Zero(t, lr.Reviews, "the review pair names an unobserved record")
	require.Len(t, lr.Skipped, 2)
	assert.Equal(t, 1, lr.Skipped[0].Record)
	assert.False(t, lr.Skipped[0].Unobserved)
	assert.Len(t, lr.Skipped[0].Errors, 1)
	assert.Equal(t, 2, lr.Skipped[1].Record)
	assert.True(t, lr.Skipped[1].Unobserved)
	require.Len(t, lr.Skipped[1].Errors, 2)
	for _, e := range append(lr.Skipped[0].Errors, lr.Skipped[1].Errors...) {
		var ie *identity.InvalidIdentifierError
		require.True(t, errors.As(e, &ie), "%v", e)
	}
	assert.Equal(t, 2, lr.Observed)
	a, err := g.Lookup(ctx, obs[0].Identifiers[0])
	require.NoError(t, err)
	b, err := g.Lookup(ctx, obs[1].Identifiers[0])
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Len(t, obs[1].Identifiers, 2, "the caller's records are not edited")

	// An unregistered kind is not an invalid value: it still fails.
	obs[1].Identifiers = append(obs[1].Identifiers, identity.New("fax", "1"))
	_, err = plainGraph(t).LoadMatches(ctx, obs, res, &identity.LoadOptions{SkipInvalid: true})
	assert.ErrorIs(t, err, identity.ErrUnknownKind)
}

// TestSourceRecordKind: record IDs are namespaced like accounts, and
// errors name their own kind.
func TestSourceRecordKind(t *testing.T) {
	v, err := identity.NormalizeSourceRecord(" CRM: 0031x00AbC ")
	require.NoError(t, err)
	assert.Equal(t, "crm:0031x00AbC", v)
	_, err = identity.NormalizeSourceRecord("0031x00AbC")
	var ie *identity.InvalidIdentifierError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, identity.SourceRecord, ie.Kind)
}
