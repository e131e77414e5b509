package identity

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// CustomerID identifies a customer. IDs are handed out in increasing order,
// so a smaller ID is an older customer. Printed as "c42".
type CustomerID uint64

func (c CustomerID) String() string { return "c" + strconv.FormatUint(uint64(c), 10) }

// ParseCustomerID parses the form printed by String ("c42") or a bare
// number.
func ParseCustomerID(s string) (CustomerID, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "c"), 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%w: customer ID %q", ErrNotFound, s)
	}
	return CustomerID(n), nil
}

// LinkID identifies a link. Printed as "l7".
type LinkID uint64

func (l LinkID) String() string { return "l" + strconv.FormatUint(uint64(l), 10) }

// ObservationID identifies one call to Observe. Printed as "o3".
type ObservationID uint64

func (o ObservationID) String() string { return "o" + strconv.FormatUint(uint64(o), 10) }

// ConflictID identifies a recorded conflict. Printed as "x5".
type ConflictID uint64

func (x ConflictID) String() string { return "x" + strconv.FormatUint(uint64(x), 10) }

// Sequence names (store.NextSequence).
const (
	seqCustomer    = "identity.customer"
	seqIdentifier  = "identity.identifier"
	seqLink        = "identity.link"
	seqObservation = "identity.observation"
	seqConflict    = "identity.conflict"
	seqHistory     = "identity.history"
)

// Key builders. The layouts are listed in the store package's key schema.
// Each sizes its key up front, so that building one costs one allocation.

func identKey(id Identifier) []byte {
	return keys.NewCap(keys.Ident, 2*keys.StringOverhead+len(id.Kind)+len(id.Value)).String(string(id.Kind)).String(id.Value)
}
func custKey(c CustomerID) []byte { return keys.NewCap(keys.Customer, keys.IntSize).Uint(uint64(c)) }
func memberPrefix(c CustomerID) []byte {
	return keys.New(keys.Member).Uint(uint64(c))
}
func memberKey(c CustomerID, id Identifier) []byte {
	return keys.NewCap(keys.Member, keys.IntSize+2*keys.StringOverhead+len(id.Kind)+len(id.Value)).
		Uint(uint64(c)).String(string(id.Kind)).String(id.Value)
}
func aliasKey(c CustomerID) []byte { return keys.New(keys.Alias).Uint(uint64(c)) }
func aliasRevPrefix(survivor CustomerID) []byte {
	return keys.New(keys.AliasRev).Uint(uint64(survivor))
}
func aliasRevKey(survivor, absorbed CustomerID) []byte {
	return keys.Key(aliasRevPrefix(survivor)).Uint(uint64(absorbed))
}
func linkKey(l LinkID) []byte { return keys.NewCap(keys.Link, keys.IntSize).Uint(uint64(l)) }
func adjPrefix(id Identifier) []byte {
	return keys.New(keys.Adjacency).String(id.String())
}
func adjKey(a, b Identifier) []byte {
	n := 2*keys.StringOverhead + len(a.Kind) + len(a.Value) + len(b.Kind) + len(b.Value) + 2
	return keys.NewCap(keys.Adjacency, n).String(a.String()).String(b.String())
}
func obsLinkPrefix(o ObservationID) []byte {
	return keys.New(keys.ObsLink).Uint(uint64(o))
}
func sourceLinkPrefix(src string) []byte { return keys.New(keys.SourceLink).String(src) }
func obsLinkKey(o ObservationID, l LinkID) []byte {
	return keys.NewCap(keys.ObsLink, 2*keys.IntSize).Uint(uint64(o)).Uint(uint64(l))
}
func sourceLinkKey(src string, l LinkID) []byte {
	return keys.NewCap(keys.SourceLink, keys.StringOverhead+len(src)+keys.IntSize).String(src).Uint(uint64(l))
}
func conflictKey(x ConflictID) []byte { return keys.New(keys.Conflict).Uint(uint64(x)) }
func conflictDedupKey(g Guard, held Identifier, other string) []byte {
	return keys.New(keys.ConflictKey).String(string(g)).String(held.String()).String(other)
}
func conflictRefPrefix(id Identifier) []byte {
	return keys.New(keys.ConflictRef).String(id.String())
}
func historyPrefix(c CustomerID) []byte { return keys.New(keys.History).Uint(uint64(c)) }
func historyKey(c CustomerID, n uint64) []byte {
	return keys.NewCap(keys.History, 2*keys.IntSize).Uint(uint64(c)).Uint(n)
}
func attrPrefix(id Identifier) []byte { return keys.New(keys.Attribute).String(id.String()) }
func consentPrefix(id Identifier) []byte {
	return keys.New(keys.Consent).String(id.String())
}

// prefixRange returns iterator bounds covering every key under prefix.
func prefixRange(prefix []byte) *store.IterOptions {
	return &store.IterOptions{LowerBound: prefix, UpperBound: keys.PrefixEnd(prefix)}
}

// identRec is the value under identKey.
type identRec struct {
	Cust           CustomerID
	Seq            uint64 // first-seen order across the store
	First, Last    int64  // Unix nanoseconds
	Seen           uint64 // observations that included it
	Verified       bool
	VerifiedSource string
	VerifiedAt     int64
}

