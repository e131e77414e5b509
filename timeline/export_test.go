package timeline

import "github.com/threadline/threadline/identity"

// Keys for the floor benchmark of package timeline_test (bench_test.go),
// which does Append's unavoidable reads and writes on the store directly.

// EventKey is the key of the event eventID of id at time at.
func EventKey(id identity.Identifier, at int64, eventID string) []byte {
	return eventKey(id, at, eventID)
}

// EventIDKey is the key of eventID's entry in the event-ID index.
func EventIDKey(eventID string) []byte { return eventIDKey(eventID) }
