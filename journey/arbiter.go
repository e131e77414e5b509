package journey

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/timeline"
)

// ActionKind classifies candidate actions for rules.
type ActionKind string

// Action kinds.
const (
	Promotion ActionKind = "promotion" // marketing: offers, cart reminders
	Service   ActionKind = "service"   // follow-ups on an issue
	Callback  ActionKind = "callback"  // a person calls the customer back
	Survey    ActionKind = "survey"    // feedback requests
)

// Candidate is an action an orchestrator proposes for a customer.
type Candidate struct {
	Name     string           `json:"name"`     // e.g. "cart_promo", "billing_followup"
	Kind     ActionKind       `json:"kind"`     // what rules judge it as
	Channel  timeline.Channel `json:"channel"`  // where it would reach the customer
	Purpose  string           `json:"purpose"`  // consent purpose: "marketing", "service", "survey"
	Template string           `json:"template"` // the caller's template key
	Priority int              `json:"priority"` // larger wins among candidates no rule suppressed
	Reason   string           `json:"reason"`   // why it was proposed, e.g. "cart abandoned"
}

// Situation is what rules see.
type Situation struct {
	Customer *identity.Customer
	Journeys []Journey        // all the customer's journeys, oldest first
	Recent   []timeline.Event // the customer's events of the last Options.Lookback, oldest first
	Now      time.Time
}

// OpenJourneys returns the open journeys of the situation.
func (s *Situation) OpenJourneys() []Journey {
	var out []Journey
	for _, j := range s.Journeys {
		if j.State == Open {
			out = append(out, j)
		}
	}
	return out
}

// Rule can suppress candidates. Rules are plain values; an [Arbiter]
// applies them in order, and the first rule that suppresses a candidate is
// recorded as the reason.
type Rule struct {
	Name string
	// Suppress reports whether the rule suppresses c, and why.
	Suppress func(s *Situation, c Candidate) (bool, string)
}

// Suppressed is a candidate a rule suppressed.
type Suppressed struct {
	Candidate Candidate `json:"candidate"`
	Rule      string    `json:"rule"`
	Reason    string    `json:"reason"`
}

// Decision is an arbiter's choice with its receipts.
type Decision struct {
	ID       string              `json:"id"` // the decision event's ID on the timeline
	Customer identity.CustomerID `json:"customer"`
	Time     time.Time           `json:"time"`
	// Chosen is nil when every candidate was suppressed.
	Chosen     *Candidate   `json:"chosen,omitempty"`
	ChosenBy   string       `json:"chosen_by,omitempty"`
	Suppressed []Suppressed `json:"suppressed"`
	// Trigger and Event name the [Trigger] and the event that proposed the
	// candidates; empty for a decision asked for with [Arbiter.Decide].
	Trigger string `json:"trigger,omitempty"`
	Event   string `json:"event,omitempty"`
}

// String renders the decision in one line.
func (d Decision) String() string {
	var sb strings.Builder
	if d.Trigger != "" {
		fmt.Fprintf(&sb, "trigger %s on %s: ", d.Trigger, d.Event)
	}
	if d.Chosen != nil {
		fmt.Fprintf(&sb, "chose %s (%s)", d.Chosen.Name, d.ChosenBy)
	} else {
		sb.WriteString("chose nothing")
	}
	for _, s := range d.Suppressed {
		fmt.Fprintf(&sb, "; suppressed %s by %s: %s", s.Candidate.Name, s.Rule, s.Reason)
	}
	return sb.String()
}

// ChosenByPriority names how the winner among unsuppressed candidates is
// picked: the largest Priority, ties to the earlier candidate.
const ChosenByPriority = "highest-priority"

// Arbiter chooses among competing actions. [Arbiter.Ask] only answers;
// [Arbiter.Decide] also records the decision on the customer's timeline.
// It is safe for concurrent use.
type Arbiter struct {
	tr    *Tracker
	rules []Rule
	// Lookback bounds the recent events rules see.
	lookback time.Duration
}

