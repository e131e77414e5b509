package timeline

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/threadline/threadline/internal/ident"
)

// Event attributes the library interprets. Other attributes are free;
// these are validated at Append, so a reader never meets a malformed one.
const (
	// AttrHandoff is the attribute of a [HandoffAck] event that names the
	// handoff event it acknowledges: an event ID.
	AttrHandoff = "handoff"
	// AttrAsks is the attribute an agent or bot event uses to say which
	// facts it asks the customer for: fact keys separated by commas
	// ("account_number,postcode"). Asking again for a fact the customer
	// already gave is a repeat ask in journey metrics.
	AttrAsks = "asks"
	// AttrOutcome says how a call or a payment ended, as a word: "missed"
	// or "abandoned" for a call_end, "failed" for a payment.
	AttrOutcome = "outcome"
	// AttrMoment marks a notable moment of an issue, as a word:
	// "complaint", "threat_to_leave", "praise".
	AttrMoment = "moment"
	// AttrDue is when a pending action is due, in RFC 3339.
	AttrDue = "due"
)

// checkInterpreted validates the value of attribute k if the library
// interprets it.
func checkInterpreted(k, v string, l Limits) error {
	switch k {
	case AttrHandoff:
		if v == "" || len(v) > l.Field {
			return fmt.Errorf("want an event ID of 1 to %d bytes", l.Field)
		}
		return ident.Check(v)
	case AttrAsks:
		for key := range strings.SplitSeq(v, ",") {
			if !keyName.MatchString(key) {
				return fmt.Errorf("%q is not a fact key [a-z][a-z0-9_.-]*", trunc(key))
			}
		}
	case AttrOutcome, AttrMoment:
		if !keyName.MatchString(v) {
			return errors.New("want a word [a-z][a-z0-9_.-]*")
		}
	case AttrDue:
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return errors.New("want a time in RFC 3339")
		}
	}
	return nil
}
