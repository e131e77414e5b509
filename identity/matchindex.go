package identity

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// profileFields are the attribute names kept in a match profile, in the
// order they are encoded, then email and phone taken from identifiers.
var profileFields = []string{AttrGivenName, AttrFamilyName, AttrFullName, AttrBirthDate, AttrAddress, AttrCity, AttrPostcode, AttrRegion}

// profile is the matcher's view of an identifier: the latest value of
// each field.
type profile struct {
	attrs        [8]string // in profileFields order
	email, phone string
}

// indexEntries are where a profile sits in the blocking index: one entry
// per block, each at the profile's sort key. The profile record keeps
// them, so that a change or Forget removes exactly what was written.
type indexEntries struct {
	blocks []string // blocking keys, and nameBlock for the sorted neighbourhood
	sort   string   // match.NeighbourKey
}

// nameBlock is the block every named profile is in: read around a
// profile's sort key, it is the sorted neighbourhood on names.
const nameBlock = "name:"

func indexOf(p *match.Prepared) indexEntries {
	bs := match.BlockingKeys(p)
	if match.NameKey(p) != "" {
		bs = append(bs, nameBlock)
	}
	return indexEntries{blocks: bs, sort: match.NeighbourKey(p)}
}

func (p *profile) record() match.Record {
	a := p.attrs
	return match.Record{GivenName: a[0], FamilyName: a[1], FullName: a[2], BirthDate: a[3], Address: a[4],
		City: a[5], Postcode: a[6], Region: a[7], Email: p.email, Phone: p.phone}
}

func (p *profile) encode(idx indexEntries) []byte {
	var w enc.Writer
	w.Strings(append(p.attrs[:], p.email, p.phone))
	w.Strings(idx.blocks)
	w.String(idx.sort)
	return w.B
}

func decodeProfile(b []byte) (profile, indexEntries, error) {
	r := enc.NewReader(b)
	s := r.Strings()
	var p profile
	var idx indexEntries
	if len(s) != len(p.attrs)+2 && r.Err() == nil {
		return p, idx, corrupt("match profile", fmt.Errorf("%d fields", len(s)))
	}
	idx.blocks, idx.sort = r.Strings(), r.String()
	if r.Err() == nil {
		copy(p.attrs[:], s)
		p.email, p.phone = s[len(p.attrs)], s[len(p.attrs)+1]
	}
	return p, idx, corrupt("match profile", r.Err())
}

// overlay returns old with the observation's non-empty values on top: a
// profile keeps what earlier observations said unless this one says
// otherwise. An observation that gives both name parts (or a full name)
// replaces the other form, so an old full name cannot shadow a new split
// name.
func overlay(old profile, obs *Observation, ids []*cand) profile {
	p := old
	if obs.Attributes[AttrGivenName] != "" || obs.Attributes[AttrFamilyName] != "" {
		p.attrs[2] = ""
	}
	if obs.Attributes[AttrFullName] != "" {
		p.attrs[0], p.attrs[1] = "", ""
	}
	for i, f := range profileFields {
		if v := obs.Attributes[f]; v != "" {
			p.attrs[i] = v
		}
	}
	for _, c := range ids {
		switch c.id.Kind {
		case Email:
			p.email = c.id.Value
		case Phone, WhatsApp:
			p.phone = c.id.Value
		}
	}
	return p
}

func hasProfileAttrs(obs *Observation) bool {
	for _, f := range profileFields {
		if obs.Attributes[f] != "" {
			return true
		}
	}
	return false
}

func profileKey(id Identifier) []byte { return keys.New(keys.MatchProfile).String(id.String()) }
func blockPrefix(block string) []byte { return keys.New(keys.MatchBlock).String(block) }
func blockKey(block, sort string, id Identifier) []byte {
	return keys.Key(blockPrefix(block)).String(sort).String(id.String())
}

// indexProfile stores id's new profile (next, prepared as p) in place of
// old (had: there was one, indexed at oldIdx), and brings the blocking
// index and the term counts in step with it. Each index entry holds the
// prepared profile, so that finding candidates reads them all at once.
func (tx *Tx) indexProfile(id Identifier, old profile, oldIdx indexEntries, had bool, next profile, p *match.Prepared, t *storeTerms) error {
	idx := indexOf(p)
	for _, b := range oldIdx.blocks {
		if oldIdx.sort != idx.sort || !slices.Contains(idx.blocks, b) {
			if err := tx.txn.Delete(blockKey(b, oldIdx.sort, id)); err != nil {
				return err
			}
		}
	}
	val, _ := p.AppendBinary(nil)
	for _, b := range idx.blocks {
		if err := tx.txn.Set(blockKey(b, idx.sort, id), val); err != nil {
			return err
		}
	}
	var oldP *match.Prepared
	if had {
		r := old.record()
		oldP = match.Prepare(&r)
	}
	if err := tx.countTerms(oldP, p, t); err != nil {
		return err
	}
	return tx.txn.Set(profileKey(id), next.encode(idx))
}

// eraseProfile removes id's profile, index entries, term counts and the
// reviews naming it (Forget).
func (tx *Tx) eraseProfile(id Identifier) error {
	b, err := tx.txn.Get(profileKey(id))
	if err == nil {
		old, idx, err := decodeProfile(b)
		if err != nil {
			return err
		}
		for _, b := range idx.blocks {
			if err := tx.txn.Delete(blockKey(b, idx.sort, id)); err != nil {
				return err
			}
		}
		r := old.record()
		if err := tx.countTerms(match.Prepare(&r), nil, nil); err != nil {
			return err
		}
	} else if !isNotFound(err) {
		return err
	}
	reviews, err := scanUints(tx.txn, reviewRefPrefix(id))
	if err != nil {
		return err
	}
	for _, r := range reviews {
		if err := tx.eraseReview(ReviewID(r)); err != nil {
			return err
		}
	}
	return tx.deleteAll(profileKey(id), reviewRefPrefix(id))
}

