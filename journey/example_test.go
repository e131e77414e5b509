package journey_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

func ExampleGroup() {
	ann := []identity.Identifier{identity.New(identity.Email, "ann@example.com")}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	msg := func(id string, d time.Duration, ch timeline.Channel, actor timeline.ActorKind, typ timeline.Type) timeline.Event {
		return timeline.Event{ID: id, Time: at.Add(d), Channel: ch, Direction: timeline.Inbound,
			Actor: timeline.Actor{Kind: actor, ID: "a1"}, Type: typ, Intent: "billing", Identifiers: ann}
	}
	events := []timeline.Event{
		msg("e1", 0, timeline.Email, timeline.Customer, timeline.EmailMsg),
		msg("e2", 48*time.Hour, timeline.Chat, timeline.Customer, timeline.Message),
		msg("e3", 72*time.Hour, timeline.Voice, timeline.Customer, timeline.CallStart),
		msg("e4", 72*time.Hour+10*time.Minute, timeline.Voice, timeline.Agent, timeline.Resolution),
	}
	for _, j := range journey.Group(1, events, nil, at.Add(96*time.Hour)) {
		fmt.Println(j.ID, j.State, j.Channels, j.Contacts, j.End.Sub(j.Start))
	}
	// Output:
	// e1 resolved [email chat voice] 3 72h10m0s
}

func ExampleWriteTable() {
	rows := []journey.Metrics{{Journeys: 10, Resolved: 7, Contacts: 19, JourneyFCR: 0.4, ChannelFCR: 0.75,
		TimeToResolutionP50: 26 * time.Hour}}
	journey.WriteTable(os.Stdout, rows[:1])
	// Output:
	// segment               all
	// journeys              10
	// resolved              7
	// abandoned             0
	// open                  0
	// contacts              19
	// repeat_contact_rate   0.0%
	// switches_per_journey  0.00
	// drop_off_at_switch    0.0%
	// ttr_p50               26h0m0s
	// ttr_p90               0s
	// journey_fcr           40.0%
	// channel_fcr           75.0%
	// transfer_rate         0.0%
	// handoff_rate          0.0%
	// lost_handoffs         0
	// containment           0.0%
	// repeat_ask_rate       0.0%
	// identity_coverage     0.0%
}

// A missed call starts an SMS follow-up by itself; the caller sends it.
func ExampleTriggers() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, _ := store.Open("", &store.Options{InMemory: true})
	defer db.Close()
	g, _ := identity.Open(db, &identity.Options{Clock: clock})
	tl, _ := timeline.Open(g, &timeline.Options{Clock: clock})
	tr, _ := journey.NewTracker(tl, &journey.Options{Clock: clock})
	arb, _ := journey.NewArbiter(tr, journey.DefaultRules()...)
	triggers, _ := journey.NewTriggers(arb, journey.DefaultTriggers()...)

	phone := identity.New(identity.Phone, "+14155550100")
	g.Observe(ctx, identity.Observation{Source: "app", Identifiers: []identity.Identifier{phone},
		Consent: []identity.ConsentChange{{Purpose: "service", Channel: "sms", Granted: true}}})
	tl.Append(ctx, timeline.Event{ID: "call-1", Time: now, Channel: timeline.Voice, Direction: timeline.Inbound,
		Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.CallEnd,
		Attrs: map[string]string{timeline.AttrOutcome: "missed"}, Identifiers: []identity.Identifier{phone}})

	firings, _ := triggers.Run(ctx)
	for _, f := range firings {
		fmt.Println(f.Customer, f.Decision.Chosen.Channel, f.Decision.Chosen.Template, "-", f.Decision.Chosen.Reason)
	}
	again, _ := triggers.Run(ctx)
	fmt.Println(len(again), "more")
	// Output:
	// c1 sms missed_call - missed call at 2026-03-02 09:00
	// 0 more
}

// exampleTracker opens a tracker on an in-memory store whose clock stands
// at now; done closes the store.
func exampleTracker(now time.Time) (g *identity.Graph, tl *timeline.Timeline, tr *journey.Tracker, done func()) {
	db, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	clock := func() time.Time { return now }
	if g, err = identity.Open(db, &identity.Options{Clock: clock}); err != nil {
		log.Fatal(err)
	}
	if tl, err = timeline.Open(g, &timeline.Options{Clock: clock}); err != nil {
		log.Fatal(err)
	}
	if tr, err = journey.NewTracker(tl, &journey.Options{Clock: clock}); err != nil {
		log.Fatal(err)
	}
	return g, tl, tr, func() { db.Close() }
}

// A tracker keeps a customer's open journeys live as events are appended:
// each Append updates them in its own transaction, so the next read is one
// record, not a pass over the customer's history.
func ExampleTracker_OpenJourneys() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	g, tl, tr, done := exampleTracker(now)
	defer done()

	ann := []identity.Identifier{identity.New(identity.Email, "ann@example.com")}
	step := func(id string, ago time.Duration, ch timeline.Channel, intent string) {
		_, err := tl.Append(ctx, timeline.Event{ID: id, Time: now.Add(-ago), Channel: ch, Direction: timeline.Inbound,
			Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message, Intent: intent, Identifiers: ann})
		if err != nil {
			log.Fatal(err)
		}
	}
	show := func() {
		c, err := g.Lookup(ctx, ann[0])
		if err != nil {
			log.Fatal(err)
		}
		open, err := tr.OpenJourneys(ctx, c)
		if err != nil {
			log.Fatal(err)
		}
		for _, j := range open {
			fmt.Println(j.ID, j.Intent, j.Channels, "contacts:", j.Contacts)
		}
		fmt.Println("--")
	}
	step("e1", 26*time.Hour, timeline.Email, "billing")
	show()
	step("e2", 2*time.Hour, timeline.Chat, "billing")
	step("e3", time.Hour, timeline.Chat, "delivery")
	show()
	// Output:
	// e1 billing [email] contacts: 1
	// --
	// e3 delivery [chat] contacts: 1
	// e1 billing [email chat] contacts: 2
	// --
}

// A reader that needs a journey's events and channels, not its switches,
// contact log and facts, reads it brief, inside its own transaction.
func ExampleTracker_BriefJourneysTx() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	g, tl, tr, done := exampleTracker(now)
	defer done()
	ann := []identity.Identifier{identity.New(identity.Email, "ann@example.com")}
	var events []timeline.Event
	for i, ch := range []timeline.Channel{timeline.Email, timeline.Chat, timeline.Voice} {
		events = append(events, timeline.Event{ID: fmt.Sprint("e", i+1), Time: now.Add(time.Duration(i-3) * time.Hour),
			Channel: ch, Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message,
			Intent: "billing", Facts: []timeline.Fact{{Key: "invoice", Value: "4411"}}, Identifiers: ann})
	}
	if _, err := tl.Append(ctx, events...); err != nil {
		log.Fatal(err)
	}
	err := g.View(ctx, func(tx *identity.Tx) error {
		c, err := tx.Lookup(ann[0])
		if err != nil {
			return err
		}
		js, err := tr.BriefJourneysTx(tx, c)
		for _, j := range js {
			fmt.Println(j.ID, j.State, j.Events, j.Channels, "contacts:", j.Contacts)
			fmt.Println("switches:", j.Switches, "facts:", j.Facts)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// e1 open [e1 e2 e3] [email chat voice] contacts: 3
	// switches: [] facts: []
}
