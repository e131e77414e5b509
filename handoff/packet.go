package handoff

import (
	"fmt"
	"strconv"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// Packet is what the next agent or bot sees at a channel switch or
// escalation. Its JSON field names are stable: they are part of the API.
// Slices are never nil, so empty sections encode as [] rather than null.
type Packet struct {
	// Customer is the live customer ID (absorbed IDs resolve to it).
	Customer identity.CustomerID `json:"customer"`
	// Name is the display name from the customer's profile attributes
	// (full name, else given and family name); for a customer without
	// one, its primary identifier masked ("a***@example.com", "phone
	// …0142"): verified before unverified, strong before weak, email,
	// phone, WhatsApp and account before other kinds.
	Name string `json:"name,omitempty"`
	// Verified lists the identifiers the customer proved, with where.
	Verified []VerifiedID `json:"verified"`
	// Consent lists the consents that apply to the receiving channel: the
	// ones stated for that channel or for all channels ("*").
	Consent []Consent `json:"consent"`
	// Issue is the current journey; nil when the customer has none open.
	Issue *Issue `json:"issue,omitempty"`
	// Provided is every distinct fact the customer gave (see
	// Options.MaxFacts), oldest first. The next agent must not ask again.
	Provided []Fact `json:"provided"`
	// Tried lists what bots and agents attempted in the issue, in order,
	// with outcomes. [timeline.Pending] actions are Promises instead.
	Tried []Attempt `json:"tried"`
	// Sentiment is the issue's sentiment trend and notable moments.
	Sentiment Sentiment `json:"sentiment"`
	// Promises are actions still pending in the issue: callbacks and
	// follow-ups someone committed to.
	Promises []Promise `json:"promises"`
	// Why says why this handoff happens, from where to where.
	Why Reason `json:"why"`
	// Recent is the last Options.RecentTurns messages of the customer's
	// timeline, verbatim up to Options.TurnChars each, oldest first.
	Recent []Turn `json:"recent"`
	// Routing is the signal set a router reads before assigning the contact.
	Routing Routing `json:"routing"`
	// Built is when the packet was built, by the builder's clock.
	Built time.Time `json:"built"`
	// Summary is the short text an agent reads first (see [Summarizer]).
	Summary string `json:"summary"`
	// SummaryError is set when the configured Summarizer failed and
	// Summary fell back to the built-in text.
	SummaryError string `json:"summary_error,omitempty"`
	// HandoffID is the handoff event recorded for this packet by
	// [Builder.Handoff]; empty for a packet only built.
	HandoffID string `json:"handoff_id,omitempty"`
	// Digest identifies the packet's content (see [Packet.ComputeDigest]);
	// the handoff event records it.
	Digest string `json:"digest"`
}

// VerifiedID is an identifier the customer proved.
type VerifiedID struct {
	Identifier string    `json:"identifier"` // kind:value, canonical
	Kind       string    `json:"kind"`
	Source     string    `json:"source"` // the channel or system that verified it
	At         time.Time `json:"at"`
}

// Consent is a consent state for one purpose on the receiving channel.
type Consent struct {
	Purpose string `json:"purpose"`
	Channel string `json:"channel"` // the receiving channel, or "*"
	Granted bool   `json:"granted"`
}

// Issue is the open journey the handoff is about.
type Issue struct {
	Journey string `json:"journey"` // the journey ID
	Intent  string `json:"intent,omitempty"`
	// Summary is what the problem is: the customer's "issue" fact when
	// given, else the intent made readable and the first sentence of the
	// customer's first message in the journey, without greeting, quoted
	// and cut to 120 characters: `delivery: “Please move my delivery”`.
	Summary  string             `json:"summary,omitempty"`
	Case     string             `json:"case,omitempty"`
	Started  time.Time          `json:"started"`
	Elapsed  Duration           `json:"elapsed"` // from Started to Built
	Channels []timeline.Channel `json:"channels"`
	Contacts int                `json:"contacts"`
	// Handoffs are the journey's earlier handoffs, oldest first.
	Handoffs []Past `json:"handoffs"`
}

// Duration is a time.Duration that encodes in JSON as whole seconds.
type Duration time.Duration

// MarshalJSON encodes d as whole seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(time.Duration(d)/time.Second), 10), nil
}

// UnmarshalJSON decodes whole seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("handoff: duration %s: want whole seconds", b)
	}
	*d = Duration(time.Duration(n) * time.Second)
	return nil
}

// Past is an earlier handoff of the journey and what became of it.
type Past struct {
	ID     string           `json:"id"`
	At     time.Time        `json:"at"`
	From   timeline.Channel `json:"from"`
	To     timeline.Channel `json:"to"`
	Reason string           `json:"reason,omitempty"`
	State  State            `json:"state"`
}

// Fact is something the customer provided.
type Fact struct {
	Key      string           `json:"key"`
	Value    string           `json:"value"`
	Channel  timeline.Channel `json:"channel"`
	At       time.Time        `json:"at"` // when first given
	Verified bool             `json:"verified"`
	// Current says it was given in the current issue's journey.
	Current bool `json:"current"`
}

// Attempt is an action a bot or agent tried.
type Attempt struct {
	Action  string             `json:"action"`
	Outcome timeline.Outcome   `json:"outcome"`
	By      timeline.ActorKind `json:"by"`
	ByID    string             `json:"by_id,omitempty"`
	Channel timeline.Channel   `json:"channel"`
	At      time.Time          `json:"at"`
}

// Sentiment is the issue's emotional course, from the events' sentiment
// scores (-1..1).
type Sentiment struct {
	Known bool    `json:"known"` // some event of the issue carried a score
	Start float64 `json:"start"`
	Now   float64 `json:"now"`
	// Trend is "improving", "worsening" or "steady": Now against Start,
	// with a dead band of 0.2.
	Trend   string   `json:"trend,omitempty"`
	Moments []Moment `json:"moments"`
}

// Moment is a notable point of the issue: an event marked with
// [timeline.AttrMoment] ("complaint", "threat_to_leave"), or the first score at or
// below Options.NegativeAt ("very_negative").
type Moment struct {
	Kind    string           `json:"kind"`
	At      time.Time        `json:"at"`
	Channel timeline.Channel `json:"channel"`
	Text    string           `json:"text,omitempty"`
}

// Promise is an action someone committed to and has not yet done.
type Promise struct {
	Action  string             `json:"action"`
	By      timeline.ActorKind `json:"by"`
	ByID    string             `json:"by_id,omitempty"`
	Channel timeline.Channel   `json:"channel"`
	At      time.Time          `json:"at"`
	// Due comes from the promising event's [timeline.AttrDue] attribute (RFC 3339);
	// zero when not stated.
	Due time.Time `json:"due,omitzero"`
}

// Reason is why a handoff happens.
type Reason struct {
	Reason string   `json:"reason,omitempty"`
	From   Endpoint `json:"from"`
	To     Endpoint `json:"to"`
}

// Turn is one message of the recent conversation.
type Turn struct {
	At      time.Time          `json:"at"`
	Channel timeline.Channel   `json:"channel"`
	By      timeline.ActorKind `json:"by"`
	ByID    string             `json:"by_id,omitempty"`
	Text    string             `json:"text"`
}
