package journey

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// Trigger starts a follow-up by itself when an interaction is missed: it
// watches committed events and proposes candidate actions to the arbiter.
// Triggers are plain values; see [MissedCall], [AbandonedChat],
// [FailedPayment] and [UnacknowledgedEscalation] for the built-in ones.
type Trigger struct {
	// Name identifies the trigger in firings and decisions. Unique within
	// a [Triggers]; at most 64 bytes.
	Name string
	// Match selects the events that start the trigger. It runs inside the
	// appending transaction, so it must be quick and look only at e.
	Match func(e *timeline.Event) bool
	// Wait is how long after the event's time the trigger is evaluated:
	// the time a bot or agent has to answer, acknowledge or settle what the
	// event left open. 0 means on the next [Triggers.Run].
	Wait time.Duration
	// Propose returns the candidate actions for the customer's situation
	// at evaluation, given the matching event. None means the trigger does
	// not fire (someone answered in time).
	Propose func(s *Situation, e *timeline.Event) []Candidate
}

// Firing is one trigger that fired: its proposal went through the arbiter
// and the decision is recorded on the customer's timeline. The library
// sends nothing: the caller executes Decision.Chosen (a channel, a
// template key, the customer, the reason) and reports the outcome back as
// an event.
type Firing struct {
	// ID is stable for a trigger and an event: a caller that may see a
	// firing twice (see [Triggers.Run]) deduplicates by it. It is the ID
	// of the decision event.
	ID       string              `json:"id"`
	Trigger  string              `json:"trigger"`
	Event    string              `json:"event"` // the ID of the event that fired it
	Customer identity.CustomerID `json:"customer"`
	Decision Decision            `json:"decision"`
}

// Triggers evaluates triggers for the customers of one timeline. It is safe
// for concurrent use; evaluations are exactly-once per trigger and event
// even across processes and restarts, because what is due and what fired
// are kept in the store.
type Triggers struct {
	arb    *Arbiter
	byName map[string]Trigger
}

// NewTriggers returns the triggers, evaluated through arb. It attaches a
// [timeline.Hook] to arb's timeline, so that every Append notes, in the same
// transaction, which events a trigger must look at and when; events
// appended before, or by a timeline without the hook, are not watched. A
// second Triggers on the same timeline is refused with
// [timeline.ErrHookExists].
func NewTriggers(arb *Arbiter, triggers ...Trigger) (*Triggers, error) {
	ts := &Triggers{arb: arb, byName: map[string]Trigger{}}
	for _, t := range triggers {
		_, dup := ts.byName[t.Name]
		if t.Name == "" || len(t.Name) > 64 || dup || t.Match == nil || t.Propose == nil || t.Wait < 0 {
			return nil, fmt.Errorf("%w: %q", ErrInvalidTrigger, t.Name)
		}
		ts.byName[t.Name] = t
	}
	if err := arb.tr.tl.Attach(triggerHookName, triggerHook{ts}); err != nil {
		return nil, err
	}
	return ts, nil
}

const triggerHookName = "journey-triggers"

// triggerHook notes due evaluations inside the appending transaction.
type triggerHook struct{ ts *Triggers }

// dueKey is the key of a due evaluation, ordered by due time:
// (due, trigger, event).
func dueKey(due int64, trigger, event string) []byte {
	return keys.New(keys.TriggerDue).Int(due).String(trigger).String(event)
}

// due is one noted evaluation.
type due struct {
	at, eventAt    time.Time
	trigger, event string
	customer       identity.CustomerID // when noted; resolve it
}

func (h triggerHook) Appended(tx *identity.Tx, ns []timeline.Notice) error {
	if err := tx.RequireEraser(eraserName); err != nil {
		return err
	}
	for i := range ns {
		e := &ns[i].Event
		for name, t := range h.ts.byName {
			if e.Type == timeline.Decision || !t.Match(e) {
				continue
			}
			var w enc.Writer
			w.Uint(uint64(ns[i].Customer))
			w.Int(e.Time.UnixNano())
			if err := tx.Store().Set(dueKey(e.Time.Add(t.Wait).UnixNano(), name, e.ID), w.B); err != nil {
				return err
			}
		}
	}
	return nil
}

