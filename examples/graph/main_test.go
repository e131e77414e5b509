package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/identity"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const golden = "testdata/ann.dot"

// storyPicture plays the story on a fresh in-memory store and gathers
// Ann's picture.
func storyPicture(t *testing.T) *picture {
	t.Helper()
	ctx := context.Background()
	g, closeDB, err := openGraph(config{region: "US"})
	require.NoError(t, err)
	defer closeDB()
	require.NoError(t, playStory(ctx, g, io.Discard))
	c, err := g.Lookup(ctx, storyStart)
	require.NoError(t, err)
	p, err := gather(ctx, g, c)
	require.NoError(t, err)
	return p
}

func dotOf(t *testing.T, p *picture) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, writeDOT(&b, p))
	return b.String()
}

// TestGolden compares the story's graph with testdata/ann.dot; run with
// -update to rewrite it, then review the diff.
func TestGolden(t *testing.T) {
	got := dotOf(t, storyPicture(t))
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), got)
}

// TestStoryPicture checks the facts the picture must show, independently
// of the golden file's layout.
func TestStoryPicture(t *testing.T) {
	p := storyPicture(t)
	require.Equal(t, identity.CustomerID(1), p.Customer)
	require.Len(t, p.Identifiers, 4) // visitor, email, phone, account; not the switchboard
	require.Len(t, p.Links, 4)
	require.Equal(t, []alias{{ID: 2, Time: at(1, "10:00"), Observation: 3}}, p.Aliases)
	require.Len(t, p.Refused, 1)
	x := p.Refused[0]
	require.Equal(t, identity.GuardLimit, x.Guard)
	require.Equal(t, "phone:+14155550000", x.Identifier.String())
	require.Equal(t, identity.CustomerID(3), p.Owners[x.Identifier])

	dot := dotOf(t, p)
	require.Contains(t, dot, `label="refused: kind-limit\nalso against account:crm:2002\nx1 pending`)
	require.Contains(t, dot, `alias c2 (absorbed 2026-03-03 10:00Z by o3)`)
	require.Equal(t, 1, strings.Count(dot, "style=dashed"), "one refused edge")
	require.Equal(t, 5, strings.Count(dot, " -- "), "four links and one refusal")
}

// TestOrderIndependent: the DOT depends on the picture's content only.
func TestOrderIndependent(t *testing.T) {
	p := storyPicture(t)
	want := dotOf(t, p)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		q := *p
		q.Identifiers = shuffled(rng, p.Identifiers)
		q.Links = shuffled(rng, p.Links)
		q.Refused = shuffled(rng, p.Refused)
		q.Aliases = shuffled(rng, p.Aliases)
		require.Equal(t, want, dotOf(t, &q))
	}
}

