package journey

import (
	"fmt"
	"time"

	"github.com/threadline/threadline/timeline"
)

// Template keys of the built-in triggers' candidates: the caller maps them
// to its own message templates.
const (
	TemplateMissedCall    = "missed_call"
	TemplateChatAbandoned = "chat_abandoned"
	TemplatePaymentFailed = "payment_failed"
	TemplateCallback      = "callback"
)

// after returns the situation's events that come after e, in order.
func after(s *Situation, e *timeline.Event) []timeline.Event {
	for i, r := range s.Recent {
		if r.Time.After(e.Time) || (r.Time.Equal(e.Time) && r.ID > e.ID) {
			return s.Recent[i:]
		}
	}
	return nil
}

func at(e *timeline.Event) string { return e.Time.UTC().Format("2006-01-02 15:04") }

// MissedCall proposes an SMS follow-up for a missed or abandoned call (a
// voice call_end event with [timeline.AttrOutcome] "missed" or "abandoned"), unless
// an agent has spoken with the customer on voice since.
func MissedCall() Trigger {
	return Trigger{Name: "missed-call",
		Match: func(e *timeline.Event) bool {
			o := e.Attrs[timeline.AttrOutcome]
			return e.Channel == timeline.Voice && e.Type == timeline.CallEnd && (o == "missed" || o == "abandoned")
		},
		Propose: func(s *Situation, e *timeline.Event) []Candidate {
			for _, r := range after(s, e) {
				if r.Channel == timeline.Voice && r.Actor.Kind == timeline.Agent {
					return nil
				}
			}
			return []Candidate{{Name: "missed_call_sms", Kind: Service, Channel: timeline.SMS, Purpose: "service",
				Template: TemplateMissedCall, Priority: 50, Reason: fmt.Sprintf("%s call at %s", e.Attrs[timeline.AttrOutcome], at(e))}}
		}}
}

// AbandonedChat proposes an email follow-up when a customer's chat
// message gets no bot or agent reply on chat within wait. Only the last
// unanswered message of a conversation fires: a later customer message
// takes over.
func AbandonedChat(wait time.Duration) Trigger {
	return Trigger{Name: "abandoned-chat", Wait: wait,
		Match: func(e *timeline.Event) bool {
			return e.Channel == timeline.Chat && e.Actor.Kind == timeline.Customer && e.Direction == timeline.Inbound
		},
		Propose: func(s *Situation, e *timeline.Event) []Candidate {
			for _, r := range after(s, e) {
				if r.Channel == timeline.Chat && r.Actor.Kind != timeline.System {
					return nil // answered, or the customer wrote again
				}
			}
			return []Candidate{{Name: "chat_abandoned_email", Kind: Service, Channel: timeline.Email, Purpose: "service",
				Template: TemplateChatAbandoned, Priority: 40, Reason: fmt.Sprintf("chat at %s unanswered for %s", at(e), wait)}}
		}}
}

// FailedPayment proposes proactive contact by SMS after a payment event
// with [timeline.AttrOutcome] "failed", unless a later payment succeeded.
func FailedPayment() Trigger {
	return Trigger{Name: "failed-payment",
		Match: func(e *timeline.Event) bool {
			return e.Type == timeline.Payment && e.Attrs[timeline.AttrOutcome] == "failed"
		},
		Propose: func(s *Situation, e *timeline.Event) []Candidate {
			for _, r := range after(s, e) {
				if r.Type == timeline.Payment && r.Attrs[timeline.AttrOutcome] != "failed" {
					return nil
				}
			}
			return []Candidate{{Name: "payment_failed_contact", Kind: Service, Channel: timeline.SMS, Purpose: "service",
				Template: TemplatePaymentFailed, Priority: 60, Reason: fmt.Sprintf("payment failed at %s", at(e))}}
		}}
}

// UnacknowledgedEscalation proposes a callback when a bot hands a
// conversation off (a handoff event by a bot) and nobody takes it up (see
// [WaitingHandoff]) within wait.
func UnacknowledgedEscalation(wait time.Duration) Trigger {
	return Trigger{Name: "unacknowledged-escalation", Wait: wait,
		Match: func(e *timeline.Event) bool {
			return e.Type == timeline.Handoff && e.Actor.Kind == timeline.Bot
		},
		Propose: func(s *Situation, e *timeline.Event) []Candidate {
			h := WaitingFor(e)
			for _, r := range after(s, e) {
				if h.TakenUpBy(&r) {
					return nil
				}
			}
			return []Candidate{{Name: "escalation_callback", Kind: Callback, Channel: timeline.Voice, Purpose: "service",
				Template: TemplateCallback, Priority: 70, Reason: fmt.Sprintf("handoff %s at %s not acknowledged within %s", e.ID, at(e), wait)}}
		}}
}

// DefaultTriggers are the four built-in triggers: missed calls, chats
// abandoned for 10 minutes, failed payments, and bot escalations
// unacknowledged for 15 minutes.
func DefaultTriggers() []Trigger {
	return []Trigger{MissedCall(), AbandonedChat(10 * time.Minute), FailedPayment(), UnacknowledgedEscalation(15 * time.Minute)}
}
