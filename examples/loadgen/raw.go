package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"

	"github.com/threadline/threadline/store"
)

// batch is one committed batch's shape, as store.Options.OnBatch reports.
type batch struct{ bytes, ops uint32 }

// recorder keeps the shape of every batch our store commits, by phase.
type recorder struct {
	mu     sync.Mutex
	phase  string
	phases map[string][]batch
}

func newRecorder() *recorder { return &recorder{phases: map[string][]batch{}} }

// onBatch is the store.Options.OnBatch hook.
func (r *recorder) onBatch(b store.BatchInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.phases[r.phase] = append(r.phases[r.phase], batch{bytes: uint32(b.Bytes), ops: uint32(b.Ops)})
}

// start sends the batches committed from now on to phase.
func (r *recorder) start(phase string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.phase = phase
}

func (r *recorder) batches(phase string) []batch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.phases[phase]
}

// engineOptions mirrors the Pebble options store.Open uses with the
// defaults (block cache plus two memtables, 32 MiB memtables, newest
// format, bloom filters on every level), so the ceiling runs the same
// engine configuration.
func engineOptions() *pebble.Options {
	const cache, memtable = 64 << 20, 32 << 20
	o := &pebble.Options{CacheSize: cache + 2*memtable, MemTableSize: memtable,
		FormatMajorVersion: pebble.FormatNewest, Logger: quietLogger{}}
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	return o
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any)         {}
func (quietLogger) Errorf(string, ...any)        {}
func (quietLogger) Fatalf(f string, args ...any) { panic(fmt.Sprintf(f, args...)) }

// replayer writes batches of given shapes into raw Pebble: for each
// recorded batch, one batch with the same number of operations (all sets)
// and the same encoded size, committed one after another as our store's
// group commit does, with the same durability.
type replayer struct {
	db    *pebble.DB
	write *pebble.WriteOptions
	next  uint64 // key counter
	text  []byte // value bytes: words, compressible like event text
}

func openReplayer(dir string, sync bool) (*replayer, error) {
	db, err := pebble.Open(dir, engineOptions())
	if err != nil {
		return nil, err
	}
	w := pebble.NoSync
	if sync {
		w = pebble.Sync
	}
	return &replayer{db: db, write: w, text: wordText(1 << 20)}, nil
}

// wordText is n bytes of words from the workload's vocabulary.
func wordText(n int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	var words []string
	for _, s := range append(append(append([]string(nil), followUps...), botLines...), agentLines...) {
		words = append(words, strings.Fields(s)...)
	}
	b := make([]byte, 0, n+64)
	for len(b) < n {
		b = append(b, pick(r, words)...)
		b = append(b, ' ')
	}
	return b[:n]
}

const batchHeader = 12 // Pebble's batch header: sequence number and count

// opKey is the smallest key length replayed; longer keys absorb bytes a
// value length cannot (a uvarint's size jumps).
const opKey = 8

// fill adds to b the ops of shape s. It reports false when the shape
// cannot be matched exactly (ops too small to hold a key), in which case it
// writes the same bytes in fewer ops.
func (rp *replayer) fill(b *pebble.Batch, s batch) (exact bool, err error) {
	body := int(s.bytes) - batchHeader
	ops := int(s.ops)
	const minOp = 1 + 1 + opKey + 1 // kind, key length, key, value length
	exact = true
	if ops*minOp > body {
		ops, exact = max(1, body/minOp), false
	}
	var key [128]byte
	for i := range ops {
		y := body / ops
		if i < body%ops {
			y++
		}
		kl, vl := opShape(y - 1)
		if vl >= len(rp.text) {
			rp.text = wordText(2 * vl)
		}
		rp.next++
		binary.BigEndian.PutUint64(key[:8], mix(rp.next))
		off := int(rp.next*31) % (len(rp.text) - vl)
		if err := b.Set(key[:kl], rp.text[off:off+vl], nil); err != nil {
			return false, err
		}
	}
	return exact && b.Len() == int(s.bytes), nil
}

// opShape returns key and value lengths whose encoding (two uvarint
// lengths and the bytes) takes exactly y bytes, for y >= opKey+2.
func opShape(y int) (kl, vl int) {
	rest := y - (1 + opKey) // the key's length byte and a minimal key
	if rest <= 1+16 {
		return opKey + rest - 1, 0
	}
	kl = 16
	rest = y - 1 - kl
	for vl = rest - 1; vl+uvarintLen(vl) > rest; vl-- {
	}
	return kl + rest - (vl + uvarintLen(vl)), vl
}

func uvarintLen(v int) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// mix is splitmix64's finalizer, a bijection: distinct counters give
// distinct, scattered keys.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// replay commits the batches and returns the time taken and how many
// could not be matched exactly.
func (rp *replayer) replay(bs []batch, prog *progress) (time.Duration, int, error) {
	inexact := 0
	start := time.Now()
	for _, s := range bs {
		prog.add(1)
		b := rp.db.NewBatch()
		exact, err := rp.fill(b, s)
		if err == nil {
			err = b.Commit(rp.write)
		}
		_ = b.Close()
		if err != nil {
			return 0, 0, err
		}
		if !exact {
			inexact++
		}
	}
	return time.Since(start), inexact, nil
}

// close closes the database; later calls do nothing.
func (rp *replayer) close() error {
	if rp.db == nil {
		return nil
	}
	err := rp.db.Close()
	rp.db = nil
	return err
}
