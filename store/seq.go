package store

import (
	"encoding/binary"
	"errors"

	"github.com/threadline/threadline/internal/keys"
)

// NextSequence increments the counter called name inside t and returns its
// new value; the first value is 1. Because the counter lives in the store,
// every process sharing the store agrees on it, and a rolled-back
// transaction hands out nothing.
func NextSequence(t *Txn, name string) (uint64, error) {
	k := keys.New(keys.Seq).String(name)
	v, err := t.Get(k)
	var n uint64
	switch {
	case err == nil && len(v) == 8:
		n = binary.BigEndian.Uint64(v)
	case err == nil:
		return 0, ErrEngine
	case !errors.Is(err, ErrNotFound):
		return 0, err
	}
	n++
	return n, t.Set(k, binary.BigEndian.AppendUint64(nil, n))
}
