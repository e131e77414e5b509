package timeline

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// Keys (see the store package's key schema):
//
//	event:   0x20 identifier:bytes time:int event:bytes -> record
//	eventid: 0x21 event:bytes -> identifier, time, content hash
func eventPrefix(id identity.Identifier) []byte { return eventPrefixCap(id, 0) }

// eventPrefixCap is eventPrefix with room for extra more bytes, so that
// building a key on it costs one allocation.
func eventPrefixCap(id identity.Identifier, extra int) keys.Key {
	return keys.NewCap(keys.Event, len(id.Kind)+1+len(id.Value)+keys.StringOverhead+extra).String(id.String())
}

func eventKey(id identity.Identifier, at int64, eventID string) []byte {
	return eventPrefixCap(id, keys.IntSize+len(eventID)+keys.StringOverhead).Int(at).String(eventID)
}

func eventIDKey(eventID string) []byte {
	return keys.NewCap(keys.EventID, len(eventID)+keys.StringOverhead).String(eventID)
}

// encode writes every field but the time and identifiers, which the key
// holds.
func encodeEvent(e *Event) []byte {
	// Room for the strings and their lengths, so that the record is
	// written in one allocation.
	n := len(e.Channel) + len(e.Direction) + len(e.Actor.Kind) + len(e.Actor.ID) + len(e.Type) + len(e.Text) +
		len(e.Intent) + len(e.Case) + 64
	for _, f := range e.Facts {
		n += len(f.Key) + len(f.Value) + 4
	}
	for _, a := range e.Actions {
		n += len(a.Name) + len(a.Outcome) + 4
	}
	for k, v := range e.Attrs {
		n += len(k) + len(v) + 4
	}
	w := enc.Writer{B: make([]byte, 0, n)}
	w.String(string(e.Channel))
	w.String(string(e.Direction))
	w.String(string(e.Actor.Kind))
	w.String(e.Actor.ID)
	w.String(string(e.Type))
	w.String(e.Text)
	w.String(e.Intent)
	w.Bool(e.Sentiment != nil)
	if e.Sentiment != nil {
		w.Float(*e.Sentiment)
	}
	w.String(e.Case)
	w.Uint(uint64(len(e.Facts)))
	for _, f := range e.Facts {
		w.String(f.Key)
		w.String(f.Value)
	}
	w.Uint(uint64(len(e.Actions)))
	for _, a := range e.Actions {
		w.String(a.Name)
		w.String(string(a.Outcome))
	}
	w.Uint(uint64(len(e.Attrs)))
	if len(e.Attrs) > 0 {
		for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
			w.String(k)
			w.String(e.Attrs[k])
		}
	}
	w.Bool(e.Verified)
	return w.B
}

// decodeEvent reads an event record into e. Its strings are in arena, and
// the sentiment, when there is one, in *slab, which is grown in blocks:
// a read of many events does not allocate for each.
func decodeEvent(b []byte, e *Event, arena *enc.Arena, slab *[]float64) error {
	r := arena.NewReader(b)
	e.Channel, e.Direction = Channel(r.String()), Direction(r.String())
	e.Actor = Actor{Kind: ActorKind(r.String()), ID: r.String()}
	e.Type, e.Text, e.Intent = Type(r.String()), r.String(), r.String()
	if r.Bool() {
		if len(*slab) == cap(*slab) {
			*slab = make([]float64, 0, 64)
		}
		*slab = append(*slab, r.Float())
		e.Sentiment = &(*slab)[len(*slab)-1]
	}
	e.Case = r.String()
	for n := r.Uint(); n > 0 && r.Err() == nil; n-- {
		if e.Facts == nil {
			e.Facts = make([]Fact, 0, min(n, 64))
		}
		e.Facts = append(e.Facts, Fact{Key: r.String(), Value: r.String()})
	}
	for n := r.Uint(); n > 0 && r.Err() == nil; n-- {
		if e.Actions == nil {
			e.Actions = make([]Action, 0, min(n, 64))
		}
		e.Actions = append(e.Actions, Action{Name: r.String(), Outcome: Outcome(r.String())})
	}
	for n := r.Uint(); n > 0 && r.Err() == nil; n-- {
		if e.Attrs == nil {
			e.Attrs = map[string]string{}
		}
		k := r.String()
		e.Attrs[k] = r.String()
	}
	e.Verified = r.Bool()
	if err := r.Err(); err != nil {
		return fmt.Errorf("timeline: corrupt event record: %w", err)
	}
	return nil
}

// contentHash identifies an event's content: its record rec, the time and
// the canonical identifiers it was observed with, compared where order
// means nothing as sets. A redelivery that lists the identifiers, or facts
// and actions, in another order is the same event: identifiers are taken
// sorted and without repeats, facts sorted by key and actions by name.
// Facts of one key (and actions of one name) keep their order, since a
// later one means the newer value. Input already in that order hashes its
// own record, so only a reordered event is encoded twice.
func contentHash(e *Event, rec []byte, at int64, ids []identity.Identifier) []byte {
	byKey := func(a, b Fact) int { return strings.Compare(a.Key, b.Key) }
	byName := func(a, b Action) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(e.Facts, byKey) || !slices.IsSortedFunc(e.Actions, byName) {
		c := *e
		c.Facts, c.Actions = slices.Clone(e.Facts), slices.Clone(e.Actions)
		slices.SortStableFunc(c.Facts, byKey)
		slices.SortStableFunc(c.Actions, byName)
		rec = encodeEvent(&c)
	}
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id.String()
	}
	slices.Sort(names)
	names = slices.Compact(names)
	h := sha256.New()
	h.Write(rec)
	var w enc.Writer
	w.Int(at)
	for _, id := range names {
		w.String(id)
	}
	h.Write(w.B)
	return h.Sum(nil)
}

// indexRec is the value under eventIDKey.
type indexRec struct {
	anchor identity.Identifier
	at     int64
	hash   []byte
}

func (x *indexRec) encode() []byte {
	var w enc.Writer
	w.String(x.anchor.String())
	w.Int(x.at)
	w.Bytes(x.hash)
	return w.B
}

func decodeIndex(b []byte) (indexRec, error) {
	r := enc.NewReader(b)
	a, err := identity.Parse(r.String())
	x := indexRec{anchor: a, at: r.Int(), hash: r.Bytes()}
	if err != nil || r.Err() != nil {
		return x, fmt.Errorf("timeline: corrupt event index: %v %v", err, r.Err())
	}
	return x, nil
}

// decodeKey reads the time and event ID from an event key under prefix.
func decodeKey(key, prefix []byte) (int64, string, error) {
	d := keys.NewSuffixDecoder(key[len(prefix):])
	at, id := d.Int(), d.String()
	if d.Err() != nil {
		return 0, "", fmt.Errorf("timeline: corrupt event key %s: %w", store.FormatKey(key), d.Err())
	}
	return at, id, nil
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
