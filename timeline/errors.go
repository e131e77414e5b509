package timeline

import (
	"errors"
	"fmt"
)

// ErrInvalidOptions is wrapped by [*OptionError], returned by Open for
// options it cannot use.
var ErrInvalidOptions = errors.New("timeline: invalid options")

// OptionError reports an option Open cannot use: the [Options] field (a
// path such as "Limits.Text" or "Channels[1]"), its value and why. It
// wraps [ErrInvalidOptions].
type OptionError struct {
	Field  string
	Value  any
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("timeline: invalid options: %s = %v: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns [ErrInvalidOptions].
func (e *OptionError) Unwrap() error { return ErrInvalidOptions }

// Errors of [Timeline.Attach].
var (
	// ErrHookExists: a hook is already attached under the name.
	ErrHookExists = errors.New("timeline: a hook is already attached under this name")
	// ErrInvalidHook: an empty name or a nil hook.
	ErrInvalidHook = errors.New("timeline: invalid hook")
)

// ErrInvalidEvent is wrapped by [*InvalidEventError].
var ErrInvalidEvent = errors.New("timeline: invalid event")

// InvalidEventError says which event of a batch is invalid, which field and
// why. Nothing of the batch was written.
type InvalidEventError struct {
	Index  int    // position in the batch
	ID     string // the event's ID, possibly empty
	Field  string
	Reason string
	// Err is the underlying error, if any (an identity error for a bad
	// identifier).
	Err error
}

func (e *InvalidEventError) Error() string {
	return fmt.Sprintf("timeline: invalid event %d (%q): %s: %s", e.Index, trunc(e.ID), e.Field, e.Reason)
}

// Unwrap returns [ErrInvalidEvent] and the underlying error, so both
// errors.Is(err, ErrInvalidEvent) and errors.Is(err, identity.ErrInvalidIdentifier)
// hold for a bad identifier.
func (e *InvalidEventError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidEvent}
	}
	return []error{ErrInvalidEvent, e.Err}
}

// ErrEventConflict is wrapped by [*ConflictError].
var ErrEventConflict = errors.New("timeline: event ID reused with different content")

// ConflictError reports an event ID appended before with other content.
type ConflictError struct{ ID string }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("timeline: event %q was appended before with different content", trunc(e.ID))
}

// Unwrap returns [ErrEventConflict].
func (e *ConflictError) Unwrap() error { return ErrEventConflict }

// ErrInvalidCursor is returned for a cursor that did not come from Read.
var ErrInvalidCursor = errors.New("timeline: invalid cursor")

// ErrInvalidQuery is returned for a query that selects nothing by mistake
// (a negative Limit, or From after To).
var ErrInvalidQuery = errors.New("timeline: invalid query")
