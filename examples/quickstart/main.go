// Command quickstart plays one customer's story across channels on a fresh
// embedded store and prints what Threadline resolved at each step: the
// four live tests (context-shift, handoff, collision, continuity) and the
// journey metrics at the end.
// At every channel switch it prints the handoff packet's text: what the
// next agent or bot reads first.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// world is the library stack on one store, with a clock the story moves.
type world struct {
	s   *threadline.Stack
	now time.Time
}

func run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "threadline-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	w := &world{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	w.s, err = threadline.Open(dir, &threadline.Options{
		Identity: identity.Options{DefaultRegion: "US"},
		Clock:    func() time.Time { return w.now },
	})
	if err != nil {
		return err
	}
	defer w.s.Close()
	fmt.Printf("Threadline quickstart: a fresh, durable store in %s\n", dir)

	for _, step := range []func(context.Context) error{w.contextShift, w.handoff, w.collision, w.continuity, w.metrics} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	if vs, err := w.s.Graph().Check(ctx); err != nil || len(vs) > 0 {
		return fmt.Errorf("graph check: %v %v", vs, err)
	}
	fmt.Println("\nGraph check passed: every identifier belongs to exactly one customer.")
	return nil
}

var (
	annEmail = identity.New(identity.Email, "Ann.Lee@Example.COM")
	annChat  = identity.New(identity.Visitor, "v-8f2a")
	annPhone = identity.New(identity.Phone, "(415) 555-0100")
)

func (w *world) at(day int, hhmm string) time.Time {
	t, _ := time.Parse("15:04", hhmm)
	return time.Date(2026, 3, 2+day, t.Hour(), t.Minute(), 0, 0, time.UTC)
}

// say appends events and prints what each channel saw.
func (w *world) say(ctx context.Context, evs ...timeline.Event) (identity.CustomerID, error) {
	for _, e := range evs {
		if e.Time.After(w.now) {
			w.now = e.Time
		}
	}
	res, err := w.s.Append(ctx, evs...)
	if err != nil {
		return 0, err
	}
	for i, e := range evs {
		who := string(e.Actor.Kind)
		if e.Actor.ID != "" {
			who += " " + e.Actor.ID
		}
		fmt.Printf("  %s %-8s %-14s %s", e.Time.Format("Mon 15:04"), e.Channel, who, e.Text)
		if r := res[i].Identity; r.Outcome != "" && r.Outcome != identity.OutcomeExisting {
			fmt.Printf("   [identity: %s %s", r.Outcome, r.Customer)
			if len(r.Merged) > 0 {
				fmt.Printf(", absorbed %v", r.Merged)
			}
			fmt.Print("]")
		}
		fmt.Println()
	}
	return res[len(res)-1].Customer, nil
}

func ev(at time.Time, ch timeline.Channel, actor timeline.Actor, typ timeline.Type, text string, ids ...identity.Identifier) timeline.Event {
	dir := timeline.Outbound
	if actor.Kind == timeline.Customer {
		dir = timeline.Inbound
	}
	return timeline.Event{ID: fmt.Sprintf("%s-%s", ch, at.Format("0102-1504")), Time: at, Channel: ch, Direction: dir,
		Actor: actor, Type: typ, Text: text, Intent: "billing", Identifiers: ids}
}

var (
	customer = timeline.Actor{Kind: timeline.Customer}
	bot      = timeline.Actor{Kind: timeline.Bot, ID: "billy"}
	agent    = timeline.Actor{Kind: timeline.Agent, ID: "raj"}
)

