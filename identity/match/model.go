package match

import (
	"fmt"
	"math"
	"strings"
)

// Frequencies gives term frequencies of the records a model compares
// against. Frequency is the share of records holding a field's value (0 if
// unknown: the exact level then keeps its unadjusted weight); Agreement is
// the chance that two random records agree on the field (the sum of the
// squared frequencies). Agreeing on value v weighs log2(Agreement/
// Frequency(v)) more than an average exact agreement: positive for rare
// values, negative for common ones.
type Frequencies interface {
	Frequency(f Field, value string) float64
	Agreement(f Field) float64
}

// Model scores pairs of prepared records with fixed parameters. It is
// immutable and safe for concurrent use if its Frequencies are.
type Model struct {
	params Params
	prior  float64                // log2 prior odds
	weight [NumFields][16]float64 // log2(m/u) per level; missing is 0
	useTF  [NumFields]bool
	tf     Frequencies
}

// NewModel returns a model with parameters p (validated) and term
// frequencies tf (nil: no adjustment).
func NewModel(p Params, tf Frequencies) (*Model, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m := &Model{params: p.Clone(), prior: math.Log2(p.Prior / (1 - p.Prior)), tf: tf}
	for f, fp := range p.Fields {
		for l, lv := range fp.Levels {
			m.weight[f][l+1] = math.Log2(lv.M / lv.U)
		}
		m.useTF[f] = fp.TermFrequency && tf != nil
	}
	return m, nil
}

// ForRecords returns a copy of m for comparing a record against n others
// (a table of n+1 records, or a store of n profiles): when n is more than
// the Params.Records−1 others of the table the parameters were estimated
// on, the prior is scaled down by their ratio, so that a record's
// expected number of duplicates stays what it was, spread over more
// records. A smaller n keeps the prior: a store smaller than the table is
// one still filling up, and a higher prior would link on less evidence.
// Records 0 keeps the prior for any n. The copy is cheap.
func (m *Model) ForRecords(n int) *Model {
	c := *m
	if r := m.params.Records; r > 0 && n > r-1 {
		p := m.params.Prior * float64(r-1) / float64(n)
		c.prior = math.Log2(p / (1 - p))
	}
	return &c
}

// Params returns a copy of the model's parameters.
func (m *Model) Params() Params { return m.params.Clone() }

// Score is the result of comparing two records.
type Score struct {
	// Weight is the match weight: the posterior log2 odds that the two
	// records are one person, prior included.
	Weight float64
	// Comparison holds the level of every field.
	Comparison Comparison
	// Fields holds every field's contribution to Weight (0 for missing).
	Fields [NumFields]float64
}

// Probability returns the posterior probability of a match.
func (s *Score) Probability() float64 { return ProbabilityOf(s.Weight) }

// Decision is what the bands make of a score.
type Decision uint8

// Decisions.
const (
	NoMatch Decision = iota // below the review band
	Review                  // between the bands: a person decides
	Link                    // at or above the link band
)

func (d Decision) String() string {
	switch d {
	case Link:
		return "link"
	case Review:
		return "review"
	}
	return "none"
}

// Decide places a score in the model's bands. A pair whose given names and
// birth dates both differ is never a match, whatever its weight: people
// who share a home, a family name and a landline agree on every other
// field, and are different people (see [Comparison.Contradicts]).
func (m *Model) Decide(s *Score) Decision {
	if s.Comparison.Contradicts() {
		return NoMatch
	}
	return m.band(s.Weight)
}

func (m *Model) band(w float64) Decision {
	switch {
	case w >= m.params.Link:
		return Link
	case w >= m.params.Review:
		return Review
	}
	return NoMatch
}

// Contradicts reports that the pair's given names and birth dates are
// both known and both different (given names no closer than Jaro–Winkler
// 0.92 and not an initial, prefix or variant of each other; birth dates
// years apart): evidence of two people that no agreement elsewhere
// outweighs. Members of one household (Mark and Mary, same home, family
// name and landline) are such pairs; conditional independence, which the
// weights assume, fails for them.
func (c *Comparison) Contradicts() bool {
	g, d := c[GivenName], c[BirthDate]
	return (g == nameDifferent || g == nameSimilar) && (d == dateDifferent || d == dateYears)
}

