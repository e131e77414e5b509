package threadline

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// ErrInvalidOptions is wrapped by the error [Open] returns for an invalid
// [Options] value; the message names the field.
var ErrInvalidOptions = errors.New("threadline: invalid options")

// Options configures a [Stack]. A nil *Options, or the zero value, means
// all defaults. Each layer's options are nested under its name and keep the
// defaults documented there, except for what Options sets once for every
// layer: the clock and the logger.
type Options struct {
	// Store configures the store (see [store.Options]). Its Logger
	// defaults to [Options.Logger].
	Store store.Options
	// Identity configures the customer graph (see [identity.Options]).
	// Its Clock must be nil: set [Options.Clock].
	Identity identity.Options
	// Timeline configures the timeline (see [timeline.Options]). Its Clock
	// must be nil: set [Options.Clock].
	Timeline timeline.Options
	// Journey configures journey grouping and the live journey state (see
	// [journey.Options]).
	Journey journey.Options
	// Handoff configures the handoff builder (see [handoff.Options]). Its
	// Clock must be nil: set [Options.Clock].
	Handoff handoff.Options

	// Rules are the arbiter's rules, in the order they are applied.
	// Default: [journey.DefaultRules]; NoRules turns them off.
	Rules []journey.Rule
	// NoRules makes the arbiter choose by priority alone, with no rules.
	// Rules must then be empty. Default: false.
	NoRules bool
	// Triggers are the triggers that start follow-ups for missed
	// interactions (see [journey.Triggers]). Default:
	// [journey.DefaultTriggers]; NoTriggers turns them off.
	Triggers []journey.Trigger
	// NoTriggers opens the stack without triggers. Triggers must then be
	// empty. Default: false.
	NoTriggers bool
	// Hooks are further [timeline.Hook]s attached to the timeline by name,
	// before the first Append, so that they see every write of the Stack.
	// Their names are part of the configuration fingerprint. Default: none.
	Hooks map[string]timeline.Hook

	// Drift says what Open does when the configuration the stored state
	// depends on differs from the one recorded in the store (see
	// [DriftPolicy]). Default: [DriftRebuild].
	Drift DriftPolicy

	// Clock returns the current time for every layer: identity stamps
	// observations with it, the timeline refuses events from the far
	// future by it, journeys are abandoned and handoffs lost by it.
	// Default: time.Now.
	Clock func() time.Time
	// Logger receives what the Stack reports as it opens (a configuration
	// that changed, state rebuilt). Default: a logger that discards
	// everything; the library never writes to the global log.
	Logger *slog.Logger
}

// DriftPolicy says what [Open] does when the configuration fingerprint in
// the store differs from the Options it is given.
type DriftPolicy uint8

const (
	// DriftRebuild rebuilds the live journey state when only the journey
	// options differ, and fails with a *[DriftError] when anything else
	// does (kind policies, matching parameters, triggers, hooks), because
	// the state those shaped cannot be rebuilt from the store.
	DriftRebuild DriftPolicy = iota
	// DriftFail fails with a *[DriftError] on any difference.
	DriftFail
	// DriftAccept rebuilds the live journey state if the journey options
	// differ and records the new configuration whatever else differs: the
	// caller asserts that the change may apply from now on (a new blocked
	// value, a trigger added). What was stored under the old configuration
	// stays as it is: customers merged before stay merged, events noted
	// for a removed trigger are dropped when due.
	DriftAccept
)

// String returns the policy's name.
func (p DriftPolicy) String() string {
	switch p {
	case DriftRebuild:
		return "rebuild"
	case DriftFail:
		return "fail"
	case DriftAccept:
		return "accept"
	}
	return fmt.Sprintf("DriftPolicy(%d)", uint8(p))
}

// Clone returns a copy of o whose slices and maps can be changed without
// changing o's. A nil o clones to the zero Options.
func (o *Options) Clone() *Options {
	if o == nil {
		return &Options{}
	}
	c := *o
	c.Store = *o.Store.Clone()
	c.Identity = *o.Identity.Clone()
	c.Timeline.Channels = slices.Clone(o.Timeline.Channels)
	c.Timeline.Types = slices.Clone(o.Timeline.Types)
	c.Rules = slices.Clone(o.Rules)
	c.Triggers = slices.Clone(o.Triggers)
	c.Hooks = maps.Clone(o.Hooks)
	return &c
}

// EnsureDefaults sets every zero field of o to its default, and gives
// every layer the Stack's clock and logger: Options.Clock becomes each
// layer's Clock, Options.Logger the store's Logger unless Store.Logger is
// set. Layers whose Options have an EnsureDefaults get theirs applied.
func (o *Options) EnsureDefaults() {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Store.Logger == nil {
		o.Store.Logger = o.Logger
	}
	o.Identity.Clock = o.Clock
	o.Timeline.Clock = o.Clock
	o.Handoff.Clock = o.Clock
	o.Store.EnsureDefaults()
	o.Identity.EnsureDefaults()
	if o.Rules == nil && !o.NoRules {
		o.Rules = journey.DefaultRules()
	}
	if o.Triggers == nil && !o.NoTriggers {
		o.Triggers = journey.DefaultTriggers()
	}
}

// Validate reports the first field of o (with defaults ensured) that Open
// cannot use, as an error wrapping [ErrInvalidOptions] that names it; a
// layer's field is named under the layer ("Identity.DefaultRegion") and
// the error wraps the layer's own ErrInvalidOptions too.
func (o *Options) Validate() error {
	if err := o.Store.Validate(); err != nil {
		return fmt.Errorf("%w: Store: %w", ErrInvalidOptions, err)
	}
	if err := o.Identity.Validate(); err != nil {
		return fmt.Errorf("%w: Identity: %w", ErrInvalidOptions, err)
	}
	switch {
	case o.NoRules && len(o.Rules) > 0:
		return invalid("Rules", "NoRules is set")
	case o.NoTriggers && len(o.Triggers) > 0:
		return invalid("Triggers", "NoTriggers is set")
	case o.Drift > DriftAccept:
		return invalid("Drift", o.Drift.String())
	}
	for name, h := range o.Hooks {
		if name == "" || h == nil {
			return invalid("Hooks", fmt.Sprintf("hook %q: a name and a hook are required", name))
		}
	}
	return nil
}

// checkClocks refuses a layer clock set in the options given to Open: the
// Stack has one clock, Options.Clock, so that no layer disagrees with the
// others about what time it is.
func (o *Options) checkClocks() error {
	switch {
	case o.Identity.Clock != nil:
		return invalid("Identity.Clock", "set Options.Clock, which every layer shares")
	case o.Timeline.Clock != nil:
		return invalid("Timeline.Clock", "set Options.Clock, which every layer shares")
	case o.Handoff.Clock != nil:
		return invalid("Handoff.Clock", "set Options.Clock, which every layer shares")
	}
	return nil
}

func invalid(field, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidOptions, field, why)
}
