// Package threadline is the front door of Threadline, an embeddable memory
// of each customer across channels: [Open] opens a store and wires every
// layer over it with one clock, one logger and one configuration, and the
// [Stack] it returns covers the common path (observe, append, read
// timelines and journeys, build handoff packets, forget).
//
// # How an Append flows through the layers
//
//	Stack.Append(ctx, events...)
//	 timeline   validate every event (channel, type, sizes, time within
//	 │          1970..Clock()+24h); nothing is written for a batch with a bad one
//	 │          └─ one store transaction (store.DB.Update, via identity.Graph.Update):
//	 ├ timeline    event ID seen before? same content: a duplicate, skipped;
//	 │             other content: *timeline.ConflictError
//	 ├ identity    observe the event's identifiers: normalize by kind policy,
//	 │             look up, attach or merge customers unless a guard refuses
//	 │             (kind limit, blocked value, size): the refusal is a conflict
//	 ├ timeline    write the event under its anchor identifier (event, eventid)
//	 ├ hooks       in name order, inside the same transaction:
//	 │  journey           bring the customer's live journeys up to date
//	 │  journey-triggers  note what each matching trigger must look at, and when
//	 │  Options.Hooks     yours
//	 └ store       commit: one synced batch, grouped with concurrent Updates
//	after the commit: identity's and the timeline's subscribers are told
//	later:  Stack.Journeys reads the live state; Stack.Packet (handoff)
//	        reads identity, timeline and journey; Triggers().Run proposes
//	        follow-ups to the arbiter, which records its decision as an event
//
// The transaction may run more than once (a conflict on a shared back end),
// so nothing in it acts outside the store; what others see happens after
// the commit, on what was committed.
//
// # Configuration
//
// [Options] nests each layer's options under its name ([Options.Store],
// [Options.Identity], ...) with their documented defaults, and sets the
// clock and the logger once for all of them. The state in the store depends
// on part of it (kind policies, matching parameters, journey options,
// triggers, hooks), so Open records a fingerprint of that part at the first
// Open and compares it at every later one (see [DriftPolicy]): a process
// opened with other settings does not write state inconsistent with what
// is stored. The fingerprint protects only processes that open through
// this package; the layers' own constructors (store.Open, identity.Open,
// timeline.Open, journey.NewTracker, ...) stay for programs that need
// something the Stack does not offer, and then agreeing on the
// configuration is theirs to ensure.
package threadline
