package match

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// special maps lower-case letters that Unicode does not decompose into a
// base letter and a mark to their usual ASCII spelling. fold looks letters
// up lower-cased, so upper-case Ð, Þ, Ø (and ẞ) fold as their lower case
// does: a table keyed by both cases missed some, and fold was not
// idempotent ("JosÐ" → "josð" → "josd").
var special = map[rune]string{
	'ß': "ss", 'ø': "o", 'æ': "ae", 'œ': "oe", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// fold lowercases s, removes diacritics (é → e, ü → u) and keeps only
// letters and digits, separating words by one space. Punctuation inside a
// word (O'Brien, Smith-Jones) is dropped so that spellings with and without
// it agree.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		// Invalid bytes become U+FFFD, a separator as in the loop below,
		// before decomposing: NFKD leaves a letter after an invalid byte
		// undecomposed, and fold would not be idempotent.
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		s = norm.NFKD.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r >= utf8.RuneSelf {
			r = unicode.ToLower(r)
		}
		switch {
		case r < utf8.RuneSelf:
			c := byte(r)
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			case c == '\'' || c == '-' || c == '.' || c == '`':
				continue // joins: o'brien, smith-jones
			default:
				space = b.Len() > 0
				continue
			}
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteByte(c)
		case unicode.Is(unicode.Mn, r):
			// a combining mark left by the decomposition
		case special[r] != "":
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(special[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		case r == '’':
			continue
		default:
			space = b.Len() > 0
		}
	}
	return b.String()
}

// digits returns the ASCII digits of s.
func digits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}
