package threadline_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// An email and a call from a number the customer gives in it become one
// customer, one journey across two channels, and a packet for the next
// agent.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	s, err := threadline.Open("", &threadline.Options{
		Store:    store.Options{InMemory: true}, // a directory and nil options for a durable store
		Identity: identity.Options{DefaultRegion: "US"},
		Clock:    func() time.Time { return now },
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	email := identity.New(identity.Email, "Ann.Lee@Example.COM")
	phone := identity.New(identity.Phone, "(415) 555-0100")
	res, err := s.Append(ctx,
		timeline.Event{ID: "mail-1", Time: now.Add(-48 * time.Hour), Channel: timeline.Email, Direction: timeline.Inbound,
			Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.EmailMsg, Intent: "billing",
			Text: "I was charged twice. Call me on (415) 555-0100.", Identifiers: []identity.Identifier{email},
			Facts: []timeline.Fact{{Key: "invoice", Value: "4411"}}},
		timeline.Event{ID: "call-1", Time: now.Add(-time.Hour), Channel: timeline.Voice, Direction: timeline.Inbound,
			Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.CallStart, Intent: "billing",
			Identifiers: []identity.Identifier{phone, email}, Verified: true})
	if err != nil {
		log.Fatal(err)
	}
	c := res[1].Customer
	fmt.Println("customer", c, res[1].Identity.Outcome)

	js, err := s.Journeys(ctx, c)
	if err != nil {
		log.Fatal(err)
	}
	for _, j := range js {
		fmt.Println("journey", j.ID, j.State, j.Channels)
	}
	p, err := s.Packet(ctx, c, handoff.Request{To: handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Agent, ID: "raj"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Summary)
	// Output:
	// customer c1 attached
	// journey mail-1 open [email voice]
	// a***@example.com (verified by email, phone) — billing: “I was charged twice”, open 2 days, email → voice. Already given: invoice 4411. Handoff → voice agent raj.
}
