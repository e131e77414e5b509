package threadline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// Stack is every layer of Threadline over one store, wired by [Open] with
// one clock, one logger and one configuration. It is safe for concurrent
// use, as each layer is. Its methods cover the common path; the layers'
// own types, returned by [Stack.Graph], [Stack.Timeline] and the others,
// do everything else.
type Stack struct {
	db       *store.DB
	graph    *identity.Graph
	timeline *timeline.Timeline
	tracker  *journey.Tracker
	arbiter  *journey.Arbiter
	triggers *journey.Triggers // nil with Options.NoTriggers
	builder  *handoff.Builder
	log      *slog.Logger
}

// Open opens the store in dir (created if missing; see [store.Open]) and
// every layer over it, with opts (nil means defaults).
//
// At the first Open of a store it records the fingerprint of the
// configuration the stored state depends on: kind policies, matching
// parameters, journey options, triggers and hook names. At every later
// Open it compares: when they differ it rebuilds what can be rebuilt (the
// live journey state) or fails with a *[DriftError] naming every setting
// that changed, as [Options.Drift] says, so that no process writes state
// inconsistent with what is stored. Invalid options are an error wrapping
// [ErrInvalidOptions] or the layer's own; nothing is opened then.
func Open(dir string, opts *Options) (_ *Stack, err error) {
	o := opts.Clone()
	if err := o.checkClocks(); err != nil {
		return nil, err
	}
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	db, err := store.Open(dir, &o.Store)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, db.Close())
		}
	}()
	s, err := assemble(db, o)
	if err != nil {
		return nil, err
	}
	if err := s.checkDrift(context.Background(), o); err != nil {
		return nil, err
	}
	return s, nil
}

// assemble opens the layers over db.
func assemble(db *store.DB, o *Options) (*Stack, error) {
	s := &Stack{db: db, log: o.Logger}
	var err error
	if s.graph, err = identity.Open(db, &o.Identity); err != nil {
		return nil, err
	}
	if s.timeline, err = timeline.Open(s.graph, &o.Timeline); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(o.Hooks)) {
		if err := s.timeline.Attach(name, o.Hooks[name]); err != nil {
			return nil, err
		}
	}
	jo := o.Journey
	jo.Clock = o.Clock
	if s.tracker, err = journey.NewTracker(s.timeline, &jo); err != nil {
		return nil, err
	}
	if s.arbiter, err = journey.NewArbiter(s.tracker, o.Rules...); err != nil {
		return nil, err
	}
	if len(o.Triggers) > 0 {
		if s.triggers, err = journey.NewTriggers(s.arbiter, o.Triggers...); err != nil {
			return nil, err
		}
	}
	if s.builder, err = handoff.New(s.tracker, &o.Handoff); err != nil {
		return nil, err
	}
	return s, nil
}

// checkDrift records or compares the configuration fingerprint and acts
// on a difference as o.Drift says.
func (s *Stack) checkDrift(ctx context.Context, o *Options) error {
	ss := fingerprint(o, s.graph)
	ds, err := checkConfig(ctx, s.db, ss)
	if err != nil || len(ds) == 0 {
		return err
	}
	rebuild, other := false, false
	for _, d := range ds {
		rebuild = rebuild || d.Rebuildable
		other = other || !d.Rebuildable
	}
	if o.Drift == DriftFail || (o.Drift == DriftRebuild && other) {
		return &DriftError{Differences: ds}
	}
	s.log.Warn("threadline: configuration differs from the store's", "policy", o.Drift.String(), "changes", describe(ds))
	if rebuild {
		n, err := s.tracker.RebuildAll(ctx)
		if err != nil {
			return fmt.Errorf("threadline: rebuilding live journey state: %w", err)
		}
		s.log.Info("threadline: live journey state rebuilt", "customers", n)
	}
	return recordConfig(ctx, s.db, ss)
}

