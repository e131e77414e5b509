// Package handoff builds the context packet the next agent or bot sees at
// a channel switch or escalation, so the customer never repeats
// themselves, and records handoffs so transfers are measurable.
//
// The core types:
//
//   - [Builder]: built over a [journey.Tracker] (and through it the
//     timeline and identity graph). [Builder.Build] returns a [Packet] at
//     read time; [Builder.Handoff] also records a [timeline.Handoff] event
//     (from, to, reason, packet digest); [Builder.Acknowledge] records the
//     receiving side taking over; [Builder.Handoffs] lists them with their
//     [State] (a handoff nobody takes up within journey.Options.AckTimeout
//     is lost, as journey metrics count it: see [journey.WaitingHandoff]);
//     [Builder.Route] returns the [Routing] signals alone. The receiving
//     side lists what waits for it with [Builder.Waiting] (by queue,
//     agent or channel) and attaches the identifiers it collected (the
//     caller's phone) to the handoff's customer with [Builder.Attach].
//   - [Packet]: who the customer is (name, verified identifiers, consent
//     for the receiving channel), the current [Issue] (the most recent open
//     journey: summary, case, channels in order, contacts, elapsed time,
//     earlier handoffs), every fact already provided, what was tried and
//     with what outcome, the sentiment course and notable moments, pending
//     promises, why this handoff happens, the last messages verbatim, and
//     routing signals. It encodes as JSON with stable field names.
//   - [Summarizer]: writes the short text an agent reads in five seconds,
//     within Options.TextBudget characters. The default [TextSummarizer] is
//     deterministic and needs no network or model; plug in a language model
//     by implementing the interface.
//
// What the packet reads from events, beyond their standard fields: the
// customer's "issue" fact ([FactIssue]) as the issue summary; actions with
// outcome [timeline.Pending] as promises, due at the event's [timeline.AttrDue]
// attribute; the [timeline.AttrMoment] attribute as a notable moment; and the
// profile attribute [AttrPreferredChannel].
//
// Caveats:
//
//   - A packet is built from one consistent read; recording the handoff is
//     a second, separate write, so an event appended in between is not in
//     the packet the handoff event's digest names.
//   - Facts are listed across the customer's whole timeline (the next agent
//     must not ask for an account number given in an earlier journey), up
//     to Options.MaxFacts; tried steps, sentiment and promises come from
//     the current issue only.
//   - Building reads the customer's whole timeline, folding each event
//     into the packet as it goes rather than holding them all: its cost
//     grows with the history (under a millisecond for a thousand events
//     on 2 cores; see the benchmarks).
//
// A Builder is safe for concurrent use; a Packet is a plain value.
package handoff
