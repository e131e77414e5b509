package identity

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// The normalizers below are pure functions: safe for concurrent use, and
// idempotent (normalizing a canonical value returns it unchanged), because
// the graph stores and compares only canonical values.
//
// Input limits are in bytes of raw input, checked before anything else so
// that a hostile 10 MB "email" costs one comparison.
const (
	maxEmailInput   = 320 // 64-byte local part, '@', 253-byte domain, slack
	maxEmailLocal   = 64  // RFC 5321
	maxDomain       = 253 // RFC 1035, without the trailing dot
	maxDomainLabel  = 63  // RFC 1035
	maxPhoneInput   = 64
	maxHandleInput  = 256 // room for a profile URL with a query string
	maxOpaque       = 256
	maxNamespace    = 32
	maxAccountInput = maxNamespace + 1 + maxOpaque
)

// EmailPolicy selects provider-specific email rules. The zero value applies
// none, so two addresses that any provider might deliver to different
// mailboxes never become one identifier by default. An EmailPolicy is a
// plain value, safe to copy and share.
type EmailPolicy struct {
	// ProviderRules applies Gmail's rules: dots in the local part and
	// "+tag" suffixes are ignored, and googlemail.com is gmail.com, so
	// ann.lee+shop@googlemail.com and annlee@gmail.com are one customer.
	//
	// It is opt-in because the canonical form is then no longer an
	// address the customer typed (reply to the address on the
	// observation, not the canonical one), and because it merges
	// addresses that other providers treat as distinct mailboxes; it is
	// applied only to gmail.com and googlemail.com, never to domains
	// hosted by Google Workspace, which cannot be recognized by name.
	ProviderRules bool
}

// NormalizeEmail returns the canonical form of an email address, so that
// the spellings customers and agents type for one mailbox meet on one
// identifier.
//
// Surrounding white space is trimmed and the address is put in Unicode NFC
// and lower case. Lowering the local part is a deliberate departure from
// RFC 5321, which lets a server treat "Ann" and "ann" as different
// mailboxes: no major provider does, and customers do not type case
// consistently. The domain is converted to ASCII with IDNA (UTS #46 lookup
// profile), so "exämple.com" and "xn--exmple-cua.com" are one domain.
//
// It is a practical validator, not a full RFC 5322 parser: quoted local
// parts, comments and IP-literal domains are rejected, as are local parts
// longer than 64 bytes and input longer than 320 bytes.
func NormalizeEmail(s string, p EmailPolicy) (string, error) {
	t, err := precheck(Email, s, maxEmailInput)
	if err != nil {
		return "", err
	}
	local, domain, reason := splitEmail(t)
	if reason == "" && p.ProviderRules {
		local, domain, reason = gmailRules(local, domain)
	}
	if reason != "" {
		return "", invalidID(Email, s, reason)
	}
	return local + "@" + domain, nil
}

// splitEmail validates an address and returns its canonical local part
// and domain, or a reason.
func splitEmail(t string) (local, domain, reason string) {
	if strings.ContainsRune(t, '"') {
		return "", "", "quoted local part not supported"
	}
	local, domain, ok := strings.Cut(t, "@")
	switch {
	case !ok:
		return "", "", "missing @"
	case strings.Contains(domain, "@"):
		return "", "", "more than one @"
	}
	if reason := checkLocalPart(local); reason != "" {
		return "", "", reason
	}
	local = norm.NFC.String(strings.ToLower(local))
	if len(local) > maxEmailLocal {
		return "", "", "local part longer than 64 bytes"
	}
	domain, reason = canonicalDomain(domain)
	return local, domain, reason
}

// checkLocalPart accepts the RFC 5322 dot-atom form, plus any printable
// non-ASCII character (RFC 6531 internationalized addresses).
func checkLocalPart(local string) string {
	switch {
	case local == "":
		return "empty local part"
	case local[0] == '.' || local[len(local)-1] == '.':
		return "local part starts or ends with a dot"
	case strings.Contains(local, ".."):
		return "consecutive dots in local part"
	}
	for _, r := range local {
		switch {
		case unicode.IsSpace(r):
			return "space in local part"
		case r < utf8.RuneSelf && !isAtext(byte(r)) && r != '.':
			return fmt.Sprintf("invalid character %q in local part", r)
		case r >= utf8.RuneSelf && !unicode.IsGraphic(r):
			return fmt.Sprintf("invalid character %q in local part", r)
		}
	}
	return ""
}

