// Package ident checks strings that name things — event IDs, sources,
// attribute and consent keys — rather than carry free text. Such a name is
// compared, indexed and printed in logs and consoles, where a control
// character (NUL included) can cut or forge a line and a bidirectional
// override can make one name display as another. Free text (messages, fact
// values) is not checked here.
package ident

import "fmt"

// Check returns an error naming the first control or bidirectional
// formatting character in s, or nil if s has none. It does not check
// UTF-8 validity or length: callers do, with their own limits.
func Check(s string) error {
	for i, r := range s {
		if forbidden(r) {
			return fmt.Errorf("character %U at byte %d: control and bidirectional formatting characters are not allowed in a name", r, i)
		}
	}
	return nil
}

// forbidden reports whether r may not appear in a name: a C0 or C1
// control character (U+0000–U+001F, U+007F–U+009F) or a bidirectional
// formatting character (U+061C, U+200E, U+200F, U+202A–U+202E,
// U+2066–U+2069).
func forbidden(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
