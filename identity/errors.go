package identity

import (
	"errors"
	"fmt"
)

// Sentinel errors, compared with [errors.Is].
var (
	// ErrInvalidIdentifier is wrapped by [*InvalidIdentifierError].
	ErrInvalidIdentifier = errors.New("identity: invalid identifier")
	// ErrUnknownKind is returned for an identifier whose kind is not
	// registered.
	ErrUnknownKind = errors.New("identity: unknown identifier kind")
	// ErrNotFound is returned when an identifier or customer does not exist.
	ErrNotFound = errors.New("identity: not found")
	// ErrInvalidObservation is returned for an observation that cannot be
	// resolved (no identifiers, too many, a bad time).
	ErrInvalidObservation = errors.New("identity: invalid observation")
	// ErrInvalidOptions is wrapped by [*OptionError], returned by Open for
	// options it cannot use, and returned by calls that need an option
	// that is not set (Forget's suppression without a SuppressionKey).
	ErrInvalidOptions = errors.New("identity: invalid options")
)

// OptionError reports an option Open cannot use: the [Options] field (a
// path such as "Kinds[2].Limit" or "Matching.Window"), its value and why.
// It wraps [ErrInvalidOptions], and Err when set.
type OptionError struct {
	Field  string
	Value  any
	Reason string
	// Err is the underlying error, if any: for Matching.Params, the
	// [match.ErrInvalidParams] error that Params.Validate returned.
	Err error
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("identity: invalid options: %s = %v: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns [ErrInvalidOptions] and Err when set.
func (e *OptionError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalidOptions, e.Err}
	}
	return []error{ErrInvalidOptions}
}

// ErrDecided is returned when a conflict was already decided.
var ErrDecided = errors.New("identity: conflict already decided")

// ErrReviewDecided is returned when accepting or rejecting a review item
// that was already decided.
var ErrReviewDecided = errors.New("identity: review already decided")

// InvalidIdentifierError reports input that does not normalize to an
// identifier of its kind. It wraps [ErrInvalidIdentifier].
type InvalidIdentifierError struct {
	Kind   Kind
	Input  string
	Reason string
}

func (e *InvalidIdentifierError) Error() string {
	in := e.Input
	if len(in) > 64 {
		in = in[:64] + "..."
	}
	if e.Kind == "" {
		return fmt.Sprintf("identity: invalid identifier %q: %s", in, e.Reason)
	}
	return fmt.Sprintf("identity: invalid %s %q: %s", e.Kind, in, e.Reason)
}

// Unwrap returns [ErrInvalidIdentifier].
func (e *InvalidIdentifierError) Unwrap() error { return ErrInvalidIdentifier }

// MergeRefusedError is returned when accepting a review item would break
// a guard (two different account IDs, the component size): a
// probabilistic link never overrides a conflict between strong
// identifiers. The item stays pending.
type MergeRefusedError struct {
	Guard Guard
	A, B  CustomerID
}

func (e *MergeRefusedError) Error() string {
	return fmt.Sprintf("identity: merging %s and %s refused by %s", e.A, e.B, e.Guard)
}
