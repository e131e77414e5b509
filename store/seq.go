package store

import (
	"encoding/binary"
	"errors"

	"github.com/threadline/threadline/internal/keys"
)

// NextSequence increments the counter called name inside t and returns its
// new value. Because the counter lives in the store, every process sharing
// the store agrees on it. The contract, on every back end: numbers are
// positive, unique and increasing in the order they are drawn; they are
// not always consecutive (gaps are allowed), and on a shared back end the
// order numbers are drawn in need not be the order their transactions
// commit in. A caller that keeps "the oldest" of several numbered things
// (identity keeps the smallest customer ID on a merge) thus keeps the one
// numbered first, which is the same answer in every process.
//
// On Pebble the counter's key holds the top of a reserved block of
// numbers, so that most transactions need not write it; a rolled-back
// transaction hands out nothing, and after the store is reopened (or a
// commit failed) numbering goes on above that top, skipping the rest of
// the block (fewer than 256 numbers). On PostgreSQL each counter is a
// native sequence, created on first use, so that concurrent transactions
// never conflict on a counter: a number drawn by a transaction that rolls
// back, or is retried, is skipped.
func NextSequence(t *Txn, name string) (uint64, error) {
	k := keys.NewCap(keys.Seq, len(name)+keys.StringOverhead).String(name)
	if s, ok := t.kv.(sequencer); ok {
		return s.nextSequence(name, k)
	}
	return readNextSequence(t.kv, k)
}

// sequencer is implemented by a kv that hands out sequence numbers more
// cheaply than a read and a write (see batchKV.nextSequence).
type sequencer interface {
	nextSequence(name string, key []byte) (uint64, error)
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
