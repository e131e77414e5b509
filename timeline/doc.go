// Package timeline keeps one cross-channel interaction history per
// customer: every message, call, email, transfer, handoff, resolution and
// decision, readable by the next agent the moment it is appended.
//
// The core types:
//
//   - [Event]: one interaction step: ID, time, [Channel], [Direction],
//     [Actor], [Type], text, intent, sentiment, case reference, the [Fact]s
//     the customer provided and the [Action]s attempted, plus the
//     identifiers it was observed with.
//   - [Timeline], opened over an [identity.Graph]. [Timeline.Append] stores
//     a batch of events and resolves their identifiers in the same atomic
//     transaction; [Timeline.Read] returns a customer's events with filters
//     and paging, and [Timeline.Scan] passes them one at a time to a
//     function that folds them, for long histories; [Timeline.Subscribe]
//     delivers new events after commit; [Timeline.Forget], like
//     [identity.Graph.Forget] once the timeline is opened on the graph,
//     erases a customer with its events.
//   - [Hook], attached with [Timeline.Attach]: code a layer above runs
//     inside every Append transaction, to keep state derived from the
//     events (live journeys) in step with them atomically; the layer
//     erases that state on Forget with an [identity.Eraser].
//
// Events belong to identifiers, not customers: each event is stored under
// one identifier of the customer its identifiers resolved to, and a
// customer's timeline is the time-ordered merge of its identifiers' events.
// So a merge copies nothing and a split sends each event with its
// identifier.
//
// Caveats:
//
//   - Appends are idempotent by event ID: the same event again is a no-op
//     (at-least-once delivery is normal); the same ID with other content is
//     a [*ConflictError] and nothing of the batch is written.
//   - Events may arrive in any order; reads are always in event-time order,
//     ties broken by event ID.
//   - A cursor is a position in that order, so paging survives appends,
//     merges and splits: the next page starts after the last event seen,
//     including events that joined the customer since. A page may come
//     back empty when no remaining event matches the filters.
//   - An event whose identifiers are all refused (blocked or suppressed)
//     belongs to no customer and is rejected.
//
// A Timeline is safe for concurrent use.
package timeline
