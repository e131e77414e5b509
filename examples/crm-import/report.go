package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/match"
)

// cluster is a customer with more than one row, and the evidence that
// joined its rows.
type cluster struct {
	customer identity.CustomerID
	rows     []int
	joins    []string
	shared   bool // joined (in part) by shared identifiers
	matched  bool // joined (in part) by the matcher
}

// report prints the customers with more than one row, the refused merges
// and links, and the review queue, each list cut at show entries (0: all).
func (r *rows) report(ctx context.Context, w io.Writer, g *identity.Graph, lr *identity.LoadResult, show int) error {
	clusters, customers, err := r.clusters(ctx, g)
	if err != nil {
		return err
	}
	var inClusters, shared, matched, both int
	for _, c := range clusters {
		inClusters += len(c.rows)
		switch {
		case c.shared && c.matched:
			both++
		case c.shared:
			shared++
		default:
			matched++
		}
	}
	fmt.Fprintf(w, "customers: %d from %d rows; %d with more than one row (%d rows): %d joined by shared identifiers, %d by the matcher, %d by both\n",
		customers, len(r.recs), len(clusters), inClusters, shared, matched, both)

	fmt.Fprintf(w, "\nCustomers with more than one row, largest first%s:\n", shown(show, len(clusters)))
	for _, c := range clusters[:cut(show, len(clusters))] {
		fmt.Fprintf(w, "\n%s  %d rows:", c.customer, len(c.rows))
		for _, i := range c.rows {
			fmt.Fprintf(w, " %s", r.recs[i].ID)
		}
		fmt.Fprintln(w)
		for _, i := range c.rows {
			fmt.Fprintf(w, "    %s\n", r.line(i))
		}
		fmt.Fprintln(w, "  joined by:")
		for _, j := range c.joins {
			fmt.Fprintf(w, "    %s\n", j)
		}
	}
	r.printShared(w, show)
	if err := printConflicts(ctx, w, g, show); err != nil {
		return err
	}
	r.printRefused(w, lr.Refusals, show)
	return r.printReviews(ctx, w, g, show)
}

// clusters groups the rows by customer and returns those with more than
// one row, largest first, with their joins, and the number of customers.
func (r *rows) clusters(ctx context.Context, g *identity.Graph) ([]*cluster, int, error) {
	byCustomer := map[identity.CustomerID][]int{}
	for i, id := range r.ids {
		c, err := g.Lookup(ctx, id)
		if err != nil {
			return nil, 0, fmt.Errorf("row %s: %w", r.recs[i].ID, err)
		}
		byCustomer[c] = append(byCustomer[c], i)
	}
	var out []*cluster
	for _, c := range slices.Sorted(maps.Keys(byCustomer)) {
		if len(byCustomer[c]) < 2 {
			continue
		}
		links, err := g.Links(ctx, c)
		if err != nil {
			return nil, 0, err
		}
		cl := &cluster{customer: c, rows: byCustomer[c]}
		r.explain(cl, links)
		out = append(out, cl)
	}
	slices.SortStableFunc(out, func(a, b *cluster) int { return cmp.Compare(len(b.rows), len(a.rows)) })
	return out, len(byCustomer), nil
}

