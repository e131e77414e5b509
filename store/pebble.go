package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/threadline/threadline/internal/keys"
)

// FormatVersion is the on-disk format this library writes and reads. It is
// stored at creation under the meta key "version"; opening a store written
// with another version fails with a [*VersionError].
//
// Version 2: the probabilistic matcher's block index holds each profile
// already prepared, ordered by name within a block (see the schema).
// Version 3: an observation's attributes are one record, not one per
// field, and the matcher's term statistics are one record, not one per
// field.
const FormatVersion uint64 = 3

var versionKey = keys.New(keys.Meta).String(keys.MetaVersion)

// rerunEnv names the environment variable that, set to 1 when a store is
// opened, makes it run every Update closure twice (see [Open]).
const rerunEnv = "THREADLINE_TEST_RERUN"

// Open opens the store in dir, creating it if needed. nil opts means
// defaults (see [Options]); an option it cannot use is an [*OptionError].
// With Options.InMemory dir is only a label.
//
// Test mode: when the environment variable THREADLINE_TEST_RERUN is 1 at
// Open, the store runs every Update closure twice, first into a batch it
// throws away, then for real, which proves the closures safe to rerun (see
// [DB.Update]). It costs the time of the extra run and is meant for test
// suites only.
func Open(dir string, opts *Options) (*DB, error) {
	o := opts.Clone()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if dir == "" && !o.InMemory {
		return nil, &OptionError{Field: "dir", Value: `""`, Reason: "empty directory (set InMemory for a store without one)"}
	}
	po := &pebble.Options{
		// Pebble charges its memtables to the block cache; add them so that
		// CacheSize bytes are left for data blocks (with the defaults, a
		// 64 MiB cache would otherwise hold no blocks at all).
		CacheSize:          o.CacheSize + 2*int64(o.MemTableSize),
		MemTableSize:       o.MemTableSize,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             engineLogger{o.Logger},
		Cleaner:            eraseCleaner{},
	}
	// Bloom filters spare point lookups of absent keys (every new
	// identifier, every new link) a trip through each level's index.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	if o.InMemory {
		po.FS = vfs.NewMem()
		if dir == "" {
			dir = "mem"
		}
	}
	pdb, err := pebble.Open(dir, po)
	if err != nil {
		return nil, engineErr("open", err)
	}
	be := &pebbleBackend{pdb: pdb, maxGroup: o.MaxGroupSize, write: pebble.Sync, onBatch: o.OnBatch,
		rerun: os.Getenv(rerunEnv) == "1"}
	if o.NoSync {
		be.write = pebble.NoSync
	}
	if err := be.checkVersion(); err != nil {
		_ = pdb.Close()
		return nil, err
	}
	return &DB{be: be}, nil
}

// engineLogger hands Pebble's messages to the Options' Logger, and turns
// its fatal errors, after which Pebble would exit the process, into a
// *FatalError panic (see FatalError for who recovers it).
type engineLogger struct{ l *slog.Logger }

