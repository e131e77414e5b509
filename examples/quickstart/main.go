// Command quickstart plays a customer's week across channels on a fresh
// embedded store and prints what Threadline resolved at each step.
//
// Today it shows the identity layer: a chat visitor, an email, a call from
// a new phone and a WhatsApp message resolve to one customer, with the
// evidence for every merge, and a bad merge undone. The timeline, handoff
// packets, journeys and the arbiter join the story as those packages land.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// step is one interaction of the story.
type step struct {
	say string
	obs identity.Observation
}

func run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "threadline-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(dir, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	g, err := identity.Open(db, &identity.Options{DefaultRegion: "US"})
	if err != nil {
		return err
	}
	fmt.Printf("Threadline quickstart: a fresh store in %s\n\n", dir)

	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	steps := []step{
		{"Monday, web chat: an anonymous visitor asks about a double charge.",
			obs(monday, "chat", false, identity.New(identity.Visitor, "v-8f2a"))},
		{"Monday, web chat: the visitor gives her email so the bot can look her up.",
			obs(monday.Add(4*time.Minute), "chat", false, identity.New(identity.Email, "Ann.Lee@Example.COM"), identity.New(identity.Visitor, "v-8f2a"))},
		{"Wednesday, email: Ann writes from the same address.",
			obs(monday.Add(49*time.Hour), "email", false, identity.New(identity.Email, "ann.lee@example.com"))},
		{"Thursday, WhatsApp: a message from a number we have never seen.",
			obs(monday.Add(72*time.Hour), "whatsapp", false, identity.New(identity.WhatsApp, "+1 415 555 0100"))},
		{"Thursday, voice: Ann calls from that number, passes verification and confirms her email.",
			obs(monday.Add(74*time.Hour), "voice", true, identity.New(identity.Phone, "(415) 555-0100"),
				identity.New(identity.WhatsApp, "+14155550100"), identity.New(identity.Email, "ann.lee@example.com"))},
	}
	var ann identity.CustomerID
	for _, s := range steps {
		res, err := g.Observe(ctx, s.obs)
		if err != nil {
			return err
		}
		ann = res.Customer
		fmt.Printf("%s\n  -> %s, %s", s.say, res.Customer, res.Outcome)
		if len(res.Merged) > 0 {
			fmt.Printf(" (absorbed %v)", res.Merged)
		}
		for _, id := range res.Added {
			fmt.Printf(" +%s", id)
		}
		fmt.Print("\n\n")
	}

	c, err := g.Customer(ctx, ann)
	if err != nil {
		return err
	}
	fmt.Printf("One customer, %s, aliases %v:\n", c.ID, c.Aliases)
	for _, id := range c.Identifiers {
		v := ""
		if id.Verified {
			v = " (verified by " + id.VerifiedSource + ")"
		}
		fmt.Printf("  %-28s %s%s\n", id.Identifier, id.Strength, v)
	}
	path, err := g.Explain(ctx, identity.New(identity.Visitor, "v-8f2a"), identity.New(identity.WhatsApp, "+14155550100"))
	if err != nil {
		return err
	}
	fmt.Println("\nWhy the Monday chat visitor is Thursday's WhatsApp sender:")
	for _, l := range path {
		fmt.Println("  " + l.String())
	}
	if vs, err := g.Check(ctx); err != nil || len(vs) > 0 {
		return fmt.Errorf("graph check: %v %v", vs, err)
	}
	fmt.Println("\nGraph check: every identifier belongs to exactly one customer.")
	return nil
}

func obs(at time.Time, source string, verified bool, ids ...identity.Identifier) identity.Observation {
	return identity.Observation{Identifiers: ids, Source: source, Time: at, Verified: verified}
}