func (r *identRec) encode() []byte {
	var w enc.Writer
	w.Uint(uint64(r.Cust))
	w.Uint(r.Seq)
	w.Int(r.First)
	w.Int(r.Last)
	w.Uint(r.Seen)
	w.Bool(r.Verified)
	w.String(r.VerifiedSource)
	w.Int(r.VerifiedAt)
	return w.B
}

func decodeIdent(b []byte) (identRec, error) {
	r := enc.NewReader(b)
	v := identRec{
		Cust: CustomerID(r.Uint()), Seq: r.Uint(), First: r.Int(), Last: r.Int(),
		Seen: r.Uint(), Verified: r.Bool(), VerifiedSource: r.String(), VerifiedAt: r.Int(),
	}
	return v, corrupt("identifier", r.Err())
}

// custRec is the value under custKey.
type custRec struct {
	Created, Updated int64
	Strong           uint32            // strong identifiers
	Size             uint32            // all identifiers
	Groups           map[string]uint32 // identifiers per limit group, for limited kinds
}

func (r *custRec) encode() []byte {
	var w enc.Writer
	w.Int(r.Created)
	w.Int(r.Updated)
	w.Uint(uint64(r.Strong))
	w.Uint(uint64(r.Size))
	w.Uint(uint64(len(r.Groups)))
	for _, g := range slices.Sorted(maps.Keys(r.Groups)) {
		w.String(g)
		w.Uint(uint64(r.Groups[g]))
	}
	return w.B
}

func decodeCust(b []byte) (custRec, error) {
	r := enc.NewReader(b)
	v := custRec{Created: r.Int(), Updated: r.Int(), Strong: uint32(r.Uint()), Size: uint32(r.Uint())}
	n := r.Uint()
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		if v.Groups == nil {
			v.Groups = map[string]uint32{}
		}
		g := r.String()
		v.Groups[g] = uint32(r.Uint())
	}
	return v, corrupt("customer", r.Err())
}

// linkRec is the value under linkKey.
type linkRec struct {
	A, B        Identifier
	Rule        string
	Source      string
	Obs         ObservationID
	Time        int64
	Verified    bool
	Score       float64
	Comparisons []string // per-field comparison levels of a probabilistic link
	Reviewer    string
}

func (r *linkRec) encode() []byte {
	var w enc.Writer
	w.String(r.A.String())
	w.String(r.B.String())
	w.String(r.Rule)
	w.String(r.Source)
	w.Uint(uint64(r.Obs))
	w.Int(r.Time)
	w.Bool(r.Verified)
	w.Float(r.Score)
	w.Strings(r.Comparisons)
	w.String(r.Reviewer)
	return w.B
}

func decodeLink(b []byte) (linkRec, error) {
	r := enc.NewReader(b)
	a, _ := Parse(r.String())
	bb, _ := Parse(r.String())
	v := linkRec{A: a, B: bb, Rule: r.String(), Source: r.String(), Obs: ObservationID(r.Uint()),
		Time: r.Int(), Verified: r.Bool(), Score: r.Float(), Comparisons: r.Strings(), Reviewer: r.String()}
	return v, corrupt("link", r.Err())
}

// histRec is the value under a history key.
type histRec struct {
	Type     ChangeType
	Time     int64
	Obs      ObservationID
	Others   []CustomerID
	Links    []LinkID
	Guard    Guard
	Conflict ConflictID
	Note     string
}

func (r *histRec) encode() []byte {
	var w enc.Writer
	w.String(string(r.Type))
	w.Int(r.Time)
	w.Uint(uint64(r.Obs))
	w.Uint(uint64(len(r.Others)))
	for _, c := range r.Others {
		w.Uint(uint64(c))
	}
	w.Uint(uint64(len(r.Links)))
	for _, l := range r.Links {
		w.Uint(uint64(l))
	}
	w.String(string(r.Guard))
	w.Uint(uint64(r.Conflict))
	w.String(r.Note)
	return w.B
}

func decodeHist(b []byte) (histRec, error) {
	r := enc.NewReader(b)
	v := histRec{Type: ChangeType(r.String()), Time: r.Int(), Obs: ObservationID(r.Uint())}
	for n := r.Uint(); n > 0 && r.Err() == nil; n-- {
		v.Others = append(v.Others, CustomerID(r.Uint()))
	}
	for n := r.Uint(); n > 0 && r.Err() == nil; n-- {
		v.Links = append(v.Links, LinkID(r.Uint()))
	}
	v.Guard, v.Conflict, v.Note = Guard(r.String()), ConflictID(r.Uint()), r.String()
	return v, corrupt("history", r.Err())
}

func corrupt(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("identity: corrupt %s record: %w", what, err)
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// getRec reads key and decodes it; found is false for a missing key.
func getRec[T any](r reader, key []byte, dec func([]byte) (T, error)) (v T, found bool, err error) {
	b, err := r.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	v, err = dec(b)
	return v, err == nil, err
}
