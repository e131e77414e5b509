package journey

import (
	"context"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// Tracker reads journeys from a timeline and keeps each customer's journeys
// live in the store as events arrive (see [NewTracker]). It is safe for
// concurrent use. Journeys read are always those [Group] makes of the
// stored timeline, after late events, merges, splits and Forget too, and
// agree across processes sharing the store.
type Tracker struct {
	tl   *timeline.Timeline
	opts Options
	now  func() time.Time
}

// NewTracker returns a tracker over tl with opts (nil means defaults; see
// [Options]); an option it cannot use is an [*OptionError]. The options'
// Clock decides abandonment and dates the arbiter's decisions.
//
// The tracker attaches a [timeline.Hook] to tl (named "journey"), so that
// every Append of tl updates the live journeys of the customers it touches
// in the same transaction; a second tracker on the same tl is refused with
// [timeline.ErrHookExists]. It registers the journey layer's eraser with
// tl's graph, so that Forget erases them (and the triggers' state). Every
// Timeline appending to the store must have a tracker with the same
// options attached (in every process): state kept with other options is
// detected and ignored (reads group the timeline, which is correct but
// slower), but an event appended through a Timeline without a tracker is
// missed by its customer's state until the state is next rebuilt (see
// [Tracker.Refresh]).
func NewTracker(tl *timeline.Timeline, opts *Options) (*Tracker, error) {
	o := opts.Clone()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	// The grouping options are kept without the clock, as the live state
	// records them.
	t := &Tracker{tl: tl, now: o.Clock}
	o.Clock = nil
	t.opts = *o
	if err := tl.Attach(hookName, liveHook{t}); err != nil {
		return nil, err
	}
	registerEraser(tl.Graph())
	return t, nil
}

// Timeline returns the timeline the tracker reads.
func (t *Tracker) Timeline() *timeline.Timeline { return t.tl }

// AckTimeout returns Options.AckTimeout with its default applied: how long
// a handoff may wait to be taken up before it is lost.
func (t *Tracker) AckTimeout() time.Duration { return t.opts.AckTimeout }

// Journeys returns every journey of a customer, oldest first.
func (t *Tracker) Journeys(ctx context.Context, c identity.CustomerID) ([]Journey, error) {
	var out []Journey
	err := t.tl.Graph().View(ctx, func(tx *identity.Tx) error {
		var err error
		out, err = t.JourneysTx(tx, c)
		return err
	})
	return out, err
}

// JourneysTx is [Tracker.Journeys] inside an identity transaction (read-only
// or not; it never writes). It reads the customer's live state when that is
// valid and groups the stored timeline otherwise.
func (t *Tracker) JourneysTx(tx *identity.Tx, c identity.CustomerID) ([]Journey, error) {
	return t.journeysTx(tx, c, forRead)
}

// BriefJourneysTx is [Tracker.JourneysTx] for readers that need each
// journey's events, channels, attempts and counts but not its detail:
// every journey comes without Switches, ContactLog and Facts (nil). Those
// lists are most of a long journey's state, and most of the cost of
// reading it.
func (t *Tracker) BriefJourneysTx(tx *identity.Tx, c identity.CustomerID) ([]Journey, error) {
	return t.journeysTx(tx, c, forBrief)
}

func (t *Tracker) journeysTx(tx *identity.Tx, c identity.CustomerID, d detail) ([]Journey, error) {
	live, err := tx.Resolve(c)
	if err != nil {
		return nil, err
	}
	js, _, err := t.journeysOf(tx, live, t.now(), d)
	return js, err
}

// journeysOf returns the journeys of live customer c as of now, in detail
// d, and how many identifiers c has: from its live state when that is
// valid, else by grouping its timeline.
func (t *Tracker) journeysOf(tx *identity.Tx, c identity.CustomerID, now time.Time, d detail) ([]Journey, int, error) {
	st, ids, err := t.load(tx, c, d)
	if err != nil {
		return nil, 0, err
	}
	if st != nil {
		return st.g.journeys(now), st.ids, nil
	}
	if ids == nil {
		if ids, err = tx.Identifiers(c); err != nil {
			return nil, 0, err
		}
	}
	page, err := timeline.ReadTx(tx, c, timeline.Query{})
	if err != nil {
		return nil, 0, err
	}
	js := Group(c, page.Events, &t.opts, now)
	if d == forBrief { // as brief as from the live state
		for i := range js {
			js[i].Switches, js[i].ContactLog, js[i].Facts = nil, nil, nil
		}
	}
	return js, len(ids), nil
}

// OpenJourneys returns a customer's open journeys, newest first.
func (t *Tracker) OpenJourneys(ctx context.Context, c identity.CustomerID) ([]Journey, error) {
	js, err := t.Journeys(ctx, c)
	if err != nil {
		return nil, err
	}
	var out []Journey
	for i := len(js) - 1; i >= 0; i-- {
		if js[i].State == Open {
			out = append(out, js[i])
		}
	}
	return out, nil
}