func (e engineLogger) Infof(format string, args ...any) {
	e.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (e engineLogger) Errorf(format string, args ...any) {
	e.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

func (e engineLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	e.l.Error(msg, "component", "pebble", "fatal", true)
	panic(&FatalError{Message: msg})
}

// eraseCleaner deletes obsolete files, as Pebble's default cleaner does,
// and stops Pebble from recycling write-ahead logs. A recycled log is
// overwritten from its start, so until it was filled again its tail kept
// old records in full, data erased by Forget included, after Compact
// (found by internal/faulttest's erasure test).
//
// Pebble recycles no log when its cleaner needs the files' contents, which
// it asks of the cleaner's method set (the unexported method that
// ArchiveCleaner has): the embedded ArchiveCleaner, one level deeper than
// DeleteCleaner, contributes only that method, and DeleteCleaner's Clean,
// which removes the file, wins. Without recycling Pebble creates a new file
// for each log (one per memtable, 32 MiB by default), at a negligible cost.
type eraseCleaner struct {
	pebble.DeleteCleaner
	noRecycling
}

type noRecycling struct{ pebble.ArchiveCleaner }

// pebbleBackend implements backend over Pebble with group commit: the first
// Update caller to find no commit in progress becomes the leader, runs every
// queued closure in order on one indexed batch, commits the batch with one
// (synced) write, wakes the callers and hands leadership to the next queued
// caller. A failing closure's writes cannot be cut out of a shared batch, so
// the group is rerun without it; closures may therefore run more than once.
type pebbleBackend struct {
	pdb      *pebble.DB
	write    *pebble.WriteOptions
	maxGroup int
	onBatch  func(BatchInfo)
	rerun    bool // test mode: run each closure into a throwaway batch first

	mu      sync.Mutex
	queue   []*request
	leading bool // a leader is committing; invariant: !leading => queue empty

	// seqs caches the committed state of sequence counters (NextSequence)
	// by key, so that handing out a number costs neither a read nor, within
	// a reserved block, a write. It is correct because every write to this
	// store goes through this back end: Pebble locks its directory against
	// other processes and other opens in this one, and all writes go
	// through commitGroup. Only the leader touches it (leadership is handed
	// over under mu). A batch records the values it hands out in its own
	// overlay, merged in only once the batch has committed; a rerun batch
	// or a failed commit leaves seqs as it was (a failed commit clears it),
	// and a batch that writes a counter key other than through
	// NextSequence clears it.
	seqs map[string]seqState
}

// seqState is a counter: the last number handed out, and the number
// stored under its key, which is never below any number handed out.
type seqState struct{ last, limit uint64 }

// seqBlock is how many numbers a counter reserves with one write: its key
// stores the top of the block, so that the numbers below it need no write
// of their own. A restart (or a failed commit) forgets the unused rest of
// the block, so at most seqBlock-1 numbers are skipped each time.
const seqBlock = 256

// maxCachedSeqs bounds the sequence cache, in case some caller makes
// counters by the thousand.
const maxCachedSeqs = 1024

type request struct {
	ctx      context.Context
	fn       func(*Txn) error
	txn      Txn // the last run's; its OnCommit functions run after commit
	err      error
	panicVal any
	panicked bool
	wake     chan bool // true: lead the next group; false: done
}

func (b *pebbleBackend) checkVersion() error {
	v, closer, err := b.pdb.Get(versionKey)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		return engineErr("write version", b.pdb.Set(versionKey, binary.BigEndian.AppendUint64(nil, FormatVersion), pebble.Sync))
	case err != nil:
		return engineErr("read version", err)
	}
	defer closer.Close()
	return checkVersion(v)
}

func (b *pebbleBackend) update(ctx context.Context, fn func(*Txn) error) error {
	r := requestPool.Get().(*request)
	*r = request{ctx: ctx, fn: fn, wake: r.wake, txn: Txn{onCommit: r.txn.onCommit[:0]}}
	defer requestPool.Put(r) // its wake channel is empty again by now
	b.mu.Lock()
	b.queue = append(b.queue, r)
	lead := !b.leading
	b.leading = true
	b.mu.Unlock()
	if lead || <-r.wake {
		b.lead()
	}
	if r.panicked {
		p := r.panicVal
		*r = request{wake: r.wake, txn: Txn{onCommit: r.txn.onCommit[:0]}}
		panic(p)
	}
	err := r.err
	clear(r.txn.onCommit)
	*r = request{wake: r.wake, txn: Txn{onCommit: r.txn.onCommit[:0]}}
	return err
}

var requestPool = sync.Pool{New: func() any { return &request{wake: make(chan bool, 1)} }}

// lead commits one group, which always includes the leader's own request
// (it is first in the queue), then passes leadership on.
func (b *pebbleBackend) lead() {
	b.mu.Lock()
	n := min(len(b.queue), b.maxGroup)
	var buf [16]*request
	group := append(buf[:0], b.queue[:n]...)
	rest := copy(b.queue, b.queue[n:])
	clear(b.queue[rest:])
	b.queue = b.queue[:rest]
	b.mu.Unlock()

	b.commitGroup(group)

	b.mu.Lock()
	var next *request
	if len(b.queue) > 0 {
		next = b.queue[0]
	} else {
		b.leading = false
	}
	b.mu.Unlock()
	for _, r := range group[1:] {
		r.wake <- false
	}
	if next != nil {
		next.wake <- true
	}
}

func (b *pebbleBackend) commitGroup(group []*request) {
	// pending is compacted in place below; lead still needs group intact to
	// wake every member. Small groups are copied without allocating.
	var buf [16]*request
	pending := append(buf[:0], group...)
	if b.rerun {
		b.throwaway(pending)
	}
	for len(pending) > 0 {
		batch := b.pdb.NewIndexedBatch()
		k := &batchKV{b: batch, be: b}
		ran, failed := 0, -1
		for i, r := range pending {
			if err := r.ctx.Err(); err != nil {
				r.err = err // never ran: nothing to undo
				continue
			}
			if !r.run(k) {
				failed = i
				break
			}
			pending[ran] = r
			ran++
		}
		if failed >= 0 {
			// Rerun the closures that succeeded, plus those not reached,
			// without the one that failed.
			_ = batch.Close()
			pending = append(pending[:ran:ran], pending[failed+1:]...)
			continue
		}
		err := k.flushSeqs()
		if err == nil && !batch.Empty() {
			err = b.commit(batch)
			if err == nil && b.onBatch != nil {
				b.onBatch(BatchInfo{Updates: ran, Ops: int(batch.Count()), Bytes: batch.Len()})
			}
		}
		_ = batch.Close()
		b.commitSeqs(k, err)
		for _, r := range pending[:ran] {
			r.err = err
			if err == nil {
				for _, f := range r.txn.onCommit {
					f()
				}
			}
		}
		return
	}
}

// commit commits batch; the engine's fatal error comes back as an error,
// so that the group's callers all get it and leadership passes on.
func (b *pebbleBackend) commit(batch *pebble.Batch) (err error) {
	defer recoverFatal(&err)
	return engineErr("commit", batch.Commit(b.write))
}

// throwaway runs the group's closures into a batch it then discards, as a
// rerun after a failure would, with the closures' counters and OnCommit
// functions dropped. The outcomes are dropped too: the real run decides.
func (b *pebbleBackend) throwaway(group []*request) {
	batch := b.pdb.NewIndexedBatch()
	k := &batchKV{b: batch, be: b}
	for _, r := range group {
		if r.ctx.Err() == nil && !r.run(k) {
			r.err, r.panicked, r.panicVal = nil, false, nil
		}
	}
	_ = batch.Close()
}

// commitSeqs folds the counters a batch handed out into the sequence cache
// once the batch's commit returned err.
func (b *pebbleBackend) commitSeqs(k *batchKV, err error) {
	switch {
	case err != nil || k.seqDirty:
		clear(b.seqs)
	case len(k.seqs) > 0:
		if b.seqs == nil || len(b.seqs)+len(k.seqs) > maxCachedSeqs {
			b.seqs = make(map[string]seqState, len(k.seqs))
		}
		for key, n := range k.seqs {
			b.seqs[key] = n
		}
	}
}

// run calls the request's closure, reporting whether it succeeded. A
// failure (error or panic) is recorded on the request.
func (r *request) run(k kv) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked, r.panicVal = true, p
			ok = false
		}
	}()
	clear(r.txn.onCommit)
	r.txn = Txn{kv: k, onCommit: r.txn.onCommit[:0]}
	r.err = r.fn(&r.txn)
	return r.err == nil
}

