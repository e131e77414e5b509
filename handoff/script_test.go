package handoff_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/scripttest"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// TestScripts runs the fixture journeys in testdata/scripts (rewrite with
// -rewrite and review the diff).
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata/scripts", func(t *testing.T, path string) {
		s := newWorld(t, nil)
		datadriven.RunTest(t, path, s.run)
	})
}

// world is the library stack on an in-memory store with a settable clock.
type world struct {
	g   *identity.Graph
	tl  *timeline.Timeline
	tr  *journey.Tracker
	b   *handoff.Builder
	now time.Time
	// last is the ID of the last recorded handoff.
	last string
}

func newWorld(t testing.TB, opts *handoff.Options) *world {
	w := &world{now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	w.tl = scripttest.Timeline(t, clock)
	w.g = w.tl.Graph()
	var o handoff.Options
	if opts != nil {
		o = *opts
	}
	o.Clock = clock
	var err error
	w.tr, err = journey.NewTracker(w.tl, &journey.Options{Clock: clock})
	require.NoError(t, err)
	w.b, err = handoff.New(w.tr, &o)
	require.NoError(t, err)
	return w
}

// append adds events, moving the clock to the newest.
func (w *world) append(t testing.TB, evs ...timeline.Event) []timeline.Appended {
	w.now = scripttest.Latest(w.now, evs)
	res, err := w.tl.Append(context.Background(), evs...)
	require.NoError(t, err)
	return res
}

func (w *world) run(t *testing.T, d *datadriven.TestData) string {
	return scripttest.Output(w.dispatch(context.Background(), t, d))
}

func (w *world) dispatch(ctx context.Context, t *testing.T, d *datadriven.TestData) (string, error) {
	switch d.Cmd {
	case "clock":
		tm, err := time.Parse(time.RFC3339, scripttest.Arg(d, "at"))
		w.now = tm
		return "", err
	case "append":
		evs, err := scripttest.ParseEvents(d.Input)
		require.NoError(t, err)
		res := w.append(t, evs...)
		return fmt.Sprintf("%d events -> %s\n", len(res), res[len(res)-1].Customer), nil
	case "profile":
		return "", w.profile(ctx, t, d)
	case "packet", "handoff":
		req := handoff.Request{From: endpoint(scripttest.Arg(d, "from")), To: endpoint(scripttest.Arg(d, "to")),
			Reason: strings.TrimSpace(d.Input), Journey: scripttest.Arg(d, "journey")}
		build := w.b.Build
		if d.Cmd == "handoff" {
			build = w.b.Handoff
		}
		p, err := build(ctx, customerArg(t, d), req)
		if err != nil {
			return "", err
		}
		if p.HandoffID != "" {
			w.last = p.HandoffID
		}
		return formatPacket(p), nil
	case "ack":
		by := strings.SplitN(scripttest.Arg(d, "by"), ":", 2)
		id := scripttest.Arg(d, "handoff")
		if id == "" {
			id = w.last
		}
		return ok(w.b.Acknowledge(ctx, customerArg(t, d), id, timeline.Actor{Kind: timeline.ActorKind(by[0]), ID: by[len(by)-1]}))
	case "handoffs":
		rs, err := w.b.Handoffs(ctx, customerArg(t, d))
		var sb strings.Builder
		for _, r := range rs {
			fmt.Fprintf(&sb, "%s at %s %s -> %s %q: %s", r.ID, stamp(r.At), r.From, r.To, r.Reason, r.State)
			if !r.AckedAt.IsZero() {
				fmt.Fprintf(&sb, " by %s %s at %s", r.AckedBy.Kind, r.AckedBy.ID, stamp(r.AckedAt))
			}
			sb.WriteString("\n")
		}
		return sb.String(), err
	case "forget":
		_, err := w.tl.Forget(ctx, customerArg(t, d), identity.ForgetOptions{})
		return ok(err)
	}
	t.Fatalf("unknown command %q", d.Cmd)
	return "", nil
}

// profile observes identifiers with attributes, consent and verification:
// "profile ids=(a,b) source=voice [verified]" with input lines
// "attr key=value" and "consent purpose channel yes|no".
func (w *world) profile(ctx context.Context, t *testing.T, d *datadriven.TestData) error {
	o := identity.Observation{Source: scripttest.Arg(d, "source"), Time: w.now, Verified: d.HasArg("verified"),
		Attributes: map[string]string{}}
	for _, raw := range strings.Split(scripttest.Arg(d, "ids"), ",") {
		id, err := identity.Parse(raw)
		require.NoError(t, err)
		o.Identifiers = append(o.Identifiers, id)
	}
	for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "attr" && len(f) >= 2:
			k, v, _ := strings.Cut(strings.Join(f[1:], " "), "=")
			o.Attributes[k] = v
		case f[0] == "consent" && len(f) == 4:
			o.Consent = append(o.Consent, identity.ConsentChange{Purpose: f[1], Channel: f[2], Granted: f[3] == "yes"})
		default:
			t.Fatalf("bad profile line %q", line)
		}
	}
	_, err := w.g.Observe(ctx, o)
	return err
}

