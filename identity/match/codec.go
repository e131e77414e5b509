package match

import (
	"fmt"

	"github.com/threadline/threadline/internal/enc"
)

// preparedVersion is the first byte of an encoded [Prepared]; a change to
// the encoding, or to what Prepare makes of a record, takes a new one.
const preparedVersion = 1

// AppendBinary appends p's binary encoding to b: the normalized fields, so
// that a store can keep a record prepared and compare it again without
// preparing it again (see [Prepared.UnmarshalBinary]). The encoding is
// stable: a store may keep it.
//
// The layout is a version byte (1), then length-prefixed strings (given
// name, family name, Soundex code, address, city, postcode, region, email
// local part, phone digits, exclusive value), then the birth date: a byte
// 1 if it parsed, and year, month and day as signed varints. The error is
// always nil; it is there for [encoding.BinaryAppender].
func (p *Prepared) AppendBinary(b []byte) ([]byte, error) {
	w := enc.Writer{B: append(b, preparedVersion)}
	for _, s := range [...]string{p.given, p.family, p.soundex, p.address, p.city, p.postcode, p.region,
		p.email, p.phone, p.exclusive} {
		w.String(s)
	}
	w.Bool(p.dob.ok)
	w.Int(int64(p.dob.y))
	w.Int(int64(p.dob.m))
	w.Int(int64(p.dob.d))
	return w.B, nil
}

// UnmarshalBinary sets p, which must not be in use by another goroutine,
// to the record that [Prepared.AppendBinary] encoded in b. The strings of
// the result share one copy of b. An encoding that does not decode returns
// an error wrapping [ErrCorrupt] and leaves p unchanged.
func (p *Prepared) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != preparedVersion {
		return fmt.Errorf("%w: prepared record version", ErrCorrupt)
	}
	r := enc.NewSharedReader(b)
	r.Bool() // the version byte, checked above
	var q Prepared
	for _, s := range [...]*string{&q.given, &q.family, &q.soundex, &q.address, &q.city, &q.postcode, &q.region,
		&q.email, &q.phone, &q.exclusive} {
		*s = r.String()
	}
	q.dob.ok = r.Bool()
	q.dob.y, q.dob.m, q.dob.d = int16(r.Int()), int16(r.Int()), int16(r.Int())
	if r.Err() != nil {
		return fmt.Errorf("%w: prepared record: %w", ErrCorrupt, r.Err())
	}
	*p = q
	return nil
}