// explain turns a customer's links into the joins between its rows: an
// identifier that several rows hold (each row is linked to its own
// identifiers), or a link between two rows with its match weight and
// every field's comparison.
func (r *rows) explain(cl *cluster, links []identity.Link) {
	holders := map[identity.Identifier][]int{}
	rules := map[identity.Identifier]string{}
	for _, l := range links {
		a, b := r.rowOf(l.A), r.rowOf(l.B)
		switch {
		case a >= 0 && b >= 0:
			cl.matched = true
			cl.joins = append(cl.joins, fmt.Sprintf("%s ~ %s  %s, weight %.2f (p=%.4f): %s", r.recs[a].ID, r.recs[b].ID,
				linkRule(l), l.Score, match.ProbabilityOf(l.Score), strings.Join(l.Comparisons, " ")))
		case a >= 0:
			holders[l.B] = append(holders[l.B], a)
			rules[l.B] = l.Rule
		case b >= 0:
			holders[l.A] = append(holders[l.A], b)
			rules[l.A] = l.Rule
		default:
			cl.joins = append(cl.joins, fmt.Sprintf("%s -- %s  %s", l.A, l.B, linkRule(l)))
		}
	}
	for _, id := range slices.SortedFunc(maps.Keys(holders), func(a, b identity.Identifier) int {
		return cmp.Compare(a.String(), b.String())
	}) {
		rs := holders[id]
		if len(rs) < 2 {
			continue
		}
		slices.Sort(rs)
		cl.shared = true
		cl.joins = append(cl.joins, fmt.Sprintf("%s shared by %s  (%s)", id, strings.Join(r.names(rs), ", "), rules[id]))
	}
}

func linkRule(l identity.Link) string {
	if l.Reviewer != "" {
		return l.Rule + " by " + l.Reviewer
	}
	return l.Rule
}

func printConflicts(ctx context.Context, w io.Writer, g *identity.Graph, show int) error {
	cs, err := g.Conflicts(ctx, identity.ConflictPending)
	if err != nil || len(cs) == 0 {
		return err
	}
	fmt.Fprintf(w, "\nMerges a guard refused%s:\n", shown(show, len(cs)))
	for _, c := range cs[:cut(show, len(cs))] {
		s := fmt.Sprintf("  %s  %s: %s held back", c.ID, c.Guard, c.Identifier)
		if c.Customer != 0 {
			s += " from " + c.Customer.String()
		}
		if len(c.Against) > 0 {
			against := make([]string, len(c.Against))
			for i, a := range c.Against {
				against[i] = a.String()
			}
			s += ", which has " + strings.Join(against, ", ")
		}
		fmt.Fprintln(w, s)
	}
	return nil
}

// printRefused lists the matcher's links a guard refused: rows the matcher
// says are one person whose identifiers may not be one customer's (two
// account IDs).
func (r *rows) printRefused(w io.Writer, refused []identity.LoadRefusal, show int) {
	if len(refused) == 0 {
		return
	}
	fmt.Fprintf(w, "\nMatcher links a guard refused%s:\n", shown(show, len(refused)))
	for _, x := range refused[:cut(show, len(refused))] {
		fmt.Fprintf(w, "  %s ~ %s  %s\n    %s\n    %s\n", r.recs[x.A].ID, r.recs[x.B].ID, x.Guard, r.line(x.A), r.line(x.B))
	}
}

func (r *rows) printReviews(ctx context.Context, w io.Writer, g *identity.Graph, show int) error {
	rs, err := g.Reviews(ctx, identity.ReviewPending)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nReview queue: %d pairs between the bands%s\n", len(rs), shown(show, len(rs)))
	for _, rv := range rs[:cut(show, len(rs))] {
		fmt.Fprintf(w, "\nreview %s  weight %.2f (p=%.4f): %s (%s) ~ %s (%s)", rv.ID, rv.Weight, match.ProbabilityOf(rv.Weight),
			r.name(rv.A), rv.CustomerA, r.name(rv.B), rv.CustomerB)
		if rv.CustomerA == rv.CustomerB {
			fmt.Fprint(w, "  one customer already, by shared identifiers")
		}
		fmt.Fprintln(w)
		for _, id := range []identity.Identifier{rv.A, rv.B} {
			if i := r.rowOf(id); i >= 0 {
				fmt.Fprintf(w, "    %s\n", r.line(i))
			}
		}
		fmt.Fprintf(w, "    %s\n", strings.Join(rv.Evidence, " "))
	}
	return nil
}

// cut returns how many of n entries to show.
func cut(show, n int) int {
	if show <= 0 {
		return n
	}
	return min(show, n)
}

func shown(show, n int) string {
	if cut(show, n) == n {
		return ""
	}
	return fmt.Sprintf(" (%d of %d; -show 0 prints all)", show, n)
}