// candidate is a profile found in the blocking index and scored.
type candidate struct {
	id    []byte // the identifier key component, as encoded
	score match.Score
	dec   match.Decision
}

// candidateScan reads the candidates of one profile from the blocking
// index and scores each once.
type candidateScan struct {
	tx    *Tx
	model *match.Model
	p     *match.Prepared
	self  []byte          // the profile's own identifier, as encoded
	seen  map[string]bool // identifiers read, as encoded
	prof  match.Prepared  // the candidate being scored, reused
	found []candidate     // scored at or above the review band
}

// candidates returns the profiles, self excluded, that share a block with
// idx and sit near it in the block's order (family name, given name,
// birth date), scored with model against p, keeping those at or above the
// review band. From each blocking key it reads up to m.maxPer profiles,
// the nearest on each side; from the name block, m.window on each side.
func (tx *Tx) candidates(self Identifier, idx indexEntries, p *match.Prepared, model *match.Model) ([]candidate, error) {
	m := tx.g.matcher
	// seen is sized for every block read whole: growing it costs more.
	seen := make(map[string]bool, m.maxPer*len(idx.blocks)+2*m.window)
	s := &candidateScan{tx: tx, model: model, p: p, self: keys.Key(nil).String(self.String()), seen: seen}
	// One iterator serves every block: creating one costs more than a seek.
	it := tx.txn.NewIter(prefixRange(keys.New(keys.MatchBlock)))
	defer it.Close()
	for _, b := range idx.blocks {
		prefix := blockPrefix(b)
		at := keys.Key(bytes.Clone(prefix)).String(idx.sort)
		back, fwd := m.maxPer/2, m.maxPer-m.maxPer/2
		if b == nameBlock {
			back, fwd = m.window, m.window
		}
		if err := s.block(it, prefix, at, back, fwd, b != nameBlock); err != nil {
			return nil, err
		}
	}
	return s.found, it.Error()
}

// block reads up to fwd profiles from at onwards and up to back before it,
// within prefix. With spill, a side that runs out gives what it did not
// use to the other, so a block no larger than back+fwd is read whole. It
// seeks once: the profiles before at are reached by stepping back over
// those read after it, which costs less than a second seek.
func (s *candidateScan) block(it *store.Iterator, prefix, at []byte, back, fwd int, spill bool) error {
	in := func(ok bool) bool { return ok && bytes.HasPrefix(it.Key(), prefix) }
	nf, steps := 0, 0 // profiles counted, entries moved over
	var last []byte
	ok := in(it.SeekGE(at))
	for ; ok && nf < fwd; ok = in(it.Next()) {
		if err := s.visit(it.Key()[len(prefix):], it.Value(), &nf); err != nil {
			return err
		}
		steps++
		if spill {
			last = append(last[:0], it.Key()...)
		}
	}
	more := ok
	if spill {
		back += fwd - nf
	}
	if it.Valid() {
		// Back over the entries read (and the one after them) to at.
		for ; steps > 0 && it.Prev(); steps-- {
		}
		ok = in(it.Prev())
	} else {
		ok = in(it.SeekLT(at)) // ran off the table's end
	}
	nb := 0
	for ; ok && nb < back; ok = in(it.Prev()) {
		if err := s.visit(it.Key()[len(prefix):], it.Value(), &nb); err != nil {
			return err
		}
	}
	if !spill || !more || nb == back {
		return nil
	}
	// The block ran out before at: the profiles after the last one read
	// take the rest.
	for ok = in(it.SeekGE(last)) && in(it.Next()); ok && nb < back; ok = in(it.Next()) {
		if err := s.visit(it.Key()[len(prefix):], it.Value(), &nb); err != nil {
			return err
		}
	}
	return nil
}

// visit scores the profile of one index entry (its key after the block
// prefix, and its value), unless it is the profile's own or was scored
// already, and counts it in n unless it is the profile's own.
func (s *candidateScan) visit(rest, val []byte, n *int) error {
	id := skipComponent(rest)
	if len(id) == 0 {
		return corrupt("match index", keys.ErrCorrupt)
	}
	if bytes.Equal(id, s.self) {
		return nil
	}
	*n++
	if s.seen[string(id)] {
		return nil
	}
	s.seen[string(id)] = true
	if err := s.prof.UnmarshalBinary(val); err != nil {
		return corrupt("match index", err)
	}
	sc := s.model.Score(s.p, &s.prof)
	if d := s.model.Decide(&sc); d != match.NoMatch {
		s.found = append(s.found, candidate{id: bytes.Clone(id), score: sc, dec: d})
	}
	return nil
}

// skipComponent returns b after its first component, a byte string (see
// package keys: 0x00 is escaped as 0x00 0xFF, 0x00 0x01 ends it), or nil.
func skipComponent(b []byte) []byte {
	for i := 1; i+1 < len(b); i++ {
		if b[i] == 0 {
			if b[i+1] == 1 {
				return b[i+2:]
			}
			i++
		}
	}
	return nil
}

// identifier decodes a candidate's identifier.
func (c *candidate) identifier() (Identifier, error) {
	d := keys.NewSuffixDecoder(c.id)
	s := d.String()
	if d.Err() != nil {
		return Identifier{}, corrupt("match index", d.Err())
	}
	id, err := Parse(s)
	if err != nil {
		return Identifier{}, corrupt("match index", err)
	}
	return id, nil
}
