package identity_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/scripttest"
	"github.com/threadline/threadline/internal/storetest"
	"github.com/threadline/threadline/store"
)

// TestScripts runs the fixture journeys in testdata/. Each file is one
// story; rewrite expected output with -rewrite and review the diff.
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		s := newScript(t)
		datadriven.RunTest(t, path, s.run)
	})
}

// script is the state of one fixture file: a fresh in-memory graph and a
// clock that only moves when a command says so.
type script struct {
	t     *testing.T
	db    *store.DB
	g     *identity.Graph
	now   time.Time
	opts  identity.Options
	ready bool
}

func newScript(t *testing.T) *script {
	return &script{t: t, now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
}

func (s *script) graph() *identity.Graph {
	if !s.ready {
		db := storetest.Open(s.t)
		s.opts.Clock = func() time.Time { return s.now }
		s.opts.SuppressionKey = []byte("script-key")
		g, err := identity.Open(db, &s.opts)
		require.NoError(s.t, err)
		s.db, s.g, s.ready = db, g, true
	}
	return s.g
}

func (s *script) run(t *testing.T, d *datadriven.TestData) string {
	ctx := context.Background()
	out := scripttest.Output(s.dispatch(ctx, t, d))
	if s.ready && mutating[d.Cmd] {
		vs, err := s.g.Check(ctx)
		require.NoError(t, err)
		for _, v := range vs {
			out += "CHECK FAILED: " + v.String() + "\n"
		}
	}
	return out
}

var mutating = map[string]bool{"observe": true, "observe-many": true, "unlink": true, "forget": true, "decide": true,
	"accept": true, "reject": true}

func (s *script) dispatch(ctx context.Context, t *testing.T, d *datadriven.TestData) (string, error) {
	switch d.Cmd {
	case "options":
		for _, a := range d.CmdArgs {
			switch a.Key {
			case "max-strong":
				s.opts.MaxStrongIdentifiers, _ = strconv.Atoi(a.Vals[0])
			case "region":
				s.opts.DefaultRegion = a.Vals[0]
			case "gmail":
				s.opts.Email.ProviderRules = true
			case "same-value": // off or weak: the phone policy's SameValue
				for _, k := range identity.DefaultKinds(s.opts.DefaultRegion, s.opts.Email) {
					if k.Kind == identity.Phone {
						k.SameValue, k.SameValueStrength = nil, identity.Weak
						if a.Vals[0] == "weak" {
							k.SameValue = []identity.Kind{identity.WhatsApp}
						}
						s.opts.Kinds = append(s.opts.Kinds, k)
					}
				}
			case "matching":
				// Hand-set parameters: a script is too small to estimate from.
				s.opts.Matching = &identity.MatchOptions{Params: match.DefaultParams()}
			}
		}
		return "ok\n", nil
	case "clock":
		tm, err := time.Parse(time.RFC3339, scripttest.Arg(d, "at"))
		s.now = tm
		return "", err
	case "observe":
		res, err := s.observe(ctx, d)
		if err != nil {
			return "", err
		}
		return formatResult(res), nil
	case "observe-many":
		return s.observeMany(ctx, d)
	case "lookup":
		var sb strings.Builder
		for _, line := range lines(d.Input) {
			id, err := identity.Parse(line)
			if err == nil {
				var c identity.CustomerID
				if c, err = s.graph().Lookup(ctx, id); err == nil {
					fmt.Fprintf(&sb, "%s -> %s\n", line, c)
					continue
				}
			}
			fmt.Fprintf(&sb, "%s -> error: %v\n", line, err)
		}
		return sb.String(), nil
	case "customer":
		c, err := s.graph().Customer(ctx, s.customerArg(d, "id"))
		if err != nil {
			return "", err
		}
		return formatCustomer(c), nil
	case "explain":
		a, _ := identity.Parse(scripttest.Arg(d, "a"))
		b, _ := identity.Parse(scripttest.Arg(d, "b"))
		path, err := s.graph().Explain(ctx, a, b)
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		for _, l := range path {
			sb.WriteString(l.String() + "\n")
		}
		return sb.String(), nil
	case "unlink":
		return s.unlink(ctx, d)
	case "forget":
		res, err := s.graph().Forget(ctx, s.customerArg(d, "id"), identity.ForgetOptions{Suppress: d.HasArg("suppress")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("forgot %s: %d identifiers, aliases %v\n", res.Customer, len(res.Identifiers), res.Aliases), nil
	case "conflicts":
		cs, err := s.graph().Conflicts(ctx, identity.ConflictStatus(scripttest.Arg(d, "status")))
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		for _, c := range cs {
			fmt.Fprintf(&sb, "%s %s %s held=%s against=%v customer=%s count=%d %s\n",
				c.ID, c.Status, c.Guard, c.Identifier, c.Against, c.Customer, c.Count, c.Observation)
		}
		if len(cs) == 0 {
			sb.WriteString("none\n")
		}
		return sb.String(), nil
	case "decide":
		x, _ := strconv.ParseUint(strings.TrimPrefix(scripttest.Arg(d, "id"), "x"), 10, 64)
		c, err := s.graph().Decide(ctx, identity.ConflictID(x), identity.Decision{
			Accept: d.HasArg("accept"), By: scripttest.Arg(d, "by"), Note: scripttest.Arg(d, "note")})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %s by %s; customer %s\n", c.ID, c.Status, c.DecidedBy, c.Customer), nil
	case "history":
		hs, err := s.graph().History(ctx, s.customerArg(d, "id"))
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		for _, h := range hs {
			fmt.Fprintf(&sb, "%s %s %s", h.Time.Format(time.RFC3339), h.Customer, h.Type)
			if len(h.Others) > 0 {
				fmt.Fprintf(&sb, " others=%v", h.Others)
			}
			if h.Guard != "" {
				fmt.Fprintf(&sb, " guard=%s %s", h.Guard, h.Conflict)
			}
			if len(h.Links) > 0 {
				fmt.Fprintf(&sb, " links=%v", h.Links)
			}
			sb.WriteString("\n")
		}
		return sb.String(), nil
	case "reviews":
		rs, err := s.graph().Reviews(ctx, identity.ReviewStatus(scripttest.Arg(d, "status")))
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		for _, r := range rs {
			fmt.Fprintf(&sb, "%s %s %s(%s) ~ %s(%s) weight=%.2f %s", r.ID, r.Status, r.A, r.CustomerA, r.B, r.CustomerB, r.Weight, r.Observation)
			if r.By != "" {
				fmt.Fprintf(&sb, " by=%s", r.By)
			}
			sb.WriteString("\n")
			if d.HasArg("evidence") {
				fmt.Fprintf(&sb, "  %s\n", strings.Join(r.Evidence, " "))
			}
		}
		if len(rs) == 0 {
			sb.WriteString("none\n")
		}
		return sb.String(), nil
	case "accept", "reject":
		n, _ := strconv.ParseUint(strings.TrimPrefix(scripttest.Arg(d, "id"), "r"), 10, 64)
		decide := s.graph().RejectReview
		if d.Cmd == "accept" {
			decide = s.graph().AcceptReview
		}
		r, err := decide(ctx, identity.ReviewID(n), scripttest.Arg(d, "by"))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %s by %s; customers %s %s\n", r.ID, r.Status, r.By, r.CustomerA, r.CustomerB), nil
	case "check":
		vs, err := s.graph().Check(ctx)
		if err != nil || len(vs) > 0 {
			return fmt.Sprint(vs) + "\n", err
		}
		return "ok\n", nil
	}
	t.Fatalf("unknown command %q", d.Cmd)
	return "", nil
}

// observation parses "observe at=... source=... [verified]" with input
// lines "kind=value", "attr.NAME=value" or "consent=purpose/channel/yes".
func (s *script) observation(d *datadriven.TestData) (identity.Observation, error) {
	obs := identity.Observation{Source: scripttest.Arg(d, "source"), Verified: d.HasArg("verified")}
	if at := scripttest.Arg(d, "at"); at != "" {
		tm, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return obs, err
		}
		obs.Time = tm
	}
	for _, line := range lines(d.Input) {
		k, v, _ := strings.Cut(line, "=")
		switch {
		case strings.HasPrefix(k, "attr."):
			if obs.Attributes == nil {
				obs.Attributes = map[string]string{}
			}
			obs.Attributes[strings.TrimPrefix(k, "attr.")] = v
		case k == "consent":
			parts := strings.Split(v, "/")
			obs.Consent = append(obs.Consent, identity.ConsentChange{Purpose: parts[0], Channel: parts[1], Granted: parts[2] == "yes"})
		default:
			obs.Identifiers = append(obs.Identifiers, identity.New(identity.Kind(k), v))
		}
	}
	return obs, nil
}

func (s *script) observe(ctx context.Context, d *datadriven.TestData) (identity.Result, error) {
	obs, err := s.observation(d)
	if err != nil {
		return identity.Result{}, err
	}
	res, err := s.graph().Observe(ctx, obs)
	if err == nil {
		s.checkBelonging(ctx, obs, res)
	}
	return res, err
}

// checkBelonging checks Result.Identifiers against the committed graph:
// exactly the observation's identifiers (canonical, in order, once each)
// that Lookup now maps to the result's customer.
func (s *script) checkBelonging(ctx context.Context, obs identity.Observation, res identity.Result) {
	var want []identity.Identifier
	for _, raw := range obs.Identifiers {
		id, err := s.graph().Normalize(raw)
		require.NoError(s.t, err)
		if slices.Contains(want, id) {
			continue
		}
		if c, err := s.graph().Lookup(ctx, id); err == nil && res.Customer != 0 && c == res.Customer {
			want = append(want, id)
		}
	}
	require.Equal(s.t, want, res.Identifiers, "Result.Identifiers of %s", res.Observation)
}

// observeMany runs "observe-many n=N" with {i} in the input replaced by
// 1..N and prints a summary of the outcomes.
func (s *script) observeMany(ctx context.Context, d *datadriven.TestData) (string, error) {
	n, _ := strconv.Atoi(scripttest.Arg(d, "n"))
	outcomes := map[identity.Outcome]int{}
	guards := map[identity.Guard]int{}
	customers := map[identity.CustomerID]bool{}
	tmpl := d.Input
	for i := 1; i <= n; i++ {
		d.Input = strings.ReplaceAll(tmpl, "{i}", strconv.Itoa(i))
		res, err := s.observe(ctx, d)
		if err != nil {
			return "", err
		}
		outcomes[res.Outcome]++
		customers[res.Customer] = true
		for _, r := range res.Refusals {
			guards[r.Guard]++
		}
	}
	d.Input = tmpl
	return fmt.Sprintf("outcomes %v\nrefusals %v\ncustomers %d\n", outcomes, guards, len(customers)), nil
}

func (s *script) unlink(ctx context.Context, d *datadriven.TestData) (string, error) {
	var sel identity.LinkSelector
	switch {
	case scripttest.Arg(d, "link") != "":
		n, _ := strconv.ParseUint(strings.TrimPrefix(scripttest.Arg(d, "link"), "l"), 10, 64)
		sel.Link = identity.LinkID(n)
	case scripttest.Arg(d, "obs") != "":
		n, _ := strconv.ParseUint(strings.TrimPrefix(scripttest.Arg(d, "obs"), "o"), 10, 64)
		sel.Observation = identity.ObservationID(n)
	case scripttest.Arg(d, "source") != "":
		sel.Source = scripttest.Arg(d, "source")
	default:
		sel.Pair[0], _ = identity.Parse(scripttest.Arg(d, "a"))
		sel.Pair[1], _ = identity.Parse(scripttest.Arg(d, "b"))
	}
	res, err := s.graph().Unlink(ctx, sel)
	if err != nil {
		return "", err
	}
	out := fmt.Sprintf("removed %v\n", res.Removed)
	for _, sp := range res.Splits {
		out += fmt.Sprintf("split %s -> %s + %v\n", sp.Customer, sp.Customer, sp.Parts)
	}
	return out, nil
}

func (s *script) customerArg(d *datadriven.TestData, key string) identity.CustomerID {
	c, err := identity.ParseCustomerID(scripttest.Arg(d, key))
	require.NoError(s.t, err)
	return c
}

func formatResult(res identity.Result) string {
	var sb strings.Builder
	if res.Customer == 0 {
		fmt.Fprintf(&sb, "%s -> none (%s)\n", res.Observation, res.Outcome)
	} else {
		fmt.Fprintf(&sb, "%s -> %s (%s)", res.Observation, res.Customer, res.Outcome)
		if len(res.Merged) > 0 {
			fmt.Fprintf(&sb, " absorbed %v", res.Merged)
		}
		for _, id := range res.Added {
			fmt.Fprintf(&sb, " +%s", id)
		}
		if len(res.Links) > 0 {
			fmt.Fprintf(&sb, " links %v", res.Links)
		}
		sb.WriteString("\n")
	}
	for _, m := range res.Matches {
		fmt.Fprintf(&sb, "  match %s: %s %s weight=%.2f", m.Decision, m.Identifier, m.Customer, m.Weight)
		if m.Guard != "" {
			fmt.Fprintf(&sb, " guard=%s", m.Guard)
		}
		if m.Review != 0 {
			fmt.Fprintf(&sb, " %s", m.Review)
		}
		sb.WriteString("\n")
	}
	for _, r := range res.Refusals {
		fmt.Fprintf(&sb, "  refused: %s", r)
		if len(r.Against) > 0 {
			fmt.Fprintf(&sb, " against %v", r.Against)
		}
		if r.Conflict != 0 {
			fmt.Fprintf(&sb, " %s", r.Conflict)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func formatCustomer(c *identity.Customer) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s created=%s updated=%s", c.ID, c.Created.Format(time.RFC3339), c.Updated.Format(time.RFC3339))
	if len(c.Aliases) > 0 {
		fmt.Fprintf(&sb, " aliases=%v", c.Aliases)
	}
	if n := c.DisplayName(); n != "" {
		fmt.Fprintf(&sb, " name=%q", n)
	}
	sb.WriteString("\n")
	for _, id := range c.Identifiers {
		fmt.Fprintf(&sb, "  %s %s seen=%d", id.Identifier, id.Strength, id.Seen)
		if id.Verified {
			fmt.Fprintf(&sb, " verified(%s)", id.VerifiedSource)
		}
		sb.WriteString("\n")
	}
	for _, k := range sortedAttrKeys(c.Attributes) {
		a := c.Attributes[k]
		fmt.Fprintf(&sb, "  attr %s=%q source=%s of %d\n", k, a.Value, a.Source, a.Observed)
	}
	for _, cs := range c.Consent {
		fmt.Fprintf(&sb, "  consent %s/%s granted=%t source=%s\n", cs.Purpose, cs.Channel, cs.Granted, cs.Source)
	}
	return sb.String()
}

func sortedAttrKeys(m map[string]identity.Attribute) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

var blank = regexp.MustCompile(`^\s*$`)

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !blank.MatchString(l) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}
