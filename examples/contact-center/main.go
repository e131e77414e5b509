// Command contact-center is a small HTTP service embedding Threadline, as a
// contact-center app would: JSON endpoints to observe identifiers, append
// events, read a timeline, build, record and acknowledge handoff packets
// and read journey metrics, plus one page showing the agent desktop's
// customer context panel.
//
//	go run ./examples/contact-center            # serve on localhost:8080 with a demo customer
//	go run ./examples/contact-center -check     # seed, call every endpoint once, print the JSON answers, exit
//
// Endpoints (JSON in and out; errors are {"error": "..."} with 400, 404,
// 409 or 500):
//
//	POST /api/observe                                  identity.Observation fields → identity.Result
//	POST /api/events                                   [timeline.Event] → [timeline.Appended]
//	GET  /api/lookup?id=kind:value                     → {"customer": "c1"}
//	GET  /api/customers/{id}                           → identity.Customer
//	GET  /api/customers/{id}/timeline?newest=&limit=&cursor=&channel=&case=&intent=
//	GET  /api/customers/{id}/journeys                  → [journey.Journey]
//	GET  /api/customers/{id}/packet?to_channel=&to_kind=&to_id=&journey=   → handoff.Packet (nothing recorded)
//	POST /api/customers/{id}/handoffs                  {from, to, reason} → handoff.Packet (recorded)
//	GET  /api/customers/{id}/handoffs                  → [handoff.Record]
//	POST /api/customers/{id}/handoffs/{handoff}/ack    {"kind": "agent", "id": "raj"}
//	GET  /api/metrics?from=&to=&segment=               → [journey.Metrics]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "address to serve on")
	dir := flag.String("dir", "", "store directory (default: a temporary one, removed at exit)")
	demo := flag.Bool("demo", true, "seed a demo customer through the API")
	check := flag.Bool("check", false, "call every endpoint once, print the answers and exit")
	flag.Parse()
	if err := run(*addr, *dir, *demo, *check); err != nil {
		fmt.Fprintln(os.Stderr, "contact-center:", err)
		os.Exit(1)
	}
}

func run(addr, dir string, demo, check bool) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "threadline-contact-center-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	s, closeDB, err := open(dir)
	if err != nil {
		return err
	}
	defer closeDB()
	if check {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	c := &client{base: base, out: io.Discard}
	if check {
		c.out = os.Stdout
	}
	if demo || check {
		if err := seed(c); err != nil {
			return err
		}
	}
	if check {
		return desk(c)
	}
	fmt.Printf("Agent desktop: %s/  (store in %s; Ctrl-C to stop)\n", base, dir)
	select {}
}

// open builds the library stack on a durable store in dir.
func open(dir string) (*server, func() error, error) {
	st, err := threadline.Open(dir, &threadline.Options{Identity: identity.Options{DefaultRegion: "US"}, Clock: now})
	if err != nil {
		return nil, nil, err
	}
	return &server{st: st}, st.Close, nil
}

// client calls the API as a channel system or a desktop would, echoing
// each call to out.
type client struct {
	base string
	out  io.Writer
}

// call sends body (nil for GET) and decodes the answer into v (may be nil).
func (c *client) call(method, path string, body, v any) error {
	var in io.Reader
	if body != nil {
		blob, err := json.Marshal(body)
		if err != nil {
			return err
		}
		in = bytes.NewReader(blob)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, in)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	blob, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s %s -> %d\n", method, path, resp.StatusCode)
	if len(bytes.TrimSpace(blob)) > 0 {
		var pretty bytes.Buffer
		if json.Indent(&pretty, blob, "  ", "  ") == nil {
			fmt.Fprintf(c.out, "  %s\n", bytes.TrimSpace(pretty.Bytes()))
		}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(blob))
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(blob, v)
}

// now is the service's clock; the golden test of -check stops it.
var now = time.Now

// at is a time day days after the start of the demo week, which begins
// three days before today (UTC), so the story is recent and never ahead
// of the clock.
func at(day, h, m int) time.Time {
	y, mo, d := now().UTC().AddDate(0, 0, day-3).Date()
	return time.Date(y, mo, d, h, m, 0, 0, time.UTC)
}

