package threadline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// The configuration fingerprint.
//
// What is stored depends on configuration: kind policies and matching
// parameters decided which identifiers were merged and what the blocking
// index holds, the journey options shaped the live journey state, the
// triggers noted what is due, the hooks kept their own state. A process
// opening the store with other settings would write state inconsistent
// with what is there (and with other processes sharing it), so the
// settings are recorded in the store (meta/config, see internal/keys) at
// the first Open and compared at every later one, setting by setting, so
// that a difference can be named. Functions (normalizers, BlockedFunc,
// trigger Match and Propose, hooks) cannot be compared: only whether they
// are the built-in ones, or their names.

// configKey is where the fingerprint is kept.
var configKey = keys.New(keys.Meta).String(keys.MetaConfig)

// configFormat is the first field of the fingerprint record.
const configFormat = 1

// setting is one fingerprinted configuration value. rebuild marks the
// settings whose dependent state Open can rebuild from the store (the live
// journey state).
type setting struct {
	name, value string
	rebuild     bool
}

// Difference is one setting that differs between the store's recorded
// configuration and the one given to [Open].
type Difference struct {
	// Setting names the setting, e.g. "journey.gap" or
	// "identity.kind.phone.limit".
	Setting string
	// Stored is the value recorded in the store; "" when the store records
	// no such setting.
	Stored string
	// Opened is the value of the Options given to Open; "" when they have
	// no such setting.
	Opened string
	// Rebuildable reports whether Open can rebuild the state that depends
	// on the setting (the live journey state).
	Rebuildable bool
}

// ErrDrift is wrapped by *[DriftError].
var ErrDrift = errors.New("threadline: configuration differs from the store's")

// DriftError is returned by [Open] when the configuration that stored state
// depends on differs from the one recorded in the store, and the
// [DriftPolicy] does not allow opening. It lists every difference.
type DriftError struct {
	Differences []Difference
}

func (e *DriftError) Error() string {
	var sb strings.Builder
	sb.WriteString(ErrDrift.Error())
	for i, d := range e.Differences {
		if i == 0 {
			sb.WriteString(": ")
		} else {
			sb.WriteString("; ")
		}
		fmt.Fprintf(&sb, "%s: %s in the store, %s now", d.Setting, orAbsent(d.Stored), orAbsent(d.Opened))
		if d.Rebuildable {
			sb.WriteString(" (rebuildable)")
		}
	}
	return sb.String()
}

// Unwrap returns [ErrDrift].
func (e *DriftError) Unwrap() error { return ErrDrift }

func orAbsent(v string) string {
	if v == "" {
		return "absent"
	}
	return strconv.Quote(v)
}

// fingerprint returns the settings of o (defaults applied) and of the
// graph's effective kind policies, sorted by name.
func fingerprint(o *Options, g *identity.Graph) []setting {
	var ss []setting
	add := func(name, value string) { ss = append(ss, setting{name: name, value: value}) }
	id := &o.Identity
	add("identity.default_region", id.DefaultRegion)
	add("identity.email.provider_rules", strconv.FormatBool(id.Email.ProviderRules))
	add("identity.max_strong_identifiers", intOrDefault(id.MaxStrongIdentifiers))
	add("identity.suppression_key", digestOrNone(len(id.SuppressionKey), id.SuppressionKey))
	for _, k := range kindsOf(id) {
		p, _ := g.Policy(k)
		prefix := "identity.kind." + string(k) + "."
		add(prefix+"normalize", builtinOrCustom(id, k))
		add(prefix+"strength", strength(p.Strength))
		add(prefix+"limit", strconv.Itoa(p.Limit))
		add(prefix+"priority", strconv.Itoa(p.Priority))
		blocked := slices.Sorted(slices.Values(p.Blocked))
		add(prefix+"blocked", digestOrNone(len(blocked), []byte(strings.Join(blocked, "\x00"))))
		patterns := make([]string, len(p.BlockedPatterns))
		for i, re := range p.BlockedPatterns {
			patterns[i] = re.String()
		}
		add(prefix+"blocked_patterns", digestOrNone(len(patterns), []byte(strings.Join(patterns, "\x00"))))
		add(prefix+"blocked_func", strconv.FormatBool(p.BlockedFunc != nil))
	}
	ss = append(ss, matchingSettings(id.Matching)...)
	ss = append(ss,
		setting{"journey.gap", durationOrDefault(o.Journey.Gap), true},
		setting{"journey.reopen_window", durationOrDefault(o.Journey.ReopenWindow), true},
		setting{"journey.session_gap", durationOrDefault(o.Journey.SessionGap), true})
	for _, t := range o.Triggers {
		add("journey.trigger."+t.Name+".wait", t.Wait.String())
	}
	for name := range o.Hooks {
		add("timeline.hook."+name, "attached")
	}
	slices.SortFunc(ss, func(a, b setting) int { return strings.Compare(a.name, b.name) })
	return ss
}

