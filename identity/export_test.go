package identity

import (
	"context"

	"github.com/threadline/threadline/identity/match"
)

// Keys for the floor benchmarks of package identity_test (bench_test.go),
// which do an Observe's unavoidable reads and writes on the store directly.

// IdentKey is the key of id's identifier record.
func IdentKey(id Identifier) []byte { return identKey(id) }

// AdjKey is the key of the adjacency entry of a link from a to b.
func AdjKey(a, b Identifier) []byte { return adjKey(a, b) }

// MatchCandidates finds and scores the candidates of obs's profile
// attributes, as a matching Observe does, but in a read-only transaction
// and without term-frequency adjustment, and returns how many scored at or
// above the review band: the part of a matching Observe that reads the
// blocking index, for BenchmarkObserveMatching's floor.
func (g *Graph) MatchCandidates(ctx context.Context, obs Observation) (int, error) {
	var n int
	err := g.View(ctx, func(tx *Tx) error {
		p := overlay(profile{}, &obs, nil)
		rec := p.record()
		prep := match.Prepare(&rec)
		cands, err := tx.candidates(Identifier{Kind: Visitor, Value: "floor"}, indexOf(prep), prep, g.matcher.model)
		n = len(cands)
		return err
	})
	return n, err
}
