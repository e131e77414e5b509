package handoff

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// truncateRunes is truncate as the rune conversion defines it.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	switch {
	case utf8.RuneCountInString(s) <= n:
		return s
	case n <= 0:
		return ""
	}
	return string(r[:n-1]) + "…"
}

func FuzzTruncate(f *testing.F) {
	for _, s := range []string{"", "a", "abc", "héllo wörld", "日本語のテキスト", "bad \xff\xfe bytes", "\xe6\x97", strings.Repeat("ü", 40)} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 50
		if got, want := truncate(s, n), truncateRunes(s, n); got != want {
			t.Errorf("truncate(%q, %d) = %q, want %q", s, n, got, want)
		}
	})
}
