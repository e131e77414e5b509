package identity

import "errors"

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
	// ErrInvalidOptions is returned by New for an unusable configuration.
	ErrInvalidOptions = errors.New("identity: invalid options")
)
