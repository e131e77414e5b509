package match

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Blocking rules: two records become a candidate pair when they agree on
// one rule's key. Each key needs all of its parts; a record missing one
// has no key for that rule.
const (
	ruleSoundexYear   = iota // Soundex of the family name + birth year
	rulePostcodeGiven        // postcode + first letter of the given name
	ruleEmail                // email local part
	rulePhone                // last 7 phone digits
	ruleDateInitials         // birth date + both initials, in either order (survives swapped names)
	numRules
)

var ruleNames = [numRules]string{"soundex-year", "postcode-initial", "email", "phone7", "date-initials"}

// blockKeys returns the key of each rule for p, "" where p lacks a part.
func blockKeys(p *Prepared) [numRules]string {
	var k [numRules]string
	if p.soundex != "" && p.dob.ok {
		k[ruleSoundexYear] = p.soundex + strconv.Itoa(int(p.dob.y))
	}
	if p.postcode != "" && p.given != "" {
		k[rulePostcodeGiven] = p.postcode + " " + p.given[:1]
	}
	k[ruleEmail] = p.email
	if len(p.phone) >= 7 {
		k[rulePhone] = p.phone[len(p.phone)-7:]
	}
	if p.dob.ok && p.given != "" && p.family != "" {
		a, b := p.given[:1], p.family[:1]
		if b < a {
			a, b = b, a
		}
		k[ruleDateInitials] = strconv.Itoa(int(p.dob.y)) + "-" + strconv.Itoa(int(p.dob.m)) + "-" + strconv.Itoa(int(p.dob.d)) + a + b
	}
	return k
}

// BlockingKeys returns p's blocking keys, each prefixed by its rule's name
// ("email:annlee"), for an index that finds candidates one record at a
// time. Records sharing any key are candidates.
func BlockingKeys(p *Prepared) []string {
	var out []string
	for r, k := range blockKeys(p) {
		if k != "" {
			out = append(out, ruleNames[r]+":"+k)
		}
	}
	return out
}

// NameKey returns the sort key of the sorted-neighbourhood rule: family name
// then given name. Records near each other in this order are candidates.
func NameKey(p *Prepared) string {
	if p.family == "" && p.given == "" {
		return ""
	}
	return p.family + " " + p.given
}

// NeighbourKey returns the sort key of an index that finds candidates one
// record at a time, as the sorted neighbourhood does: [NameKey], then the
// birth date (YYYYMMDD), so that among many records of one name those born
// nearest come first. A record with neither has "".
func NeighbourKey(p *Prepared) string {
	n := NameKey(p)
	if !p.dob.ok {
		return n
	}
	return string(fmt.Appendf(make([]byte, 0, len(n)+9), "%s %04d%02d%02d", n, p.dob.y, p.dob.m, p.dob.d))
}

func givenKey(p *Prepared) string {
	if p.family == "" && p.given == "" {
		return ""
	}
	return p.given + " " + p.family
}

