package journey

import "time"

// Options configures grouping, for [NewTracker] and [Group]. A nil
// *Options or the zero value means the defaults. NewTracker works on a
// copy: Clone, then EnsureDefaults, then Validate, so an option it cannot
// use is an [*OptionError].
type Options struct {
	// Gap is how long an unresolved journey waits for the customer: a
	// contact within Gap of its last event continues it, and a journey
	// quiet for longer is abandoned. Default (0): 7 days. Negative is
	// invalid.
	Gap time.Duration
	// ReopenWindow: a contact with the same case or intent within this
	// time after a resolution reopens the journey (a repeat contact);
	// later it starts a new one. Default (0): 72 hours. [Never] turns
	// reopening off: every contact after a resolution starts a new
	// journey. Other negative values are invalid.
	ReopenWindow time.Duration
	// SessionGap splits one channel's customer messages into contacts.
	// Default (0): 30 minutes. [Never] makes every customer message a
	// contact of its own. Other negative values are invalid.
	SessionGap time.Duration
	// AckTimeout is how long a handoff may wait to be taken up before it
	// counts as lost (see [WaitingHandoff]), in [Metrics].LostHandoffs and
	// in the handoff package alike. It is applied when journeys are read,
	// so changing it needs no rebuild of the live state. Default (0): 15
	// minutes. Negative is invalid.
	AckTimeout time.Duration
	// Clock returns the current time: the tracker's "now", which decides
	// abandonment, and the time of the arbiter's decisions and the
	// triggers' evaluations. [Group] takes now as an argument and ignores
	// it. Default: time.Now.
	Clock func() time.Time
}

// Never, as [Options].ReopenWindow or SessionGap, turns that window off
// (zero means the default, not none). It is below every real time
// difference, so the comparisons that use the window never hold.
const Never time.Duration = -1

const (
	defaultGap          = 7 * 24 * time.Hour
	defaultReopenWindow = 72 * time.Hour
	defaultSessionGap   = 30 * time.Minute
	defaultAckTimeout   = 15 * time.Minute
)

// Clone returns a copy of o; a nil o gives the zero Options.
func (o *Options) Clone() *Options {
	var c Options
	if o != nil {
		c = *o
	}
	return &c
}

// EnsureDefaults sets every zero field of o to its default and leaves the
// others, valid or not, as they are.
func (o *Options) EnsureDefaults() {
	if o.Gap == 0 {
		o.Gap = defaultGap
	}
	if o.ReopenWindow == 0 {
		o.ReopenWindow = defaultReopenWindow
	}
	if o.SessionGap == 0 {
		o.SessionGap = defaultSessionGap
	}
	if o.AckTimeout == 0 {
		o.AckTimeout = defaultAckTimeout
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}

// Validate reports the first field of o (with defaults ensured) that a
// Tracker cannot use, as an [*OptionError]. [Group] does not validate:
// with invalid options its journeys are unspecified.
func (o *Options) Validate() error {
	switch {
	case o.Gap < 0:
		return &OptionError{Field: "Gap", Value: o.Gap, Reason: "negative"}
	case o.ReopenWindow < 0 && o.ReopenWindow != Never:
		return &OptionError{Field: "ReopenWindow", Value: o.ReopenWindow, Reason: "negative and not Never"}
	case o.SessionGap < 0 && o.SessionGap != Never:
		return &OptionError{Field: "SessionGap", Value: o.SessionGap, Reason: "negative and not Never"}
	case o.AckTimeout < 0:
		return &OptionError{Field: "AckTimeout", Value: o.AckTimeout, Reason: "negative"}
	}
	return nil
}

// grouping returns the options the live state depends on: those that
// decide which events make which journey.
func (o *Options) grouping() Options {
	return Options{Gap: o.Gap, ReopenWindow: o.ReopenWindow, SessionGap: o.SessionGap}
}

// sameGrouping reports whether o and p group events alike (the clock and
// AckTimeout aside).
func (o *Options) sameGrouping(p *Options) bool {
	return o.Gap == p.Gap && o.ReopenWindow == p.ReopenWindow && o.SessionGap == p.SessionGap
}