// Score compares a and b.
func (m *Model) Score(a, b *Prepared) Score {
	s := Score{Comparison: Compare(a, b)}
	s.Weight = m.prior
	for f := range NumFields {
		w := m.levelWeight(Field(f), s.Comparison[f], a)
		s.Fields[f] = w
		s.Weight += w
	}
	return s
}

// weightOf is Score without the per-field detail, for bulk scoring.
func (m *Model) weightOf(c *Comparison, a *Prepared) float64 {
	w := m.prior
	for f := range NumFields {
		w += m.levelWeight(Field(f), c[f], a)
	}
	return w
}

func (m *Model) levelWeight(f Field, level uint8, a *Prepared) float64 {
	if level == 1 && m.useTF[f] {
		freq, agree := m.tf.Frequency(f, specs[f].tf(a)), m.tf.Agreement(f)
		if freq > 0 && agree > 0 {
			return m.weight[f][1] + math.Log2(agree/freq)
		}
	}
	return m.weight[f][level]
}

// Explain renders a score one field a line: "given_name exact +7.12".
func (s *Score) Explain() string {
	var b strings.Builder
	for f := range NumFields {
		fmt.Fprintf(&b, "%s %s %+.2f\n", Field(f), specs[f].levels[s.Comparison[f]], s.Fields[f])
	}
	fmt.Fprintf(&b, "weight %.2f p=%.4f", s.Weight, s.Probability())
	return b.String()
}

// TermCounts counts field values in memory for term-frequency adjustment.
// It is not safe for concurrent use while being changed; reading it from
// several goroutines is safe.
type TermCounts struct {
	n      int
	counts [NumFields]map[string]int32
	sumSq  [NumFields]float64 // sum of squared counts
}

// NewTermCounts returns empty counts.
func NewTermCounts() *TermCounts {
	t := &TermCounts{}
	for f := range NumFields {
		if specs[f].tf != nil {
			t.counts[f] = map[string]int32{}
		}
	}
	return t
}

// Add counts the values of p.
func (t *TermCounts) Add(p *Prepared) {
	t.n++
	for f, c := range t.counts {
		if c != nil {
			if v := specs[f].tf(p); v != "" {
				t.sumSq[f] += float64(2*c[v] + 1)
				c[v]++
			}
		}
	}
}

// Frequency implements [Frequencies].
func (t *TermCounts) Frequency(f Field, value string) float64 {
	c := t.counts[f]
	if c == nil || t.n == 0 {
		return 0
	}
	return float64(c[value]) / float64(t.n)
}

// Agreement implements [Frequencies].
func (t *TermCounts) Agreement(f Field) float64 {
	if t.n == 0 {
		return 0
	}
	return t.sumSq[f] / (float64(t.n) * float64(t.n))
}

// Term returns p's value of field f that term frequencies count, or "" if
// the field has no term-frequency adjustment or p has no value.
func (p *Prepared) Term(f Field) string {
	if int(f) >= NumFields || specs[f].tf == nil {
		return ""
	}
	return specs[f].tf(p)
}

// HasTerms reports whether the field can be adjusted by term frequencies.
func (f Field) HasTerms() bool { return int(f) < NumFields && specs[f].tf != nil }

// Level returns the name of the field's comparison level l ("exact"), or
// "" if there is no such level.
func (f Field) Level(l uint8) string {
	if int(f) >= NumFields || int(l) >= len(specs[f].levels) {
		return ""
	}
	return specs[f].levels[l]
}

// Evidence renders every field's comparison and weight, one string a
// field, as stored with a probabilistic link: "birth_date=exact:+13.05".
func (s *Score) Evidence() []string {
	out := make([]string, NumFields)
	for f := range NumFields {
		out[f] = fmt.Sprintf("%s=%s:%+.2f", Field(f), Field(f).Level(s.Comparison[f]), s.Fields[f])
	}
	return out
}

// WithFrequencies returns a copy of m that adjusts by tf instead (nil: no
// adjustment). The copy is cheap: a per-transaction view of stored term
// frequencies can be used for one call.
func (m *Model) WithFrequencies(tf Frequencies) *Model {
	c := *m
	c.tf = tf
	for f, fp := range m.params.Fields {
		c.useTF[f] = fp.TermFrequency && tf != nil
	}
	return &c
}