func (w *world) contextShift(ctx context.Context) error {
	fmt.Println("\n1. Context-shift: Monday email, Wednesday chat. The thread survives the channel change.")
	e := ev(w.at(0, "09:00"), timeline.Email, customer, timeline.EmailMsg, "I was charged twice for invoice 4411.", annEmail)
	e.Facts = []timeline.Fact{{Key: "invoice", Value: "4411"}, {Key: handoff.FactIssue, Value: "double charge on invoice 4411"}}
	e.Sentiment = timeline.Sentiment(-0.4)
	if _, err := w.say(ctx, e); err != nil {
		return err
	}
	// The email's From header gave her name: a profile attribute.
	if _, err := w.s.Observe(ctx, identity.Observation{Source: "email", Time: w.now, Identifiers: []identity.Identifier{annEmail},
		Attributes: map[string]string{identity.AttrFullName: "Ann Lee"}}); err != nil {
		return err
	}
	chat := ev(w.at(2, "10:00"), timeline.Chat, customer, timeline.Message, "Any news on my double charge? (ann.lee@example.com)", annChat, annEmail)
	chat.Sentiment = timeline.Sentiment(-0.5)
	c, err := w.say(ctx, chat)
	if err != nil {
		return err
	}
	if err := w.printJourneys(ctx, c); err != nil {
		return err
	}
	p, err := w.s.Packet(ctx, c, handoff.Request{To: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"}})
	if err != nil {
		return err
	}
	fmt.Printf("  Packet for chat bot billy: %s\n", p.Summary)
	return nil
}

func (w *world) handoff(ctx context.Context) error {
	fmt.Println("\n2. Handoff: the bot tries, then hands over to a human on the phone. Nothing is asked twice.")
	attempt := ev(w.at(2, "10:02"), timeline.Chat, bot, timeline.Note, "Confirmed the duplicate charge; automatic refund failed.", annChat)
	attempt.Actions = []timeline.Action{{Name: "confirm_charge", Outcome: "succeeded"}, {Name: "auto_refund", Outcome: "failed"}}
	c, err := w.say(ctx, attempt)
	if err != nil {
		return err
	}
	w.now = w.at(2, "10:03")
	p, err := w.s.Handoff(ctx, c, handoff.Request{
		From:   handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"},
		To:     handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "billing"},
		Reason: "automatic refund failed"})
	if err != nil {
		return err
	}
	fmt.Printf("  Handoff %s recorded. Packet for the billing queue:\n    %s\n", p.HandoffID, p.Summary)
	var facts, tried []string
	for _, f := range p.Provided {
		facts = append(facts, f.Key+"="+f.Value+" (via "+string(f.Channel)+")")
	}
	for _, a := range p.Tried {
		tried = append(tried, a.Action+": "+string(a.Outcome)+" (by "+string(a.By)+")")
	}
	fmt.Printf("    Structured: provided %s; tried %s.\n", strings.Join(facts, ", "), strings.Join(tried, ", "))

	call := ev(w.at(2, "10:05"), timeline.Voice, customer, timeline.CallStart, "Ann is connected by phone and confirms her email.", annPhone, annEmail)
	call.Verified = true
	if _, err := w.say(ctx, call); err != nil {
		return err
	}
	if err := w.s.Builder().Acknowledge(ctx, c, p.HandoffID, agent); err != nil {
		return err
	}
	promise := ev(w.at(2, "10:07"), timeline.Voice, agent, timeline.Message, "I can see your email and chat about invoice 4411. I will refund it by hand by tomorrow noon.", annPhone)
	promise.Actions = []timeline.Action{{Name: "manual_refund", Outcome: timeline.Pending}}
	promise.Attrs = map[string]string{timeline.AttrDue: w.at(3, "12:00").Format(time.RFC3339)}
	if _, err := w.say(ctx, promise); err != nil {
		return err
	}
	rs, err := w.s.Builder().Handoffs(ctx, c)
	if err != nil {
		return err
	}
	for _, r := range rs {
		fmt.Printf("  Handoff %s: %s by %s %s, %s after it was made.\n", r.ID, r.State, r.AckedBy.Kind, r.AckedBy.ID, r.AckedAt.Sub(r.At))
	}
	return nil
}

func (w *world) collision(ctx context.Context) error {
	fmt.Println("\n3. Collision: a cart abandonment and the open billing issue compete for Ann's attention.")
	c, err := w.s.Lookup(ctx, annEmail)
	if err != nil {
		return err
	}
	if _, err := w.s.Observe(ctx, identity.Observation{Source: "preferences", Time: w.now, Identifiers: []identity.Identifier{annEmail},
		Consent: []identity.ConsentChange{{Purpose: "marketing", Channel: "email", Granted: true}, {Purpose: "service", Channel: "*", Granted: true}}}); err != nil {
		return err
	}
	w.now = w.at(2, "18:00")
	d, err := w.s.Decide(ctx, c,
		journey.Candidate{Name: "cart_promo", Kind: journey.Promotion, Channel: timeline.Email, Purpose: "marketing", Priority: 10, Reason: "cart abandoned"},
		journey.Candidate{Name: "billing_callback", Kind: journey.Callback, Channel: timeline.Voice, Purpose: "service", Priority: 5, Reason: "refund failed"})
	if err != nil {
		return err
	}
	fmt.Printf("  Arbiter: %s\n  (recorded on the timeline as %s)\n", d, d.ID)
	return nil
}

func (w *world) continuity(ctx context.Context) error {
	fmt.Println("\n4. Continuity: the agent resolves it on Thursday; Ann comes back two days later, then again a week later.")
	done := ev(w.at(3, "09:00"), timeline.Voice, agent, timeline.Resolution, "Refund issued manually.", annPhone)
	done.Actions = []timeline.Action{{Name: "manual_refund", Outcome: "succeeded"}}
	c, err := w.say(ctx, done)
	if err != nil {
		return err
	}
	if _, err := w.say(ctx, ev(w.at(5, "09:00"), timeline.SMS, customer, timeline.Message, "The refund is not on my statement yet.", annPhone)); err != nil {
		return err
	}
	p, err := w.s.Packet(ctx, c, handoff.Request{To: handoff.Endpoint{Channel: timeline.SMS, Kind: handoff.Bot, ID: "billy"}})
	if err != nil {
		return err
	}
	fmt.Printf("  Packet for SMS bot billy: %s\n", p.Summary)
	if _, err := w.say(ctx, ev(w.at(5, "09:05"), timeline.SMS, bot, timeline.Resolution, "It shows as pending; it clears tomorrow.", annPhone)); err != nil {
		return err
	}
	if _, err := w.say(ctx, ev(w.at(12, "11:00"), timeline.Chat, customer, timeline.Message, "Question about my new invoice.", annChat)); err != nil {
		return err
	}
	return w.printJourneys(ctx, c)
}

func (w *world) printJourneys(ctx context.Context, c identity.CustomerID) error {
	js, err := w.s.Journeys(ctx, c)
	if err != nil {
		return err
	}
	for _, j := range js {
		fmt.Printf("  -> customer %s, journey %s: %s, %d contacts, channels %v", c, j.ID, j.State, j.Contacts, j.Channels)
		if j.Reopened > 0 {
			fmt.Printf(", reopened %d time(s)", j.Reopened)
		}
		fmt.Println()
	}
	return nil
}

func (w *world) metrics(ctx context.Context) error {
	fmt.Println("\nJourney metrics (what a channel-siloed report would overstate: channel_fcr vs journey_fcr):")
	rows, err := w.s.Tracker().Compute(ctx, journey.Window{}, journey.AllJourneys)
	if err != nil {
		return err
	}
	return journey.WriteTable(os.Stdout, rows)
}
