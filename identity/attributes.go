package identity

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
)

// Profile attribute names understood by the probabilistic matcher. Other
// names are stored and shown but not compared.
const (
	AttrGivenName  = "given_name"
	AttrFamilyName = "family_name"
	AttrFullName   = "full_name"
	AttrBirthDate  = "birth_date" // YYYY-MM-DD
	AttrAddress    = "address"
	AttrCity       = "city"
	AttrPostcode   = "postcode"
	AttrRegion     = "region"
	AttrCountry    = "country"
)

// Survivorship picks which observed value of a field a customer shows.
type Survivorship uint8

// Survivorship policies.
const (
	MostRecent   Survivorship = iota // the latest observation wins
	MostTrusted                      // the highest Options.SourceTrust wins; ties: most recent
	MostFrequent                     // the value observed most often wins; ties: most recent
)

// Attribute is a customer's surviving value of one field, with provenance.
type Attribute struct {
	Value    string    `json:"value"`
	Source   string    `json:"source"`
	Time     time.Time `json:"time,omitzero"`
	Verified bool      `json:"verified"`
	// Observed counts the observations, across the customer's
	// identifiers, that gave this field any value.
	Observed int `json:"observed"`
}

var attrName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

func checkAttributes(m map[string]string) error {
	if len(m) > 64 {
		return fmt.Errorf("%w: %d attributes, at most 64", ErrInvalidObservation, len(m))
	}
	for k, v := range m {
		if !attrName.MatchString(k) {
			return fmt.Errorf("%w: attribute name %q: want [a-z][a-z0-9_]*, at most 64", ErrInvalidObservation, k)
		}
		if len(v) > maxAttributeValue || !utf8.ValidString(v) {
			return fmt.Errorf("%w: attribute %s: want valid UTF-8 of at most %d bytes", ErrInvalidObservation, k, maxAttributeValue)
		}
	}
	return nil
}

type attrRec struct {
	Value    string
	Source   string
	Verified bool
}

// writeAttributes stores the observation's attributes under its anchor
// identifier, so they follow that identifier through merges and splits:
// one record per observation, its fields and values in field order, then
// its source and verified flag.
func (tx *Tx) writeAttributes(anchor *cand, obs *Observation, at int64, id ObservationID) error {
	fv := make([]string, 0, 2*len(obs.Attributes))
	for _, f := range slices.Sorted(maps.Keys(obs.Attributes)) {
		if v := obs.Attributes[f]; v != "" {
			fv = append(fv, f, v)
		}
	}
	if len(fv) == 0 {
		return nil
	}
	var w enc.Writer
	w.Strings(fv)
	w.String(obs.Source)
	w.Bool(obs.Verified)
	return tx.txn.Set(keys.Key(attrPrefix(anchor.id)).Int(at).Uint(uint64(id)), w.B)
}

type attrObs struct {
	attrRec
	at  int64
	obs uint64
}

// attributes applies survivorship to every attribute observation of ids.
func (tx *Tx) attributes(ids []Identifier) (map[string]Attribute, error) {
	byField := map[string][]attrObs{}
	for _, id := range ids {
		prefix := attrPrefix(id)
		it := tx.txn.NewIter(prefixRange(prefix))
		for ok := it.First(); ok; ok = it.Next() {
			d := keys.NewSuffixDecoder(it.Key()[len(prefix):])
			at, obs := d.Int(), d.Uint()
			r := enc.NewReader(it.Value())
			fv, src, verified := r.Strings(), r.String(), r.Bool()
			err := firstErr(d.Err(), r.Err())
			if err == nil && len(fv)%2 != 0 {
				err = fmt.Errorf("%d field and value strings", len(fv))
			}
			if err != nil {
				it.Close()
				return nil, corrupt("attribute", err)
			}
			for i := 0; i < len(fv); i += 2 {
				byField[fv[i]] = append(byField[fv[i]], attrObs{attrRec{Value: fv[i+1], Source: src, Verified: verified}, at, obs})
			}
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
	}
	out := make(map[string]Attribute, len(byField))
	for f, obs := range byField {
		w := tx.survivor(f, obs)
		out[f] = Attribute{Value: w.Value, Source: w.Source, Time: fromNano(w.at), Verified: w.Verified, Observed: len(obs)}
	}
	return out, nil
}

// survivor picks one observation of a field by the field's policy.
func (tx *Tx) survivor(field string, obs []attrObs) attrObs {
	// Sort newest first so every policy breaks ties by recency.
	slices.SortFunc(obs, func(a, b attrObs) int {
		if a.at != b.at {
			return cmp.Compare(b.at, a.at)
		}
		return cmp.Compare(b.obs, a.obs)
	})
	switch tx.g.opts.Survivorship[field] {
	case MostTrusted:
		best := obs[0]
		for _, o := range obs[1:] {
			if tx.g.opts.SourceTrust[o.Source] > tx.g.opts.SourceTrust[best.Source] {
				best = o
			}
		}
		return best
	case MostFrequent:
		count := map[string]int{}
		for _, o := range obs {
			count[o.Value]++
		}
		best := obs[0]
		for _, o := range obs[1:] {
			if count[o.Value] > count[best.Value] {
				best = o
			}
		}
		return best
	}
	return obs[0]
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// DisplayName returns the customer's name from its attributes ("Ann Lee"),
// or "" when none is known.
func (c *Customer) DisplayName() string {
	if f := c.Attributes[AttrFullName]; f.Value != "" {
		return f.Value
	}
	g, f := c.Attributes[AttrGivenName].Value, c.Attributes[AttrFamilyName].Value
	switch {
	case g != "" && f != "":
		return g + " " + f
	case g != "":
		return g
	}
	return f
}
