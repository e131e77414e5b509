package identity

import "strings"

// Kind names a kind of identifier: "email", "phone", "x", ... Kind names are
// lower case ASCII letters, digits, '_' and '-', and never contain ':'.
type Kind string

// Built-in kinds. Each has a default policy (see [DefaultKinds]); users may
// override a policy or register kinds of their own with [Options].Kinds.
const (
	Email     Kind = "email"     // e-mail address
	Phone     Kind = "phone"     // phone number (voice and SMS), E.164
	WhatsApp  Kind = "whatsapp"  // WhatsApp number, E.164
	X         Kind = "x"         // X (Twitter) handle
	Instagram Kind = "instagram" // Instagram handle
	Facebook  Kind = "facebook"  // Facebook page-scoped user ID
	TikTok    Kind = "tiktok"    // TikTok handle
	Telegram  Kind = "telegram"  // Telegram username
	Visitor   Kind = "visitor"   // web chat visitor / cookie ID
	Device    Kind = "device"    // mobile or desktop device ID
	Account   Kind = "account"   // external account ID with a namespace: "crm:12345"
)

// Identifier is a kind and a value. Identifiers returned by this package are
// always canonical (normalized); build one from raw input with [Parse] or
// [New] and let the [Graph] normalize it.
type Identifier struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

// New returns an identifier of kind k with the raw value v (not yet
// normalized).
func New(k Kind, v string) Identifier { return Identifier{Kind: k, Value: v} }

// Parse splits "kind:value" at the first ':'. The value is not normalized.
func Parse(s string) (Identifier, error) {
	k, v, ok := strings.Cut(s, ":")
	if !ok || k == "" {
		return Identifier{}, &InvalidIdentifierError{Input: s, Reason: `want "kind:value"`}
	}
	return Identifier{Kind: Kind(k), Value: v}, nil
}

// String returns "kind:value".
func (id Identifier) String() string { return string(id.Kind) + ":" + id.Value }

// IsZero reports whether id is the zero Identifier.
func (id Identifier) IsZero() bool { return id.Kind == "" && id.Value == "" }
