package store

import (
	"errors"
	"fmt"
)

// Sentinel errors. Compare with [errors.Is]; the back end's own errors never
// escape this package except as the text of an [ErrEngine] error.
var (
	// ErrNotFound is returned by Get when the key does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed is returned by every call made after Close.
	ErrClosed = errors.New("store: closed")
	// ErrReadOnly is returned when a View transaction tries to write.
	ErrReadOnly = errors.New("store: read-only transaction")
	// ErrVersion is wrapped by [*VersionError].
	ErrVersion = errors.New("store: format version mismatch")
	// ErrEngine is wrapped around failures of the storage engine (I/O
	// errors, corruption). The engine's message is kept as text.
	ErrEngine = errors.New("store: engine error")
	// ErrInvalidKey is returned for an empty key or an empty range.
	ErrInvalidKey = errors.New("store: invalid key")
)

// VersionError reports a store written in another format version. It wraps
// [ErrVersion].
type VersionError struct {
	Found, Want uint64
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("store: format version %d, this library reads version %d", e.Found, e.Want)
}

// Unwrap returns [ErrVersion].
func (e *VersionError) Unwrap() error { return ErrVersion }

// engineErr hides a back-end error behind ErrEngine, keeping only its text.
func engineErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s: %s", ErrEngine, op, err.Error())
}
