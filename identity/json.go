package identity

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/threadline/threadline/internal/jsonlist"
)

// IDs read the same in JSON, text and URLs: a customer is "c42" wherever it
// appears, a link "l7", an observation "o3", a conflict "x5", a review
// "r4". The zero ID, which names nothing (the customer of a refused
// observation), is the empty string. Parsing accepts the printed form and
// a bare number.

// MarshalText returns c as String prints it, or "" for 0.
func (c CustomerID) MarshalText() ([]byte, error) { return idText(c, uint64(c)), nil }

// UnmarshalText parses "c42", "42" or "" (0).
func (c *CustomerID) UnmarshalText(b []byte) error { return parseID(b, "c", (*uint64)(c)) }

// UnmarshalJSON accepts a string (see UnmarshalText) or, as JSON written
// before IDs were strings holds (decisions recorded on timelines), a
// number.
func (c *CustomerID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		return c.UnmarshalText([]byte(s))
	}
	return parseID(b, "c", (*uint64)(c))
}

// MarshalText returns l as String prints it, or "" for 0.
func (l LinkID) MarshalText() ([]byte, error) { return idText(l, uint64(l)), nil }

// UnmarshalText parses "l7", "7" or "" (0).
func (l *LinkID) UnmarshalText(b []byte) error { return parseID(b, "l", (*uint64)(l)) }

// MarshalText returns o as String prints it, or "" for 0.
func (o ObservationID) MarshalText() ([]byte, error) { return idText(o, uint64(o)), nil }

// UnmarshalText parses "o3", "3" or "" (0).
func (o *ObservationID) UnmarshalText(b []byte) error { return parseID(b, "o", (*uint64)(o)) }

// MarshalText returns x as String prints it, or "" for 0.
func (x ConflictID) MarshalText() ([]byte, error) { return idText(x, uint64(x)), nil }

// UnmarshalText parses "x5", "5" or "" (0).
func (x *ConflictID) UnmarshalText(b []byte) error { return parseID(b, "x", (*uint64)(x)) }

// MarshalText returns r as String prints it, or "" for 0.
func (r ReviewID) MarshalText() ([]byte, error) { return idText(r, uint64(r)), nil }

// UnmarshalText parses "r4", "4" or "" (0).
func (r *ReviewID) UnmarshalText(b []byte) error { return parseID(b, "r", (*uint64)(r)) }

func idText(id fmt.Stringer, n uint64) []byte {
	if n == 0 {
		return []byte{}
	}
	return []byte(id.String())
}

func parseID(b []byte, prefix string, dst *uint64) error {
	s := string(b)
	if s == "" {
		*dst = 0
		return nil
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(s, prefix), 10, 64)
	if err != nil {
		return fmt.Errorf("identity: invalid ID %q: want %s followed by a number", s, prefix)
	}
	*dst = n
	return nil
}

// MarshalText returns "strong" or "weak".
func (s Strength) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses "strong" or "weak".
func (s *Strength) UnmarshalText(b []byte) error {
	switch string(b) {
	case "strong":
		*s = Strong
	case "weak":
		*s = Weak
	default:
		return fmt.Errorf("identity: invalid strength %q: want strong or weak", b)
	}
	return nil
}

// The structs below encode their empty lists as [] (see internal/jsonlist).

// MarshalJSON encodes c with empty lists as [].
func (c Customer) MarshalJSON() ([]byte, error) {
	type plain Customer
	return jsonlist.Marshal(plain(c))
}

// MarshalJSON encodes x with empty lists as [].
func (x Conflict) MarshalJSON() ([]byte, error) {
	type plain Conflict
	return jsonlist.Marshal(plain(x))
}

// MarshalJSON encodes r with empty lists as [].
func (r Review) MarshalJSON() ([]byte, error) {
	type plain Review
	return jsonlist.Marshal(plain(r))
}

// MarshalJSON encodes r with empty lists as [].
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return jsonlist.Marshal(plain(r))
}

// MarshalJSON encodes r with empty lists as [].
func (r Refusal) MarshalJSON() ([]byte, error) {
	type plain Refusal
	return jsonlist.Marshal(plain(r))
}

// MarshalJSON encodes m with empty lists as [].
func (m Match) MarshalJSON() ([]byte, error) {
	type plain Match
	return jsonlist.Marshal(plain(m))
}

// MarshalJSON encodes l with empty lists as [].
func (l Link) MarshalJSON() ([]byte, error) {
	type plain Link
	return jsonlist.Marshal(plain(l))
}

// MarshalJSON encodes h with empty lists as [].
func (h HistoryEntry) MarshalJSON() ([]byte, error) {
	type plain HistoryEntry
	return jsonlist.Marshal(plain(h))
}

// MarshalJSON encodes r with empty lists as [].
func (r ForgetResult) MarshalJSON() ([]byte, error) {
	type plain ForgetResult
	return jsonlist.Marshal(plain(r))
}

// MarshalJSON encodes r with empty lists as [].
func (r UnlinkResult) MarshalJSON() ([]byte, error) {
	type plain UnlinkResult
	return jsonlist.Marshal(plain(r))
}

// MarshalJSON encodes r with empty lists as [].
func (r SplitResult) MarshalJSON() ([]byte, error) {
	type plain SplitResult
	return jsonlist.Marshal(plain(r))
}
