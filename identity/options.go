package identity

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
)

// Options configures a [Graph]. A nil *Options or the zero value means all
// defaults. [Open] works on a copy: Clone, then EnsureDefaults, then
// Validate, so an option it cannot use is an [*OptionError] from Open.
type Options struct {
	// Kinds replaces or adds kind policies, matched by Kind; kinds not
	// listed keep their defaults from [DefaultKinds]. A policy needs a
	// lower-case Kind without ':' or spaces, a Normalize function, a
	// Strength of Strong or Weak and a Limit of at least 0.
	Kinds []KindPolicy
	// DefaultRegion is the phone region (ISO 3166 alpha-2, e.g. "US") for
	// numbers written without a country code. It must be a region the
	// phone-number library knows. Default: none, so such numbers are
	// rejected rather than guessed.
	DefaultRegion string
	// Email selects provider-specific email rules. Default: none.
	Email EmailPolicy
	// MaxStrongIdentifiers is the component-size guard: no merge or attach
	// may give a customer more strong identifiers than this, so a value
	// shared by many people (a switchboard number) cannot glue them all
	// together. Default (0): 20. Set it to [NoLimit] to turn the guard
	// off. Negative is invalid.
	MaxStrongIdentifiers int
	// MaxIdentifiersPerObservation bounds one observation. Default (0):
	// 64; [NoLimit] lifts the bound. Negative is invalid.
	MaxIdentifiersPerObservation int
	// Survivorship chooses, per attribute field, which observed value a
	// customer shows: MostRecent, MostTrusted or MostFrequent. Fields not
	// listed use MostRecent.
	Survivorship map[string]Survivorship
	// SourceTrust ranks sources for the MostTrusted policy: higher is more
	// trusted; unlisted sources rank 0.
	SourceTrust map[string]int
	// SuppressionKey keys the hashes that Forget stores when asked to
	// suppress the erased values. Required only for suppression; keep it
	// secret and stable.
	SuppressionKey []byte
	// Clock returns the current time, used when an observation carries
	// none. Default: time.Now.
	Clock func() time.Time
	// Matching turns on probabilistic matching of profile attributes in
	// Observe (see [MatchOptions]); its Params must pass
	// [match.Params.Validate]. Default: nil, off.
	Matching *MatchOptions
}

// NoLimit, as [Options].MaxStrongIdentifiers or
// MaxIdentifiersPerObservation, turns that bound off (zero means the
// default, not none).
const NoLimit = math.MaxInt

const (
	defaultMaxStrong     = 20
	defaultMaxPerObs     = 64
	defaultMaxCandidates = 32
	defaultMatchWindow   = 2
	maxAttributeValue    = 1024
)

// Clone returns a copy of o that shares nothing the Graph could change or
// the caller could change under it: the slices, maps and MatchOptions are
// copied (kind policies and match parameters shallowly). A nil o gives the
// zero Options.
func (o *Options) Clone() *Options {
	var c Options
	if o == nil {
		return &c
	}
	c = *o
	c.Kinds = slices.Clone(o.Kinds)
	c.Survivorship = maps.Clone(o.Survivorship)
	c.SourceTrust = maps.Clone(o.SourceTrust)
	c.SuppressionKey = slices.Clone(o.SuppressionKey)
	if o.Matching != nil {
		m := *o.Matching
		c.Matching = &m
	}
	return &c
}

// EnsureDefaults sets every zero field of o to its default and leaves the
// others, valid or not, as they are.
func (o *Options) EnsureDefaults() {
	if o.MaxStrongIdentifiers == 0 {
		o.MaxStrongIdentifiers = defaultMaxStrong
	}
	if o.MaxIdentifiersPerObservation == 0 {
		o.MaxIdentifiersPerObservation = defaultMaxPerObs
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if m := o.Matching; m != nil {
		if m.MaxCandidates == 0 {
			m.MaxCandidates = defaultMaxCandidates
		}
		if m.Window == 0 {
			m.Window = defaultMatchWindow
		}
	}
}

// Validate reports the first field of o (with defaults ensured) that a
// Graph cannot use, as an [*OptionError].
func (o *Options) Validate() error {
	for i := range o.Kinds {
		if err := o.Kinds[i].validate(); err != nil {
			err.Field = fmt.Sprintf("Kinds[%d].%s", i, err.Field)
			return err
		}
	}
	if !knownRegion(o.DefaultRegion) {
		return &OptionError{Field: "DefaultRegion", Value: o.DefaultRegion, Reason: "not a phone region the phone-number library knows"}
	}
	if o.MaxStrongIdentifiers < 0 {
		return &OptionError{Field: "MaxStrongIdentifiers", Value: o.MaxStrongIdentifiers, Reason: "negative"}
	}
	if o.MaxIdentifiersPerObservation < 0 {
		return &OptionError{Field: "MaxIdentifiersPerObservation", Value: o.MaxIdentifiersPerObservation, Reason: "negative"}
	}
	for _, field := range slices.Sorted(maps.Keys(o.Survivorship)) {
		if p := o.Survivorship[field]; p > MostFrequent {
			return &OptionError{Field: "Survivorship[" + field + "]", Value: p, Reason: "not MostRecent, MostTrusted or MostFrequent"}
		}
	}
	if m := o.Matching; m != nil {
		if err := m.Params.Validate(); err != nil {
			return &OptionError{Field: "Matching.Params", Reason: err.Error(), Err: err}
		}
		if m.MaxCandidates < 0 {
			return &OptionError{Field: "Matching.MaxCandidates", Value: m.MaxCandidates, Reason: "negative"}
		}
		if m.Window < 0 {
			return &OptionError{Field: "Matching.Window", Value: m.Window, Reason: "negative"}
		}
	}
	return nil
}
