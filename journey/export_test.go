package journey

import (
	"context"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// LiveState returns a customer's journeys from its stored live state, and
// whether that state is valid; when it is not, reads group the timeline.
func (t *Tracker) LiveState(ctx context.Context, c identity.CustomerID) ([]Journey, bool, error) {
	var out []Journey
	var ok bool
	err := t.tl.Graph().View(ctx, func(tx *identity.Tx) error {
		live, err := tx.Resolve(c)
		if err != nil {
			return err
		}
		st, _, err := t.load(tx, live, forRead)
		if err != nil || st == nil {
			return err
		}
		out, ok = st.g.journeys(t.now()), true
		return nil
	})
	return out, ok, err
}

// Advance runs what the hook runs for one appended event of live customer
// c, for benchmarking the hook alone.
func (t *Tracker) Advance(tx *identity.Tx, c identity.CustomerID, e *timeline.Event) error {
	return t.advance(tx, c, []*timeline.Event{e})
}

// HookName is the name trackers attach their hook under, so that a
// benchmark can detach it.
const HookName = hookName
