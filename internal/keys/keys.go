// Package keys encodes store keys so that byte order equals logical order.
//
// A key is a one-byte table prefix (see [Table]) followed by a tuple of
// components. Every component starts with a tag byte, so a key can be
// decoded and printed without knowing its schema:
//
//	tagBytes  0x12  raw bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x01
//	tagUint   0x15  8 bytes, big-endian
//	tagInt    0x16  8 bytes, big-endian, sign bit flipped
//
// The escape keeps byte strings ordered and self-delimiting: 0x00 0x01 sorts
// below any escaped byte, so "ab" < "ab\x00" < "abc", and a tuple ("a","b")
// sorts below ("ab"). Flipping the sign bit of an int64 makes negative values
// sort below positive ones. Timestamps are encoded as Int (Unix nanoseconds).
//
// The store package's key-schema document lists each table's layout and owner.
package keys

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

const (
	tagBytes byte = 0x12
	tagUint  byte = 0x15
	tagInt   byte = 0x16

	escape     byte = 0x00
	escaped00  byte = 0xFF
	terminator byte = 0x01
)

// ErrCorrupt is returned when bytes do not decode as a key component.
var ErrCorrupt = errors.New("keys: corrupt key")

// Key is an encoded key under construction. The zero value is empty;
// append components with the methods below. A Key is not safe for
// concurrent use.
type Key []byte

// New starts a key in the given table.
func New(t Table) Key { return Key{byte(t)} }

// Sizes of components besides their content, for sizing keys with
// [NewCap]: a string takes StringOverhead bytes besides its own (when it
// holds no 0x00 byte), a Uint or Int takes IntSize.
const (
	StringOverhead = 3 // tag and terminator
	IntSize        = 9 // tag and 8 bytes
)

// NewCap starts a key in the given table with room for n bytes.
func NewCap(t Table, n int) Key {
	k := make(Key, 1, n+1)
	k[0] = byte(t)
	return k
}

// Bytes appends an ordered, self-delimiting byte string.
func (k Key) Bytes(b []byte) Key {
	k = append(k, tagBytes)
	for _, c := range b {
		if c == escape {
			k = append(k, escape, escaped00)
			continue
		}
		k = append(k, c)
	}
	return append(k, escape, terminator)
}

// String appends s as [Key.Bytes] does.
func (k Key) String(s string) Key {
	k = append(k, tagBytes)
	for i := 0; i < len(s); i++ {
		if s[i] == escape {
			k = append(k, escape, escaped00)
			continue
		}
		k = append(k, s[i])
	}
	return append(k, escape, terminator)
}

// Uint appends v in big-endian order.
func (k Key) Uint(v uint64) Key {
	k = append(k, tagUint)
	return binary.BigEndian.AppendUint64(k, v)
}

// Int appends v so that negative values sort first.
func (k Key) Int(v int64) Key {
	k = append(k, tagInt)
	return binary.BigEndian.AppendUint64(k, uint64(v)^(1<<63))
}

// PrefixEnd returns the smallest key greater than every key that starts with
// prefix, for use as an exclusive upper bound. It returns nil when no such key
// exists (prefix is empty or all 0xFF), meaning "unbounded".
func PrefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// Decoder reads components back out of a key, in order. Errors are sticky:
// after the first one every call returns a zero value and [Decoder.Err]
// reports it.
type Decoder struct {
	b   []byte
	err error
}

// NewDecoder decodes the components of key after its table byte.
func NewDecoder(key []byte) *Decoder {
	if len(key) == 0 {
		return &Decoder{err: fmt.Errorf("%w: empty key", ErrCorrupt)}
	}
	return &Decoder{b: key[1:]}
}

// NewSuffixDecoder decodes components from the middle of a key: b starts at
// a component boundary (for example, a key with a known prefix cut off).
func NewSuffixDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// TableOf returns the table byte of an encoded key, or 0 for an empty key.
func TableOf(key []byte) Table {
	if len(key) == 0 {
		return 0
	}
	return Table(key[0])
}

// Err returns the first decoding error.
func (d *Decoder) Err() error { return d.err }

// Done reports whether every component has been read.
func (d *Decoder) Done() bool { return d.err == nil && len(d.b) == 0 }

// Rest returns the undecoded remainder.
func (d *Decoder) Rest() []byte { return d.b }

func (d *Decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
	d.b = nil
}

func (d *Decoder) expect(tag byte) bool {
	if d.err != nil {
		return false
	}
	if len(d.b) == 0 {
		d.fail("missing component")
		return false
	}
	if d.b[0] != tag {
		d.fail("tag 0x%02x, want 0x%02x", d.b[0], tag)
		return false
	}
	d.b = d.b[1:]
	return true
}

// Bytes decodes a byte string into a new slice.
func (d *Decoder) Bytes() []byte {
	if !d.expect(tagBytes) {
		return nil
	}
	out := make([]byte, 0, len(d.b))
	for i := 0; i < len(d.b); i++ {
		c := d.b[i]
		if c != escape {
			out = append(out, c)
			continue
		}
		if i+1 >= len(d.b) {
			break
		}
		switch d.b[i+1] {
		case terminator:
			d.b = d.b[i+2:]
			return out
		case escaped00:
			out = append(out, 0)
			i++
		default:
			d.fail("bad escape 0x%02x", d.b[i+1])
			return nil
		}
	}
	d.fail("unterminated bytes")
	return nil
}

// String decodes a byte string as a string. The common case, no escaped
// 0x00 inside, costs one allocation.
func (d *Decoder) String() string {
	if len(d.b) > 0 && d.b[0] == tagBytes {
		if i := bytes.IndexByte(d.b[1:], escape) + 1; i > 0 && i+1 < len(d.b) && d.b[i+1] == terminator {
			s := string(d.b[1:i])
			d.b = d.b[i+2:]
			return s
		}
	}
	return string(d.Bytes())
}

// Uint decodes a big-endian uint64.
func (d *Decoder) Uint() uint64 {
	if !d.expect(tagUint) {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("short uint")
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// Int decodes a sign-flipped int64.
func (d *Decoder) Int() int64 {
	if !d.expect(tagInt) {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("short int")
		return 0
	}
	v := binary.BigEndian.Uint64(d.b) ^ (1 << 63)
	d.b = d.b[8:]
	return int64(v)
}

// Format renders a key for humans: the table name, then each component
// separated by '/'. Byte strings print quoted when they are not plain text.
// Undecodable keys print as hex after the part that decoded.
func Format(key []byte) string {
	if len(key) == 0 {
		return "/"
	}
	var sb strings.Builder
	sb.WriteString("/")
	sb.WriteString(TableOf(key).String())
	d := NewDecoder(key)
	for !d.Done() && d.Err() == nil {
		sb.WriteByte('/')
		switch d.b[0] {
		case tagBytes:
			sb.WriteString(printable(d.Bytes()))
		case tagUint:
			fmt.Fprintf(&sb, "%d", d.Uint())
		case tagInt:
			fmt.Fprintf(&sb, "%d", d.Int())
		default:
			fmt.Fprintf(&sb, "0x%x", d.b)
			d.b = nil
		}
	}
	if d.Err() != nil {
		sb.WriteString("!corrupt")
	}
	return sb.String()
}

func printable(b []byte) string {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '/' || c == '"' {
			return fmt.Sprintf("%q", b)
		}
	}
	return string(b)
}