// seed plays a short story through the API: an email, a chat with a bot
// whose refund fails, and a recorded handoff to voice.
func seed(c *client) error {
	email := identity.New(identity.Email, "Ann.Lee@example.com")
	visitor := identity.New(identity.Visitor, "v-8f2a")
	obs := map[string]any{"identifiers": []identity.Identifier{email, identity.New(identity.Phone, "(415) 555-0100")},
		"source": "crm", "verified": true, "attributes": map[string]string{"full_name": "Ann Lee"},
		"consent": []map[string]any{{"purpose": "service", "channel": "*", "granted": true}}}
	if err := c.call("POST", "/api/observe", obs, nil); err != nil {
		return err
	}
	ev := func(id string, t time.Time, ch timeline.Channel, by timeline.Actor, text string, ids ...identity.Identifier) timeline.Event {
		dir := timeline.Outbound
		if by.Kind == timeline.Customer {
			dir = timeline.Inbound
		}
		return timeline.Event{ID: id, Time: t, Channel: ch, Direction: dir, Actor: by, Type: timeline.Message,
			Intent: "billing", Text: text, Identifiers: ids}
	}
	ann, billy := timeline.Actor{Kind: timeline.Customer}, timeline.Actor{Kind: timeline.Bot, ID: "billy"}
	first := ev("seed-e1", at(0, 9, 0), timeline.Email, ann, "I was charged twice for invoice 4411.", email)
	first.Type, first.Facts = timeline.EmailMsg, []timeline.Fact{{Key: "invoice", Value: "4411"}, {Key: handoff.FactIssue, Value: "double charge on invoice 4411"}}
	chat := ev("seed-c1", at(2, 10, 0), timeline.Chat, ann, "Any news on my double charge?", visitor, email)
	chat.Sentiment = timeline.Sentiment(-0.5)
	bot := ev("seed-c2", at(2, 10, 1), timeline.Chat, billy, "The automatic refund failed; I am passing you to a person.", visitor)
	bot.Actions = []timeline.Action{{Name: "auto_refund", Outcome: "failed"}}
	var appended []timeline.Appended
	if err := c.call("POST", "/api/events", []timeline.Event{first, chat, bot}, &appended); err != nil {
		return err
	}
	cust := appended[0].Customer.String()
	return c.call("POST", "/api/customers/"+cust+"/handoffs", handoffRequest{
		From:   handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"},
		To:     handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "billing"},
		Reason: "automatic refund failed"}, nil)
}

// desk loads what the agent desktop page shows, acknowledges the pending
// handoff, and prints the packet text and the metrics.
func desk(c *client) error {
	var found map[string]string
	if err := c.call("GET", "/api/lookup?id=email:ann.lee@example.com", nil, &found); err != nil {
		return err
	}
	cust := "/api/customers/" + found["customer"]
	var p handoff.Packet
	if err := c.call("GET", cust+"/packet?to_channel=voice&to_kind=agent&to_id=raj", nil, &p); err != nil {
		return err
	}
	var page timeline.Page
	if err := c.call("GET", cust+"/timeline?newest=true&limit=10", nil, &page); err != nil {
		return err
	}
	var rs []handoff.Record
	if err := c.call("GET", cust+"/handoffs", nil, &rs); err != nil {
		return err
	}
	if len(rs) == 0 {
		return errors.New("no handoff recorded")
	}
	if err := c.call("POST", cust+"/handoffs/"+rs[0].ID+"/ack", timeline.Actor{Kind: timeline.Agent, ID: "raj"}, nil); err != nil {
		return err
	}
	var rows []journey.Metrics
	if err := c.call("GET", "/api/metrics", nil, &rows); err != nil {
		return err
	}
	fmt.Printf("\nCustomer %s, %d events on the timeline.\nPacket text: %s\n\n", found["customer"], len(page.Events), p.Summary)
	return journey.WriteTable(os.Stdout, rows)
}
