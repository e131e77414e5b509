// Package journey makes one customer problem across channels the unit of
// work and of measurement, and decides between competing actions with
// receipts.
//
// The core types:
//
//   - [Journey]: a customer's events about one problem, grouped by
//     [Group]: by case reference where there is one, otherwise by intent
//     and time. An unresolved journey continues while the customer comes
//     back within Options.Gap (default 7 days) and is abandoned after; a
//     resolution event closes it, and a customer contact within
//     Options.ReopenWindow (default 72 h) reopens it. Each journey knows
//     its channels in order, channel switches (and whether a human took
//     over), contacts, handoffs, transfers, the facts provided and the
//     repeat asks (an agent or bot asking again for a fact already given,
//     signalled with the [timeline.AttrAsks] event attribute).
//   - [Tracker]: keeps each customer's journeys live in the store as events
//     are appended, returns them ([Tracker.Journeys],
//     [Tracker.OpenJourneys]; [Tracker.BriefJourneysTx] without the
//     switches, contact log and facts, for readers that skip them) and
//     computes [Metrics] over all customers ([Tracker.Compute]), each
//     metric defined on its field. Output as structs, JSON (field tags),
//     [WriteTable] and [WriteCSV].
//   - [Arbiter]: given competing [Candidate] actions, applies ordered
//     [Rule]s (see [DefaultRules]: consent, no promotion during an open
//     service issue, no survey after a complaint; also [QuietHours]) and
//     picks the highest-priority survivor. [Arbiter.Ask] only answers
//     ("may I send a promotion now?") and records nothing;
//     [Arbiter.Decide] records the [Decision] on the timeline with the
//     rule that chose and the rules that suppressed (once per
//     [DecisionWindow] for a repeated identical decision), and
//     [Arbiter.Explain] returns it later.
//   - [Triggers]: start follow-ups by themselves when an interaction is
//     missed. Each [Trigger] matches committed events (noted in the store
//     by the appending transaction), waits, then proposes candidates to the
//     arbiter; [Triggers.Run] records each decision with the trigger and
//     event that fired it and returns the [Firing]s for the caller to
//     execute: the library sends nothing. Built in ([DefaultTriggers]): a
//     missed call → SMS, a chat unanswered for 10 minutes → email, a failed
//     payment → SMS, a bot escalation unacknowledged for 15 minutes →
//     callback. A trigger fires once per matching event, across retries,
//     restarts and processes.
//
// Caveats:
//
//   - Live state: [NewTracker] attaches a [timeline.Hook], so every Append
//     updates the journeys of the customers it touches in the same
//     transaction (an event later than the customer's last one is added in
//     time linear in the customer's journey state; a late event, or the
//     first append after a merge or split, regroups the customer's
//     timeline). The state proves its own validity through records in the
//     store (see live.go), so merges and splits made anywhere, by any
//     process, are detected; reads then group the timeline instead, and
//     [Tracker.Refresh] rebuilds the state at once. Either way, journeys
//     read always equal [Group] over the stored timeline, provided every
//     Timeline appending to the store has a tracker with the same options
//     attached. That is a requirement, like sharing identity options:
//     state kept with other options is detected and ignored, but an event
//     appended through a Timeline without a tracker is not seen by the
//     state of its customer until a late event, a merge or split, or
//     Refresh rebuilds it.
//   - Forget ([identity.Graph.Forget], or [timeline.Timeline.Forget])
//     erases the live state, due trigger evaluations and last firings of
//     the customer with its events, decisions among them: [NewTracker]
//     registers the journey layer's eraser with the graph. Once journey
//     state is stored, a Forget in a process without a tracker refuses
//     ([identity.ErrIncompleteErasure]) rather than leave it behind.
//   - Journey IDs are the ID of the journey's first event: stable as
//     events arrive, but a late event older than the first one, or a merge
//     of two customers' journeys, can change which event is first.
//   - Compute streams customer by customer; it keeps one duration per
//     resolved journey for exact percentiles.
//
// Trackers, Arbiters and Triggers are safe for concurrent use.
package journey