// ok prints "ok" for a call that succeeded; the error is printed by run.
func ok(err error) (string, error) {
	if err != nil {
		return "", err
	}
	return "ok\n", nil
}

func customerArg(t *testing.T, d *datadriven.TestData) identity.CustomerID {
	c, err := identity.ParseCustomerID(scripttest.Arg(d, "id"))
	require.NoError(t, err)
	return c
}

// endpoint reads "channel/kind/id".
func endpoint(s string) handoff.Endpoint {
	if s == "" {
		return handoff.Endpoint{}
	}
	p := strings.SplitN(s+"//", "/", 4)
	return handoff.Endpoint{Channel: timeline.Channel(p[0]), Kind: handoff.EndpointKind(p[1]), ID: p[2]}
}

func stamp(t time.Time) string { return t.Format("01-02T15:04") }

// formatPacket prints every section of a packet, one line per item.
func formatPacket(p *handoff.Packet) string {
	var sb strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&sb, format+"\n", args...) }
	line("summary: %s", p.Summary)
	line("who: %s %q", p.Customer, p.Name)
	for _, v := range p.Verified {
		line("  verified %s by %s at %s", v.Identifier, v.Source, stamp(v.At))
	}
	for _, c := range p.Consent {
		line("  consent %s on %s: %t", c.Purpose, c.Channel, c.Granted)
	}
	if is := p.Issue; is != nil {
		line("issue: journey=%s intent=%s case=%s summary=%q started=%s elapsed=%s channels=%v contacts=%d",
			is.Journey, is.Intent, is.Case, is.Summary, stamp(is.Started), time.Duration(is.Elapsed), is.Channels, is.Contacts)
		for _, h := range is.Handoffs {
			line("  earlier handoff %s at %s %s -> %s %q: %s", h.ID, stamp(h.At), h.From, h.To, h.Reason, h.State)
		}
	}
	for _, f := range p.Provided {
		line("provided %s=%s via %s at %s verified=%t current=%t", f.Key, f.Value, f.Channel, stamp(f.At), f.Verified, f.Current)
	}
	for _, a := range p.Tried {
		line("tried %s: %s by %s %s via %s at %s", a.Action, a.Outcome, a.By, a.ByID, a.Channel, stamp(a.At))
	}
	if s := p.Sentiment; s.Known {
		line("sentiment: start=%.1f now=%.1f %s", s.Start, s.Now, s.Trend)
	}
	for _, m := range p.Sentiment.Moments {
		line("  moment %s via %s at %s: %s", m.Kind, m.Channel, stamp(m.At), m.Text)
	}
	for _, pr := range p.Promises {
		line("promise %s by %s %s via %s due=%s", pr.Action, pr.By, pr.ByID, pr.Channel, pr.Due.Format(time.RFC3339))
	}
	if p.Why != (handoff.Reason{}) {
		line("why: %s -> %s: %s", p.Why.From, p.Why.To, p.Why.Reason)
	}
	for _, r := range p.Recent {
		line("recent %s %s %s %s: %s", stamp(r.At), r.Channel, r.By, r.ByID, r.Text)
	}
	r := p.Routing
	line("routing: preferred=%s (%s) contacts=%d elapsed=%s negative=%t repeat_asks=%d lost_handoffs=%d verified=%t",
		r.PreferredChannel, r.PreferenceSource, r.Contacts, time.Duration(r.Elapsed), r.Negative, r.RepeatAsks, r.LostHandoffs, r.Verified)
	for _, a := range r.Agents {
		s := "none"
		if a.Sentiment != nil {
			s = fmt.Sprintf("%.1f", *a.Sentiment)
		}
		line("  agent %s %v %s..%s %s sentiment=%s", a.Agent, a.Channels, stamp(a.First), stamp(a.Last), a.Outcome, s)
	}
	if p.HandoffID != "" {
		line("recorded: %s", p.HandoffID)
	}
	return sb.String()
}
