package handoff_test

import (
	"context"
	"fmt"
	"time"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// A chat bot collects an order number and fails to reschedule a delivery,
// then hands over to a voice agent, who acknowledges.
func ExampleBuilder_Handoff() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, _ := store.Open("", &store.Options{InMemory: true})
	defer db.Close()
	g, _ := identity.Open(db, &identity.Options{Clock: clock})
	tl, _ := timeline.Open(g, &timeline.Options{Clock: clock})
	tr, _ := journey.NewTracker(tl, &journey.Options{Clock: clock})
	b, _ := handoff.New(tr, &handoff.Options{Clock: clock})

	visitor := []identity.Identifier{identity.New(identity.Visitor, "v-1")}
	res, _ := tl.Append(ctx,
		timeline.Event{ID: "m1", Time: now.Add(-4 * time.Minute), Channel: timeline.Chat, Direction: timeline.Inbound,
			Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message, Intent: "delivery",
			Text: "Please move my delivery, order 77.", Facts: []timeline.Fact{{Key: "order", Value: "77"}}, Identifiers: visitor},
		timeline.Event{ID: "m2", Time: now.Add(-3 * time.Minute), Channel: timeline.Chat, Direction: timeline.Outbound,
			Actor: timeline.Actor{Kind: timeline.Bot, ID: "dot"}, Type: timeline.Message, Intent: "delivery",
			Text: "I could not move it.", Actions: []timeline.Action{{Name: "reschedule", Outcome: "failed"}}, Identifiers: visitor})
	c := res[0].Customer

	p, err := b.Handoff(ctx, c, handoff.Request{
		From:   handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "dot"},
		To:     handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Agent, ID: "ravi"},
		Reason: "reschedule failed"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Summary)
	fmt.Println(p.Provided[0].Key, p.Provided[0].Value, p.Tried[0].Action, p.Tried[0].Outcome)

	if err := b.Acknowledge(ctx, c, p.HandoffID, timeline.Actor{Kind: timeline.Agent, ID: "ravi"}); err != nil {
		fmt.Println(err)
	}
	rs, _ := b.Handoffs(ctx, c)
	fmt.Println(rs[0].State, rs[0].AckedBy.ID)
	// Output:
	// visitor …1 (not verified) — delivery: “Please move my delivery, order 77”, open 4 minutes, chat. Already given: order 77. Tried: bot dot reschedule (failed). Handoff chat bot dot → voice agent ravi: reschedule failed.
	// order 77 reschedule failed
	// acknowledged ravi
}
