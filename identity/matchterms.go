package identity

import (
	"crypto/sha256"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
)

// Term counts for term-frequency adjustment, kept in the store: per field,
// the number of profiles holding each value (keyed by a hash, so no raw
// value is stored), and one statistics record: the number of profiles and
// each field's sum of squared counts.

func termKey(f match.Field, v string) []byte {
	h := sha256.Sum256([]byte(v))
	return termPrefix(f).Bytes(h[:16])
}

// termPrefix is the prefix of field f's term counts.
func termPrefix(f match.Field) keys.Key { return keys.New(keys.MatchTerm).Uint(uint64(f)) }

// termStatsKey holds the statistics record: the table's key with no
// components, before every term count.
var termStatsKey = []byte(keys.New(keys.MatchTerm))

type termStats struct {
	profiles uint64
	sumSq    [match.NumFields]uint64
}

func (tx *Tx) termStats() (termStats, error) {
	var s termStats
	b, err := tx.txn.Get(termStatsKey)
	if err != nil {
		if isNotFound(err) {
			return s, nil
		}
		return s, err
	}
	r := enc.NewReader(b)
	s.profiles = r.Uint()
	for f := range s.sumSq {
		s.sumSq[f] = r.Uint()
	}
	return s, corrupt("match term statistics", r.Err())
}

func (tx *Tx) setTermStats(s termStats) error {
	var w enc.Writer
	w.Uint(s.profiles)
	for _, q := range s.sumSq {
		w.Uint(q)
	}
	return tx.txn.Set(termStatsKey, w.B)
}

// countTerm adds d (+1 or -1) to the count of value v of field f, keeping
// the field's sum of squares sumSq in step, and returns the new count.
func (tx *Tx) countTerm(f match.Field, v string, d int, sumSq *uint64) (uint64, error) {
	k := termKey(f, v)
	var n uint64
	if b, err := tx.txn.Get(k); err == nil {
		n = readUvarint(b)
	} else if !isNotFound(err) {
		return 0, err
	}
	next := uint64(max(int64(n)+int64(d), 0))
	*sumSq = *sumSq - n*n + next*next
	if next == 0 {
		return 0, tx.txn.Delete(k)
	}
	return next, tx.txn.Set(k, uvarint(next))
}

// countTerms brings the term counts in step with a profile whose terms
// change from old's to p's: old is nil for a new profile, p for one
// removed (Forget). Unless t is nil it leaves there what it wrote: the
// statistics and the counts that scoring the same profile reads next.
func (tx *Tx) countTerms(old, p *match.Prepared, t *storeTerms) error {
	stats, err := tx.termStats()
	if err != nil {
		return err
	}
	changed := true
	switch {
	case old == nil:
		stats.profiles++
	case p == nil:
		stats.profiles = max(stats.profiles, 1) - 1
	default:
		changed = false
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
		changed = true
		if before != "" {
			if _, err := tx.countTerm(f, before, -1, &stats.sumSq[f]); err != nil {
				return err
			}
		}
		if after != "" {
			n, err := tx.countTerm(f, after, +1, &stats.sumSq[f])
			if err != nil {
				return err
			}
			counts[termRef{f, after}] = n
		}
	}
	if changed {
		if err := tx.setTermStats(stats); err != nil {
			return err
		}
	}
	if t == nil {
		return nil
	}
	t.profiles = float64(stats.profiles)
	if t.profiles == 0 {
		return nil
	}
	for f, q := range stats.sumSq {
		t.agree[f] = float64(q) / (t.profiles * t.profiles)
	}
	for r, n := range counts {
		t.freq[r] = float64(n) / t.profiles
	}
	return nil
}

// storeTerms reads term frequencies from the store for one observation,
// after countTerms has left there the statistics and the counts it wrote:
// the candidates of one observation share the observation's values, so
// other counts are read once each.
type storeTerms struct {
	tx       *Tx
	profiles float64
	freq     map[termRef]float64
	agree    [match.NumFields]float64
	err      error
}

type termRef struct {
	f match.Field
	v string
}

func newStoreTerms(tx *Tx) *storeTerms {
	return &storeTerms{tx: tx, freq: map[termRef]float64{}}
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

func (t *storeTerms) Agreement(f match.Field) float64 { return t.agree[f] }