// NewArbiter returns an arbiter applying rules in order over tr's
// journeys. A rule without a name or Suppress, or a name used twice, is
// refused with [ErrInvalidRule].
func NewArbiter(tr *Tracker, rules ...Rule) (*Arbiter, error) {
	seen := make(map[string]bool, len(rules))
	for i, r := range rules {
		if r.Name == "" || r.Suppress == nil || seen[r.Name] {
			return nil, fmt.Errorf("%w: rule %d (%q): want a unique name and a Suppress function", ErrInvalidRule, i, r.Name)
		}
		seen[r.Name] = true
	}
	return &Arbiter{tr: tr, rules: slices.Clone(rules), lookback: 30 * 24 * time.Hour}, nil
}

// DecisionWindow is how long [Arbiter.Decide] takes a repeated decision
// to be the one already recorded: the same candidates for the same
// customer with the same outcome (winner and suppressions with their
// reasons) within DecisionWindow of a recorded decision return that
// decision and record nothing. A different outcome is a new decision.
const DecisionWindow = time.Hour

// Ask answers which of the candidates the arbiter would choose for
// customer c now, and why, without recording anything: for a caller
// checking "may I send a promotion now?". The Decision has no ID.
func (a *Arbiter) Ask(ctx context.Context, c identity.CustomerID, candidates ...Candidate) (Decision, error) {
	d, _, _, err := a.evaluate(ctx, c, candidates)
	return d, err
}

// Decide chooses one of the candidates for customer c and records the
// decision on the timeline: the chosen action and the rule that chose it,
// each suppressed action and the rule that suppressed it. It is idempotent
// within [DecisionWindow]: the same decision taken again returns the
// recorded one (with its ID and time) and records nothing new. Two
// concurrent first calls may both record.
func (a *Arbiter) Decide(ctx context.Context, c identity.CustomerID, candidates ...Candidate) (Decision, error) {
	d, anchor, prior, err := a.evaluate(ctx, c, candidates)
	switch {
	case err != nil:
		return Decision{}, err
	case prior != nil:
		return *prior, nil
	}
	return a.record(ctx, d, anchor, "")
}

// evaluate applies the rules to the candidates for customer c now, in one
// read, and returns the decision, the identifier to record it under, and
// the same decision recorded within DecisionWindow, if any.
func (a *Arbiter) evaluate(ctx context.Context, c identity.CustomerID, candidates []Candidate) (d Decision, anchor identity.Identifier, prior *Decision, err error) {
	if len(candidates) == 0 {
		return Decision{}, identity.Identifier{}, nil, ErrNoCandidates
	}
	now := a.tr.now().UTC()
	err = a.tr.tl.Graph().View(ctx, func(tx *identity.Tx) error {
		s, err := a.situation(tx, c, now)
		if err != nil {
			return err
		}
		d = a.decide(s, candidates)
		anchor = s.Customer.Identifiers[0].Identifier
		prior, err = recorded(s.Recent, decisionKey(d), now)
		return err
	})
	return d, anchor, prior, err
}

// recorded returns the newest decision among events whose key is key and
// that is less than DecisionWindow older than now; nil for none.
func recorded(events []timeline.Event, key string, now time.Time) (*Decision, error) {
	for _, e := range slices.Backward(events) {
		if e.Type != timeline.Decision || e.Attrs[attrDecisionKey] != key || now.Sub(e.Time) >= DecisionWindow {
			continue
		}
		var d Decision
		if err := json.Unmarshal([]byte(e.Attrs[attrDecision]), &d); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNotDecision, e.ID, err)
		}
		return &d, nil
	}
	return nil, nil
}

// decisionKey identifies what was decided, whatever the time: the
// customer, the winner and the suppressions with their reasons.
func decisionKey(d Decision) string {
	d.ID, d.Time = "", time.Time{}
	blob, _ := json.Marshal(d) // a Decision always marshals
	return enc.ContentID("", string(blob))
}

