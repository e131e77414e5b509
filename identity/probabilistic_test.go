package identity_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
	"github.com/threadline/threadline/store"
)

func matchingGraph(t testing.TB) (*identity.Graph, *store.DB) {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	g, err := identity.Open(db, &identity.Options{Clock: func() time.Time { return now },
		Matching: &identity.MatchOptions{Params: match.DefaultParams()}})
	require.NoError(t, err)
	return g, db
}

// plainGraph is a graph without real-time matching, as a bulk load wants.
func plainGraph(t testing.TB) *identity.Graph {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	g, err := identity.Open(db, &identity.Options{})
	require.NoError(t, err)
	return g
}

func annProfile(email string) identity.Observation {
	return identity.Observation{Source: "chat", Identifiers: []identity.Identifier{identity.New(identity.Email, email)},
		Attributes: map[string]string{identity.AttrGivenName: "Zuzanna", identity.AttrFamilyName: "Wiśniewska",
			identity.AttrBirthDate: "1985-03-02", identity.AttrAddress: "12 Quirkstreet Lane", identity.AttrPostcode: "97205"}}
}

// TestForgetLeavesNoMatchData checks invariant 6 for the matcher's tables:
// after Forget no raw value of the customer, and nothing derived from it
// in clear, remains in the store.
func TestForgetLeavesNoMatchData(t *testing.T) {
	ctx := context.Background()
	g, db := matchingGraph(t)
	r1, err := g.Observe(ctx, annProfile("zuzanna.w@example.com"))
	require.NoError(t, err)
	// A weaker profile makes a review item naming her identifier.
	weak := annProfile("unused@example.net")
	weak.Identifiers = []identity.Identifier{identity.New(identity.Phone, "+1 503 555 0199")}
	weak.Attributes = map[string]string{identity.AttrGivenName: "Zuzana", identity.AttrFamilyName: "Wisniewski",
		identity.AttrBirthDate: "1985-03-19"}
	r2, err := g.Observe(ctx, weak)
	require.NoError(t, err)
	require.NotEmpty(t, r2.Matches)
	require.NotEqual(t, r1.Customer, r2.Customer)

	_, err = g.Forget(ctx, r1.Customer, identity.ForgetOptions{})
	require.NoError(t, err)
	raw := []string{"zuzanna", "Zuzanna", "wisniewska", "Wiśniewska", "quirkstreet", "Quirkstreet", "1985-03-02"}
	require.NoError(t, db.View(ctx, func(txn *store.Txn) error {
		it := txn.NewIter(nil)
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			for _, v := range raw {
				for _, b := range [][]byte{it.Key(), it.Value()} {
					if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(v))) {
						t.Errorf("%q remains in %s", v, store.FormatKey(it.Key()))
					}
				}
			}
		}
		return it.Error()
	}))
	rs, err := g.Reviews(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, rs, "the review naming the forgotten identifier is gone")
	vs, err := g.Check(ctx)
	require.NoError(t, err)
	assert.Empty(t, vs)
}

func TestReviewErrors(t *testing.T) {
	ctx := context.Background()
	g, _ := matchingGraph(t)
	_, err := g.AcceptReview(ctx, 99, "kim")
	assert.ErrorIs(t, err, identity.ErrNotFound)

	// Two accounts: a review between them cannot be accepted.
	a := annProfile("first.address@example.com")
	a.Identifiers = append(a.Identifiers, identity.New(identity.Account, "crm:1"))
	_, err = g.Observe(ctx, a)
	require.NoError(t, err)
	b := annProfile("unused@example.org")
	b.Identifiers = []identity.Identifier{identity.New(identity.Account, "crm:2")}
	b.Attributes = map[string]string{identity.AttrGivenName: "Zuzana", identity.AttrFamilyName: "Wiśniewska",
		identity.AttrBirthDate: "1985-03-19"}
	res, err := g.Observe(ctx, b)
	require.NoError(t, err)
	require.Len(t, res.Matches, 1)
	require.Equal(t, identity.MatchReviewed, res.Matches[0].Decision, "weight %.2f", res.Matches[0].Weight)
	_, err = g.AcceptReview(ctx, res.Matches[0].Review, "kim")
	var refused *identity.MergeRefusedError
	require.True(t, errors.As(err, &refused), "%v", err)
	assert.Equal(t, identity.GuardLimit, refused.Guard)
	rs, err := g.Reviews(ctx, identity.ReviewPending)
	require.NoError(t, err)
	assert.Len(t, rs, 1, "a refused accept leaves the item pending")
}