func (b *pebbleBackend) view(ctx context.Context, fn func(kv) error) error {
	snap := b.pdb.NewSnapshot()
	defer snap.Close()
	return fn(snapKV{s: snap})
}

func (b *pebbleBackend) get(_ context.Context, key []byte) ([]byte, error) {
	return getCopy(b.pdb, key)
}

// compactSpans are range tombstones over the table bytes no table uses
// (0x00 and 0xff, see internal/keys.Tables). They delete nothing, but the
// file they are flushed into spans the whole key space, so compacting it
// overlaps, and so rewrites, every file below it down to the last level,
// where tombstones are dropped with the data they deleted.
var compactSpans = [][2][]byte{{{0x00}, {0x01}}, {{0xff}, {0xff, 0xff}}}

// maxCompactPasses bounds compact's passes: the second rewrites what the
// first moved; a third only helps when writes go on meanwhile.
const maxCompactPasses = 3

// compact rewrites every file until no tombstone is left. One pass can
// fall short: when nothing below a flushed file overlaps it, Pebble moves
// the file to the last level whole, tombstones included, and a tombstone
// holds the deleted key (an identifier) in full. The next pass rewrites
// that file.
func (b *pebbleBackend) compact(ctx context.Context) error {
	for pass := 1; ; pass++ {
		if err := b.rewrite(ctx); err != nil {
			return err
		}
		left, err := b.tombstones()
		if err != nil {
			return err
		}
		if left == 0 || pass == maxCompactPasses {
			break
		}
	}
	return b.awaitDeletions(ctx)
}

