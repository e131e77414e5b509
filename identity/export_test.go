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
// attributes, as Tx.Candidates does, in a read-only transaction, and
// returns how many scored at or above the review band: the part of a
// matching Observe that reads the blocking index, for
// BenchmarkObserveMatching's floor=candidates.
func (g *Graph) MatchCandidates(ctx context.Context, obs Observation) (int, error) {
	var n int
	p := ProfileOf(obs)
	err := g.View(ctx, func(tx *Tx) error {
		found, err := tx.Candidates(p, Identifier{Kind: Visitor, Value: "floor"})
		n = len(found)
		return err
	})
	return n, err
}

// Profile is an observation's profile prepared for matching, with its
// place in the blocking index, as a matching Observe of a new identifier
// prepares it.
type Profile struct {
	p   *match.Prepared
	idx indexEntries
}

// ProfileOf returns obs's profile.
func ProfileOf(obs Observation) Profile {
	p := overlay(profile{}, &obs, nil)
	rec := p.record()
	prep := match.Prepare(&rec)
	return Profile{p: prep, idx: indexOf(prep)}
}

// Candidates finds and scores the candidates of p, observed with self, as
// a matching Observe does but without term-frequency adjustment, and
// returns those at or above the review band.
func (tx *Tx) Candidates(p Profile, self Identifier) ([]Identifier, error) {
	cands, err := tx.candidates(self, p.idx, p.p, tx.g.matcher.model)
	if err != nil {
		return nil, err
	}
	ids := make([]Identifier, len(cands))
	for i := range cands {
		if ids[i], err = cands[i].identifier(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// MatchKeys are the keys a matching Observe of a new identifier's profile
// reads and writes besides the graph's records: the term statistics and
// the term counts of the profile's values, and its blocking index entries
// with the value they hold (the prepared profile).
type MatchKeys struct {
	Terms  [][]byte
	Blocks [][]byte
	Value  []byte
}

// Keys returns the keys of p, observed with self.
func (p Profile) Keys(self Identifier) MatchKeys {
	k := MatchKeys{Terms: [][]byte{termStatsKey}}
	for f := range match.Field(match.NumFields) {
		if v := p.p.Term(f); f.HasTerms() && v != "" {
			k.Terms = append(k.Terms, termKey(f, v))
		}
	}
	for _, b := range p.idx.blocks {
		k.Blocks = append(k.Blocks, blockKey(b, p.idx.sort, self))
	}
	k.Value, _ = p.p.AppendBinary(nil)
	return k
}

// PairKey is the key recording that a and b were reviewed.
func PairKey(a, b Identifier) []byte { return pairKey(a, b) }

// ForceLink links a and b past every guard, as accepting a conflict does,
// but records no conflict: the state a guard bypass leaves, which Check
// must report.
func (g *Graph) ForceLink(ctx context.Context, a, b Identifier) error {
	return g.Update(ctx, func(tx *Tx) error { return tx.forceLink(a, b, "test", unixNano(tx.now())) })
}
