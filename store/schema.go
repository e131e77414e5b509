package store

import "github.com/threadline/threadline/internal/keys"

// Key schema
//
// Every key starts with one table byte; the components after it are encoded
// by package internal/keys, each with a tag byte:
//
//	bytes   0x12 <bytes, 0x00 escaped as 0x00 0xFF> 0x00 0x01
//	uint    0x15 <8 bytes big-endian>
//	int     0x16 <8 bytes big-endian, sign bit flipped>
//
// so byte order equals the order of the tuples (strings compare bytewise,
// integers numerically) and a prefix of components is a key range. Times are
// int components holding Unix nanoseconds. Values are owned by the package
// named: the store only sees bytes.
//
// The tables (keep this list in step with internal/keys.Tables; a test
// checks that every table appears here):
//
//	0x01 meta      owner store
//	     key:   0x01 name:bytes
//	     value: per record; "version" holds the format version, uint64 BE.
//
// New tables are added here, in internal/keys, and nowhere else.

// FormatKey renders an encoded key for humans, e.g. in test output:
// "/meta/version". Keys that do not decode print their undecodable tail as
// hex.
func FormatKey(key []byte) string { return keys.Format(key) }