// record stores a decision on the timeline, as a decision event of the
// customer's identifier anchor, under id, or when id is "" under an ID
// derived from the decision's content.
func (a *Arbiter) record(ctx context.Context, d Decision, anchor identity.Identifier, id string) (Decision, error) {
	if id == "" {
		blob, err := json.Marshal(d)
		if err != nil {
			return Decision{}, err
		}
		id = enc.ContentID("decision-", string(blob))
	}
	d.ID = id
	blob, err := json.Marshal(d)
	if err != nil {
		return Decision{}, err
	}
	_, err = a.tr.tl.Append(ctx, timeline.Event{ID: d.ID, Time: d.Time, Channel: timeline.SystemChannel,
		Direction: timeline.Internal, Actor: timeline.Actor{Kind: timeline.System, ID: "arbiter"},
		Type: timeline.Decision, Text: d.String(), Attrs: map[string]string{attrDecision: string(blob), attrDecisionKey: decisionKey(d)},
		Identifiers: []identity.Identifier{anchor}})
	return d, err
}

// Attributes of a decision event: the decision as JSON, and its
// decisionKey.
const (
	attrDecision    = "decision"
	attrDecisionKey = "decision_key"
)

func (a *Arbiter) situation(tx *identity.Tx, c identity.CustomerID, now time.Time) (*Situation, error) {
	cust, err := tx.Customer(c)
	if err != nil {
		return nil, err
	}
	js, err := a.tr.JourneysTx(tx, cust.ID)
	if err != nil {
		return nil, err
	}
	page, err := timeline.ReadTx(tx, cust.ID, timeline.Query{From: now.Add(-a.lookback)})
	if err != nil {
		return nil, err
	}
	return &Situation{Customer: cust, Journeys: js, Recent: page.Events, Now: now}, nil
}

// decide applies the rules, then picks by priority.
func (a *Arbiter) decide(s *Situation, cands []Candidate) Decision {
	d := Decision{Customer: s.Customer.ID, Time: s.Now}
	var left []Candidate
	for _, c := range cands {
		if sup, ok := a.suppress(s, c); ok {
			d.Suppressed = append(d.Suppressed, sup)
			continue
		}
		left = append(left, c)
	}
	if len(left) > 0 {
		w := left[0]
		for _, c := range left[1:] {
			if c.Priority > w.Priority {
				w = c
			}
		}
		d.Chosen, d.ChosenBy = &w, ChosenByPriority
		for _, c := range left {
			if c.Name != w.Name {
				d.Suppressed = append(d.Suppressed, Suppressed{Candidate: c, Rule: ChosenByPriority,
					Reason: fmt.Sprintf("priority %d below %s's %d", c.Priority, w.Name, w.Priority)})
			}
		}
	}
	return d
}

func (a *Arbiter) suppress(s *Situation, c Candidate) (Suppressed, bool) {
	for _, r := range a.rules {
		if yes, why := r.Suppress(s, c); yes {
			return Suppressed{Candidate: c, Rule: r.Name, Reason: why}, true
		}
	}
	return Suppressed{}, false
}

// Explain returns a recorded decision from the customer's timeline.
func (a *Arbiter) Explain(ctx context.Context, c identity.CustomerID, id string) (Decision, error) {
	page, err := a.tr.tl.Read(ctx, c, timeline.Query{Types: []timeline.Type{timeline.Decision}})
	if err != nil {
		return Decision{}, err
	}
	for _, e := range page.Events {
		if e.ID != id {
			continue
		}
		var d Decision
		if err := json.Unmarshal([]byte(e.Attrs[attrDecision]), &d); err != nil {
			return Decision{}, fmt.Errorf("%w: %s: %v", ErrNotDecision, id, err)
		}
		return d, nil
	}
	return Decision{}, fmt.Errorf("%w: %s", ErrNotDecision, id)
}
