package ident_test

import (
	"testing"

	"github.com/threadline/threadline/internal/ident"
)

func TestCheck(t *testing.T) {
	for _, s := range []string{"", "evt-1", "social:x", "Ann Lee", "crm:42", "café", "日本"} {
		if err := ident.Check(s); err != nil {
			t.Errorf("Check(%q) = %v, want nil", s, err)
		}
	}
	for _, s := range []string{"a\x00b", "tab\there", "line\n", "\x7f", "\u0085", "\u202eevil", "x\u2066", "\u200f", "\u061c"} {
		if err := ident.Check(s); err == nil {
			t.Errorf("Check(%q) = nil, want an error", s)
		}
	}
}
