package handoff

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/threadline/threadline/identity"
)

// displayName is the customer's name from its profile attributes or, for
// an unnamed customer, its primary identifier masked (see maskedID).
func displayName(c *identity.Customer) string {
	if a, ok := c.Attributes[identity.AttrFullName]; ok {
		return a.Value
	}
	given, family := c.Attributes[identity.AttrGivenName].Value, c.Attributes[identity.AttrFamilyName].Value
	switch {
	case given != "" && family != "":
		return given + " " + family
	case given+family != "":
		return given + family
	}
	if id, ok := primary(c); ok {
		return maskedID(id)
	}
	return ""
}

// primaryKinds rank the kinds an agent recognizes a customer by.
var primaryKinds = []identity.Kind{identity.Email, identity.Phone, identity.WhatsApp, identity.Account}

// primary is the identifier that best names a customer: verified before
// unverified, strong before weak, then by primaryKinds, then the graph's
// order.
func primary(c *identity.Customer) (identity.Identifier, bool) {
	if len(c.Identifiers) == 0 {
		return identity.Identifier{}, false
	}
	rank := func(id identity.IdentifierInfo) int {
		r := slices.Index(primaryKinds, id.Kind)
		if r < 0 {
			r = len(primaryKinds)
		}
		if id.Strength != identity.Strong {
			r += 10
		}
		if !id.Verified {
			r += 100
		}
		return r
	}
	best := c.Identifiers[0]
	for _, id := range c.Identifiers[1:] {
		if rank(id) < rank(best) {
			best = id
		}
	}
	return best.Identifier, true
}

// maskedID shows enough of an identifier for an agent to confirm it with
// the customer and no more: "a***@example.com", "phone …0142",
// "visitor …f2a".
func maskedID(id identity.Identifier) string {
	v := id.Value
	if id.Kind == identity.Email {
		if at := strings.LastIndexByte(v, '@'); at > 0 {
			first, _ := utf8.DecodeRuneInString(v)
			return string(first) + "***" + v[at:]
		}
	}
	r := []rune(v)
	keep := min(4, len(r)/2) // at most half of a short value shows
	return string(id.Kind) + " …" + string(r[len(r)-keep:])
}

// greeting matches an opening salutation: "Hi,", "Hello there!", "Good
// morning team -", "Dear Sir or Madam,".
var greeting = regexp.MustCompile(`(?i)^\s*(hi|hello|hey|hiya|howdy|greetings|good (morning|afternoon|evening|day)|dear [\p{L} ]{1,30}?)` +
	`( (there|team|all|everyone|folks|guys|support))?\s*[,!.:;\-–—]+\s*`)

// sentenceEnd is the end of a sentence: terminal punctuation followed by
// white space.
var sentenceEnd = regexp.MustCompile(`[.!?]+(\s|$)`)

// issueSummary describes an issue with no "issue" fact: its intent, made
// readable, and the first sentence of the customer's first message in it,
// without greeting or final punctuation, quoted and cut to
// issueSummaryChars: `delivery: "Please move my delivery, order 77"`.
func issueSummary(intent, text string) string {
	what := strings.ReplaceAll(intent, "_", " ")
	s := firstSentence(text)
	switch {
	case s == "":
		return what
	case what == "":
		return "“" + s + "”"
	}
	return what + ": “" + s + "”"
}

// firstSentence returns the first sentence of text after any greeting,
// without its final punctuation, cut at a word to issueSummaryChars.
func firstSentence(text string) string {
	for {
		m := greeting.FindStringIndex(text)
		if m == nil {
			break
		}
		text = text[m[1]:]
	}
	text = strings.TrimSpace(text)
	if m := sentenceEnd.FindStringIndex(text); m != nil {
		text = text[:m[0]]
	}
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) > issueSummaryChars {
		r := []rune(text)[:issueSummaryChars-1]
		if i := strings.LastIndexFunc(string(r), unicode.IsSpace); i > issueSummaryChars/2 {
			return string(r)[:i] + "…"
		}
		return string(r) + "…"
	}
	return text
}
