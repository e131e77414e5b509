package journey

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// Keys (see the store package's key schema):
//
//	jstate: 0x30 customer:uint            -> header and journey summaries
//	jstate: 0x30 customer:uint index:uint -> one journey (building)
//	jclaim: 0x31 identifier:bytes         -> claim
//
// A customer's state is the key range stateRange(c): its header first, then
// its journeys in index order.
func stateKey(c identity.CustomerID) []byte { return keys.New(keys.JourneyState).Uint(uint64(c)) }

func journeyKey(c identity.CustomerID, i int) []byte {
	return keys.Key(stateKey(c)).Uint(uint64(i))
}

// stateRange returns the bounds of customer c's whole state.
func stateRange(c identity.CustomerID) (lo, hi []byte) {
	lo = stateKey(c)
	return lo, keys.PrefixEnd(lo)
}

func claimKey(id identity.Identifier) []byte {
	return keys.New(keys.JourneyClaim).String(id.String())
}

// stateFormat is the first field of a state header. A header of another
// format (written by another version of the library) is stale: it is not
// valid, and is rebuilt like state kept with other options.
// Format 2 keeps each journey's waiting handoffs with their times.
const stateFormat = 2

// header is what validating a state needs, decoded without the journeys.
type header struct {
	gen  uint64
	opts Options
	ids  int // identifiers of the customer when the state was built
	// stale marks a header of another format, of which nothing else was
	// decoded.
	stale bool
}

// liveState is a customer's stored grouper. Decoded from the header alone,
// its journeys are summaries holding what grouper.find reads; loaded marks
// the ones decoded in full.
type liveState struct {
	gen    uint64
	ids    int
	g      grouper
	loaded []bool
}

// claim names the state holding an identifier's events.
type claim struct {
	customer identity.CustomerID
	gen      uint64
}

func encodeClaim(c claim) []byte {
	var w enc.Writer
	w.Uint(uint64(c.customer))
	w.Uint(c.gen)
	return w.B
}

// readClaim returns the claim on id, if any.
func readClaim(t *store.Txn, id identity.Identifier) (claim, bool, error) {
	b, err := t.Get(claimKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return claim{}, false, nil
	}
	if err != nil {
		return claim{}, false, err
	}
	r := enc.NewReader(b)
	c := claim{identity.CustomerID(r.Uint()), r.Uint()}
	if r.Err() != nil {
		return claim{}, false, fmt.Errorf("%w: claim: %w", errCorruptState, r.Err())
	}
	return c, true, nil
}

// encodeHeader writes the header: what validation needs, the grouper's
// last event and the journey summaries.
func (s *liveState) encodeHeader() []byte {
	w := enc.Writer{B: make([]byte, 0, 64+32*len(s.g.js))}
	w.Uint(stateFormat)
	w.Uint(s.gen)
	o := s.g.opts
	w.Int(int64(o.Gap))
	w.Int(int64(o.ReopenWindow))
	w.Int(int64(o.SessionGap))
	w.Uint(uint64(s.ids))
	writeTime(&w, s.g.lastTime)
	w.String(s.g.lastID)
	w.Uint(uint64(len(s.g.js)))
	for _, b := range s.g.js {
		settled := b == nil || s.g.settled(b)
		w.Bool(settled)
		if settled {
			continue
		}
		w.String(b.Case)
		w.String(b.Intent)
		w.String(string(b.State))
		writeTime(&w, b.End)
		writeTime(&w, b.last)
	}
	return w.B
}

func readHeader(r *enc.Reader) (header, error) {
	if f := r.Uint(); f != stateFormat && r.Err() == nil {
		return header{stale: true}, nil
	}
	h := header{gen: r.Uint()}
	h.opts = Options{Gap: time.Duration(r.Int()), ReopenWindow: time.Duration(r.Int()), SessionGap: time.Duration(r.Int())}
	h.ids = int(r.Uint())
	if r.Err() != nil {
		return header{}, fmt.Errorf("%w: %w", errCorruptState, r.Err())
	}
	return h, nil
}

func decodeHeader(b []byte) (header, error) { return readHeader(enc.NewReader(b)) }

// decodeSummary decodes a header of customer c into a state whose
// journeys are summaries.
func decodeSummary(b []byte, c identity.CustomerID) (*liveState, error) {
	r := enc.NewReader(b)
	h, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	if h.stale {
		return nil, fmt.Errorf("%w: a header of another format", errCorruptState)
	}
	s := &liveState{gen: h.gen, ids: h.ids, g: grouper{opts: h.opts, customer: c}}
	s.g.lastTime, s.g.lastID = readTime(r), r.String()
	n := r.Count()
	s.g.js, s.loaded = make([]*building, n), make([]bool, n)
	var stubs []building // one allocation for the summaries
	for i := range s.g.js {
		if r.Bool() {
			continue // settled: nil, which find passes over
		}
		if stubs == nil {
			stubs = make([]building, 0, n-i)
		}
		stubs = append(stubs, building{Journey: Journey{Customer: c, Case: r.String(), Intent: r.String(),
			State: State(r.String()), End: readTime(r)}, last: readTime(r)})
		s.g.js[i] = &stubs[len(stubs)-1]
	}
	if r.Err() != nil {
		return nil, fmt.Errorf("%w: %w", errCorruptState, r.Err())
	}
	return s, nil
}

