package journey

import (
	"context"
	"errors"
	"fmt"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// Live journey state.
//
// A customer's journeys are kept in the store and brought up to date inside
// the transaction of every Append (a [timeline.Hook]), so that reading them
// costs one record rather than one pass over the timeline. The state is a
// cache whose validity is proved by records in the store, so that every
// process sharing the store agrees on it without identity knowing about
// journeys:
//
//   - jstate/<customer> holds the grouping options, how many identifiers
//     the customer had, a generation unique in the store, the last event
//     grouped and a summary of each journey (what grouper.find reads);
//     jstate/<customer>/<i> holds journey i in full (a building).
//   - jclaim/<identifier> names the customer and generation of the state
//     that holds that identifier's events.
//
// A state is valid when its options are the reader's, its customer has as
// many identifiers as it was built over, and every one of them is claimed
// by it. A merge (identifiers claimed by another state, or by none), a
// split (fewer identifiers) and an identifier that left and came back (its
// claim was taken by the state of the customer it joined meanwhile) all
// fail the test, whichever process made them. Building a state claims its
// identifiers and deletes the states whose claims it takes, so every
// stored state holds all the claims of the identifiers it was built over;
// Forget follows the claims of the forgotten identifiers to the only states
// that can hold their events, and deletes them.
//
// An Append updates a valid state in place when its events for the
// customer all come after the last event grouped: it decodes the header,
// finds the journey each event continues among the summaries (journeys no
// later event can continue are left out of them: grouper.settled), loads
// that journey, adds the event and writes back the journey and the header:
// time linear in the number of unsettled journeys and the size of the one
// journey, not in the length of the timeline. Otherwise (no state yet, an
// invalid one, or a late event) it rebuilds the state from the timeline in
// the same transaction. Reads use a valid state and group the timeline
// otherwise (after a merge or a split that no append has followed yet);
// they never write, and are equal to [Group] over the stored timeline
// either way.
//
// What the proof does not cover: an event appended through a Timeline
// without a tracker attached changes no claim and no identifier count, so
// the state of its customer misses it until the next rebuild. Every
// appending Timeline must have a tracker (see [NewTracker]). Identity's
// per-identifier observation count (IdentifierInfo.Seen) could detect this
// gap (an append observes its identifiers), at the cost of reading every
// identifier record on validation.

// hookName is the name the live state's hook is attached under, so that a
// later tracker on the same timeline replaces it rather than doubling it.
const hookName = "journey"

// liveHook is the [timeline.Hook] that keeps the live state.
type liveHook struct{ t *Tracker }

// Appended updates the live state of every customer that received events.
// Decisions are not grouped, but their identifiers may have merged
// customers, so their customers' states are checked too.
func (h liveHook) Appended(tx *identity.Tx, ns []timeline.Notice) error {
	if err := tx.RequireEraser(eraserName); err != nil {
		return err
	}
	byCustomer := map[identity.CustomerID][]*timeline.Event{}
	var order []identity.CustomerID
	// The last event's customer is live: no event after it could merge it
	// away. Others are resolved, once each.
	last := ns[len(ns)-1].Customer
	resolved := map[identity.CustomerID]identity.CustomerID{last: last}
	for i := range ns {
		c, ok := resolved[ns[i].Customer]
		if !ok {
			var err error
			if c, err = tx.Resolve(ns[i].Customer); err != nil {
				return err
			}
			resolved[ns[i].Customer] = c
		}
		evs, seen := byCustomer[c]
		if !seen {
			order = append(order, c)
		}
		if ns[i].Event.Type != timeline.Decision { // not grouped (see grouper.add)
			evs = append(evs, &ns[i].Event)
		}
		byCustomer[c] = evs
	}
	for _, c := range order {
		if err := h.t.advance(tx, c, byCustomer[c]); err != nil {
			return err
		}
	}
	return nil
}

// advance adds a customer's new events (any order, possibly none) to its
// live state, or rebuilds the state when they cannot simply be added.
func (t *Tracker) advance(tx *identity.Tx, c identity.CustomerID, events []*timeline.Event) error {
	sortEvents(events)
	st, _, err := t.loadSummary(tx, c)
	if err != nil {
		return err
	}
	if st == nil || (len(events) > 0 && !st.g.precedes(events[0])) {
		return t.rebuild(tx, c)
	}
	if len(events) == 0 {
		return nil
	}
	complete := func(i int) error {
		if st.loaded[i] {
			return nil
		}
		return st.loadJourney(tx.Store(), c, i)
	}
	touched := map[int]bool{}
	for _, e := range events {
		i, err := st.g.add(e, complete)
		if err != nil {
			return err
		}
		if i >= len(st.loaded) {
			st.loaded = append(st.loaded, true) // a new journey
		}
		touched[i] = true
	}
	for i := range touched {
		if err := tx.Store().Set(journeyKey(c, i), encodeJourney(st.g.js[i])); err != nil {
			return err
		}
	}
	return tx.Store().Set(stateKey(c), st.encodeHeader())
}

// rebuild groups the customer's timeline into a new state with a new
// generation, and claims the customer's identifiers for it.
func (t *Tracker) rebuild(tx *identity.Tx, c identity.CustomerID) error {
	ids, err := tx.Identifiers(c)
	if err != nil {
		return err
	}
	page, err := timeline.ReadTx(tx, c, timeline.Query{})
	if err != nil {
		return err
	}
	gen, err := store.NextSequence(tx.Store(), "journey.state")
	if err != nil {
		return err
	}
	st := liveState{gen: gen, ids: len(ids), g: grouper{opts: t.opts.grouping(), customer: c}}
	for i := range page.Events {
		st.g.add(&page.Events[i], nil) // cannot fail without complete
	}
	for _, id := range ids {
		if err := releaseClaim(tx.Store(), id, c); err != nil {
			return err
		}
		if err := tx.Store().Set(claimKey(id), encodeClaim(claim{c, gen})); err != nil {
			return err
		}
	}
	if err := tx.Store().DeleteRange(stateRange(c)); err != nil {
		return err
	}
	for i, b := range st.g.js {
		if err := tx.Store().Set(journeyKey(c, i), encodeJourney(b)); err != nil {
			return err
		}
	}
	return tx.Store().Set(stateKey(c), st.encodeHeader())
}

// load returns a customer's whole live state, its journeys decoded in
// detail d, if it is valid for this tracker, and nil otherwise, with the
// customer's identifiers when it read them (nil when there was no state
// to validate). One iterator reads the header and then the journeys.
func (t *Tracker) load(tx *identity.Tx, c identity.CustomerID, d detail) (*liveState, []identity.Identifier, error) {
	lo, hi := stateRange(c)
	it := tx.Store().NewIter(&store.IterOptions{LowerBound: lo, UpperBound: hi})
	st, ids, err := t.readAll(tx, c, it, d)
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, ids, err
	}
	return st, ids, nil
}

