package timeline_test

import (
	"context"
	"fmt"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// exampleNow is the fixed clock of the examples.
var exampleNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// newTimeline opens a timeline on an in-memory store.
func newTimeline() (*timeline.Timeline, func()) {
	db, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		panic(err)
	}
	now := func() time.Time { return exampleNow }
	g, err := identity.Open(db, &identity.Options{DefaultRegion: "US", Clock: now})
	if err != nil {
		panic(err)
	}
	tl, err := timeline.Open(g, &timeline.Options{Clock: now})
	if err != nil {
		panic(err)
	}
	return tl, func() { db.Close() }
}

var (
	annEmail = identity.New(identity.Email, "Ann.Lee@Example.com")
	annPhone = identity.New(identity.Phone, "(415) 555-0100")
)

// annJourney is a chat with a bot, a handoff to an agent, and a phone call
// the next morning on which Ann gives her email address.
func annJourney() []timeline.Event {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := []identity.Identifier{annEmail}
	return []timeline.Event{
		{ID: "chat-1", Time: at, Channel: timeline.Chat, Direction: timeline.Inbound,
			Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message,
			Text: "My order 1042 never arrived", Intent: "missing_order",
			Facts: []timeline.Fact{{Key: "order", Value: "1042"}}, Identifiers: ids},
		{ID: "chat-2", Time: at.Add(time.Minute), Channel: timeline.Chat, Direction: timeline.Outbound,
			Actor: timeline.Actor{Kind: timeline.Bot, ID: "helpbot"}, Type: timeline.Message,
			Text:    "Tracking shows it is lost; I cannot reship it.",
			Actions: []timeline.Action{{Name: "reship", Outcome: "failed"}}, Identifiers: ids},
		{ID: "chat-3", Time: at.Add(2 * time.Minute), Channel: timeline.Chat, Direction: timeline.Internal,
			Actor: timeline.Actor{Kind: timeline.Bot, ID: "helpbot"}, Type: timeline.Handoff,
			Text: "Handed to a person: reship failed", Case: "CS-7", Identifiers: ids},
		{ID: "call-1", Time: at.Add(24 * time.Hour), Channel: timeline.Voice, Direction: timeline.Inbound,
			Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.CallStart, Case: "CS-7",
			Identifiers: []identity.Identifier{annPhone, annEmail}, Verified: true},
	}
}

func ExampleTimeline_Append() {
	tl, done := newTimeline()
	defer done()
	ctx := context.Background()

	res, err := tl.Append(ctx, annJourney()...)
	if err != nil {
		panic(err)
	}
	for _, a := range res {
		fmt.Println(a.ID, a.Customer, a.Identity.Outcome)
	}

	// At-least-once delivery: the same event again is a no-op.
	again, _ := tl.Append(ctx, annJourney()[0])
	fmt.Println(again[0].ID, again[0].Customer, "duplicate:", again[0].Duplicate)

	// The same ID with other content is refused, and nothing is written.
	changed := annJourney()[0]
	changed.Text = "edited"
	_, err = tl.Append(ctx, changed)
	fmt.Println(err)
	// Output:
	// chat-1 c1 new
	// chat-2 c1 existing
	// chat-3 c1 existing
	// call-1 c1 attached
	// chat-1 c1 duplicate: true
	// timeline: event "chat-1" was appended before with different content
}

func ExampleTimeline_Read() {
	tl, done := newTimeline()
	defer done()
	ctx := context.Background()
	res, _ := tl.Append(ctx, annJourney()...)
	ann := res[0].Customer

	// The next agent sees the whole history, across channels, newest first.
	page, err := tl.Read(ctx, ann, timeline.Query{Newest: true})
	if err != nil {
		panic(err)
	}
	for _, e := range page.Events {
		fmt.Println(e.Time.Format("Jan 2 15:04"), e.Channel, e.Actor.Kind, e.Type, e.Identifiers[0])
	}

	// Filters: the facts Ann gave about her missing order, so that nobody
	// asks for them again.
	page, _ = tl.Read(ctx, ann, timeline.Query{Intent: "missing_order"})
	fmt.Println(page.Events[0].Facts)
	// Output:
	// Mar 2 09:00 voice customer call_start phone:+14155550100
	// Mar 1 09:02 chat bot handoff email:ann.lee@example.com
	// Mar 1 09:01 chat bot message email:ann.lee@example.com
	// Mar 1 09:00 chat customer message email:ann.lee@example.com
	// [{order 1042}]
}

func ExampleQuery_cursor() {
	tl, done := newTimeline()
	defer done()
	ctx := context.Background()
	res, _ := tl.Append(ctx, annJourney()...)
	ann := res[0].Customer

	// Page through the history two events at a time: pass each page's Next
	// as the following query's Cursor until it comes back empty.
	q := timeline.Query{Limit: 2}
	for n := 1; ; n++ {
		page, err := tl.Read(ctx, ann, q)
		if err != nil {
			panic(err)
		}
		for _, e := range page.Events {
			fmt.Println("page", n, e.ID)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	// Output:
	// page 1 chat-1
	// page 1 chat-2
	// page 2 chat-3
	// page 2 call-1
}

func ExampleTimeline_Scan() {
	tl, done := newTimeline()
	defer done()
	ctx := context.Background()
	res, _ := tl.Append(ctx, annJourney()...)
	ann := res[0].Customer

	// Fold a history into a summary without holding it all in memory:
	// count the steps per channel and keep the last bot step.
	steps := map[timeline.Channel]int{}
	var lastBot timeline.Event
	err := tl.Scan(ctx, ann, timeline.Query{}, func(e timeline.Event) error {
		steps[e.Channel]++
		if e.Actor.Kind == timeline.Bot {
			lastBot = e
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("chat:", steps[timeline.Chat], "voice:", steps[timeline.Voice])
	fmt.Println("last bot step:", lastBot.Type, lastBot.Text)
	// Output:
	// chat: 3 voice: 1
	// last bot step: handoff Handed to a person: reship failed
}
