package main

import (
	"fmt"
	"strings"
)

// One generated customer: the identity observations that build them (the
// last is their duplicate identity: a work email and a new phone), the
// events of their journeys as they are appended (journey CS-79-2 is the
// duplicate's), and their bot-to-human handoff. The same seed always gives
// the same customer.
func Example_plan() {
	g := &generator{seed: 1, customers: 1000, events: 20000}
	pl := g.plan(79)
	for _, o := range pl.obs {
		var ids []string
		for _, id := range o.Identifiers {
			ids = append(ids, id.String())
		}
		fmt.Printf("observe %-10s %s\n", o.Source, strings.Join(ids, " "))
	}
	for _, e := range pl.before {
		fmt.Printf("%s %-8s %-8s %-10s %s %s\n", e.Time.Format("Jan 02 15:04"), e.Channel, e.Actor.Kind, e.Type, e.Case, e.Identifiers[0])
	}
	if h := pl.handoff; h != nil {
		fmt.Printf("%s handoff %s -> %s (%s), acknowledged by %s at %s\n", h.at.Format("Jan 02 15:04"), h.req.From, h.req.To,
			h.req.Reason, h.by.ID, h.ackAt.Format("15:04"))
	}
	for _, e := range pl.after {
		fmt.Printf("%s %-8s %-8s %-10s %s %s\n", e.Time.Format("Jan 02 15:04"), e.Channel, e.Actor.Kind, e.Type, e.Case, e.Identifiers[0])
	}
	fmt.Printf("%d events in %d journeys: %d resolved, %d abandoned, %d open\n", pl.events, pl.journeys, pl.resolved, pl.abandoned, pl.open)
	// Output:
	// observe web        visitor:v-fc148f4cc129c666
	// observe signup     email:Fatima.Haddad7720238@example.com visitor:v-fc148f4cc129c666
	// observe crm        email:Fatima.Haddad7720238@example.com phone:+1 415 979 0238 account:crm:07720238
	// observe whatsapp   whatsapp:+1 415 979 0238 phone:+1 415 979 0238
	// observe app        device:d-15f7650363ce28de email:Fatima.Haddad7720238@example.com
	// observe crm-import email:F.Haddad7720238@globex.example phone:+1 510 878 5592
	// Feb 06 20:25 voice    customer call_start CS-79-0 phone:+1 415 979 0238
	// Apr 19 00:08 app      customer message    CS-79-1 device:d-15f7650363ce28de
	// Apr 19 00:10 app      bot      note       CS-79-1 device:d-15f7650363ce28de
	// Feb 24 13:21 email    customer email      CS-79-2 email:F.Haddad7720238@globex.example
	// Feb 24 13:24 email    agent    email      CS-79-2 email:F.Haddad7720238@globex.example
	// Feb 26 01:24 sms      customer message    CS-79-2 phone:+1 510 878 5592
	// Feb 26 01:25 sms      agent    message    CS-79-2 phone:+1 510 878 5592
	// Feb 26 01:35 sms      agent    resolution CS-79-2 phone:+1 510 878 5592
	// Apr 19 00:11 handoff app bot bot-app -> chat agent agent-01 (reset_session failed), acknowledged by agent-01 at 00:12
	// Apr 19 00:12 chat     customer message    CS-79-1 visitor:v-fc148f4cc129c666
	// 11 events in 3 journeys: 1 resolved, 2 abandoned, 0 open
}