func (t *Tracker) readAll(tx *identity.Tx, c identity.CustomerID, it *store.Iterator, d detail) (*liveState, []identity.Identifier, error) {
	if !it.First() {
		return nil, nil, nil
	}
	st, ids, err := t.validate(tx, c, it.Value())
	if err != nil || st == nil {
		return nil, ids, err
	}
	i := 0
	for ok := it.Next(); ok && i < len(st.g.js); ok = it.Next() {
		if st.g.js[i], err = decodeJourney(it.Value(), c, d); err != nil {
			return nil, ids, err
		}
		i++
	}
	if i != len(st.g.js) {
		return nil, ids, fmt.Errorf("%w: %s holds %d of %d journeys", errCorruptState, store.FormatKey(stateKey(c)), i, len(st.g.js))
	}
	return st, ids, nil
}

// loadSummary returns a customer's live state, its journeys as summaries,
// if it is valid for this tracker, and nil otherwise; with the customer's
// identifiers when it read them.
func (t *Tracker) loadSummary(tx *identity.Tx, c identity.CustomerID) (*liveState, []identity.Identifier, error) {
	b, err := tx.Store().Get(stateKey(c))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return t.validate(tx, c, b)
}

// validate decodes header b of customer c if the state is valid for this
// tracker (see the comment at the top of this file), and returns nil
// otherwise; with the customer's identifiers when it read them.
func (t *Tracker) validate(tx *identity.Tx, c identity.CustomerID, b []byte) (*liveState, []identity.Identifier, error) {
	h, err := decodeHeader(b)
	if err != nil || h.stale || !h.opts.sameGrouping(&t.opts) {
		return nil, nil, err
	}
	ids, err := tx.Identifiers(c)
	if err != nil || len(ids) != h.ids {
		return nil, ids, err
	}
	for _, id := range ids {
		cl, ok, err := readClaim(tx.Store(), id)
		if err != nil || !ok || cl != (claim{c, h.gen}) {
			return nil, ids, err
		}
	}
	st, err := decodeSummary(b, c)
	return st, ids, err
}

// loadJourney replaces the summary of journey i with the journey.
func (s *liveState) loadJourney(t *store.Txn, c identity.CustomerID, i int) error {
	v, err := t.Get(journeyKey(c, i))
	if err != nil {
		return fmt.Errorf("%w: journey %d of %s: %w", errCorruptState, i, c, err)
	}
	if s.g.js[i], err = decodeJourney(v, c, forAppend); err != nil {
		return err
	}
	s.loaded[i] = true
	return nil
}

// releaseClaim deletes the state that claims id, unless it is owner's (the
// state about to be replaced). With owner 0 it also deletes the claim.
func releaseClaim(t *store.Txn, id identity.Identifier, owner identity.CustomerID) error {
	cl, ok, err := readClaim(t, id)
	if err != nil || !ok {
		return err
	}
	if owner == 0 {
		if err := t.Delete(claimKey(id)); err != nil {
			return err
		}
	}
	if cl.customer == owner {
		return nil
	}
	b, err := t.Get(stateKey(cl.customer))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	h, err := decodeHeader(b)
	if err != nil || (!h.stale && h.gen != cl.gen) {
		return err // that state was rebuilt without id since; it stays
	}
	return t.DeleteRange(stateRange(cl.customer))
}

// Refresh rebuilds a customer's live state from its timeline now: after a
// merge or a split, so that reads are cheap again at once rather than after
// the customer's next append, or after events were appended through a
// Timeline without a tracker. Reads are correct without it in the first
// case.
func (t *Tracker) Refresh(ctx context.Context, c identity.CustomerID) error {
	return t.tl.Graph().Update(ctx, func(tx *identity.Tx) error {
		live, err := tx.Resolve(c)
		if err != nil {
			return err
		}
		return t.rebuild(tx, live)
	})
}