// encodeJourney is the record of one journey under construction.
func encodeJourney(b *building) []byte {
	w := enc.Writer{B: make([]byte, 0, 256)}
	b.encode(&w)
	return w.B
}

// detail is how much of a journey record a decode fills in.
type detail uint8

const (
	// forAppend decodes everything: the journey and the grouper's working
	// state, for adding events to it.
	forAppend detail = iota
	// forRead decodes the journey alone, for reads, which never add to it.
	forRead
	// forBrief decodes the journey without Switches, ContactLog and Facts
	// (see [Tracker.BriefJourneysTx]).
	forBrief
)

func decodeJourney(v []byte, c identity.CustomerID, d detail) (*building, error) {
	r := enc.NewSharedReader(v) // a journey's strings live and die with it
	b, packedOK := decodeBuilding(r, c, d)
	if r.Err() != nil || !packedOK {
		return nil, fmt.Errorf("%w: journey: %v", errCorruptState, r.Err())
	}
	return b, nil
}

func (b *building) encode(w *enc.Writer) {
	j := &b.Journey
	w.String(j.ID)
	w.String(j.Intent)
	w.String(j.Case)
	w.String(string(j.State))
	writeTime(w, j.Start)
	writeTime(w, j.End)
	writeChannels(w, j.Channels)
	w.Uint(uint64(len(j.Switches)))
	for _, s := range j.Switches {
		w.String(string(s.From))
		w.String(string(s.To))
		writeTime(w, s.At)
		w.Bool(s.ToHuman)
	}
	w.Uint(uint64(j.Contacts))
	w.Uint(uint64(j.Handoffs))
	w.Uint(uint64(j.Transfers))
	w.Uint(uint64(len(j.Facts)))
	for _, f := range j.Facts {
		w.String(f.Key)
		w.String(f.Value)
		w.String(string(f.Channel))
		writeTime(w, f.Time)
		w.Bool(f.Verified)
		w.String(f.EventID)
	}
	w.Uint(uint64(len(j.Attempts)))
	for _, a := range j.Attempts {
		w.String(a.Name)
		w.String(string(a.Outcome))
		w.String(string(a.Actor.Kind))
		w.String(a.Actor.ID)
		w.String(string(a.Channel))
		writeTime(w, a.Time)
		w.String(a.EventID)
	}
	w.Uint(uint64(len(j.RepeatAsks)))
	for _, a := range j.RepeatAsks {
		w.String(a.Key)
		w.String(string(a.Channel))
		writeTime(w, a.Time)
		w.String(a.EventID)
		writeTime(w, a.Provided)
	}
	w.String(string(j.ResolvedBy))
	w.Uint(uint64(j.Reopened))
	writePacked(w, j.Events)
	w.Bool(j.HumanInvolved)
	w.Uint(uint64(len(j.ContactLog)))
	for _, c := range j.ContactLog {
		w.String(string(c.Channel))
		writeTime(w, c.Start)
		w.String(c.EventID)
	}
	w.Uint(uint64(len(j.handoffs.Waiting)))
	for _, h := range j.handoffs.Waiting {
		w.String(h.ID)
		writeTime(w, h.At)
		w.String(string(h.From.Kind))
		w.String(h.From.ID)
	}
	writeTime(w, b.last)
	w.String(string(b.lastChannel))
	w.Uint(uint64(len(b.provided)))
	for _, k := range slices.Sorted(maps.Keys(b.provided)) {
		w.String(k)
		writeTime(w, b.provided[k])
	}
	w.Bool(b.awaitReply)
	w.Uint(uint64(b.openSwitch))
}

