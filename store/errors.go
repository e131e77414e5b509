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
	// ErrInvalidOptions is wrapped by [*OptionError], returned by Open for
	// options it cannot use.
	ErrInvalidOptions = errors.New("store: invalid options")

	// ErrConflict is wrapped by [*ConflictError]: on a shared back end,
	// an Update kept conflicting with concurrent transactions and gave up.
	// Nothing it wrote was kept; the caller may retry it later.
	ErrConflict = errors.New("store: transaction conflict")
	// ErrCommitUnknown is returned by Update when the back end lost
	// contact during the commit, or reported an ambiguous commit
	// (CockroachDB's 40003), so the store cannot tell whether the writes
	// were kept. The Update was not retried: rerun it only if it is
	// idempotent, or read first to find out.
	ErrCommitUnknown = errors.New("store: commit result unknown")
)

// ConflictError reports an Update on a shared back end that was aborted
// by a conflict (a serialization failure or a deadlock) on each of its
// Tries. It wraps [ErrConflict].
type ConflictError struct {
	// Tries is how many times the closure ran and failed to commit.
	Tries int
	// Code is the SQLSTATE of the last abort: 40001 (serialization
	// failure) or 40P01 (deadlock).
	Code string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("store: transaction conflict: aborted %d times, last with SQLSTATE %s", e.Tries, e.Code)
}

// Unwrap returns [ErrConflict].
func (e *ConflictError) Unwrap() error { return ErrConflict }

// OptionError reports an option Open cannot use: the [Options] field (or
// "dir", Open's argument), its value and why. It wraps [ErrInvalidOptions].
type OptionError struct {
	Field  string
	Value  any
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("store: invalid options: %s = %v: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns [ErrInvalidOptions].
func (e *OptionError) Unwrap() error { return ErrInvalidOptions }

// FatalError is the storage engine's fatal error: a failure after which it
// cannot go on (a commit that reached the write-ahead log only in part, a
// broken internal invariant). Where Pebble would end the process, the
// store panics with a *FatalError instead. When that happens in a call
// made by the caller's goroutine (a commit, a read, an iterator inside a
// View or Update), the DB method recovers it and returns it as an error,
// and every later call except Close returns it too: the DB is unusable,
// and the process may close it and open the directory again to recover
// from the write-ahead log. In one of the engine's own background
// goroutines (compactions, file deletion), nobody can recover the panic,
// so it ends the process, with the message and a stack trace, as any
// unrecovered panic does. A FatalError wraps [ErrEngine].
type FatalError struct {
	Message string
}

func (e *FatalError) Error() string { return "store: engine fatal error: " + e.Message }

// Unwrap returns [ErrEngine].
func (e *FatalError) Unwrap() error { return ErrEngine }

// recoverFatal, deferred, turns a *FatalError panic into *err; any other
// panic goes on.
func recoverFatal(err *error) {
	p := recover()
	if p == nil {
		return
	}
	fe, ok := p.(*FatalError)
	if !ok {
		panic(p)
	}
	*err = fe
}

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
