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
// decision bands. They can be estimated ([Estimate], [Dedupe]), saved and
// loaded as JSON ([Params.Save], [LoadParams]) or written by hand. Params
// is a plain value; [NewModel] copies it, so changing it afterwards does
// not change a model.
type Params struct {
	// Prior is the probability that two records drawn at random from a
	// table of Records records are one person, before looking at their
	// fields. It does not depend on how a pair was found: the weights of
	// the fields (u counted on random pairs) account for the agreement
	// that made blocking find it.
	Prior float64 `json:"prior"`
	// Records is the size of the table the prior holds for. Compared
	// against more records, a record's duplicates are spread over more,
	// and the prior is scaled down (see [Model.ForRecords]). 0 means the
	// prior holds for any size.
	Records int `json:"records,omitempty"`
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

// defaultM and defaultU hold m and u per level, missing excluded, as
// [Estimate] fits them to the committed generated dataset
// (testdata/people10k.csv), rounded; levels the generator never produces
// (a similar address, a phone typo) have m set by hand.
var (
	defaultM = [NumFields][]float64{
		GivenName:  {0.68, 0.065, 0.14, 0.039, 0.041, 0.024, 0.018},
		FamilyName: {0.79, 0.16, 0.021, 0.033},
		BirthDate:  {0.87, 0.019, 0.063, 0.019, 0.031, 0.0026},
		Location:   {0.73, 0.03, 0.035, 0.059, 0.014, 0.13},
		Email:      {0.96, 0.0023, 0.009, 0.029},
		Phone:      {0.87, 0.03, 0.1},
	}
	defaultU = [NumFields][]float64{
		GivenName:  {0.022, 2.4e-05, 0.0024, 0.0021, 0.0022, 0.0051, 0.97},
		FamilyName: {0.0094, 0.00099, 0.0038, 0.99},
		BirthDate:  {0.0001, 2.3e-05, 0.0014, 0.0018, 0.15, 0.84},
		Location:   {9.3e-05, 1.2e-05, 0.00051, 0.054, 0.0024, 0.94},
		Email:      {0.00018, 0.00049, 0.00041, 0.999},
		Phone:      {0.00011, 4.1e-06, 0.9999},
	}
)

// DefaultPrior and DefaultRecords are the prior of [DefaultParams] and
// the table size it holds for: the share of matches among all pairs of
// the generated dataset, 10,000 records.
const (
	DefaultPrior   = 7.8e-5
	DefaultRecords = 10_000
)

// DefaultParams returns parameters fitted to generated contact-center data
// (see package synth), with term-frequency adjustment of names and email
// and the default bands: a reasonable start, and what small tables that
// cannot be estimated from use. Prefer parameters estimated from your own
// data with [Estimate].
func DefaultParams() Params {
	p := Params{Prior: DefaultPrior, Records: DefaultRecords}
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
	if p.Records < 0 {
		return fmt.Errorf("%w: records %d is negative", ErrInvalidParams, p.Records)
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
