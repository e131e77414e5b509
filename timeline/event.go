package timeline

import (
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/ident"
)

// Channel is where an interaction happened.
type Channel string

// Built-in channels. Social networks are "social:<network>"; more channels
// can be registered with [Options].Channels.
const (
	Voice    Channel = "voice"
	Chat     Channel = "chat"
	Email    Channel = "email"
	SMS      Channel = "sms"
	WhatsApp Channel = "whatsapp"
	Web      Channel = "web"
	App      Channel = "app"
	// SystemChannel carries records no customer sees: decisions, notes.
	SystemChannel Channel = "system"
)

// Social returns the channel of a social network: Social("x") = "social:x".
func Social(network string) Channel { return Channel("social:" + network) }

// Direction says who started the step.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"  // from the customer
	Outbound Direction = "outbound" // to the customer
	Internal Direction = "internal" // between agents, bots and systems
)

// ActorKind says who acted.
type ActorKind string

// Actor kinds.
const (
	Customer ActorKind = "customer"
	Bot      ActorKind = "bot"
	Agent    ActorKind = "agent"
	System   ActorKind = "system"
)

// Actor is who produced an event. Agents and bots carry an ID.
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id,omitempty"`
}

// Type is what kind of step an event records.
type Type string

// Built-in event types; more can be registered with [Options].Types.
const (
	Message    Type = "message"
	CallStart  Type = "call_start"
	CallEnd    Type = "call_end"
	EmailMsg   Type = "email"
	Transfer   Type = "transfer"
	Handoff    Type = "handoff"
	Resolution Type = "resolution"
	Decision   Type = "decision"
	Note       Type = "note"
	Survey     Type = "survey"
	Payment    Type = "payment"
	// HandoffAck records that the receiving side took over a handoff; its
	// Attrs[AttrHandoff] names the handoff event.
	HandoffAck Type = "handoff_ack"
)

// Fact is something the customer provided: an order number, an account
// number, the issue. The next agent must not ask for it again.
type Fact struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Outcome is how an attempted action ended: one of the constants, or any
// word the caller uses.
type Outcome string

// Action outcomes the library interprets: a [Pending] action is a promise
// (the handoff packet lists it until a later attempt of the same action
// settles it).
const (
	Succeeded Outcome = "succeeded"
	Failed    Outcome = "failed"
	Pending   Outcome = "pending"
)

// Action is a step a bot or agent attempted, with its outcome.
type Action struct {
	Name    string  `json:"name"`
	Outcome Outcome `json:"outcome"`
}

// Event is one interaction step.
type Event struct {
	// ID is unique per event; appending the same ID again is a no-op when
	// the content is equal and a [*ConflictError] otherwise.
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Channel   Channel   `json:"channel"`
	Direction Direction `json:"direction"`
	Actor     Actor     `json:"actor"`
	Type      Type      `json:"type"`
	Text      string    `json:"text,omitempty"` // the message, or a summary
	Intent    string    `json:"intent,omitempty"`
	// Sentiment in [-1, 1]; nil when unknown.
	Sentiment *float64          `json:"sentiment,omitempty"`
	Case      string            `json:"case,omitempty"` // case or ticket reference
	Facts     []Fact            `json:"facts"`
	Actions   []Action          `json:"actions"`
	Attrs     map[string]string `json:"attrs,omitempty"`
	// Identifiers the event was observed with. On append at least one is
	// required; identity resolves them in the same transaction. Events read
	// back carry the canonical identifier they are stored under, in a slice
	// shared by the events of that identifier: append to it freely (its
	// capacity is 1), but do not assign to its element.
	Identifiers []identity.Identifier `json:"identifiers"`
	// Verified says the customer was authenticated in this step.
	Verified bool `json:"verified,omitempty"`
}

// Sentiment returns a pointer to s, for [Event].Sentiment.
func Sentiment(s float64) *float64 { return &s }

func trunc(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

var (
	builtinChannels = []Channel{Voice, Chat, Email, SMS, WhatsApp, Web, App, SystemChannel}
	builtinTypes    = []Type{Message, CallStart, CallEnd, EmailMsg, Transfer, Handoff, Resolution, Decision, Note, Survey, Payment, HandoffAck}
	socialChannel   = regexp.MustCompile(`^social:[a-z0-9_-]{1,32}$`)
	keyName         = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)
)

