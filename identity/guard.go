package identity

import "strings"

// mergeCount counts what one customer made by a merge would hold: the
// identifiers of every customer merged, by limit group and strength, and
// those the merge adds. Every merge path (Observe's deterministic and
// probabilistic links, LoadMatches, AcceptReview) fills one and asks
// [Graph.breach], so a kind limit holds whichever identifiers carry the
// merge: two customers with one account each are refused whether an
// account, their emails or a shared phone joins them.
type mergeCount struct {
	groups map[string]groupCount
	strong int
	// strongMax is the most strong identifiers any one merged customer
	// already has.
	strongMax int
}

type groupCount struct {
	n   int // identifiers of the group after the merge
	max int // the most any one merged customer already has
}

// customer counts in the identifiers of a customer merged.
func (m *mergeCount) customer(r *custRec) {
	m.strong += int(r.Strong)
	m.strongMax = max(m.strongMax, int(r.Strong))
	for g, n := range r.Groups {
		c := m.groups[g]
		c.n += int(n)
		c.max = max(c.max, int(n))
		m.set(g, c)
	}
}

// identifier counts in an identifier the merge adds.
func (m *mergeCount) identifier(p *KindPolicy, id Identifier) {
	if p.Strength == Strong {
		m.strong++
	}
	if p.Limit > 0 {
		g := p.limitGroup(id.Value)
		c := m.groups[g]
		c.n++
		m.set(g, c)
	}
}

func (m *mergeCount) set(g string, c groupCount) {
	if m.groups == nil {
		m.groups = map[string]groupCount{}
	}
	m.groups[g] = c
}

// breach returns the guard the counted merge breaks, with the limit group
// for GuardLimit (the smallest breached one, so the answer does not depend
// on map order), or "". A customer already over a limit or the size guard
// (a person accepted a conflict) may be merged with others as long as the
// count does not grow past what it has.
func (g *Graph) breach(m *mergeCount) (Guard, string) {
	group := ""
	for name, c := range m.groups {
		if lim := g.groupLimit(name); lim > 0 && c.n > lim && c.n > c.max && (group == "" || name < group) {
			group = name
		}
	}
	if group != "" {
		return GuardLimit, group
	}
	if m.strong > g.opts.MaxStrongIdentifiers && m.strong > m.strongMax {
		return GuardSize, ""
	}
	return "", ""
}

// groupLimit returns the limit of a limit group (see
// [KindPolicy.limitGroup]): its kind's Limit, 0 for none.
func (g *Graph) groupLimit(group string) int {
	kind, _, _ := strings.Cut(group, ":")
	if p := g.kinds[Kind(kind)]; p != nil {
		return p.Limit
	}
	return 0
}

// mergeGuard returns the guard that refuses making customers a and b one,
// or "".
func (tx *Tx) mergeGuard(a, b CustomerID) (Guard, error) {
	var m mergeCount
	for _, c := range []CustomerID{a, b} {
		r, _, err := getRec(tx.txn, custKey(c), decodeCust)
		if err != nil {
			return "", err
		}
		m.customer(&r)
	}
	g, _ := tx.g.breach(&m)
	return g, nil
}
