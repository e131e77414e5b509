package journey_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/scripttest"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// TestScripts runs the fixture journeys in testdata/, including the four
// live tests (rewrite with -rewrite and review the diff).
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		s := newScript(t)
		datadriven.RunTest(t, path, s.run)
	})
}

type script struct {
	g   *identity.Graph
	tl  *timeline.Timeline
	tr  *journey.Tracker
	arb *journey.Arbiter
	trg *journey.Triggers
	now time.Time
	// last is the ID of the last decision.
	last string
}

func newScript(t *testing.T) *script {
	s := &script{now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return s.now }
	s.tl = scripttest.Timeline(t, clock)
	s.g = s.tl.Graph()
	var err error
	s.tr, err = journey.NewTracker(s.tl, &journey.Options{Clock: clock})
	require.NoError(t, err)
	s.arb, err = journey.NewArbiter(s.tr, journey.DefaultRules()...)
	require.NoError(t, err)
	s.trg, err = journey.NewTriggers(s.arb, journey.DefaultTriggers()...)
	require.NoError(t, err)
	return s
}

func (s *script) run(t *testing.T, d *datadriven.TestData) string {
	return scripttest.Output(s.dispatch(context.Background(), t, d))
}

func (s *script) dispatch(ctx context.Context, t *testing.T, d *datadriven.TestData) (string, error) {
	switch d.Cmd {
	case "clock":
		tm, err := time.Parse(time.RFC3339, scripttest.Arg(d, "at"))
		s.now = tm
		return "", err
	case "append":
		evs, err := scripttest.ParseEvents(d.Input)
		require.NoError(t, err)
		s.now = scripttest.Latest(s.now, evs)
		res, err := s.tl.Append(ctx, evs...)
		if err != nil {
			return "", err
		}
		cs := map[identity.CustomerID]bool{}
		for _, a := range res {
			cs[a.Customer] = true
		}
		return fmt.Sprintf("%d events -> %v\n", len(res), customerSet(cs)), nil
	case "consent":
		id, err := identity.Parse(scripttest.Arg(d, "id"))
		require.NoError(t, err)
		_, err = s.g.Observe(ctx, identity.Observation{Source: "preferences", Time: s.now, Identifiers: []identity.Identifier{id},
			Consent: []identity.ConsentChange{{Purpose: scripttest.Arg(d, "purpose"), Channel: scripttest.Arg(d, "channel"), Granted: scripttest.Arg(d, "granted") == "yes"}}})
		return "ok\n", err
	case "journeys", "open":
		c, err := identity.ParseCustomerID(scripttest.Arg(d, "id"))
		require.NoError(t, err)
		read := s.tr.Journeys
		if d.Cmd == "open" {
			read = s.tr.OpenJourneys
		}
		js, err := read(ctx, c)
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		if d.HasArg("live") {
			_, valid, err := s.tr.LiveState(ctx, c)
			require.NoError(t, err)
			fmt.Fprintf(&sb, "live state: %s\n", map[bool]string{true: "valid", false: "stale (read from the timeline)"}[valid])
		}
		for _, j := range js {
			formatJourney(&sb, j)
		}
		s.checkGroup(t, c, d.Cmd == "open", js)
		return sb.String(), nil
	case "unlink":
		a, err := identity.Parse(scripttest.Arg(d, "a"))
		require.NoError(t, err)
		b, err := identity.Parse(scripttest.Arg(d, "b"))
		require.NoError(t, err)
		res, err := s.g.Unlink(ctx, identity.LinkSelector{Pair: [2]identity.Identifier{a, b}})
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		for _, sp := range res.Splits {
			fmt.Fprintf(&sb, "%s split off %v\n", sp.Customer, sp.Parts)
		}
		return sb.String(), nil
	case "forget":
		c, err := identity.ParseCustomerID(scripttest.Arg(d, "id"))
		require.NoError(t, err)
		res, err := s.tl.Forget(ctx, c, identity.ForgetOptions{})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("forgot %d identifiers\n", len(res.Identifiers)), nil
	case "refresh":
		c, err := identity.ParseCustomerID(scripttest.Arg(d, "id"))
		require.NoError(t, err)
		return "ok\n", s.tr.Refresh(ctx, c)
	case "run-triggers":
		fs, err := s.trg.Run(ctx)
		var sb strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&sb, "%s -> %s: %s\n", f.ID, f.Customer, f.Decision)
			s.last = f.ID
		}
		return sb.String(), err
	case "list-triggers":
		st, err := s.trg.List(ctx)
		var sb strings.Builder
		for _, t := range st {
			fmt.Fprintf(&sb, "%s wait=%s pending=%d", t.Name, t.Wait, t.Pending)
			if t.Last != nil {
				fmt.Fprintf(&sb, " last=%s event=%s customer=%s at=%s chose=%q", t.Last.ID, t.Last.Event, t.Last.Customer, t.Last.Time.Format(time.RFC3339), t.Last.Chosen)
			}
			sb.WriteString("\n")
		}
		return sb.String(), err
	case "metrics":
		rows, err := s.tr.Compute(ctx, journey.Window{}, journey.AllJourneys)
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		err = journey.WriteTable(&sb, rows)
		return sb.String(), err
	case "decide", "ask":
		c, err := identity.ParseCustomerID(scripttest.Arg(d, "id"))
		require.NoError(t, err)
		var cands []journey.Candidate
		for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
			cands = append(cands, parseCandidate(t, line))
		}
		if d.Cmd == "ask" {
			dec, err := s.arb.Ask(ctx, c, cands...)
			return dec.String() + "\n", err
		}
		dec, err := s.arb.Decide(ctx, c, cands...)
		if err != nil {
			return "", err
		}
		s.last = dec.ID
		return dec.String() + "\n", nil
	case "explain":
		c, err := identity.ParseCustomerID(scripttest.Arg(d, "id"))
		require.NoError(t, err)
		dec, err := s.arb.Explain(ctx, c, s.last)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s at %s: %s\n", dec.Customer, dec.Time.Format(time.RFC3339), dec), nil
	}
	t.Fatalf("unknown command %q", d.Cmd)
	return "", nil
}

