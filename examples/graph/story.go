package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/threadline/threadline/identity"
)

// storyEnd is the story's clock: every step happens before it.
var storyEnd = time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)

// The identifiers of the story.
var (
	annVisitor = identity.New(identity.Visitor, "v-8f2a")
	annEmail   = identity.New(identity.Email, "Ann.Lee@Example.COM")
	annPhone   = identity.New(identity.Phone, "(415) 555-0100")
	annAccount = identity.New(identity.Account, "crm:1001")
	bobAccount = identity.New(identity.Account, "crm:2002")
	bobEmail   = identity.New(identity.Email, "bob.diaz@acme.example")
	// The office switchboard of Acme, where Ann and Bob work: the CRM has
	// it as Bob's number.
	switchboard = identity.New(identity.Phone, "+1 (415) 555-0000")
)

// storyStart is the identifier whose customer the story draws.
var storyStart = annEmail

type step struct {
	what string
	obs  identity.Observation
}

func at(day int, hhmm string) time.Time {
	t, _ := time.Parse("15:04", hhmm)
	return time.Date(2026, 3, 2+day, t.Hour(), t.Minute(), 0, 0, time.UTC)
}

func obs(when time.Time, source string, verified bool, ids ...identity.Identifier) identity.Observation {
	return identity.Observation{Time: when, Source: source, Verified: verified, Identifiers: ids}
}

// story is Ann's week: an anonymous chat, an email, the chat where she
// types her email (merging the two), a verified call, the CRM import of
// her account and of her colleague Bob's, and a call from the office
// switchboard that the kind-limit guard refuses to merge with Bob.
var story = []step{
	{"Ann browses the help centre and opens a chat without logging in", obs(at(0, "08:55"), "chat", false, annVisitor)},
	{"Ann emails support about a double charge", obs(at(0, "09:00"), "email", false, annEmail)},
	{"in the same chat window she types her email address", obs(at(1, "10:00"), "chat", false, annVisitor, annEmail)},
	{"she calls from her mobile; the IVR verifies her and she confirms her email", obs(at(2, "16:00"), "voice", true, annPhone, annEmail)},
	{"the nightly CRM import brings her account with email and phone", obs(at(3, "02:00"), "crm-import", false, annAccount, annEmail, annPhone)},
	{"the same import brings her colleague Bob, filed under the office switchboard", obs(at(3, "02:00"), "crm-import", false, bobAccount, bobEmail, switchboard)},
	{"Ann calls from the office switchboard and keys in her account number", obs(at(4, "11:30"), "voice", true, switchboard, annAccount)},
}

// playStory observes the story in g, narrating each step to w.
func playStory(ctx context.Context, g *identity.Graph, w io.Writer) error {
	for _, s := range story {
		res, err := g.Observe(ctx, s.obs)
		if err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		fmt.Fprintf(w, "%s %-10s %s\n    -> %s %s", s.obs.Time.Format("Mon 15:04"), s.obs.Source, s.what, res.Customer, res.Outcome)
		if len(res.Merged) > 0 {
			fmt.Fprintf(w, ", absorbed %v", res.Merged)
		}
		if len(res.Added) > 0 {
			fmt.Fprintf(w, ", added %v", res.Added)
		}
		for _, r := range res.Refusals {
			fmt.Fprintf(w, "; refused %s against %v", r, r.Against)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// explainFar prints why the first and last of the customer's identifiers
// (in kind and value order) are one customer: the path of links with their
// evidence.
func explainFar(ctx context.Context, g *identity.Graph, p *picture, w io.Writer) error {
	if len(p.Identifiers) < 2 {
		return nil
	}
	a, b := p.Identifiers[0].Identifier, p.Identifiers[len(p.Identifiers)-1].Identifier
	path, err := g.Explain(ctx, a, b)
	if err != nil {
		return err
	}
	lines := make([]string, len(path))
	for i, l := range path {
		lines[i] = "    " + l.String()
	}
	fmt.Fprintf(w, "Why %s and %s are one customer:\n%s\n", a, b, strings.Join(lines, "\n"))
	return nil
}
