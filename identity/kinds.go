package identity

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Strength says whether a match on an identifier alone is enough to merge.
type Strength uint8

const (
	// Strong identifiers merge: two customers sharing one become one.
	Strong Strength = iota
	// Weak identifiers are evidence only: they attach anonymous profiles
	// (those with no strong identifier) to a customer, but never merge two
	// customers that each have a strong identifier.
	Weak
)

func (s Strength) String() string {
	if s == Weak {
		return "weak"
	}
	return "strong"
}

// KindPolicy is how the graph treats one kind of identifier.
type KindPolicy struct {
	// Kind is the kind this policy applies to.
	Kind Kind
	// Normalize turns raw input into the canonical value, or returns an
	// error (preferably an *InvalidIdentifierError). Required.
	Normalize func(raw string) (string, error)
	// Strength: Strong or Weak.
	Strength Strength
	// Limit is the most identifiers of this kind one customer may have; 0
	// means no limit. For Account the limit applies per namespace
	// ("crm:1" and "shop:9" do not compete).
	Limit int
	// Priority orders kinds when the graph must hold one identifier of an
	// observation back (limit or size guard): the identifier with the
	// largest Priority number is held back first.
	Priority int
	// Blocked lists canonical values that never link (shared inboxes, test
	// data), compared after normalization.
	Blocked []string
	// BlockedPatterns are matched against the canonical value.
	BlockedPatterns []*regexp.Regexp
	// BlockedFunc, if set, is a further test of the canonical value, for
	// rules a regular expression cannot say.
	BlockedFunc func(canonical string) bool
	// SameValue lists other kinds whose identifiers with the same
	// canonical value are one number or account reached on another
	// channel: a phone number that calls, texts (SMS) and has WhatsApp.
	// An identifier of this kind in an observation also reaches the
	// stored identifiers of those kinds with its value, and is linked to
	// them by rule [RuleSameValue]. The relation is symmetric: declaring
	// it on one of the kinds is enough. The kinds should share a
	// normalizer, or their values never meet. Default: phone lists
	// whatsapp; other kinds none.
	SameValue []Kind
	// SameValueStrength is how much a shared value counts as evidence:
	// Strong merges the customers, as a strong identifier does; Weak
	// brings the stored identifier's customer in only when none of the
	// observation's identifiers already belongs to another known customer
	// (a new WhatsApp number meets its phone's customer; one seen with
	// another customer's email does not, and the refusal is recorded as
	// [GuardWeak]). If both kinds of a pair declare it, the weaker holds.
	// Default: Strong.
	SameValueStrength Strength
}

// sameValue is a kind an identifier's value also reaches (see
// KindPolicy.SameValue), and how strong that evidence is.
type sameValue struct {
	kind     Kind
	strength Strength
}

// sameValues builds the symmetric SameValue relation of the kind policies.
func sameValues(kinds map[Kind]*KindPolicy) (map[Kind][]sameValue, error) {
	out := map[Kind][]sameValue{}
	add := func(a, b Kind, s Strength) {
		i := slices.IndexFunc(out[a], func(v sameValue) bool { return v.kind == b })
		if i < 0 {
			out[a] = append(out[a], sameValue{b, s})
		} else {
			out[a][i].strength = max(out[a][i].strength, s) // Weak > Strong: the weaker holds
		}
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		p := kinds[k]
		for _, o := range p.SameValue {
			if kinds[o] == nil || o == k {
				return nil, &OptionError{Field: "Kinds[" + string(k) + "].SameValue", Value: o, Reason: "not another registered kind"}
			}
			add(k, o, p.SameValueStrength)
			add(o, k, p.SameValueStrength)
		}
	}
	return out, nil
}

// blocked reports whether the canonical value v is blocked.
func (p *KindPolicy) blocked(v string) bool {
	for _, b := range p.Blocked {
		if b == v {
			return true
		}
	}
	for _, re := range p.BlockedPatterns {
		if re.MatchString(v) {
			return true
		}
	}
	return p.BlockedFunc != nil && p.BlockedFunc(v)
}

// limitGroup names the group whose size Limit bounds: the kind, or for
// Account the kind and namespace.
func (p *KindPolicy) limitGroup(v string) string {
	if p.Kind == Account {
		ns, _, _ := strings.Cut(v, ":")
		return string(Account) + ":" + ns
	}
	return string(p.Kind)
}

