package timeline_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/scripttest"
	"github.com/threadline/threadline/timeline"
)

// TestScripts runs the fixture journeys in testdata/ (rewrite with
// -rewrite and review the diff).
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		s := newScript(t)
		datadriven.RunTest(t, path, s.run)
	})
}

type script struct {
	g    *identity.Graph
	tl   *timeline.Timeline
	next string // cursor from the last read
}

func newScript(t *testing.T) *script {
	tl := scripttest.Timeline(t, func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) })
	return &script{g: tl.Graph(), tl: tl}
}

func (s *script) run(t *testing.T, d *datadriven.TestData) string {
	ctx := context.Background()
	out := scripttest.Output(s.dispatch(ctx, t, d))
	vs, cerr := s.g.Check(ctx)
	require.NoError(t, cerr)
	for _, v := range vs {
		out += "CHECK FAILED: " + v.String() + "\n"
	}
	return out
}

func (s *script) dispatch(ctx context.Context, t *testing.T, d *datadriven.TestData) (string, error) {
	switch d.Cmd {
	case "append":
		evs, err := scripttest.ParseEvents(d.Input)
		require.NoError(t, err)
		res, err := s.tl.Append(ctx, evs...)
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		for _, a := range res {
			fmt.Fprintf(&sb, "%s -> %s", a.ID, a.Customer)
			if a.Duplicate {
				sb.WriteString(" (duplicate)")
			} else if a.Identity.Outcome != identity.OutcomeExisting {
				fmt.Fprintf(&sb, " (%s)", a.Identity.Outcome)
			}
			sb.WriteString("\n")
		}
		return sb.String(), nil
	case "read":
		return s.read(ctx, d)
	case "unlink":
		a, _ := identity.Parse(scripttest.Arg(d, "a"))
		b, _ := identity.Parse(scripttest.Arg(d, "b"))
		res, err := s.g.Unlink(ctx, identity.LinkSelector{Pair: [2]identity.Identifier{a, b}})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("splits %v\n", res.Splits), nil
	case "forget":
		c, _ := identity.ParseCustomerID(scripttest.Arg(d, "id"))
		res, err := s.tl.Forget(ctx, c, identity.ForgetOptions{})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("forgot %s (%d identifiers)\n", res.Customer, len(res.Identifiers)), nil
	}
	t.Fatalf("unknown command %q", d.Cmd)
	return "", nil
}

func (s *script) read(ctx context.Context, d *datadriven.TestData) (string, error) {
	c, err := identity.ParseCustomerID(scripttest.Arg(d, "id"))
	if err != nil {
		return "", err
	}
	q := timeline.Query{Newest: d.HasArg("newest"), Case: scripttest.Arg(d, "case"), Intent: scripttest.Arg(d, "intent")}
	q.Limit, _ = strconv.Atoi(scripttest.Arg(d, "limit"))
	if scripttest.Arg(d, "cursor") == "next" {
		q.Cursor = s.next
	} else {
		q.Cursor = scripttest.Arg(d, "cursor")
	}
	for _, ch := range strings.Split(scripttest.Arg(d, "channel"), ",") {
		if ch != "" {
			q.Channels = append(q.Channels, timeline.Channel(ch))
		}
	}
	if f := scripttest.Arg(d, "from"); f != "" {
		q.From, _ = time.Parse(time.RFC3339, f)
	}
	if f := scripttest.Arg(d, "to"); f != "" {
		q.To, _ = time.Parse(time.RFC3339, f)
	}
	p, err := s.tl.Read(ctx, c, q)
	if err != nil {
		return "", err
	}
	s.next = p.Next
	var sb strings.Builder
	for _, e := range p.Events {
		fmt.Fprintf(&sb, "%s %-10s %-8s %-6s %-3s %s", e.Time.Format("2006-01-02T15:04"), e.Channel, e.Actor.Kind, e.Type, e.ID, e.Identifiers[0])
		if e.Text != "" {
			fmt.Fprintf(&sb, " %q", e.Text)
		}
		sb.WriteString("\n")
	}
	if p.Next != "" {
		sb.WriteString("(more)\n")
	}
	return sb.String(), nil
}