// hashKey is FNV-1a over the rule number and the key; 0 is kept for "no
// key".
func hashKey(rule int, k []byte) uint64 {
	if len(k) == 0 {
		return 0
	}
	h := uint64(14695981039346656037) ^ uint64(rule)
	h *= 1099511628211
	for _, c := range k {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h | 1
}

// blocker enumerates the candidate pairs of a set of records without
// comparing all pairs, each pair once.
type blocker struct {
	n     int
	rules []BlockingRule
	side  []bool // for linkage: which table a record comes from; nil for deduplication
	// keys holds each record's key hash under each rule, record-major
	// (keys[i*len(rules)+r]); 0 where the record has no key.
	keys []uint64
	// pos holds, per record and rule, the record's position in its block
	// when the block was too big for all pairs and was compared within a
	// window; -1 when the block was compared all-pairs.
	pos    []int32
	rank   []int32 // position in family-name order
	order  []int32 // records in family-name order
	order2 []int32 // records in given-name order
	window int
	limit  int
}

func newBlocker(recs []*Prepared, side []bool, rules []BlockingRule, window, limit int) *blocker {
	b := &blocker{n: len(recs), side: side, window: window, limit: limit}
	b.setRules(recs, rules)
	b.order = sortedBy(recs, NameKey)
	b.order2 = sortedBy(recs, givenKey)
	b.rank = make([]int32, len(recs))
	for i := range b.rank {
		b.rank[i] = -1
	}
	for pos, i := range b.order {
		b.rank[i] = int32(pos)
	}
	return b
}

func (b *blocker) setRules(recs []*Prepared, rules []BlockingRule) {
	nr := len(rules)
	b.rules, b.keys, b.pos = rules, make([]uint64, len(recs)*nr), make([]int32, len(recs)*nr)
	var buf []byte
	for i, p := range recs {
		for r := range rules {
			buf = rules[r].appendKey(buf[:0], p)
			b.keys[i*nr+r] = hashKey(r, buf)
		}
	}
}

// withRules returns a blocker over the same records, in the same orders,
// with other rules.
func (b *blocker) withRules(recs []*Prepared, rules []BlockingRule) *blocker {
	c := *b
	c.setRules(recs, rules)
	return &c
}

func (b *blocker) key(i int32, r int) uint64 { return b.keys[int(i)*len(b.rules)+r] }

// sortedBy returns the records that have a key, ordered by it.
func sortedBy(recs []*Prepared, key func(*Prepared) string) []int32 {
	type e struct {
		k string
		i int32
	}
	es := make([]e, 0, len(recs))
	for i, p := range recs {
		if k := key(p); k != "" {
			es = append(es, e{k, int32(i)})
		}
	}
	slices.SortFunc(es, func(a, b e) int { return cmp.Or(cmp.Compare(a.k, b.k), cmp.Compare(a.i, b.i)) })
	out := make([]int32, len(es))
	for j, x := range es {
		out[j] = x.i
	}
	return out
}

// blockEntry is a record in a rule's block list.
type blockEntry struct {
	key  uint64
	rank int32
	i    int32
}

// blocks calls fn with each block of rule r of two or more records, its
// records in family-name order; fn returns false to stop. es is reused.
func (b *blocker) blocks(r int, es []blockEntry, fn func(block []blockEntry) bool) []blockEntry {
	es = es[:0]
	for i := range int32(b.n) {
		if k := b.key(i, r); k != 0 {
			es = append(es, blockEntry{k, b.rank[i], i})
		}
	}
	slices.SortFunc(es, func(x, y blockEntry) int {
		return cmp.Or(cmp.Compare(x.key, y.key), cmp.Compare(x.rank, y.rank), cmp.Compare(x.i, y.i))
	})
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && es[hi].key == es[lo].key {
			hi++
		}
		if hi-lo > 1 && !fn(es[lo:hi]) {
			break
		}
		lo = hi
	}
	return es
}

// pairs calls fn with every candidate pair (i < j), each once, in a fixed
// order, with the rule that found it (len(rules) for the sorted
// neighbourhood). fn returns false to stop.
func (b *blocker) pairs(fn func(i, j int32, rule int) bool) {
	var es []blockEntry
	nr := len(b.rules)
	for i := range b.pos {
		b.pos[i] = -1
	}
	for r := range nr {
		stopped := false
		es = b.blocks(r, es, func(block []blockEntry) bool {
			// A block too big for all pairs (a shared inbox, a common
			// name) is compared within a window in name order.
			w := len(block)
			if w > b.limit {
				w = b.window
				for x, e := range block {
					b.pos[int(e.i)*nr+r] = int32(x)
				}
			}
			for x := range block {
				for y := x + 1; y < min(len(block), x+w); y++ {
					if !b.emit(block[x].i, block[y].i, r, fn) {
						stopped = true
						return false
					}
				}
			}
			return true
		})
		if stopped {
			return
		}
	}
	for pass, ord := range [][]int32{b.order, b.order2} {
		second := pass == 1
		for x := range ord {
			for y := x + 1; y < min(len(ord), x+b.window); y++ {
				i, j := ord[x], ord[y]
				if second && abs(b.rank[i]-b.rank[j]) < int32(b.window) {
					continue // the first sorted pass compared them
				}
				if !b.emit(i, j, nr, fn) {
					return
				}
			}
		}
	}
}

// emit passes the pair on unless an earlier rule already did, or both come
// from one table in a linkage.
func (b *blocker) emit(i, j int32, rule int, fn func(i, j int32, rule int) bool) bool {
	if b.side != nil && b.side[i] == b.side[j] {
		return true
	}
	nr := len(b.rules)
	for r := range rule {
		if k := b.key(i, r); k != 0 && k == b.key(j, r) {
			// Both are in one block of rule r: it compared them if it
			// compared all pairs, or if they were within its window.
			if pi, pj := b.pos[int(i)*nr+r], b.pos[int(j)*nr+r]; pi < 0 || abs(pi-pj) < int32(b.window) {
				return true
			}
		}
	}
	if i > j {
		i, j = j, i
	}
	return fn(i, j, rule)
}

func abs[T int | int32](x T) T {
	if x < 0 {
		return -x
	}
	return x
}
