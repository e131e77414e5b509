package identity_test

import (
	"context"
	"fmt"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
)

// newGraph opens a graph on an in-memory store.
func newGraph() (*identity.Graph, func()) {
	db, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		panic(err)
	}
	g, err := identity.Open(db, &identity.Options{DefaultRegion: "US"})
	if err != nil {
		panic(err)
	}
	return g, func() { db.Close() }
}

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func ExampleGraph_Observe() {
	g, done := newGraph()
	defer done()
	ctx := context.Background()

	chat, _ := g.Observe(ctx, identity.Observation{Source: "chat", Time: at,
		Identifiers: []identity.Identifier{identity.New(identity.Email, "Ann.Lee@Example.com")}})
	call, _ := g.Observe(ctx, identity.Observation{Source: "voice", Time: at.Add(time.Hour), Verified: true,
		Identifiers: []identity.Identifier{
			identity.New(identity.Phone, "(415) 555-0100"),
			identity.New(identity.Email, "ann.lee@example.com"),
		}})
	fmt.Println(chat.Customer, chat.Outcome, chat.Added)
	fmt.Println(call.Customer, call.Outcome, call.Added)
	// Output:
	// c1 new [email:ann.lee@example.com]
	// c1 attached [phone:+14155550100]
}

func ExampleGraph_Lookup() {
	g, done := newGraph()
	defer done()
	ctx := context.Background()
	g.Observe(ctx, identity.Observation{Source: "sms", Time: at,
		Identifiers: []identity.Identifier{identity.New(identity.Phone, "+1 415 555 0100")}})

	c, err := g.Lookup(ctx, identity.New(identity.Phone, "415.555.0100"))
	fmt.Println(c, err)
	_, err = g.Lookup(ctx, identity.New(identity.Phone, "+1 415 555 0199"))
	fmt.Println(err)
	// Output:
	// c1 <nil>
	// identity: not found: phone:+14155550199
}

func ExampleGraph_Explain() {
	g, done := newGraph()
	defer done()
	ctx := context.Background()
	email := identity.New(identity.Email, "kim@example.com")
	phone := identity.New(identity.Phone, "+1 415 555 0123")
	x := identity.New(identity.X, "@KimCodes")
	g.Observe(ctx, identity.Observation{Source: "email", Time: at, Identifiers: []identity.Identifier{email, phone}})
	g.Observe(ctx, identity.Observation{Source: "x", Time: at, Identifiers: []identity.Identifier{x, phone}})

	path, _ := g.Explain(ctx, email, x)
	for _, l := range path {
		fmt.Println(l)
	}
	// Output:
	// email:kim@example.com -- phone:+14155550123  rule=strong-identifier source=email o1
	// phone:+14155550123 -- x:kimcodes  rule=strong-identifier source=x o2
}

func ExampleGraph_Unlink() {
	g, done := newGraph()
	defer done()
	ctx := context.Background()
	ann := identity.New(identity.Email, "ann@example.com")
	zoe := identity.New(identity.Email, "zoe@example.com")
	phone := identity.New(identity.Phone, "+1 415 555 0199")
	g.Observe(ctx, identity.Observation{Source: "email", Time: at, Identifiers: []identity.Identifier{ann}})
	g.Observe(ctx, identity.Observation{Source: "sms", Time: at, Identifiers: []identity.Identifier{zoe, phone}})
	// An agent types Zoe's number into Ann's record: a bad merge.
	bad, _ := g.Observe(ctx, identity.Observation{Source: "desk", Time: at, Identifiers: []identity.Identifier{ann, phone}})
	fmt.Println(bad.Customer, bad.Outcome, bad.Merged)

	res, _ := g.Unlink(ctx, identity.LinkSelector{Observation: bad.Observation})
	fmt.Println(res.Splits[0].Customer, "kept; Zoe is now", res.Splits[0].Parts)
	// Output:
	// c1 merged [c2]
	// c1 kept; Zoe is now [c3]
}

func ExampleGraph_Forget() {
	g, done := newGraph()
	defer done()
	ctx := context.Background()
	email := identity.New(identity.Email, "ann@example.com")
	res, _ := g.Observe(ctx, identity.Observation{Source: "chat", Time: at, Identifiers: []identity.Identifier{email}})

	gone, _ := g.Forget(ctx, res.Customer, identity.ForgetOptions{})
	fmt.Println("erased", gone.Identifiers)
	_, err := g.Lookup(ctx, email)
	fmt.Println(err)
	again, _ := g.Observe(ctx, identity.Observation{Source: "chat", Time: at, Identifiers: []identity.Identifier{email}})
	fmt.Println(again.Customer, again.Outcome)
	// Output:
	// erased [email:ann@example.com]
	// identity: not found: email:ann@example.com
	// c2 new
}
