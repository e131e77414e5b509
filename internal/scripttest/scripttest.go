// Package scripttest holds what the datadriven fixture scripts of several
// packages share: parsing event lines and command arguments, printing
// results, and opening the stack they run on.
package scripttest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// ParseEvent reads one event from "key=value" fields separated by spaces;
// text= takes the rest of the line. Defaults: an inbound customer message.
// Fields: id, at (RFC 3339), ch, dir, actor (kind[:id]), type, ids
// (comma-separated kind:value), intent, case, sent, fact (key:value),
// action (name:outcome), attr (key:value), verified.
func ParseEvent(line string) (timeline.Event, error) {
	e := timeline.Event{Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message}
	if i := strings.Index(line, " text="); i >= 0 {
		e.Text = line[i+len(" text="):]
		line = line[:i]
	}
	for _, f := range strings.Fields(line) {
		k, v, _ := strings.Cut(f, "=")
		if err := setField(&e, k, v); err != nil {
			return e, err
		}
	}
	return e, nil
}

func setField(e *timeline.Event, k, v string) error {
	switch k {
	case "id":
		e.ID = v
	case "at":
		tm, err := time.Parse(time.RFC3339, v)
		e.Time = tm
		return err
	case "ch":
		e.Channel = timeline.Channel(v)
	case "dir":
		e.Direction = timeline.Direction(v)
	case "actor":
		kind, id, _ := strings.Cut(v, ":")
		e.Actor = timeline.Actor{Kind: timeline.ActorKind(kind), ID: id}
	case "type":
		e.Type = timeline.Type(v)
	case "ids":
		for _, raw := range strings.Split(v, ",") {
			id, err := identity.Parse(raw)
			if err != nil {
				return err
			}
			e.Identifiers = append(e.Identifiers, id)
		}
	case "intent":
		e.Intent = v
	case "case":
		e.Case = v
	case "sent":
		f, err := strconv.ParseFloat(v, 64)
		e.Sentiment = timeline.Sentiment(f)
		return err
	case "fact":
		fk, fv, _ := strings.Cut(v, ":")
		e.Facts = append(e.Facts, timeline.Fact{Key: fk, Value: fv})
	case "action":
		an, ao, _ := strings.Cut(v, ":")
		e.Actions = append(e.Actions, timeline.Action{Name: an, Outcome: timeline.Outcome(ao)})
	case "attr":
		ak, av, _ := strings.Cut(v, ":")
		if e.Attrs == nil {
			e.Attrs = map[string]string{}
		}
		e.Attrs[ak] = av
	case "verified":
		e.Verified = true
	default:
		return fmt.Errorf("unknown field %q", k)
	}
	return nil
}

// ParseEvents parses one event per non-blank line.
func ParseEvents(input string) ([]timeline.Event, error) {
	var out []timeline.Event
	for _, line := range strings.Split(strings.TrimSpace(input), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		e, err := ParseEvent(line)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", line, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Arg returns a command argument's values joined by commas, or "".
func Arg(d *datadriven.TestData, key string) string {
	for _, a := range d.CmdArgs {
		if a.Key == key {
			return strings.Join(a.Vals, ",")
		}
	}
	return ""
}

// Output is what a script command prints: its output, then "error: ..."
// when it failed, so expected errors are part of the fixture.
func Output(out string, err error) string {
	if err != nil {
		out += "error: " + err.Error() + "\n"
	}
	return out
}

// Latest returns the latest of now and the events' times: a script's clock
// follows the events it appends.
func Latest(now time.Time, evs []timeline.Event) time.Time {
	for _, e := range evs {
		if e.Time.After(now) {
			now = e.Time
		}
	}
	return now
}

// Timeline opens the stack fixture tests run on: an in-memory store,
// closed when the test ends, an identity graph with default region US, and
// a timeline over it, both on clock.
func Timeline(t testing.TB, clock func() time.Time) *timeline.Timeline {
	t.Helper()
	db, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	g, err := identity.Open(db, &identity.Options{DefaultRegion: "US", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	tl, err := timeline.Open(g, &timeline.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return tl
}
