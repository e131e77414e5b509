package match

import "errors"

// Errors returned by the package; check them with errors.Is.
var (
	// ErrUnknownField: a field name that [Record.Set] or a parameter file
	// does not know.
	ErrUnknownField = errors.New("match: unknown field")
	// ErrInvalidParams: parameters that cannot be used (a probability
	// outside (0,1], a missing level, review above link).
	ErrInvalidParams = errors.New("match: invalid parameters")
	// ErrCorrupt: an encoded [Prepared] that does not decode.
	ErrCorrupt = errors.New("match: corrupt encoding")
	// ErrInvalidRule: a blocking rule spec that does not parse (see
	// [ParseBlockingRule]).
	ErrInvalidRule = errors.New("match: invalid blocking rule")
)
