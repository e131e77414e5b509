package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/threadline/threadline/identity"
)

// picture is one customer's identity graph as read from the library: what
// the DOT writer draws. It is plain data, so the writer is a pure function
// of it.
type picture struct {
	Customer    identity.CustomerID
	Identifiers []identity.IdentifierInfo
	Links       []identity.Link
	Aliases     []alias
	// Refused are the conflicts that name one of the customer's
	// identifiers or would have joined the customer.
	Refused []identity.Conflict
	// Owners gives, for each identifier a refusal names that is not the
	// customer's, the customer it belongs to (0 when it was never stored,
	// as for a blocked value).
	Owners map[identity.Identifier]identity.CustomerID
}

// alias is a customer ID absorbed into the picture's customer.
type alias struct {
	ID          identity.CustomerID
	Time        time.Time              // when it was absorbed; zero if unknown
	Observation identity.ObservationID // the observation that merged it; 0 if unknown
}

// gather reads customer c's picture. It takes several read transactions,
// so a picture of a store that other processes write at the same time may
// mix two moments; on a quiet store it is exact.
func gather(ctx context.Context, g *identity.Graph, c identity.CustomerID) (*picture, error) {
	cust, err := g.Customer(ctx, c)
	if err != nil {
		return nil, err
	}
	p := &picture{Customer: cust.ID, Identifiers: cust.Identifiers, Owners: map[identity.Identifier]identity.CustomerID{}}
	if p.Links, err = g.Links(ctx, cust.ID); err != nil {
		return nil, err
	}
	hist, err := g.History(ctx, cust.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range cust.Aliases {
		al := alias{ID: a}
		for _, h := range hist {
			if h.Type == identity.Merged && slices.Contains(h.Others, a) {
				al.Time, al.Observation = h.Time, h.Observation
			}
		}
		p.Aliases = append(p.Aliases, al)
	}
	mine := map[identity.Identifier]bool{}
	for _, id := range cust.Identifiers {
		mine[id.Identifier] = true
	}
	// Conflicts has no per-customer index in the public API: one pass over
	// them all, which suits an example, not a hot path.
	all, err := g.Conflicts(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, x := range all {
		named := append([]identity.Identifier{x.Identifier}, x.Against...)
		if x.Customer != cust.ID && !slices.ContainsFunc(named, func(id identity.Identifier) bool { return mine[id] }) {
			continue
		}
		p.Refused = append(p.Refused, x)
		for _, id := range named {
			if mine[id] {
				continue
			}
			owner, err := g.Lookup(ctx, id)
			if err != nil && !errors.Is(err, identity.ErrNotFound) {
				return nil, err
			}
			p.Owners[id] = owner
		}
	}
	return p, nil
}

// writeDOT writes p as a Graphviz DOT graph: the customer's identifiers as
// nodes (kind, value, verification), accepted links as solid edges
// labelled with their evidence, refused links as dashed red edges labelled
// with the guard, other customers' identifiers as grey dashed nodes, and
// the absorbed aliases in the title. The output depends only on the
// content of p, not on the order of its slices, and every string is
// escaped, so any identifier value is safe.
func writeDOT(w io.Writer, p *picture) error {
	var b bytes.Buffer
	ids := slices.SortedFunc(slices.Values(p.Identifiers), func(a, b identity.IdentifierInfo) int {
		return cmp.Compare(a.Identifier.String(), b.Identifier.String())
	})
	links := slices.SortedFunc(slices.Values(p.Links), func(a, b identity.Link) int { return cmp.Compare(a.ID, b.ID) })
	refused := slices.SortedFunc(slices.Values(p.Refused), func(a, b identity.Conflict) int { return cmp.Compare(a.ID, b.ID) })
	aliases := slices.SortedFunc(slices.Values(p.Aliases), func(a, b alias) int { return cmp.Compare(a.ID, b.ID) })

	fmt.Fprintf(&b, "// Identity graph of customer %s, written by threadline examples/graph.\n", p.Customer)
	fmt.Fprintf(&b, "graph %s {\n", quote(p.Customer.String()))
	fmt.Fprintf(&b, "\tgraph [label=%s, labelloc=t, fontname=\"Helvetica\", fontsize=14];\n", quote(title(p.Customer, aliases)))
	b.WriteString("\tnode [shape=box, style=\"rounded\", fontname=\"Helvetica\", fontsize=11];\n")
	b.WriteString("\tedge [fontname=\"Helvetica\", fontsize=9];\n")

	node := map[identity.Identifier]string{}
	mine := map[identity.Identifier]bool{}
	for _, id := range ids {
		mine[id.Identifier] = true
		node[id.Identifier] = fmt.Sprintf("n%d", len(node)+1)
		fmt.Fprintf(&b, "\t%s [label=%s%s];\n", node[id.Identifier], quote(nodeLabel(id)), nodeStyle(id))
	}
	// Other customers' identifiers are drawn only where a refused edge
	// reaches them.
	var foreign []identity.Identifier
	edges := make([][][2]identity.Identifier, len(refused))
	for i, x := range refused {
		edges[i] = refusedEdges(x, mine)
		for _, e := range edges[i] {
			for _, id := range e {
				if !mine[id] && !slices.Contains(foreign, id) {
					foreign = append(foreign, id)
				}
			}
		}
	}
	slices.SortFunc(foreign, func(a, b identity.Identifier) int { return cmp.Compare(a.String(), b.String()) })
	for _, id := range foreign {
		node[id] = fmt.Sprintf("n%d", len(node)+1)
		fmt.Fprintf(&b, "\t%s [label=%s, style=\"rounded,dashed\", color=\"gray45\", fontcolor=\"gray30\"];\n",
			node[id], quote(foreignLabel(id, p.Owners[id])))
	}

	for _, l := range links {
		from, to := node[l.A], node[l.B]
		if !mine[l.A] || !mine[l.B] {
			return fmt.Errorf("graph: link %s names an identifier outside customer %s", l.ID, p.Customer)
		}
		fmt.Fprintf(&b, "\t%s -- %s [label=%s];\n", from, to, quote(linkLabel(l)))
	}
	for i, x := range refused {
		label := quote(refusalLabel(x, edges[i]))
		for _, e := range edges[i] {
			fmt.Fprintf(&b, "\t%s -- %s [label=%s, style=dashed, color=\"firebrick\", fontcolor=\"firebrick\"];\n",
				node[e[0]], node[e[1]], label)
		}
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// refusedEdges are the dashed edges of one conflict: from the held-back
// identifier to each value it conflicted with, keeping those that touch
// the customer (a pair of two other customers' identifiers says nothing
// about this one). A conflict that would have joined the customer but
// touches none of its identifiers keeps all its edges.
func refusedEdges(x identity.Conflict, mine map[identity.Identifier]bool) [][2]identity.Identifier {
	var touching, all [][2]identity.Identifier
	for _, a := range x.Against {
		if a == x.Identifier {
			continue
		}
		e := [2]identity.Identifier{x.Identifier, a}
		all = append(all, e)
		if mine[x.Identifier] || mine[a] {
			touching = append(touching, e)
		}
	}
	if len(touching) > 0 {
		return touching
	}
	return all
}

func title(c identity.CustomerID, aliases []alias) string {
	lines := []string{"customer " + c.String()}
	for _, a := range aliases {
		s := "alias " + a.ID.String() + " (absorbed"
		if !a.Time.IsZero() {
			s += " " + stamp(a.Time)
		}
		if a.Observation != 0 {
			s += " by " + a.Observation.String()
		}
		lines = append(lines, s+")")
	}
	return strings.Join(lines, "\n")
}

func nodeLabel(id identity.IdentifierInfo) string {
	lines := []string{string(id.Kind) + " (" + id.Strength.String() + ")", id.Value}
	if id.Verified {
		lines = append(lines, "verified by "+id.VerifiedSource+" "+stamp(id.VerifiedAt))
	} else {
		lines = append(lines, "not verified")
	}
	seen := fmt.Sprintf("seen %d times", id.Seen)
	if id.Seen == 1 {
		seen = "seen once"
	}
	lines = append(lines, seen+" since "+stamp(id.FirstSeen))
	return strings.Join(lines, "\n")
}

// nodeStyle: verified identifiers drawn bold and filled, weak ones
// (evidence only) with a dotted border.
func nodeStyle(id identity.IdentifierInfo) string {
	style := "rounded"
	if id.Strength == identity.Weak {
		style += ",dotted"
	}
	if id.Verified {
		return fmt.Sprintf(", style=\"%s,filled,bold\", fillcolor=\"#e3f2e6\"", style)
	}
	if style != "rounded" {
		return fmt.Sprintf(", style=\"%s\"", style)
	}
	return ""
}

func foreignLabel(id identity.Identifier, owner identity.CustomerID) string {
	where := "never stored"
	if owner != 0 {
		where = "belongs to " + owner.String()
	}
	return strings.Join([]string{string(id.Kind), id.Value, where}, "\n")
}

func linkLabel(l identity.Link) string {
	lines := []string{l.Rule}
	if src := strings.TrimSpace(l.Source + " " + obsName(l.Observation)); src != "" {
		lines = append(lines, src)
	}
	when := stamp(l.Time)
	if l.Verified {
		when += " verified"
	}
	lines = append(lines, when)
	if l.Score != 0 {
		lines = append(lines, fmt.Sprintf("score %.2f %s", l.Score, strings.Join(l.Comparisons, " ")))
	}
	if l.Reviewer != "" {
		lines = append(lines, "reviewed by "+l.Reviewer)
	}
	return strings.Join(lines, "\n")
}

// refusalLabel describes a conflict on its dashed edges: the guard, the
// values it conflicted with that no edge shows, its status and the first
// refusal's evidence.
func refusalLabel(x identity.Conflict, drawn [][2]identity.Identifier) string {
	lines := []string{"refused: " + string(x.Guard)}
	for _, a := range x.Against {
		if a != x.Identifier && !slices.ContainsFunc(drawn, func(e [2]identity.Identifier) bool { return e[1] == a }) {
			lines = append(lines, "also against "+a.String())
		}
	}
	status := x.ID.String() + " " + string(x.Status)
	if x.DecidedBy != "" {
		status += " by " + x.DecidedBy
	}
	lines = append(lines, status)
	if src := strings.TrimSpace(x.Source + " " + obsName(x.Observation)); src != "" {
		lines = append(lines, src)
	}
	when := stamp(x.Time)
	if x.Count > 1 {
		when += fmt.Sprintf(", %d times, last %s", x.Count, stamp(x.Last))
	}
	lines = append(lines, when)
	if x.Note != "" {
		lines = append(lines, x.Note)
	}
	return strings.Join(lines, "\n")
}

func obsName(o identity.ObservationID) string {
	if o == 0 {
		return ""
	}
	return o.String()
}

// stamp formats a time to the minute in UTC, so the output does not depend
// on the machine's time zone.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") }

// quote returns s as a DOT double-quoted string that a label shows as s:
// backslashes and double quotes escaped, line breaks as DOT's centred
// break \n, other control characters spelled out (\u0007), and invalid
// UTF-8 replaced, so no value can end the string or inject attributes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