// validator checks events against the registered channels, types and limits.
type validator struct {
	channels map[Channel]bool
	types    map[Type]bool
	limits   Limits
	now      func() time.Time
}

func (v *validator) knownChannel(c Channel) bool {
	return v.channels[c] || socialChannel.MatchString(string(c))
}

func (v *validator) check(i int, e *Event) error {
	bad := func(field, format string, args ...any) error {
		return &InvalidEventError{Index: i, ID: e.ID, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	l := v.limits
	now := v.now()
	switch {
	case e.ID == "" || len(e.ID) > l.Field || !utf8.ValidString(e.ID):
		return bad("id", "required, valid UTF-8, at most %d bytes", l.Field)
	case e.Time.IsZero():
		return bad("time", "required")
	case e.Time.Before(time.Unix(0, 1)) || e.Time.After(now.Add(24*time.Hour)):
		return bad("time", "%s outside 1970..now+24h", e.Time.Format(time.RFC3339))
	case !v.knownChannel(e.Channel):
		return bad("channel", "unknown channel %q", e.Channel)
	case e.Direction != Inbound && e.Direction != Outbound && e.Direction != Internal:
		return bad("direction", "want inbound, outbound or internal, not %q", e.Direction)
	case e.Actor.Kind != Customer && e.Actor.Kind != Bot && e.Actor.Kind != Agent && e.Actor.Kind != System:
		return bad("actor", "want customer, bot, agent or system, not %q", e.Actor.Kind)
	case e.Actor.Kind == Agent && e.Actor.ID == "":
		return bad("actor", "an agent needs an ID")
	case !v.types[e.Type]:
		return bad("type", "unknown type %q", e.Type)
	case len(e.Text) > l.Text || !utf8.ValidString(e.Text):
		return bad("text", "valid UTF-8 of at most %d bytes", l.Text)
	case e.Sentiment != nil && !(*e.Sentiment >= -1 && *e.Sentiment <= 1):
		return bad("sentiment", "%v outside [-1, 1]", *e.Sentiment)
	case len(e.Identifiers) == 0:
		return bad("identifiers", "at least one required")
	case len(e.Identifiers) > l.Identifiers:
		return bad("identifiers", "%d, at most %d", len(e.Identifiers), l.Identifiers)
	case len(e.Facts) > l.Facts || len(e.Actions) > l.Facts || len(e.Attrs) > l.Facts:
		return bad("facts", "at most %d facts, actions and attributes each", l.Facts)
	}
	for _, f := range []struct{ name, v string }{{"id", e.ID}, {"intent", e.Intent}, {"case", e.Case}, {"actor", e.Actor.ID}} {
		if len(f.v) > l.Field || !utf8.ValidString(f.v) {
			return bad(f.name, "valid UTF-8 of at most %d bytes", l.Field)
		}
		if err := ident.Check(f.v); err != nil {
			return bad(f.name, "%v", err)
		}
	}
	for _, f := range e.Facts {
		if !keyName.MatchString(f.Key) || len(f.Value) > l.Value || !utf8.ValidString(f.Value) {
			return bad("facts", "fact %q: want a key [a-z][a-z0-9_.-]* and a UTF-8 value of at most %d bytes", trunc(f.Key), l.Value)
		}
	}
	for _, a := range e.Actions {
		if a.Name == "" || len(a.Name) > l.Field || len(a.Outcome) > l.Value || !utf8.ValidString(a.Name+string(a.Outcome)) {
			return bad("actions", "action %q: want a name and outcome of valid UTF-8 within limits", trunc(a.Name))
		}
		if err := ident.Check(a.Name + string(a.Outcome)); err != nil {
			return bad("actions", "action %q: %v", trunc(a.Name), err)
		}
	}
	for k, val := range e.Attrs {
		if !keyName.MatchString(k) || len(val) > l.Value || !utf8.ValidString(val) {
			return bad("attrs", "attribute %q: want a key [a-z][a-z0-9_.-]* and a UTF-8 value of at most %d bytes", trunc(k), l.Value)
		}
		if err := checkInterpreted(k, val, l); err != nil {
			return bad("attrs", "attribute %q: %v", k, err)
		}
	}
	return nil
}
