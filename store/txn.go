package store

// kv is the per-transaction contract a back end implements. Keys and values
// passed in may be reused by the caller after the call returns.
type kv interface {
	get(key []byte) ([]byte, error) // a copy owned by the caller; ErrNotFound when absent
	set(key, value []byte) error
	del(key []byte) error
	delRange(start, end []byte) error
	iter(lower, upper []byte) (cursor, error)
	writable() bool
}

// cursor is the iterator contract a back end implements; *pebble.Iterator
// satisfies it as is.
type cursor interface {
	First() bool
	Last() bool
	Next() bool
	Prev() bool
	SeekGE(key []byte) bool
	SeekLT(key []byte) bool
	Valid() bool
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}

// Txn is a transaction: read-write inside [DB.Update], read-only inside
// [DB.View]. Reads see the transaction's own writes. A Txn is valid only
// inside the closure it was passed to, and is not safe for concurrent use.
type Txn struct {
	kv       kv
	onCommit []func()
}

// OnCommit registers f to run once the transaction has committed (durably,
// unless NoSync), before Update returns. Across transactions of this
// process, OnCommit functions run in commit order, which makes them the
// place to hand committed changes to an in-process queue. (On PostgreSQL,
// where transactions commit concurrently, the order is that of every
// dependency: a transaction that read or overwrote another's writes runs
// its functions after the other's; see commitOrder.) They run inside the store's
// commit pipeline: keep them short, and never call the store from one. If
// the transaction rolls back, or its closure is run again, f is dropped.
// In a View, f is never called.
func (t *Txn) OnCommit(f func()) { t.onCommit = append(t.onCommit, f) }

// Writable reports whether the transaction may write.
func (t *Txn) Writable() bool { return t.kv.writable() }

// Get returns a copy of the value stored under key, or [ErrNotFound].
func (t *Txn) Get(key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, ErrInvalidKey
	}
	return t.kv.get(key)
}

// Has reports whether key exists.
func (t *Txn) Has(key []byte) (bool, error) {
	if len(key) == 0 {
		return false, ErrInvalidKey
	}
	_, err := t.kv.get(key)
	switch err {
	case nil:
		return true, nil
	case ErrNotFound:
		return false, nil
	}
	return false, err
}

// Set stores value under key, replacing any previous value. The store keeps
// its own copy of both.
func (t *Txn) Set(key, value []byte) error {
	if err := t.checkWrite(key); err != nil {
		return err
	}
	return t.kv.set(key, value)
}

// Delete removes key. Deleting a missing key is not an error.
func (t *Txn) Delete(key []byte) error {
	if err := t.checkWrite(key); err != nil {
		return err
	}
	return t.kv.del(key)
}

// DeleteRange removes every key k with start <= k < end; end must be
// greater than start.
func (t *Txn) DeleteRange(start, end []byte) error {
	if err := t.checkWrite(start); err != nil {
		return err
	}
	if string(end) <= string(start) {
		return ErrInvalidKey
	}
	return t.kv.delRange(start, end)
}

func (t *Txn) checkWrite(key []byte) error {
	if !t.kv.writable() {
		return ErrReadOnly
	}
	if len(key) == 0 {
		return ErrInvalidKey
	}
	return nil
}

// IterOptions bounds an iteration. A nil bound is unbounded.
type IterOptions struct {
	// LowerBound is inclusive.
	LowerBound []byte
	// UpperBound is exclusive.
	UpperBound []byte
}

// NewIter returns a cursor over the keys within opts' bounds (nil means the
// whole store), positioned nowhere: call First, Last, SeekGE or SeekLT
// before reading. The iterator sees the transaction's own writes made before
// it was created; whether it sees later ones is unspecified. Close it
// before the transaction's closure returns.
func (t *Txn) NewIter(opts *IterOptions) *Iterator {
	var lo, hi []byte
	if opts != nil {
		lo, hi = opts.LowerBound, opts.UpperBound
	}
	c, err := t.kv.iter(lo, hi)
	return &Iterator{c: c, err: err}
}

// Iterator is a cursor over a range of keys, in ascending byte order going
// forward. Errors surface through [Iterator.Error] and [Iterator.Close]; a
// positioning method returns false both at the end and on error.
//
// Key and Value return slices valid only until the next positioning call;
// copy them to keep them. An Iterator is not safe for concurrent use.
type Iterator struct {
	c   cursor
	err error
}

func (it *Iterator) ok() bool { return it.err == nil && it.c != nil }

// First moves to the first key and reports whether it exists.
func (it *Iterator) First() bool { return it.ok() && it.c.First() }

// Last moves to the last key and reports whether it exists.
func (it *Iterator) Last() bool { return it.ok() && it.c.Last() }

// Next moves to the following key.
func (it *Iterator) Next() bool { return it.ok() && it.c.Next() }

// Prev moves to the preceding key.
func (it *Iterator) Prev() bool { return it.ok() && it.c.Prev() }

// SeekGE moves to the first key >= key.
func (it *Iterator) SeekGE(key []byte) bool { return it.ok() && it.c.SeekGE(key) }

// SeekLT moves to the last key < key.
func (it *Iterator) SeekLT(key []byte) bool { return it.ok() && it.c.SeekLT(key) }

// Valid reports whether the iterator is positioned at a key.
func (it *Iterator) Valid() bool { return it.ok() && it.c.Valid() }

// Key returns the current key.
func (it *Iterator) Key() []byte { return it.c.Key() }

// Value returns the current value.
func (it *Iterator) Value() []byte { return it.c.Value() }

// Error returns the error, if any, that stopped iteration.
func (it *Iterator) Error() error {
	if it.err != nil {
		return it.err
	}
	if it.c == nil {
		return nil
	}
	return engineErr("iterate", it.c.Error())
}

// Close releases the iterator and returns its error, if any. Closing twice
// is safe.
func (it *Iterator) Close() error {
	err := it.Error()
	if it.c != nil {
		if cerr := it.c.Close(); err == nil {
			err = engineErr("close iterator", cerr)
		}
		it.c = nil
	}
	return err
}