// checkGroup fails the test unless js equals Group over the customer's
// stored timeline (only the open journeys, newest first, if open), so
// every fixture checks the live state against the batch computation.
func (s *script) checkGroup(t *testing.T, c identity.CustomerID, open bool, js []journey.Journey) {
	ctx := context.Background()
	page, err := s.tl.Read(ctx, c, timeline.Query{})
	require.NoError(t, err)
	live, err := s.g.Resolve(ctx, c)
	require.NoError(t, err)
	want := journey.Group(live, page.Events, nil, s.now)
	if open {
		var o []journey.Journey
		for i := len(want) - 1; i >= 0; i-- {
			if want[i].State == journey.Open {
				o = append(o, want[i])
			}
		}
		want = o
	}
	require.Equal(t, want, js, "journeys read differ from Group over the timeline")
}

func formatJourney(sb *strings.Builder, j journey.Journey) {
	fmt.Fprintf(sb, "journey %s %s intent=%s", j.ID, j.State, j.Intent)
	if j.Case != "" {
		fmt.Fprintf(sb, " case=%s", j.Case)
	}
	fmt.Fprintf(sb, " %s..%s contacts=%d channels=%v", j.Start.Format("01-02T15:04"), j.End.Format("01-02T15:04"), j.Contacts, j.Channels)
	for _, sw := range j.Switches {
		fmt.Fprintf(sb, " switch(%s->%s human=%t)", sw.From, sw.To, sw.ToHuman)
	}
	if j.Handoffs+j.Transfers > 0 {
		fmt.Fprintf(sb, " handoffs=%d transfers=%d", j.Handoffs, j.Transfers)
	}
	if j.Reopened > 0 {
		fmt.Fprintf(sb, " reopened=%d", j.Reopened)
	}
	if j.ResolvedBy != "" {
		fmt.Fprintf(sb, " resolved-by=%s", j.ResolvedBy)
	}
	sb.WriteString("\n")
	for _, f := range j.Facts {
		fmt.Fprintf(sb, "  fact %s=%s via %s\n", f.Key, f.Value, f.Channel)
	}
	for _, a := range j.Attempts {
		fmt.Fprintf(sb, "  tried %s: %s by %s via %s\n", a.Name, a.Outcome, a.Actor.Kind, a.Channel)
	}
	for _, r := range j.RepeatAsks {
		fmt.Fprintf(sb, "  repeat-ask %s via %s (given %s)\n", r.Key, r.Channel, r.Provided.Format("01-02T15:04"))
	}
}

// parseCandidate reads "name=... kind=... channel=... purpose=...
// priority=N reason=..." (reason takes the rest of the line).
func parseCandidate(t *testing.T, line string) journey.Candidate {
	var c journey.Candidate
	if i := strings.Index(line, " reason="); i >= 0 {
		c.Reason = line[i+len(" reason="):]
		line = line[:i]
	}
	for _, f := range strings.Fields(line) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "name":
			c.Name = v
		case "kind":
			c.Kind = journey.ActionKind(v)
		case "channel":
			c.Channel = timeline.Channel(v)
		case "purpose":
			c.Purpose = v
		case "priority":
			c.Priority, _ = strconv.Atoi(v)
		case "template":
			c.Template = v
		default:
			t.Fatalf("unknown candidate field %q", k)
		}
	}
	return c
}

// customerSet lists a set's customers in ID order, so output is stable.
func customerSet(m map[identity.CustomerID]bool) []identity.CustomerID {
	return slices.Sorted(maps.Keys(m))
}