// rewrite flushes the memtables and compacts the whole key space.
func (b *pebbleBackend) rewrite(ctx context.Context) error {
	for _, r := range compactSpans {
		if err := b.pdb.DeleteRange(r[0], r[1], pebble.NoSync); err != nil {
			return engineErr("compact", err)
		}
	}
	if err := b.pdb.Flush(); err != nil {
		return engineErr("flush", err)
	}
	if err := b.pdb.Compact(ctx, []byte{0}, []byte{0xff, 0xff}, true); err != nil {
		return engineErr("compact", err)
	}
	return nil
}

// tombstones counts the point and range tombstones in the store's files.
func (b *pebbleBackend) tombstones() (uint64, error) {
	levels, err := b.pdb.SSTables(pebble.WithProperties())
	if err != nil {
		return 0, engineErr("list tables", err)
	}
	var n uint64
	for _, level := range levels {
		for _, t := range level {
			if t.Properties != nil {
				n += t.Properties.NumDeletions + t.Properties.NumRangeDeletions
			}
		}
	}
	return n, nil
}

// awaitDeletions waits until Pebble has deleted the tables that the
// compaction made obsolete: it deletes them in the background, a table
// still read by an iterator only once the iterator is closed. The logs the
// flush made obsolete go first: one background job deletes files in the
// order they became obsolete.
func (b *pebbleBackend) awaitDeletions(ctx context.Context) error {
	for wait := 100 * time.Microsecond; ; wait = min(2*wait, 20*time.Millisecond) {
		m := b.pdb.Metrics()
		if m.Table.ObsoleteCount == 0 && m.Table.ZombieCount == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (b *pebbleBackend) close() error { return engineErr("close", b.pdb.Close()) }

// pebbleReader is what Pebble's Batch and Snapshot have in common.
type pebbleReader interface {
	Get(key []byte) ([]byte, io.Closer, error)
	NewIter(*pebble.IterOptions) (*pebble.Iterator, error)
}

func getCopy(r pebbleReader, key []byte) ([]byte, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, engineErr("get", err)
	}
	out := append([]byte(nil), v...)
	return out, engineErr("get", closer.Close())
}

func newCursor(r pebbleReader, lower, upper []byte) (cursor, error) {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, engineErr("new iterator", err)
	}
	return it, nil
}

// batchKV is the kv of an Update: one indexed batch shared by a commit
// group.
type batchKV struct {
	b  *pebble.Batch
	be *pebbleBackend
	// seqs holds the counters this batch handed out (see
	// pebbleBackend.seqs); seqDirty says the batch wrote a counter key
	// directly, so that neither cache may be trusted until it commits.
	seqs     map[string]seqState
	seqDirty bool
	// unwritten lists the counters of seqs that reserved a block whose top
	// is not in the batch yet. A counter is written once per batch at
	// most, by flushSeqs, before anything could read it: the commit, or a
	// read, iterator or write that meets the counter table.
	unwritten []string
}