// scanDue returns the evaluations due by until (zero: all), at most limit
// (0: all), in due order.
func scanDue(t *store.Txn, until time.Time, limit int) ([]due, error) {
	prefix := keys.New(keys.TriggerDue)
	hi := keys.PrefixEnd(prefix)
	if !until.IsZero() {
		hi = keys.New(keys.TriggerDue).Int(until.UnixNano() + 1)
	}
	it := t.NewIter(&store.IterOptions{LowerBound: prefix, UpperBound: hi})
	var out []due
	for ok := it.First(); ok && (limit == 0 || len(out) < limit); ok = it.Next() {
		d := keys.NewDecoder(it.Key())
		at, trigger, event := d.Int(), d.String(), d.String()
		r := enc.NewReader(it.Value())
		c, eventAt := identity.CustomerID(r.Uint()), r.Int()
		if err := errors.Join(d.Err(), r.Err()); err != nil {
			it.Close()
			return nil, fmt.Errorf("journey: corrupt due trigger %s: %w", keys.Format(it.Key()), err)
		}
		out = append(out, due{at: time.Unix(0, at).UTC(), eventAt: time.Unix(0, eventAt).UTC(), trigger: trigger, event: event, customer: c})
	}
	return out, it.Close()
}

// Run evaluates every trigger evaluation due by now (the tracker's clock),
// oldest first: it proposes through the arbiter, records each decision on
// the customer's timeline with the trigger and event that fired it, and
// returns the firings. A trigger fires once per matching event: if a Run
// stops after recording a decision but before noting the evaluation done
// (a crash, a cancelled context), the next Run returns that firing again
// with the same ID and records nothing new. Evaluations whose trigger is no
// longer configured, or whose customer was forgotten, are dropped.
func (ts *Triggers) Run(ctx context.Context) ([]Firing, error) {
	now := ts.arb.tr.now().UTC()
	ds, err := ts.dueBy(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []Firing
	for _, d := range ds {
		f, fired, err := ts.evaluate(ctx, d, now)
		if err != nil {
			return out, err
		}
		if err := ts.done(ctx, d, f, fired); err != nil {
			return out, err
		}
		if fired {
			out = append(out, f)
		}
	}
	return out, nil
}

// dueBy returns the evaluations due by now, in due order.
func (ts *Triggers) dueBy(ctx context.Context, now time.Time) ([]due, error) {
	var ds []due
	err := ts.arb.tr.tl.Graph().View(ctx, func(tx *identity.Tx) error {
		var err error
		ds, err = scanDue(tx.Store(), now, 0)
		return err
	})
	return ds, err
}

// evaluate proposes and records one due evaluation; fired is false when
// there was nothing to propose (or nobody to propose it for).
func (ts *Triggers) evaluate(ctx context.Context, d due, now time.Time) (f Firing, fired bool, err error) {
	t, ok := ts.byName[d.trigger]
	if !ok {
		return Firing{}, false, nil
	}
	var (
		dec    Decision
		anchor identity.Identifier
		cands  []Candidate
	)
	err = ts.arb.tr.tl.Graph().View(ctx, func(tx *identity.Tx) error {
		c, err := tx.Resolve(d.customer)
		if err != nil {
			return err
		}
		s, err := ts.arb.situation(tx, c, now)
		if err != nil {
			return err
		}
		e, err := eventOf(tx, s, d)
		if err != nil {
			return err
		}
		if cands = t.Propose(s, e); len(cands) > 0 {
			dec = ts.arb.decide(s, cands)
			dec.Trigger, dec.Event = d.trigger, d.event
			anchor = s.Customer.Identifiers[0].Identifier
		}
		return nil
	})
	if errors.Is(err, identity.ErrNotFound) || (err == nil && len(cands) == 0) {
		return Firing{}, false, nil
	}
	if err != nil {
		return Firing{}, false, err
	}
	id := firingID(d.trigger, d.event)
	dec, err = ts.arb.record(ctx, dec, anchor, id)
	if errors.Is(err, timeline.ErrEventConflict) { // recorded by an earlier, interrupted Run
		dec, err = ts.arb.Explain(ctx, dec.Customer, id)
	}
	if err != nil {
		return Firing{}, false, err
	}
	return Firing{ID: id, Trigger: d.trigger, Event: d.event, Customer: dec.Customer, Decision: dec}, true, nil
}

// eventOf finds the event of a due evaluation: among the situation's
// recent events, where it nearly always is, else by reading its time.
// A missing event (split away with its identifier, then forgotten) is
// identity.ErrNotFound.
func eventOf(tx *identity.Tx, s *Situation, d due) (*timeline.Event, error) {
	events := s.Recent
	if len(events) == 0 || d.eventAt.Before(events[0].Time) {
		page, err := timeline.ReadTx(tx, s.Customer.ID, timeline.Query{From: d.eventAt, To: d.eventAt})
		if err != nil {
			return nil, err
		}
		events = page.Events
	}
	for i := range events {
		if events[i].ID == d.event {
			return &events[i], nil
		}
	}
	return nil, identity.ErrNotFound
}

// firingID is the decision ID of a trigger's firing on an event.
func firingID(trigger, event string) string { return enc.ContentID("trigger-", trigger, event) }

// done notes an evaluation finished: it is no longer due, and a firing
// becomes its trigger's last.
func (ts *Triggers) done(ctx context.Context, d due, f Firing, fired bool) error {
	return ts.arb.tr.tl.Graph().Update(ctx, func(tx *identity.Tx) error {
		if err := tx.Store().Delete(dueKey(d.at.UnixNano(), d.trigger, d.event)); err != nil || !fired {
			return err
		}
		var w enc.Writer
		w.String(f.ID)
		w.String(f.Event)
		w.Uint(uint64(f.Customer))
		w.Int(f.Decision.Time.UnixNano())
		chosen := ""
		if f.Decision.Chosen != nil {
			chosen = f.Decision.Chosen.Name
		}
		w.String(chosen)
		return tx.Store().Set(keys.New(keys.TriggerLast).String(f.Trigger), w.B)
	})
}

// TriggerStatus is a trigger with its last firing.
type TriggerStatus struct {
	Name string        `json:"name"`
	Wait time.Duration `json:"wait"`
	// Pending counts the evaluations noted and not yet done.
	Pending int `json:"pending"`
	// Last is the last firing: its ID, event, customer, time and the
	// chosen action's name ("" when every candidate was suppressed).
	Last *LastFiring `json:"last,omitempty"`
}

// LastFiring summarizes a trigger's last firing; [Arbiter.Explain] with
// its ID returns the whole decision.
type LastFiring struct {
	ID       string              `json:"id"`
	Event    string              `json:"event"`
	Chosen   string              `json:"chosen"`
	Customer identity.CustomerID `json:"customer"`
	Time     time.Time           `json:"time,omitzero"`
}

func lastFiring(t *store.Txn, name string) (LastFiring, bool, error) {
	b, err := t.Get(keys.New(keys.TriggerLast).String(name))
	if errors.Is(err, store.ErrNotFound) {
		return LastFiring{}, false, nil
	}
	if err != nil {
		return LastFiring{}, false, err
	}
	r := enc.NewReader(b)
	f := LastFiring{ID: r.String(), Event: r.String(), Customer: identity.CustomerID(r.Uint()),
		Time: time.Unix(0, r.Int()).UTC(), Chosen: r.String()}
	if r.Err() != nil {
		return LastFiring{}, false, fmt.Errorf("journey: corrupt last firing of %q: %w", name, r.Err())
	}
	return f, true, nil
}

// List returns the configured triggers in name order, each with its
// pending evaluations and last firing.
func (ts *Triggers) List(ctx context.Context) ([]TriggerStatus, error) {
	var out []TriggerStatus
	err := ts.arb.tr.tl.Graph().View(ctx, func(tx *identity.Tx) error {
		out = out[:0]
		ds, err := scanDue(tx.Store(), time.Time{}, 0)
		if err != nil {
			return err
		}
		pending := map[string]int{}
		for _, d := range ds {
			pending[d.trigger]++
		}
		for _, name := range slices.Sorted(maps.Keys(ts.byName)) {
			st := TriggerStatus{Name: name, Wait: ts.byName[name].Wait, Pending: pending[name]}
			f, ok, err := lastFiring(tx.Store(), name)
			if err != nil {
				return err
			}
			if ok {
				st.Last = &f
			}
			out = append(out, st)
		}
		return nil
	})
	return out, err
}
