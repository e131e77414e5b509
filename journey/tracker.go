package journey

import (
	"context"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// Tracker reads journeys from a timeline. It is safe for concurrent use.
// Journeys are derived from the stored timeline at read time, so they are
// correct after merges and splits and agree across processes sharing the
// store.
type Tracker struct {
	tl   *timeline.Timeline
	opts Options
	now  func() time.Time
}

// NewTracker returns a tracker over tl with grouping options (nil means
// defaults). now is the clock used to decide abandonment; nil means
// time.Now.
func NewTracker(tl *timeline.Timeline, opts *Options, now func() time.Time) *Tracker {
	t := &Tracker{tl: tl, now: now}
	if opts != nil {
		t.opts = *opts
	}
	t.opts = t.opts.withDefaults()
	if t.now == nil {
		t.now = time.Now
	}
	return t
}

// Timeline returns the timeline the tracker reads.
func (t *Tracker) Timeline() *timeline.Timeline { return t.tl }

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

// JourneysTx is [Tracker.Journeys] inside an identity transaction.
func (t *Tracker) JourneysTx(tx *identity.Tx, c identity.CustomerID) ([]Journey, error) {
	live, err := tx.Resolve(c)
	if err != nil {
		return nil, err
	}
	page, err := timeline.ReadTx(tx, live, timeline.Query{})
	if err != nil {
		return nil, err
	}
	return t.Group(live, page.Events), nil
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

// Group groups a customer's events as the tracker does, with its options
// and as of its clock: for layers that have already read the events.
func (t *Tracker) Group(c identity.CustomerID, events []timeline.Event) []Journey {
	return Group(c, events, &t.opts, t.now())
}