// isAtext reports whether c may appear unquoted in a local part (RFC 5322
// atext).
func isAtext(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// canonicalDomain converts a domain to lower-case ASCII (IDNA) and checks
// it is a plausible internet host name.
func canonicalDomain(d string) (string, string) {
	if d == "" {
		return "", "empty domain"
	}
	a, err := idna.Lookup.ToASCII(d)
	if err != nil {
		return "", "invalid domain"
	}
	a = strings.ToLower(a)
	// Mapping can turn a valid label into one the Bidi Rule rejects when
	// it is decoded again ("ℵa" becomes Hebrew "אa"): insist on a fixed
	// point so that canonical addresses always normalize to themselves.
	if again, err := idna.Lookup.ToASCII(a); err != nil || again != a {
		return "", "invalid domain"
	}
	if len(a) > maxDomain {
		return "", "domain longer than 253 bytes"
	}
	labels := strings.Split(a, ".")
	if len(labels) < 2 {
		return "", "domain has no dot"
	}
	for _, l := range labels {
		if reason := checkDomainLabel(l); reason != "" {
			return "", reason
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", "numeric top-level domain"
	}
	return a, ""
}

// checkDomainLabel applies RFC 1123 host name rules to one ASCII label.
func checkDomainLabel(l string) string {
	switch {
	case l == "":
		return "empty domain label"
	case len(l) > maxDomainLabel:
		return "domain label longer than 63 bytes"
	case l[0] == '-' || l[len(l)-1] == '-':
		return "domain label starts or ends with a hyphen"
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return "invalid character in domain"
		}
	}
	return ""
}

// gmailRules applies Gmail's address equivalences (see
// [EmailPolicy.ProviderRules]) to a canonical local part and domain.
func gmailRules(local, domain string) (string, string, string) {
	if domain != "gmail.com" && domain != "googlemail.com" {
		return local, domain, ""
	}
	local, _, _ = strings.Cut(local, "+")
	local = strings.ReplaceAll(local, ".", "")
	if local == "" {
		return "", "", "empty local part"
	}
	return local, "gmail.com", ""
}

// NormalizePhone returns a phone number in E.164 form ("+14155550100"),
// the one spelling of a number that does not depend on where the caller
// dialled from, so that "(415) 555-0100" typed in the US and
// "+1 415 555 0100" from a web form meet on one identifier.
//
// defaultRegion (ISO 3166 alpha-2, "US", "GB", ...; note "UK" is not a
// region) says which country a number written without a country code
// belongs to. An unknown region rejects every number, so that a
// misconfiguration shows up at once rather than only on national numbers.
// With no default region the number must start with '+' or "00".
//
// Numbers that are not valid for their country are rejected, and
// extensions are dropped: they reach a desk, not a person. Input longer
// than 64 bytes is rejected. Prefixes such as "whatsapp:" or "tel:" are
// the caller's to strip.
func NormalizePhone(s string, defaultRegion string) (string, error) {
	t, err := precheck(Phone, s, maxPhoneInput)
	if err != nil {
		return "", err
	}
	region := phoneRegion(defaultRegion)
	t, reason := phoneInput(t, region)
	if reason != "" {
		return "", invalidID(Phone, s, reason)
	}
	num, err := phonenumbers.Parse(t, region)
	if err != nil {
		return "", invalidID(Phone, s, phoneReason(err))
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", invalidID(Phone, s, "not a valid number")
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// phoneRegion is the region code a default region names.
func phoneRegion(defaultRegion string) string {
	return strings.ToUpper(strings.TrimSpace(defaultRegion))
}

// knownRegion reports whether NormalizePhone accepts numbers with
// defaultRegion: it is empty or a supported region.
func knownRegion(defaultRegion string) bool {
	r := phoneRegion(defaultRegion)
	return r == "" || phonenumbers.GetSupportedRegions()[r]
}

// e164Form reports whether s is spelled as NormalizePhone's results are:
// '+', a non-zero digit, and at most 14 more digits.
func e164Form(s string) bool {
	if len(s) < 2 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// phoneInput checks the region and, with no region, rewrites the "00"
// international prefix (the ITU recommendation, used by most countries)
// as '+', which the parser needs to find the country code.
func phoneInput(t, region string) (string, string) {
	if region != "" {
		if !knownRegion(region) {
			return "", fmt.Sprintf("unknown default region %q", region)
		}
		return t, ""
	}
	if rest, ok := strings.CutPrefix(t, "00"); ok {
		return "+" + rest, ""
	}
	if !strings.HasPrefix(t, "+") {
		return "", "no country code and no default region"
	}
	return t, ""
}

// phoneReason turns a parser error into a short reason.
func phoneReason(err error) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "invalid country code"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "too short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "too long"
	}
	return "not a phone number"
}

// handleRule is one network's username syntax.
type handleRule struct {
	minLen, maxLen int
	chars          string                // every allowed byte
	hosts          []string              // profile URL hosts; none: URLs are not accepted
	check          func(h string) string // further rules, or nil
}

const (
	handleDigits = "0123456789"
	handleAlnum  = "abcdefghijklmnopqrstuvwxyz" + handleDigits
)

var handleRules = map[Kind]handleRule{
	X:         {minLen: 1, maxLen: 15, chars: handleAlnum + "_", hosts: []string{"x.com", "twitter.com"}},
	Instagram: {minLen: 1, maxLen: 30, chars: handleAlnum + "._", hosts: []string{"instagram.com", "instagr.am"}, check: instagramRule},
	TikTok:    {minLen: 2, maxLen: 24, chars: handleAlnum + "._", hosts: []string{"tiktok.com"}, check: tiktokRule},
	Telegram:  {minLen: 5, maxLen: 32, chars: handleAlnum + "_", hosts: []string{"t.me", "telegram.me", "telegram.dog"}, check: telegramRule},
	Facebook:  {minLen: 1, maxLen: 20, chars: handleDigits},
}

func instagramRule(h string) string {
	if h[0] == '.' || h[len(h)-1] == '.' {
		return "starts or ends with a dot"
	}
	if strings.Contains(h, "..") {
		return "consecutive dots"
	}
	return ""
}

func tiktokRule(h string) string {
	if h[len(h)-1] == '.' {
		return "ends with a dot"
	}
	return ""
}

func telegramRule(h string) string {
	if h[0] < 'a' || h[0] > 'z' {
		return "does not start with a letter"
	}
	return ""
}

// NormalizeHandle returns the canonical username on a social network (X,
// Instagram, TikTok, Telegram) or the Facebook page-scoped user ID, so
// that "@AnnLee", "annlee" and "https://x.com/AnnLee" meet on one
// identifier.
//
// Surrounding white space and one leading '@' are removed and the handle
// is lowered, since these networks match usernames without regard to
// case. Only ASCII letters are lowered: the networks allow no other
// letters, and full Unicode lowering would let a look-alike such as 'İ'
// (U+0130) pass as 'i'.
//
// A profile URL on the network's own host (with or without scheme, "www.",
// "m." or "mobile.") is accepted and its single path segment taken as the
// handle: "x.com/AnnLee", "instagram.com/ann.lee/", "tiktok.com/@ann.lee",
// "t.me/annlee". Facebook URLs are not accepted: the number in a profile
// URL is not the page-scoped ID a page's messages carry. Input longer than
// 256 bytes is rejected.
func NormalizeHandle(k Kind, s string) (string, error) {
	rule, ok := handleRules[k]
	if !ok {
		return "", invalidID(k, s, "not a social network")
	}
	t, err := precheck(k, s, maxHandleInput)
	if err != nil {
		return "", err
	}
	h, reason := handleFromURL(lowerASCII(t), rule.hosts)
	if reason == "" {
		h = strings.TrimPrefix(h, "@")
		reason = rule.validate(h)
	}
	if reason != "" {
		return "", invalidID(k, s, reason)
	}
	return h, nil
}

// validate checks a lowered handle without its '@'.
func (r *handleRule) validate(h string) string {
	if h == "" {
		return "empty"
	}
	for i := 0; i < len(h); i++ {
		if strings.IndexByte(r.chars, h[i]) < 0 {
			return "invalid character"
		}
	}
	if len(h) < r.minLen || len(h) > r.maxLen {
		return fmt.Sprintf("want %d to %d characters", r.minLen, r.maxLen)
	}
	if r.check != nil {
		return r.check(h)
	}
	return ""
}

// handleFromURL returns the handle in a profile URL on one of hosts, or s
// itself if it is not a URL (has no '/').
func handleFromURL(s string, hosts []string) (string, string) {
	if len(hosts) == 0 || !strings.Contains(s, "/") {
		return s, ""
	}
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		rest, _ = strings.CutPrefix(s, "http://")
	}
	host, path, _ := strings.Cut(rest, "/")
	for _, sub := range []string{"www.", "mobile.", "m."} {
		host = strings.TrimPrefix(host, sub)
	}
	if !slices.Contains(hosts, host) {
		return "", "not a profile url on " + hosts[0]
	}
	path, _, _ = strings.Cut(path, "?")
	path, _, _ = strings.Cut(path, "#")
	path = strings.TrimSuffix(path, "/")
	if path == "" || strings.Contains(path, "/") {
		return "", "not a profile url"
	}
	return path, ""
}

// NormalizeOpaque returns the canonical form of an ID minted by software
// (a web chat visitor cookie, a device ID): such IDs are compared exactly,
// so only surrounding white space is trimmed and Unicode put in NFC. Case
// is preserved because these IDs are case-sensitive. k names the kind in
// errors.
//
// White space inside, control and invisible format characters, and IDs
// longer than 256 bytes are rejected: they are signs of a broken
// integration, not of an ID. Placeholder values such as the all-zero iOS
// advertising ID are valid here; the kind's blocked values keep them from
// linking (see [KindPolicy]).
func NormalizeOpaque(k Kind, s string) (string, error) {
	t, err := precheck(k, s, maxOpaque)
	if err != nil {
		return "", err
	}
	if strings.IndexFunc(t, unicode.IsSpace) >= 0 {
		return "", invalidID(k, s, "white space inside")
	}
	if len(t) > maxOpaque { // NFC can lengthen a string
		return "", invalidID(k, s, "longer than 256 bytes")
	}
	return t, nil
}

// NormalizeAccount returns the canonical form of an external account ID
// written "namespace:id" ("crm:0012A", "shop:ann-42"). The namespace keeps
// IDs from different systems apart, so "crm:42" and "shop:42" never meet.
//
// The namespace is lowered and must be 1 to 32 of [a-z0-9_.-]. The id is
// trimmed and put in NFC, but keeps its case and any inner spaces, because
// other systems' IDs are compared exactly; it may contain ':' and be up to
// 256 bytes. Input longer than 289 bytes is rejected.
func NormalizeAccount(s string) (string, error) {
	t, err := precheck(Account, s, maxAccountInput)
	if err != nil {
		return "", err
	}
	ns, id, ok := strings.Cut(t, ":")
	if !ok {
		return "", invalidID(Account, s, `want "namespace:id"`)
	}
	ns = lowerASCII(ns)
	id = strings.TrimSpace(id)
	if reason := checkAccount(ns, id); reason != "" {
		return "", invalidID(Account, s, reason)
	}
	return ns + ":" + id, nil
}

// checkAccount checks a lowered namespace and a trimmed id.
func checkAccount(ns, id string) string {
	switch {
	case ns == "":
		return "empty namespace"
	case len(ns) > maxNamespace:
		return "namespace longer than 32 bytes"
	case strings.Trim(ns, handleAlnum+"_.-") != "":
		return "invalid character in namespace"
	case id == "":
		return "empty id"
	case len(id) > maxOpaque:
		return "id longer than 256 bytes"
	}
	return ""
}

// precheck rejects input that is too long, not UTF-8, empty or holding
// control or invisible format characters, cheapest test first, and
// returns it trimmed and in NFC.
func precheck(k Kind, s string, max int) (string, error) {
	if len(s) > max {
		return "", invalidID(k, s, fmt.Sprintf("longer than %d bytes", max))
	}
	if !utf8.ValidString(s) {
		return "", invalidID(k, s, "invalid utf-8")
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return "", invalidID(k, s, "empty")
	}
	if strings.IndexFunc(t, isControlOrFormat) >= 0 {
		return "", invalidID(k, s, "control or invisible character")
	}
	return norm.NFC.String(t), nil
}

// isControlOrFormat reports C0/C1 controls and invisible format characters
// (zero-width space, byte order mark, bidi overrides): they make two
// values that look identical compare different.
func isControlOrFormat(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// lowerASCII lowers ASCII letters only.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func invalidID(k Kind, s, reason string) error {
	return &InvalidIdentifierError{Kind: k, Input: s, Reason: reason}
}