func TestMatchingOptionsInvalid(t *testing.T) {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	p := match.DefaultParams()
	p.Prior = 2
	_, err = identity.Open(db, &identity.Options{Matching: &identity.MatchOptions{Params: p}})
	assert.ErrorIs(t, err, identity.ErrInvalidOptions)
	assert.ErrorIs(t, err, match.ErrInvalidParams)
}

// ExampleMatchOptions links a caller who shares no identifier with the
// customer on file, by profile.
func ExampleMatchOptions() {
	ctx := context.Background()
	db, _ := store.Open("", &store.Options{InMemory: true})
	defer db.Close()
	g, _ := identity.Open(db, &identity.Options{Matching: &identity.MatchOptions{Params: match.DefaultParams()}})
	profile := map[string]string{identity.AttrGivenName: "Ann", identity.AttrFamilyName: "Lee",
		identity.AttrBirthDate: "1985-03-02", identity.AttrPostcode: "97205"}
	first, _ := g.Observe(ctx, identity.Observation{Source: "chat", Attributes: profile,
		Identifiers: []identity.Identifier{identity.New(identity.Email, "ann.lee@example.com")}})
	second, _ := g.Observe(ctx, identity.Observation{Source: "voice", Attributes: profile,
		Identifiers: []identity.Identifier{identity.New(identity.Phone, "+1 503 555 0100")}})
	fmt.Println(first.Customer, second.Customer, second.Outcome)
	for _, m := range second.Matches {
		fmt.Println(m.Decision, m.Identifier, strings.Join(m.Evidence[:4], " "))
	}
	// Output:
	// c1 c1 attached
	// link email:ann.lee@example.com prior=-13.65 given_name=exact:+4.95 family_name=exact:+6.39 birth_date=exact:+13.09
}

// TestEvidenceAddsUp checks that a probabilistic link's evidence, as
// Explain shows it, adds up to its score: the prior and the field weights.
func TestEvidenceAddsUp(t *testing.T) {
	ctx := context.Background()
	g, _ := matchingGraph(t)
	_, err := g.Observe(ctx, annProfile("zuzanna.w@example.com"))
	require.NoError(t, err)
	caller := annProfile("")
	caller.Identifiers = []identity.Identifier{identity.New(identity.Phone, "+1 503 555 0100")}
	res, err := g.Observe(ctx, caller)
	require.NoError(t, err)
	require.NotEmpty(t, res.Matches)
	require.Equal(t, identity.MatchLinked, res.Matches[0].Decision)
	path, err := g.Explain(ctx, identity.New(identity.Phone, "+15035550100"), identity.New(identity.Email, "zuzanna.w@example.com"))
	require.NoError(t, err)
	require.Len(t, path, 1)
	assertAddsUp(t, path[0])
}

// assertAddsUp checks that l's evidence starts with the prior and that its
// terms, as rounded for display, add up to its score.
func assertAddsUp(t *testing.T, l identity.Link) {
	t.Helper()
	require.True(t, strings.HasPrefix(l.Comparisons[0], "prior="), "evidence %v starts with the prior", l.Comparisons)
	sum := 0.0
	for _, term := range l.Comparisons {
		var w float64
		_, err := fmt.Sscanf(term[strings.LastIndexAny(term, "=:")+1:], "%f", &w)
		require.NoError(t, err, term)
		sum += w
	}
	assert.InDelta(t, l.Score, sum, 0.005*float64(len(l.Comparisons)), "terms %v", l.Comparisons)
}

