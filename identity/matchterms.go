package identity

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/keys"
)

// Term counts for term-frequency adjustment, kept in the store: per field,
// the number of profiles holding each value (keyed by a hash, so no raw
// value is stored) and the sum of squared counts.

func termKey(f match.Field, v string) []byte {
	h := sha256.Sum256([]byte(v))
	return keys.New(keys.MatchTerm).Uint(uint64(f)).Bytes(h[:16])
}
func termStatsKey(f match.Field) []byte { return keys.New(keys.MatchTerm).Uint(uint64(f)) }

// profileCount is kept in the stats key of field 0 (every profile counts
// there) next to the field's sum of squared counts.
type termStats struct {
	profiles uint64
	sumSq    uint64
}

func (tx *Tx) termStats(f match.Field) (termStats, error) {
	b, err := tx.txn.Get(termStatsKey(f))
	if err != nil {
		if isNotFound(err) {
			return termStats{}, nil
		}
		return termStats{}, err
	}
	var s termStats
	var n int
	s.profiles, n = binary.Uvarint(b)
	s.sumSq, _ = binary.Uvarint(b[max(n, 0):])
	return s, nil
}

func (tx *Tx) setTermStats(f match.Field, s termStats) error {
	return tx.txn.Set(termStatsKey(f), binary.AppendUvarint(binary.AppendUvarint(nil, s.profiles), s.sumSq))
}

// countTerm adds d (+1 or -1) to the count of value v of field f, keeping
// the field's sum of squares s in step, and returns the new count.
func (tx *Tx) countTerm(f match.Field, v string, d int, s *termStats) (uint64, error) {
	k := termKey(f, v)
	var n uint64
	if b, err := tx.txn.Get(k); err == nil {
		n = readUvarint(b)
	} else if !isNotFound(err) {
		return 0, err
	}
	next := uint64(max(int64(n)+int64(d), 0))
	s.sumSq = s.sumSq - n*n + next*next
	if next == 0 {
		return 0, tx.txn.Delete(k)
	}
	return next, tx.txn.Set(k, uvarint(next))
}

// countTerms brings the term counts in step with a profile whose terms
// change from old's to p's: old is nil for a new profile, p for one
// removed (Forget). Unless t is nil it leaves there what it wrote: the
// counts that scoring the same profile reads next.
func (tx *Tx) countTerms(old, p *match.Prepared, t *storeTerms) error {
	var stats [match.NumFields]termStats
	var read [match.NumFields]bool
	var err error
	if stats[0], err = tx.termStats(0); err != nil {
		return err
	}
	read[0] = true
	changed := read
	switch {
	case old == nil:
		stats[0].profiles++
	case p == nil:
		stats[0].profiles = max(stats[0].profiles, 1) - 1
	default:
		changed[0] = false
	}
	counts := map[termRef]uint64{}
	for f := range match.Field(match.NumFields) {
		var before, after string
		if old != nil {
			before = old.Term(f)
		}
		if p != nil {
			after = p.Term(f)
		}
		if !f.HasTerms() || before == after {
			continue
		}
		if !read[f] {
			if stats[f], err = tx.termStats(f); err != nil {
				return err
			}
			read[f] = true
		}
		changed[f] = true
		if before != "" {
			if _, err := tx.countTerm(f, before, -1, &stats[f]); err != nil {
				return err
			}
		}
		if after != "" {
			n, err := tx.countTerm(f, after, +1, &stats[f])
			if err != nil {
				return err
			}
			counts[termRef{f, after}] = n
		}
	}
	for f := range match.Field(match.NumFields) {
		if changed[f] {
			if err := tx.setTermStats(f, stats[f]); err != nil {
				return err
			}
		}
	}
	if t == nil {
		return nil
	}
	t.profiles = float64(stats[0].profiles)
	if t.profiles == 0 {
		return nil
	}
	for f := range match.Field(match.NumFields) {
		if read[f] {
			t.agree[f] = float64(stats[f].sumSq) / (t.profiles * t.profiles)
		}
	}
	for r, n := range counts {
		t.freq[r] = float64(n) / t.profiles
	}
	return nil
}

// storeTerms reads term frequencies from the store for one observation,
// remembering what it read or what countTerms wrote: the candidates of
// one observation share the observation's values.
type storeTerms struct {
	tx       *Tx
	profiles float64
	freq     map[termRef]float64
	agree    [match.NumFields]float64 // -1: not read yet
	err      error
}

type termRef struct {
	f match.Field
	v string
}

func newStoreTerms(tx *Tx) *storeTerms {
	t := &storeTerms{tx: tx, freq: map[termRef]float64{}}
	for f := range t.agree {
		t.agree[f] = -1
	}
	return t
}

func (t *storeTerms) Frequency(f match.Field, v string) float64 {
	if t.profiles == 0 || v == "" {
		return 0
	}
	if q, ok := t.freq[termRef{f, v}]; ok {
		return q
	}
	var q float64
	b, err := t.tx.txn.Get(termKey(f, v))
	switch {
	case err == nil:
		q = float64(readUvarint(b)) / t.profiles
	case !isNotFound(err) && t.err == nil:
		t.err = err
	}
	t.freq[termRef{f, v}] = q
	return q
}

func (t *storeTerms) Agreement(f match.Field) float64 {
	if t.profiles == 0 {
		return 0
	}
	if t.agree[f] < 0 {
		s, err := t.tx.termStats(f)
		if err != nil && t.err == nil {
			t.err = err
		}
		t.agree[f] = float64(s.sumSq) / (t.profiles * t.profiles)
	}
	return t.agree[f]
}
