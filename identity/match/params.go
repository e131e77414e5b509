package match

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// Level holds the two Fellegi–Sunter probabilities of one comparison level:
// M, the probability of the level among pairs of one person, and U, among
// pairs of different people. Its weight is log2(M/U).
type Level struct {
	Name string  `json:"name"`
	M    float64 `json:"m"`
	U    float64 `json:"u"`
}

// FieldParams holds the levels of one field, missing excluded (it is always
// neutral).
type FieldParams struct {
	Field  string  `json:"field"`
	Levels []Level `json:"levels"`
	// TermFrequency adjusts the exact level by the frequency of the
	// agreed value: agreeing on a rare surname counts more than agreeing
	// on a common one. Only fields that have a term value can be adjusted
	// (names, city, postcode, email).
	TermFrequency bool `json:"term_frequency"`
}

// Params are the parameters of a model: m and u per level, the prior and the
// decision bands. They can be estimated ([Train]), saved and loaded as JSON
// ([Params.Save], [LoadParams]) or written by hand.
type Params struct {
	// Prior is the probability that a compared pair (one found by
	// blocking) is a match, before looking at its fields.
	Prior float64 `json:"prior"`
	// Fields holds one entry per field, in [Field] order.
	Fields []FieldParams `json:"fields"`
	// Link and Review are the decision bands on the match weight (the
	// posterior log2 odds, prior included): a pair at or above Link is a
	// match; at or above Review but below Link it needs a person; below
	// Review it is nothing. Review <= Link.
	Link   float64 `json:"link"`
	Review float64 `json:"review"`
}

// Default bands, as posterior probabilities of a match. A pair is linked
// when a match is at least 19 times as likely as not (p ≥ 0.95) and sent to
// review from even odds (p ≥ 0.5) upwards: below even odds the evidence is
// more often wrong than right, and such pairs would swamp a review queue.
// Because the prior is part of the weight, the bands follow the data: the
// same fields weigh less where matches are rarer.
const (
	DefaultLinkProbability   = 0.95
	DefaultReviewProbability = 0.5
)

// WeightOf converts a posterior probability to a match weight (log2 odds).
func WeightOf(p float64) float64 { return math.Log2(p / (1 - p)) }

// ProbabilityOf converts a match weight to a posterior probability.
func ProbabilityOf(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// defaultM holds hand-set starting values of m per level, missing
// excluded; defaultU likewise for u. EM and random sampling replace them.
var (
	defaultM = [NumFields][]float64{
		GivenName:  {0.80, 0.02, 0.08, 0.04, 0.03, 0.03},
		FamilyName: {0.82, 0.09, 0.04, 0.05},
		BirthDate:  {0.85, 0.03, 0.08, 0.04},
		Location:   {0.70, 0.05, 0.05, 0.03, 0.04, 0.13},
		Email:      {0.70, 0.05, 0.05, 0.20},
		Phone:      {0.70, 0.08, 0.22},
	}
	defaultU = [NumFields][]float64{
		GivenName:  {0.01, 0.0001, 0.005, 0.01, 0.05, 0.9249},
		FamilyName: {0.005, 0.003, 0.03, 0.962},
		BirthDate:  {0.0001, 0.0001, 0.002, 0.9978},
		Location:   {0.0001, 0.0002, 0.0005, 0.01, 0.03, 0.9592},
		Email:      {0.0001, 0.0001, 0.002, 0.9978},
		Phone:      {0.0001, 0.0005, 0.9994},
	}
)

// DefaultParams returns hand-set parameters: plausible m and u for
// contact-center data, term-frequency adjustment of names, city, postcode
// and email, prior 0.1 and the default bands. Prefer parameters estimated
// from your own data with [Train].
func DefaultParams() Params {
	p := Params{Prior: 0.1}
	for f := range NumFields {
		fp := FieldParams{Field: specs[f].name, TermFrequency: specs[f].tf != nil}
		for l, name := range specs[f].levels[1:] {
			fp.Levels = append(fp.Levels, Level{Name: name, M: defaultM[f][l], U: defaultU[f][l]})
		}
		p.Fields = append(p.Fields, fp)
	}
	p.SetDefaultBands()
	return p
}

// SetDefaultBands sets Link and Review from [DefaultLinkProbability] and
// [DefaultReviewProbability].
func (p *Params) SetDefaultBands() {
	p.Link = WeightOf(DefaultLinkProbability)
	p.Review = WeightOf(DefaultReviewProbability)
}

// Clone returns a deep copy of p.
func (p *Params) Clone() Params {
	c := *p
	c.Fields = make([]FieldParams, len(p.Fields))
	for i, f := range p.Fields {
		c.Fields[i] = f
		c.Fields[i].Levels = append([]Level(nil), f.Levels...)
	}
	return c
}

// Validate checks that p has every field with every level in order, and
// probabilities in (0, 1].
func (p *Params) Validate() error {
	if !(p.Prior > 0 && p.Prior < 1) {
		return fmt.Errorf("%w: prior %v not in (0,1)", ErrInvalidParams, p.Prior)
	}
	if len(p.Fields) != NumFields {
		return fmt.Errorf("%w: %d fields, want %d", ErrInvalidParams, len(p.Fields), NumFields)
	}
	for f, fp := range p.Fields {
		s := specs[f]
		if fp.Field != s.name {
			return fmt.Errorf("%w: field %d is %q, want %q", ErrInvalidParams, f, fp.Field, s.name)
		}
		if len(fp.Levels) != len(s.levels)-1 {
			return fmt.Errorf("%w: %s has %d levels, want %d", ErrInvalidParams, s.name, len(fp.Levels), len(s.levels)-1)
		}
		if fp.TermFrequency && s.tf == nil {
			return fmt.Errorf("%w: %s has no term frequencies", ErrInvalidParams, s.name)
		}
		for l, lv := range fp.Levels {
			if lv.Name != s.levels[l+1] {
				return fmt.Errorf("%w: %s level %d is %q, want %q", ErrInvalidParams, s.name, l+1, lv.Name, s.levels[l+1])
			}
			if !(lv.M > 0 && lv.M <= 1 && lv.U > 0 && lv.U <= 1) {
				return fmt.Errorf("%w: %s level %s: m=%v u=%v not in (0,1]", ErrInvalidParams, s.name, lv.Name, lv.M, lv.U)
			}
		}
	}
	if math.IsNaN(p.Link) || math.IsNaN(p.Review) || p.Review > p.Link {
		return fmt.Errorf("%w: review %v above link %v", ErrInvalidParams, p.Review, p.Link)
	}
	return nil
}

// Save writes p as indented JSON.
func (p *Params) Save(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(p)
}

// LoadParams reads parameters written by [Params.Save] (or by hand) and
// validates them.
func LoadParams(r io.Reader) (Params, error) {
	var p Params
	d := json.NewDecoder(r)
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return Params{}, fmt.Errorf("%w: %w", ErrInvalidParams, err)
	}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}