func (k *batchKV) get(key []byte) ([]byte, error) {
	if keys.TableOf(key) == keys.Seq {
		if err := k.flushSeqs(); err != nil {
			return nil, err
		}
	}
	return getCopy(k.b, key)
}
func (k *batchKV) set(key, value []byte) error {
	if err := k.touch(key, nil); err != nil {
		return err
	}
	return engineErr("set", k.b.Set(key, value, nil))
}
func (k *batchKV) del(key []byte) error {
	if err := k.touch(key, nil); err != nil {
		return err
	}
	return engineErr("delete", k.b.Delete(key, nil))
}
func (k *batchKV) delRange(start, end []byte) error {
	if err := k.touch(start, end); err != nil {
		return err
	}
	return engineErr("delete range", k.b.DeleteRange(start, end, nil))
}
func (k *batchKV) iter(lower, upper []byte) (cursor, error) {
	if meetsSeq(lower, upper) {
		if err := k.flushSeqs(); err != nil {
			return nil, err
		}
	}
	return newCursor(k.b, lower, upper)
}
func (k *batchKV) writable() bool { return true }

// meetsSeq reports whether [lower, upper) (nil: unbounded) meets the
// counter table.
func meetsSeq(lower, upper []byte) bool {
	seq := byte(keys.Seq)
	return (lower == nil || bytes.Compare(lower, []byte{seq + 1}) < 0) &&
		(upper == nil || bytes.Compare(upper, []byte{seq}) > 0)
}

// touch notes a write of key (or of [key, end) when end is not nil) that
// may change a counter behind NextSequence's back, after writing the
// counters handed out so far, which that write must supersede.
func (k *batchKV) touch(key, end []byte) error {
	hit := keys.TableOf(key) == keys.Seq
	if end != nil {
		hit = meetsSeq(key, end)
	}
	if !hit {
		return nil
	}
	k.seqDirty = true
	return k.flushSeqs()
}

// flushSeqs writes the tops of the blocks reserved but not yet written.
func (k *batchKV) flushSeqs() error {
	for _, key := range k.unwritten {
		if err := k.b.Set([]byte(key), binary.BigEndian.AppendUint64(nil, k.seqs[key].limit), nil); err != nil {
			return engineErr("set", err)
		}
	}
	k.unwritten = k.unwritten[:0]
	return nil
}

// nextSequence implements NextSequence on a batch: from the batch's own
// counters or the committed ones when it can, from the store otherwise,
// reserving a block of numbers when the current one is used up.
func (k *batchKV) nextSequence(_ string, key []byte) (uint64, error) {
	if k.seqDirty {
		return readNextSequence(k, key)
	}
	st, ok := k.seqs[string(key)]
	if !ok {
		st, ok = k.be.seqs[string(key)]
	}
	if !ok {
		n, err := readSequence(k, key)
		if err != nil {
			return 0, err
		}
		st = seqState{last: n, limit: n}
	}
	if k.seqs == nil {
		k.seqs = make(map[string]seqState, 8)
	}
	st.last++
	if st.last > st.limit {
		st.limit = st.last - 1 + seqBlock
		if !slices.Contains(k.unwritten, string(key)) {
			k.unwritten = append(k.unwritten, string(key))
		}
	}
	k.seqs[string(key)] = st
	return st.last, nil
}

type snapKV struct{ s *pebble.Snapshot }

func (k snapKV) get(key []byte) ([]byte, error)           { return getCopy(k.s, key) }
func (k snapKV) set(key, value []byte) error              { return ErrReadOnly }
func (k snapKV) del(key []byte) error                     { return ErrReadOnly }
func (k snapKV) delRange(start, end []byte) error         { return ErrReadOnly }
func (k snapKV) iter(lower, upper []byte) (cursor, error) { return newCursor(k.s, lower, upper) }
func (k snapKV) writable() bool                           { return false }