func shuffled[T any](rng *rand.Rand, s []T) []T {
	out := append([]T(nil), s...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		``:                   `""`,
		`plain`:              `"plain"`,
		`say "hi"`:           `"say \"hi\""`,
		`back\slash`:         `"back\\slash"`,
		`trailing\`:          `"trailing\\"`,
		`\N \G \L`:           `"\\N \\G \\L"`,
		"two\nlines":         `"two\nlines"`,
		"bell\a tab\t":       `"bell\\u0007 tab\\u0009"`,
		"bad \xff utf8":      "\"bad \uFFFD utf8\"",
		`"]; x -- y [a="`:    `"\"]; x -- y [a=\""`,
		"<b>&amp;</b> ünï €": `"<b>&amp;</b> ünï €"`,
	} {
		require.Equal(t, want, quote(in), "quote(%q)", in)
	}
}

// TestQuoteWellFormed: for any input the quoted string has no raw line
// break or control character, and its only unescaped quotes are the outer
// two.
func TestQuoteWellFormed(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("ab\\\"\n\r\t\x00\x7f{}[];=-<>é")
	for range 2000 {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		q := quote(string(r))
		require.True(t, strings.HasPrefix(q, `"`) && strings.HasSuffix(q, `"`) && len(q) >= 2)
		inner := q[1 : len(q)-1]
		require.NotContains(t, inner, "\n")
		escaped := false
		for _, c := range inner {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			default:
				require.NotEqual(t, '"', c, "unescaped quote in %s", q)
				require.False(t, c < 0x20 || c == 0x7f, "control character in %s", q)
			}
		}
		require.False(t, escaped, "dangling backslash in %s", q)
	}
}

// hostile is a picture whose values try to break out of DOT strings.
func hostile() *picture {
	evil := identity.Identifier{Kind: "ticket", Value: "a\"]; n1 -- n2 [color=red]; x=\"\\\n}"}
	other := identity.Identifier{Kind: "ticket", Value: "</text><script>"}
	when := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	return &picture{
		Customer: 7,
		Identifiers: []identity.IdentifierInfo{
			{Identifier: evil, FirstSeen: when, Seen: 1},
			{Identifier: identity.New(identity.Email, "q@example.com"), FirstSeen: when, Seen: 1, Verified: true, VerifiedSource: "src\"\n", VerifiedAt: when},
		},
		Links: []identity.Link{{ID: 1, A: evil, B: identity.New(identity.Email, "q@example.com"), Rule: "r\\N", Source: "s{}", Time: when}},
		Refused: []identity.Conflict{{ID: 1, Guard: identity.GuardBlocked, Identifier: other, Against: []identity.Identifier{evil},
			Status: identity.ConflictDismissed, DecidedBy: "ops\"", Note: "line1\nline2", Time: when, Count: 1}},
		Owners: map[identity.Identifier]identity.CustomerID{other: 0},
	}
}

func TestHostileValues(t *testing.T) {
	dot := dotOf(t, hostile())
	// One statement per line: no value split a line or ended a string.
	for _, line := range strings.Split(strings.TrimSuffix(dot, "\n"), "\n") {
		ok := strings.HasPrefix(line, "//") || strings.HasPrefix(line, "graph ") || line == "}" ||
			strings.HasPrefix(line, "\t") && strings.HasSuffix(line, ";")
		require.True(t, ok, "malformed line %q", line)
	}
	require.Contains(t, dot, `n3 [label="ticket\n</text><script>\nnever stored"`)
	require.Len(t, edgeLine.FindAllString(dot, -1), 2, "one link and one refusal, nothing injected")

	bin, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz dot not installed; the DOT was checked by its shape only")
	}
	cmd := exec.Command(bin, "-Tplain")
	cmd.Stdin = strings.NewReader(dot)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "dot rejected the output: %s", out)
	var nodes, edges int
	for _, line := range strings.Split(string(out), "\n") {
		nodes += btoi(strings.HasPrefix(line, "node "))
		edges += btoi(strings.HasPrefix(line, "edge "))
	}
	require.Equal(t, [2]int{3, 2}, [2]int{nodes, edges}, "dot saw exactly the nodes and edges written:\n%s", out)
}

// edgeLine matches an edge statement as writeDOT writes it.
var edgeLine = regexp.MustCompile(`(?m)^\tn\d+ -- n\d+ \[`)

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestRunStoryToFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ann.dot")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), config{region: "US", out: out}, &stdout, &stderr))
	require.Empty(t, stdout.String(), "with -o nothing goes to standard output")
	require.Contains(t, stderr.String(), "refused phone:+14155550000 held back by kind-limit")
	require.Contains(t, stderr.String(), "Why account:crm:1001 and visitor:v-8f2a are one customer:")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

// TestRunDir opens a durable store written earlier and draws a customer
// named by an absorbed ID: the same picture as the story's.
func TestRunDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := threadline.Open(dir, &threadline.Options{Identity: identity.Options{DefaultRegion: "US"}, Clock: func() time.Time { return storyEnd }})
	require.NoError(t, err)
	require.NoError(t, playStory(ctx, s.Graph(), io.Discard))
	require.NoError(t, s.Close())

	var stdout bytes.Buffer
	require.NoError(t, run(ctx, config{dir: dir, customer: "c2", region: "US"}, &stdout, io.Discard))
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), stdout.String())

	err = run(ctx, config{dir: dir, id: "email:nobody@example.com", region: "US"}, io.Discard, io.Discard)
	require.ErrorIs(t, err, identity.ErrNotFound)
	err = run(ctx, config{dir: dir, region: "US"}, io.Discard, io.Discard)
	require.ErrorContains(t, err, "name the customer")
	err = run(ctx, config{dir: filepath.Join(dir, "missing"), id: "email:a@b.c"}, io.Discard, io.Discard)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestRunSVG(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "ann.svg")
	cfg := config{region: "US", svg: svg}
	if _, err := exec.LookPath("dot"); err != nil {
		err := run(context.Background(), cfg, io.Discard, io.Discard)
		require.ErrorIs(t, err, errNoDot)
		t.Skip("Graphviz dot not installed: checked the message only")
	}
	require.NoError(t, run(context.Background(), cfg, io.Discard, io.Discard))
	b, err := os.ReadFile(svg)
	require.NoError(t, err)
	require.Contains(t, string(b), "<svg")
	require.Contains(t, string(b), "refused: kind&#45;limit")

	t.Setenv("PATH", t.TempDir()) // no dot here
	require.ErrorIs(t, run(context.Background(), cfg, io.Discard, io.Discard), errNoDot)
}