// matchingSettings fingerprints probabilistic matching: the parameters
// decide what was linked and reviewed, the bounds what the blocking index
// reads.
func matchingSettings(m *identity.MatchOptions) []setting {
	if m == nil {
		return []setting{{name: "identity.matching", value: "off"}}
	}
	ss := []setting{
		{name: "identity.matching", value: "on"},
		{name: "identity.matching.max_candidates", value: intOrDefault(m.MaxCandidates)},
		{name: "identity.matching.window", value: intOrDefault(m.Window)},
		{name: "identity.matching.prior", value: strconv.FormatFloat(m.Params.Prior, 'g', -1, 64)},
		{name: "identity.matching.link", value: strconv.FormatFloat(m.Params.Link, 'g', -1, 64)},
		{name: "identity.matching.review", value: strconv.FormatFloat(m.Params.Review, 'g', -1, 64)},
	}
	for _, f := range m.Params.Fields {
		b, _ := json.Marshal(f) // plain numbers and strings: cannot fail
		ss = append(ss, setting{name: "identity.matching.field." + f.Field, value: digest(b)})
	}
	return ss
}

// kindsOf returns the kinds the graph has policies for, sorted.
func kindsOf(o *identity.Options) []identity.Kind {
	set := map[identity.Kind]bool{}
	for _, p := range identity.DefaultKinds(o.DefaultRegion, o.Email) {
		set[p.Kind] = true
	}
	for _, p := range o.Kinds {
		set[p.Kind] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// builtinOrCustom says whether kind k keeps its built-in policy (whose
// normalizer the other settings describe) or has one from Options.Kinds.
func builtinOrCustom(o *identity.Options, k identity.Kind) string {
	for _, p := range o.Kinds {
		if p.Kind == k {
			return "custom"
		}
	}
	return "builtin"
}

func strength(s identity.Strength) string {
	if s == identity.Strong {
		return "strong"
	}
	return "weak"
}

func intOrDefault(n int) string {
	if n == 0 {
		return "default"
	}
	return strconv.Itoa(n)
}

func durationOrDefault(d time.Duration) string {
	if d == 0 {
		return "default"
	}
	return d.String()
}

// digest names a value too long or too private to record: a secret key, a
// list of blocked values. 64 bits of SHA-256 tell a change apart without
// giving the value away.
func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:8])
}

func digestOrNone(n int, b []byte) string {
	if n == 0 {
		return "none"
	}
	return strconv.Itoa(n) + " " + digest(b)
}

func encodeSettings(ss []setting) []byte {
	var w enc.Writer
	w.Uint(configFormat)
	w.Uint(uint64(len(ss)))
	for _, s := range ss {
		w.String(s.name)
		w.String(s.value)
	}
	return w.B
}

// errCorruptConfig wraps a fingerprint record that does not decode.
var errCorruptConfig = errors.New("threadline: corrupt configuration record")

func decodeSettings(b []byte) (map[string]string, error) {
	r := enc.NewReader(b)
	if f := r.Uint(); r.Err() == nil && f != configFormat {
		return nil, fmt.Errorf("%w: format %d, want %d", errCorruptConfig, f, configFormat)
	}
	n := r.Count()
	m := make(map[string]string, n)
	for range n {
		name := r.String()
		m[name] = r.String()
	}
	if r.Err() != nil {
		return nil, fmt.Errorf("%w: %w", errCorruptConfig, r.Err())
	}
	return m, nil
}

// diff compares the stored settings with the current ones, in name order.
func diff(stored map[string]string, current []setting) []Difference {
	var out []Difference
	seen := make(map[string]bool, len(current))
	for _, s := range current {
		seen[s.name] = true
		if v, ok := stored[s.name]; !ok || v != s.value {
			out = append(out, Difference{Setting: s.name, Stored: v, Opened: s.value, Rebuildable: s.rebuild})
		}
	}
	for name, v := range stored {
		if !seen[name] {
			out = append(out, Difference{Setting: name, Stored: v})
		}
	}
	slices.SortFunc(out, func(a, b Difference) int { return strings.Compare(a.Setting, b.Setting) })
	return out
}

// checkConfig records the fingerprint in a store that has none, and
// otherwise returns how the recorded one differs from ss.
func checkConfig(ctx context.Context, db *store.DB, ss []setting) ([]Difference, error) {
	var ds []Difference
	err := db.Update(ctx, func(t *store.Txn) error {
		ds = nil
		b, err := t.Get(configKey)
		if errors.Is(err, store.ErrNotFound) {
			return t.Set(configKey, encodeSettings(ss))
		}
		if err != nil {
			return err
		}
		stored, err := decodeSettings(b)
		if err != nil {
			return err
		}
		ds = diff(stored, ss)
		return nil
	})
	return ds, err
}

// recordConfig replaces the recorded fingerprint with ss.
func recordConfig(ctx context.Context, db *store.DB, ss []setting) error {
	return db.Update(ctx, func(t *store.Txn) error { return t.Set(configKey, encodeSettings(ss)) })
}
