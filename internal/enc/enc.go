// Package enc is the compact binary record encoding used for store values:
// varints, length-prefixed strings and bools appended in a fixed order per
// record type. It has no schema and no field tags: every record type has one
// encode and one decode function that list the fields in the same order, and
// new fields are appended at the end (decoders treat a clean end of input as
// zero values for the remaining fields, so old records stay readable).
package enc

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
)

// ErrCorrupt is returned when a record does not decode.
var ErrCorrupt = errors.New("enc: corrupt record")

// Writer appends fields to a byte slice. The zero value is ready to use.
type Writer struct{ B []byte }

// Uint appends an unsigned varint.
func (w *Writer) Uint(v uint64) { w.B = binary.AppendUvarint(w.B, v) }

// Int appends a signed varint.
func (w *Writer) Int(v int64) { w.B = binary.AppendVarint(w.B, v) }

// Bool appends one byte.
func (w *Writer) Bool(v bool) {
	if v {
		w.B = append(w.B, 1)
		return
	}
	w.B = append(w.B, 0)
}

// Float appends the IEEE-754 bits of v.
func (w *Writer) Float(v float64) { w.B = binary.LittleEndian.AppendUint64(w.B, math.Float64bits(v)) }

// String appends a length-prefixed string.
func (w *Writer) String(s string) {
	w.Uint(uint64(len(s)))
	w.B = append(w.B, s...)
}

// Bytes appends a length-prefixed byte slice.
func (w *Writer) Bytes(b []byte) {
	w.Uint(uint64(len(b)))
	w.B = append(w.B, b...)
}

// Strings appends a counted list of strings.
func (w *Writer) Strings(ss []string) {
	w.Uint(uint64(len(ss)))
	for _, s := range ss {
		w.String(s)
	}
}

// Reader reads fields back in the order they were written. Errors are
// sticky; reading past a clean end of input yields zero values without an
// error, so records written before a field was added still decode.
type Reader struct {
	b []byte
	// off is the read position in b. Reading advances an integer, not the
	// slice: a pointer write would cost a GC write barrier per field while
	// a collection runs.
	off int
	err error
	// whole is b as one string when strings share it (see
	// NewSharedReader).
	whole string
}

// NewReader reads from b. Every string read is a new allocation.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// NewSharedReader reads from b with one allocation for all strings: they
// are substrings of one copy of b, which stays alive as long as any of
// them does. For records whose strings live and die together.
func NewSharedReader(b []byte) *Reader { return &Reader{b: b, whole: string(b)} }

// Arena backs the readers of many small records that are read together:
// each record is copied into a shared block, so that a thousand records
// cost a few allocations rather than a thousand. A string read from a
// record keeps its whole block (a few kilobytes) alive. The zero value is
// ready to use; an Arena is not safe for concurrent use.
type Arena struct{ block strings.Builder }

// arenaBlock is the size of an arena's blocks.
const arenaBlock = 4 << 10

// NewReader is [NewSharedReader] with the copy of b in the arena.
func (a *Arena) NewReader(b []byte) *Reader { return &Reader{b: b, whole: a.copy(b)} }

func (a *Arena) copy(b []byte) string {
	if a.block.Cap()-a.block.Len() < len(b) {
		a.block = strings.Builder{} // earlier strings keep the old block
		a.block.Grow(max(len(b), arenaBlock))
	}
	start := a.block.Len()
	a.block.Write(b) // appends within capacity: bytes already handed out never move or change
	return a.block.String()[start:]
}

// Err returns the first decoding error.
func (r *Reader) Err() error { return r.err }

func (r *Reader) fail() {
	r.err = ErrCorrupt
	r.off = len(r.b)
}

// rest is the unread input.
func (r *Reader) rest() []byte { return r.b[r.off:] }

// Uint reads an unsigned varint.
func (r *Reader) Uint() uint64 {
	if r.off == len(r.b) {
		return 0
	}
	v, n := binary.Uvarint(r.rest())
	if n <= 0 {
		r.fail()
		return 0
	}
	r.off += n
	return v
}

// Int reads a signed varint.
func (r *Reader) Int() int64 {
	if r.off == len(r.b) {
		return 0
	}
	v, n := binary.Varint(r.rest())
	if n <= 0 {
		r.fail()
		return 0
	}
	r.off += n
	return v
}

// Bool reads one byte.
func (r *Reader) Bool() bool {
	if r.off == len(r.b) {
		return false
	}
	v := r.b[r.off]
	r.off++
	return v == 1
}

// Float reads IEEE-754 bits.
func (r *Reader) Float() float64 {
	if r.off == len(r.b) {
		return 0
	}
	if len(r.b)-r.off < 8 {
		r.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.rest()))
	r.off += 8
	return v
}

// Bytes reads a length-prefixed byte slice into a new slice.
func (r *Reader) Bytes() []byte {
	n := r.Uint()
	if n == 0 {
		return nil
	}
	if uint64(len(r.b)-r.off) < n {
		r.fail()
		return nil
	}
	out := append([]byte(nil), r.b[r.off:r.off+int(n)]...)
	r.off += int(n)
	return out
}

// String reads a length-prefixed string.
func (r *Reader) String() string {
	n := r.Uint()
	if uint64(len(r.b)-r.off) < n {
		r.fail()
		return ""
	}
	var s string
	if r.whole != "" {
		s = r.whole[r.off : r.off+int(n)]
	} else {
		s = string(r.b[r.off : r.off+int(n)])
	}
	r.off += int(n)
	return s
}

// Count reads the length of a list whose items each take at least one
// byte, and fails (returning 0) if fewer bytes remain, so a corrupt count
// cannot make a decoder loop or allocate without bound.
func (r *Reader) Count() int {
	n := r.Uint()
	if n > uint64(len(r.b)-r.off) {
		r.fail()
		return 0
	}
	return int(n)
}

// Strings reads a counted list of strings.
func (r *Reader) Strings() []string {
	n := r.Uint()
	if n > uint64(len(r.b)-r.off) { // each string takes at least one byte
		r.fail()
		return nil
	}
	var out []string
	for i := uint64(0); i < n && r.err == nil; i++ {
		out = append(out, r.String())
	}
	return out
}
