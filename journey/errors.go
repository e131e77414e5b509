package journey

import (
	"errors"
	"fmt"
)

// ErrInvalidOptions is wrapped by [*OptionError], returned by
// [NewTracker] for options it cannot use.
var ErrInvalidOptions = errors.New("journey: invalid options")

// OptionError reports an option NewTracker cannot use: the [Options]
// field, its value and why. It wraps [ErrInvalidOptions].
type OptionError struct {
	Field  string
	Value  any
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("journey: invalid options: %s = %v: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns [ErrInvalidOptions].
func (e *OptionError) Unwrap() error { return ErrInvalidOptions }

// ErrInvalidTrigger is returned by [NewTriggers] for a trigger without a
// name, Match or Propose, a name used twice, or a negative Wait.
var ErrInvalidTrigger = errors.New("journey: invalid trigger")

// ErrNoCandidates is returned by Decide without candidates.
var ErrNoCandidates = errors.New("journey: no candidate actions")

// ErrNotDecision is returned by Explain for an event that is not a
// decision.
var ErrNotDecision = errors.New("journey: not a decision")

// errCorruptState wraps decoding errors of the live state.
var errCorruptState = errors.New("journey: corrupt live state")

// ErrInvalidRule is returned by [NewArbiter] for a rule without a name or
// Suppress, or a name used twice.
var ErrInvalidRule = errors.New("journey: invalid rule")