// decodeBuilding reads a building, in as much detail as d says; packedOK
// is false if its event list does not decode (other errors are the
// reader's).
func decodeBuilding(r *enc.Reader, c identity.CustomerID, d detail) (b *building, packedOK bool) {
	b = &building{Journey: Journey{Customer: c}}
	j := &b.Journey
	j.ID, j.Intent, j.Case, j.State = r.String(), r.String(), r.String(), State(r.String())
	j.Start, j.End = readTime(r), readTime(r)
	j.Channels = readChannels(r)
	j.Switches = readListUnless(d == forBrief, r, func() Switch {
		return Switch{From: timeline.Channel(r.String()), To: timeline.Channel(r.String()), At: readTime(r), ToHuman: r.Bool()}
	})
	j.Contacts, j.Handoffs, j.Transfers = int(r.Uint()), int(r.Uint()), int(r.Uint())
	j.Facts = readListUnless(d == forBrief, r, func() ProvidedFact {
		return ProvidedFact{Key: r.String(), Value: r.String(), Channel: timeline.Channel(r.String()),
			Time: readTime(r), Verified: r.Bool(), EventID: r.String()}
	})
	j.Attempts = readList(r, func() Attempt {
		return Attempt{Name: r.String(), Outcome: timeline.Outcome(r.String()),
			Actor: timeline.Actor{Kind: timeline.ActorKind(r.String()), ID: r.String()}, Channel: timeline.Channel(r.String()),
			Time: readTime(r), EventID: r.String()}
	})
	j.RepeatAsks = readList(r, func() RepeatAsk {
		return RepeatAsk{Key: r.String(), Channel: timeline.Channel(r.String()), Time: readTime(r),
			EventID: r.String(), Provided: readTime(r)}
	})
	j.ResolvedBy, j.Reopened = timeline.ActorKind(r.String()), int(r.Uint())
	j.Events, packedOK = readPacked(r)
	j.HumanInvolved = r.Bool()
	j.ContactLog = readListUnless(d == forBrief, r, func() Contact {
		return Contact{Channel: timeline.Channel(r.String()), Start: readTime(r), EventID: r.String()}
	})
	j.handoffs.Waiting = readList(r, func() WaitingHandoff {
		return WaitingHandoff{ID: r.String(), At: readTime(r), From: timeline.Actor{Kind: timeline.ActorKind(r.String()), ID: r.String()}}
	})
	b.last, b.lastChannel = readTime(r), timeline.Channel(r.String())
	n := r.Count()
	if d == forAppend { // the grouper's working state, which reads do not run
		b.provided = make(map[string]time.Time, n)
	}
	for ; n > 0; n-- {
		k, at := r.String(), readTime(r)
		if b.provided != nil {
			b.provided[k] = at
		}
	}
	b.awaitReply, b.openSwitch = r.Bool(), int(r.Uint())
	return b, packedOK
}

// readList decodes a counted list, one item call per element; nil when
// empty, as the grouper leaves it.
func readList[T any](r *enc.Reader, item func() T) []T {
	return readListUnless(false, r, item)
}

// readListUnless is readList, or with skip reads past the list and
// returns nil.
func readListUnless[T any](skip bool, r *enc.Reader, item func() T) []T {
	n := r.Count()
	if n == 0 {
		return nil
	}
	if skip {
		for ; n > 0; n-- {
			item() // with a shared reader, reading a string allocates nothing
		}
		return nil
	}
	out := make([]T, n)
	for i := range out {
		out[i] = item()
	}
	return out
}

// writePacked writes a list of strings as one string field holding the
// count and each length-prefixed string, so that reading the list back
// allocates once: event IDs are the bulk of a journey record.
func writePacked(w *enc.Writer, ss []string) {
	var inner enc.Writer
	inner.Strings(ss)
	w.Bytes(inner.B)
}

// readPacked reads what writePacked wrote; the strings share one
// allocation. An empty list is nil, as the grouper leaves it; ok is false
// for bytes writePacked did not write.
func readPacked(r *enc.Reader) (list []string, ok bool) {
	s := r.String()
	if s == "" {
		return nil, true // no field: an old or truncated record, which the reader reports
	}
	n, ok := packedUint(&s)
	if !ok || n > uint64(len(s)) {
		return nil, false
	}
	if n == 0 {
		return nil, s == ""
	}
	out := make([]string, n)
	for i := range out {
		l, ok := packedUint(&s)
		if !ok || l > uint64(len(s)) {
			return nil, false
		}
		out[i], s = s[:l], s[l:]
	}
	return out, s == ""
}

// packedUint reads a uvarint from the front of *s.
func packedUint(s *string) (uint64, bool) {
	v, k := binary.Uvarint([]byte((*s)[:min(len(*s), binary.MaxVarintLen64)]))
	if k <= 0 {
		return 0, false
	}
	*s = (*s)[k:]
	return v, true
}

// writeTime writes Unix nanoseconds, as the timeline stores event times.
func writeTime(w *enc.Writer, t time.Time) {
	if t.IsZero() {
		w.Int(0)
		return
	}
	w.Int(t.UnixNano())
}

func readTime(r *enc.Reader) time.Time {
	n := r.Int()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func writeChannels(w *enc.Writer, cs []timeline.Channel) {
	w.Uint(uint64(len(cs)))
	for _, c := range cs {
		w.String(string(c))
	}
}

func readChannels(r *enc.Reader) []timeline.Channel {
	return readList(r, func() timeline.Channel { return timeline.Channel(r.String()) })
}
