package store

import (
	"encoding/binary"
	"errors"

	"github.com/threadline/threadline/internal/keys"
)

// NextSequence increments the counter called name inside t and returns its
// new value; the first value is 1. Because the counter lives in the store,
// every process sharing the store agrees on it, and a rolled-back
// transaction hands out nothing. Numbers are unique and increasing but not
// always consecutive: the counter's key holds the top of a reserved block
// of numbers, so that most transactions need not write it, and after the
// store is reopened (or a commit failed) numbering goes on above that top,
// skipping the rest of the block (fewer than 256 numbers).
func NextSequence(t *Txn, name string) (uint64, error) {
	k := keys.NewCap(keys.Seq, len(name)+keys.StringOverhead).String(name)
	if s, ok := t.kv.(sequencer); ok {
		return s.nextSequence(k)
	}
	return readNextSequence(t.kv, k)
}

// sequencer is implemented by a kv that hands out sequence numbers more
// cheaply than a read and a write (see batchKV.nextSequence).
type sequencer interface {
	nextSequence(key []byte) (uint64, error)
}

// readSequence returns the last value of the counter stored under k.
func readSequence(kv kv, k []byte) (uint64, error) {
	v, err := kv.get(k)
	switch {
	case err == nil && len(v) == 8:
		return binary.BigEndian.Uint64(v), nil
	case err == nil:
		return 0, ErrEngine
	case !errors.Is(err, ErrNotFound):
		return 0, err
	}
	return 0, nil
}

// readNextSequence increments the counter under k by a read and a write.
func readNextSequence(kv kv, k []byte) (uint64, error) {
	n, err := readSequence(kv, k)
	if err != nil {
		return 0, err
	}
	n++
	if !kv.writable() {
		return 0, ErrReadOnly
	}
	return n, kv.set(k, binary.BigEndian.AppendUint64(nil, n))
}