// TestLoadMatches deduplicates a generated CRM table in bulk, loads it into
// the graph, and checks that the graph's customers are the clusters, with
// the evidence on the links.
func TestLoadMatches(t *testing.T) {
	ctx := context.Background()
	g := plainGraph(t)
	people := synth.Generate(&synth.Options{Seed: 21, Records: 2000})
	recs := make([]match.Record, len(people))
	obs := make([]identity.Observation, len(people))
	for i, p := range people {
		recs[i] = p.Record
		// One identifier per CRM row; at most five emails a customer, as
		// the default email limit allows.
		obs[i] = identity.Observation{Source: "crm-import", Attributes: matchAttrs(&p.Record),
			Identifiers: []identity.Identifier{identity.New(identity.Email, p.ID+"@crm.example")}}
	}
	res, err := match.Dedupe(ctx, recs, &match.Options{MaxClusterSize: 5})
	require.NoError(t, err)
	lr, err := g.LoadMatches(ctx, obs, res, nil)
	require.NoError(t, err)
	assert.Equal(t, len(recs), lr.Observed)
	assert.Greater(t, lr.Linked, 0)
	assert.Zero(t, lr.Refused)
	t.Logf("%+v", lr)

	customerOf := func(i int) identity.CustomerID {
		c, err := g.Lookup(ctx, obs[i].Identifiers[0])
		require.NoError(t, err)
		return c
	}
	byCluster := map[int]identity.CustomerID{}
	byCustomer := map[identity.CustomerID]int{}
	for i, cl := range res.Cluster {
		c := customerOf(i)
		if prev, ok := byCluster[cl]; ok {
			require.Equal(t, prev, c, "record %d: one cluster, one customer", i)
		}
		if prev, ok := byCustomer[c]; ok {
			require.Equal(t, prev, cl, "record %d: one customer, one cluster", i)
		}
		byCluster[cl], byCustomer[c] = c, cl
	}
	for _, c := range res.Clusters() {
		path, err := g.Explain(ctx, obs[c[0]].Identifiers[0], obs[c[1]].Identifiers[0])
		require.NoError(t, err)
		require.NotEmpty(t, path)
		assert.Equal(t, identity.RuleBulk, path[0].Rule)
		assert.Len(t, path[0].Comparisons, 1+match.NumFields) // the prior, then every field
		assertAddsUp(t, path[0])
		break
	}
	rs, err := g.Reviews(ctx, identity.ReviewPending)
	require.NoError(t, err)
	assert.Len(t, rs, lr.Reviews)
	vs, err := g.Check(ctx)
	require.NoError(t, err)
	assert.Empty(t, vs)

	_, err = g.LoadMatches(ctx, obs[:10], res, nil)
	assert.ErrorIs(t, err, identity.ErrInvalidObservation, "a result for other records")
}

// TestLoadMatchesNoReviewWithinCustomer checks that a review-band pair
// whose records share an identifier (one customer already) is not queued.
func TestLoadMatchesNoReviewWithinCustomer(t *testing.T) {
	ctx := context.Background()
	g := plainGraph(t)
	obs := []identity.Observation{
		annProfile("zuzanna.w@example.com"),
		annProfile("zuzanna.w@example.com"),
		annProfile("someone.else@example.com"),
	}
	res := &match.Result{Params: match.DefaultParams(), Cluster: []int{0, 1, 2}, Pairs: []match.Pair{
		{A: 0, B: 1, Weight: 1, Decision: match.Review},
		{A: 0, B: 2, Weight: 1, Decision: match.Review},
	}}
	lr, err := g.LoadMatches(ctx, obs, res, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, lr.Reviews)
	rs, err := g.Reviews(ctx, identity.ReviewPending)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "email:someone.else@example.com", rs[0].B.String())
}