// Default blocked values: placeholders and test data that real systems fill
// in when the customer gave nothing. They would otherwise glue thousands of
// unrelated customers together.
var (
	defaultBlockedEmail = []*regexp.Regexp{
		regexp.MustCompile(`^(no-?reply|donotreply|do-not-reply|null|none|unknown|test|nobody|noemail|no-email)@`),
		regexp.MustCompile(`@(invalid|localhost|[^@]*\.invalid)$`),
	}
	defaultBlockedOpaque = []*regexp.Regexp{
		regexp.MustCompile(`^(?i)(null|nil|none|undefined|unknown|n/?a|0+|-1|test)$`),
		regexp.MustCompile(`^0{8}-0{4}-0{4}-0{4}-0{12}$`), // iOS limited-ad-tracking ID
	}
)

// placeholderPhone reports numbers whose national part is one digit
// repeated (+10000000000, +447777777777): what forms get when a customer
// will not give a number.
func placeholderPhone(e164 string) bool {
	digits := strings.TrimPrefix(e164, "+")
	if len(digits) < 7 {
		return false
	}
	tail := digits[len(digits)-7:]
	return strings.Count(tail, tail[:1]) == len(tail)
}

// DefaultKinds returns the built-in kind policies. region is the default
// phone region (ISO 3166 alpha-2) for numbers written without a country
// code; email is the email policy.
//
//	kind       strength  limit            priority
//	record     weak      none             0
//	account    strong    1 per namespace  1
//	email      strong    5                2
//	phone      strong    5                3  same value as whatsapp (strong)
//	whatsapp   strong    3                4
//	x, instagram, facebook, tiktok, telegram
//	           strong    3 each           5
//	visitor    weak      none             8
//	device     weak      20               9
func DefaultKinds(region string, email EmailPolicy) []KindPolicy {
	phone := func(s string) (string, error) { return NormalizePhone(s, region) }
	handle := func(k Kind) func(string) (string, error) {
		return func(s string) (string, error) { return NormalizeHandle(k, s) }
	}
	opaque := func(k Kind) func(string) (string, error) {
		return func(s string) (string, error) { return NormalizeOpaque(k, s) }
	}
	ks := []KindPolicy{
		{Kind: SourceRecord, Normalize: NormalizeSourceRecord, Strength: Weak},
		{Kind: Account, Normalize: NormalizeAccount, Limit: 1, Priority: 1},
		{Kind: Email, Normalize: func(s string) (string, error) { return NormalizeEmail(s, email) },
			Limit: 5, Priority: 2, BlockedPatterns: defaultBlockedEmail},
		{Kind: Phone, Normalize: phone, Limit: 5, Priority: 3, BlockedFunc: placeholderPhone, SameValue: []Kind{WhatsApp}},
		{Kind: WhatsApp, Normalize: phone, Limit: 3, Priority: 4, BlockedFunc: placeholderPhone},
		{Kind: Visitor, Normalize: opaque(Visitor), Strength: Weak, Priority: 8, BlockedPatterns: defaultBlockedOpaque},
		{Kind: Device, Normalize: opaque(Device), Strength: Weak, Limit: 20, Priority: 9, BlockedPatterns: defaultBlockedOpaque},
	}
	for _, k := range []Kind{X, Instagram, TikTok, Telegram, Facebook} {
		ks = append(ks, KindPolicy{Kind: k, Normalize: handle(k), Limit: 3, Priority: 5})
	}
	return ks
}

// validate checks a policy supplied by the user. The error's Field is
// relative to the policy.
func (p *KindPolicy) validate() *OptionError {
	switch {
	case p.Kind == "" || strings.ContainsAny(string(p.Kind), ": ") || strings.ToLower(string(p.Kind)) != string(p.Kind):
		return &OptionError{Field: "Kind", Value: p.Kind, Reason: "want a lower-case name without ':' or spaces"}
	case p.Normalize == nil:
		return &OptionError{Field: "Normalize", Value: nil, Reason: fmt.Sprintf("kind %q has none", p.Kind)}
	case p.Strength > Weak:
		return &OptionError{Field: "Strength", Value: p.Strength, Reason: "not Strong or Weak"}
	case p.Limit < 0:
		return &OptionError{Field: "Limit", Value: p.Limit, Reason: "negative"}
	}
	return nil
}