func describe(ds []Difference) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%s: %s -> %s", d.Setting, orAbsent(d.Stored), orAbsent(d.Opened))
	}
	return strings.Join(parts, "; ")
}

// Close closes the stack: the layers above the store hold nothing to
// release, so it closes the store. Calls in flight must have returned.
func (s *Stack) Close() error { return s.db.Close() }

// Store returns the store.
func (s *Stack) Store() *store.DB { return s.db }

// Graph returns the customer graph.
func (s *Stack) Graph() *identity.Graph { return s.graph }

// Timeline returns the timeline, with the live journey state, the
// triggers and [Options.Hooks] attached.
func (s *Stack) Timeline() *timeline.Timeline { return s.timeline }

// Tracker returns the journey tracker.
func (s *Stack) Tracker() *journey.Tracker { return s.tracker }

// Arbiter returns the action arbiter, with [Options.Rules].
func (s *Stack) Arbiter() *journey.Arbiter { return s.arbiter }

// Triggers returns the triggers, or nil when opened with
// [Options.NoTriggers]. The caller runs them ([journey.Triggers.Run]) on
// its own schedule.
func (s *Stack) Triggers() *journey.Triggers { return s.triggers }

// Builder returns the handoff builder.
func (s *Stack) Builder() *handoff.Builder { return s.builder }

// Observe records identifiers seen together (see [identity.Graph.Observe]).
func (s *Stack) Observe(ctx context.Context, obs identity.Observation) (identity.Result, error) {
	return s.graph.Observe(ctx, obs)
}

// Lookup returns the customer an identifier belongs to (see
// [identity.Graph.Lookup]).
func (s *Stack) Lookup(ctx context.Context, id identity.Identifier) (identity.CustomerID, error) {
	return s.graph.Lookup(ctx, id)
}

// Append appends events to the timeline, resolving their identifiers and
// bringing live journeys and triggers up to date in the same transaction
// (see [timeline.Timeline.Append]).
func (s *Stack) Append(ctx context.Context, events ...timeline.Event) ([]timeline.Appended, error) {
	return s.timeline.Append(ctx, events...)
}

// Read reads customer c's timeline (see [timeline.Timeline.Read]).
func (s *Stack) Read(ctx context.Context, c identity.CustomerID, q timeline.Query) (timeline.Page, error) {
	return s.timeline.Read(ctx, c, q)
}

// Journeys returns customer c's journeys, oldest first (see
// [journey.Tracker.Journeys]).
func (s *Stack) Journeys(ctx context.Context, c identity.CustomerID) ([]journey.Journey, error) {
	return s.tracker.Journeys(ctx, c)
}

// Decide chooses among competing actions for customer c and records the
// decision (see [journey.Arbiter.Decide]).
func (s *Stack) Decide(ctx context.Context, c identity.CustomerID, candidates ...journey.Candidate) (journey.Decision, error) {
	return s.arbiter.Decide(ctx, c, candidates...)
}

// Packet builds customer c's handoff packet without recording a handoff
// (see [handoff.Builder.Build]).
func (s *Stack) Packet(ctx context.Context, c identity.CustomerID, req handoff.Request) (*handoff.Packet, error) {
	return s.builder.Build(ctx, c, req)
}

// Handoff builds customer c's handoff packet and records the handoff (see
// [handoff.Builder.Handoff]).
func (s *Stack) Handoff(ctx context.Context, c identity.CustomerID, req handoff.Request) (*handoff.Packet, error) {
	return s.builder.Handoff(ctx, c, req)
}

// Forget erases customer c from every layer in one transaction:
// identifiers, links, attributes, consent, conflicts and reviews, events
// (handoffs and decisions among them), live journeys and trigger state
// (see [identity.Graph.Forget], which every layer of the Stack registers
// with).
func (s *Stack) Forget(ctx context.Context, c identity.CustomerID, opts identity.ForgetOptions) (identity.ForgetResult, error) {
	return s.graph.Forget(ctx, c, opts)
}