// TestRealTimeQuality observes generated records one by one, each with its
// own visitor ID (so only profile matching can join them), and measures
// the customers against the ground truth. Floors sit a little under the
// measured values, so that a change to candidate finding or scoring that
// loses matches fails.
func TestRealTimeQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("observes 3,000 records")
	}
	ctx := context.Background()
	g, _ := matchingGraph(t)
	people := synth.Generate(&synth.Options{Seed: 5, Records: 3000})
	ids := make([]identity.Identifier, len(people))
	for i, p := range people {
		ids[i] = identity.New(identity.Visitor, p.ID)
		_, err := g.Observe(ctx, identity.Observation{Source: "chat", Attributes: matchAttrs(&p.Record),
			Identifiers: []identity.Identifier{ids[i]}})
		require.NoError(t, err)
	}
	truth := make([]int, len(people))
	cluster := make([]int, len(people))
	for i, p := range people {
		c, err := g.Lookup(ctx, ids[i])
		require.NoError(t, err)
		truth[i], cluster[i] = p.Truth, int(c)
	}
	m := match.Evaluate(truth, cluster, nil)
	t.Logf("pairwise P %.4f R %.4f F1 %.4f; B-cubed F1 %.4f", m.Precision, m.Recall, m.F1, m.BCubedF1)
	assert.GreaterOrEqual(t, m.Precision, 0.95, "pairwise precision")
	assert.GreaterOrEqual(t, m.Recall, 0.85, "pairwise recall")
}

// TestLoadMatchesIndexOnly checks that with real-time matching on,
// LoadMatches indexes the records' profiles for later observations but
// does not score the records themselves: the bulk result alone decides
// (here two identical profiles that the result keeps apart stay apart),
// and that it reports its progress.
func TestLoadMatchesIndexOnly(t *testing.T) {
	ctx := context.Background()
	g, _ := matchingGraph(t)
	other := annProfile("someone.else@example.com")
	other.Attributes = map[string]string{identity.AttrGivenName: "Zuzana", identity.AttrFamilyName: "Wisniewski",
		identity.AttrBirthDate: "1985-03-19"}
	obs := []identity.Observation{annProfile("zuzanna.w@example.com"), annProfile("z.wisniewska@example.org"), other}
	res := &match.Result{Params: match.DefaultParams(), Cluster: []int{0, 1, 2}, Pairs: []match.Pair{
		{A: 0, B: 2, Weight: 1, Decision: match.Review},
	}}
	var got []match.Progress
	lr, err := g.LoadMatches(ctx, obs, res, &identity.LoadOptions{Progress: func(p match.Progress) { got = append(got, p) }})
	require.NoError(t, err)
	assert.Equal(t, identity.LoadResult{Observed: 3, Reviews: 1}, lr)
	assert.Equal(t, []match.Progress{{Stage: "observe", Done: 3, Total: 3}, {Stage: "link", Done: 1, Total: 1}}, got)

	var loaded []identity.CustomerID
	for _, o := range obs[:2] {
		c, err := g.Lookup(ctx, o.Identifiers[0])
		require.NoError(t, err)
		loaded = append(loaded, c)
	}
	assert.NotEqual(t, loaded[0], loaded[1], "the result kept them apart; real-time scoring would have linked them")
	rs, err := g.Reviews(ctx, identity.ReviewPending)
	require.NoError(t, err)
	require.Len(t, rs, 1, "only the result's review pair")

	// The loaded profiles are indexed: a later visitor with the same
	// profile is matched to one of them in real time.
	later := annProfile("unused@example.net")
	later.Identifiers = []identity.Identifier{identity.New(identity.Visitor, "v-later")}
	r, err := g.Observe(ctx, later)
	require.NoError(t, err)
	require.NotEmpty(t, r.Matches)
	assert.Contains(t, loaded, r.Matches[0].Customer)
}
