package journey

import (
	"fmt"
	"slices"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// DefaultSalesIntents returns the intents [NoPromoDuringOpenIssue] treats
// as sales rather than service issues when given none: "" (no intent),
// "purchase", "cart_abandoned", "browse" and "sales". Each call returns a
// new slice.
func DefaultSalesIntents() []string {
	return []string{"", "purchase", "cart_abandoned", "browse", "sales"}
}

// NoPromoDuringOpenIssue suppresses promotions while the customer has an
// open journey about a service issue: an intent outside salesIntents, or
// outside [DefaultSalesIntents] when none are given. The rule keeps its
// own copy of the list.
func NoPromoDuringOpenIssue(salesIntents ...string) Rule {
	sales := slices.Clone(salesIntents)
	if len(sales) == 0 {
		sales = DefaultSalesIntents()
	}
	return Rule{Name: "no-promo-during-open-issue", Suppress: func(s *Situation, c Candidate) (bool, string) {
		if c.Kind != Promotion {
			return false, ""
		}
		for _, j := range s.OpenJourneys() {
			if !slices.Contains(sales, j.Intent) {
				return true, fmt.Sprintf("open %s issue since %s (journey %s)", j.Intent, j.Start.Format(time.DateOnly), j.ID)
			}
		}
		return false, ""
	}}
}

// NoSurveyAfterComplaint suppresses surveys within window of a customer
// event with sentiment at or below -0.5.
func NoSurveyAfterComplaint(window time.Duration) Rule {
	return Rule{Name: "no-survey-after-complaint", Suppress: func(s *Situation, c Candidate) (bool, string) {
		if c.Kind != Survey {
			return false, ""
		}
		for _, e := range slices.Backward(s.Recent) {
			if e.Actor.Kind == timeline.Customer && e.Sentiment != nil && *e.Sentiment <= -0.5 && s.Now.Sub(e.Time) <= window {
				return true, fmt.Sprintf("complaint %s at %s", e.ID, e.Time.Format(time.RFC3339))
			}
		}
		return false, ""
	}}
}

// ConsentRequired suppresses candidates on a channel the customer has not
// consented to for the candidate's purpose (see [identity.Allows]).
func ConsentRequired() Rule {
	return Rule{Name: "consent-required", Suppress: func(s *Situation, c Candidate) (bool, string) {
		if identity.Allows(s.Customer.Consent, c.Purpose, string(c.Channel)) {
			return false, ""
		}
		return true, fmt.Sprintf("no %s consent on %s", c.Purpose, c.Channel)
	}}
}

// QuietHours suppresses promotions and surveys between from and to o'clock
// (local time in loc; from > to wraps midnight).
func QuietHours(from, to int, loc *time.Location) Rule {
	return Rule{Name: "quiet-hours", Suppress: func(s *Situation, c Candidate) (bool, string) {
		if c.Kind != Promotion && c.Kind != Survey {
			return false, ""
		}
		h := s.Now.In(loc).Hour()
		quiet := (from <= to && h >= from && h < to) || (from > to && (h >= from || h < to))
		if !quiet {
			return false, ""
		}
		return true, fmt.Sprintf("%02d:00 is inside quiet hours %02d:00-%02d:00 %s", h, from, to, loc)
	}}
}

// DefaultRules are the rules most contact centers start from, in order.
func DefaultRules() []Rule {
	return []Rule{ConsentRequired(), NoPromoDuringOpenIssue(), NoSurveyAfterComplaint(24 * time.Hour)}
}
