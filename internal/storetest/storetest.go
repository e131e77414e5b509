// Package storetest is a conformance suite for [store.DB] back ends: the
// behaviour every layer above the store relies on (atomic commit, rollback,
// snapshot reads, ordered iteration, no lost updates, a clean Close), written
// once so that the embedded Pebble back end and any future one (for example
// over a distributed SQL engine) are held to the same contract.
//
// A back end's test calls [Run] with a function that opens a fresh, empty
// store. The suite uses keys above the table bytes of internal/keys, so
// records the store writes for itself (the format version) never show up in
// its scans.
package storetest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/store"
)

// Run runs the conformance suite, one subtest per property. open must return
// a new, empty, open store each time it is called; Run closes every store it
// opens (an extra Close by open's own cleanup gets [store.ErrClosed], which
// is fine). Subtests that are safe to, run in parallel.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"ReadYourWrites", testReadYourWrites},
		{"RollbackOnError", testRollbackOnError},
		{"RollbackOnPanic", testRollbackOnPanic},
		{"ConcurrentRollbacks", testConcurrentRollbacks},
		{"CancelledWhileQueued", testCancelledWhileQueued},
		{"ViewSnapshot", testViewSnapshot},
		{"ViewSnapshotConcurrent", testViewSnapshotConcurrent},
		{"IterateForward", testIterateForward},
		{"IterateBackward", testIterateBackward},
		{"IterateSeek", testIterateSeek},
		{"IterateBounds", testIterateBounds},
		{"IterateOwnWrites", testIterateOwnWrites},
		{"IterateLong", testIterateLong},
		{"WriteAfterIterate", testWriteAfterIterate},
		{"Sequence", testSequence},
		{"SequenceConcurrent", testSequenceConcurrent},
		{"NoLostUpdate", testNoLostUpdate},
		{"OnCommit", testOnCommit},
		{"ReadOnlyView", testReadOnlyView},
		{"NotFound", testNotFound},
		{"InvalidKey", testInvalidKey},
		{"DeleteRange", testDeleteRange},
		{"ClosedCalls", testClosedCalls},
		{"CloseWaitsForUpdate", testCloseWaitsForUpdate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := open(t)
			require.NotNil(t, db)
			t.Cleanup(func() { _ = db.Close() })
			tc.fn(t, db)
		})
	}
}

// key returns the suite's i-th key. All suite keys start with "st/", above
// every table byte of internal/keys.
func key(i int) []byte { return fmt.Appendf(nil, "st/%04d", i) }

// val is the value the suite stores under key(i) unless a test says
// otherwise.
func val(i int) []byte { return fmt.Appendf(nil, "v%d", i) }

var (
	prefix    = []byte("st/")
	prefixEnd = []byte("st0") // '0' follows '/'
	errBoom   = errors.New("storetest: boom")
)

// put commits key(i) = val(i) for every i in is.
func put(t *testing.T, db *store.DB, is ...int) {
	t.Helper()
	require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
		for _, i := range is {
			if err := tx.Set(key(i), val(i)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// get reads k in a View; a missing key reads as nil.
func get(t *testing.T, db *store.DB, k []byte) []byte {
	t.Helper()
	var v []byte
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		var err error
		v, err = tx.Get(k)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}))
	return v
}

// scan returns the keys between lo and hi (nil: unbounded) in order.
func scan(t *testing.T, tx *store.Txn, lo, hi []byte) []string {
	t.Helper()
	it := tx.NewIter(&store.IterOptions{LowerBound: lo, UpperBound: hi})
	var out []string
	for ok := it.First(); ok; ok = it.Next() {
		out = append(out, string(it.Key()))
	}
	require.NoError(t, it.Close())
	return out
}

// keyStrings returns key(i) as strings, for comparing with scan results.
func keyStrings(is ...int) []string {
	out := make([]string, len(is))
	for j, i := range is {
		out[j] = string(key(i))
	}
	return out
}

func getUint(tx *store.Txn, k []byte) (uint64, error) {
	v, err := tx.Get(k)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("storetest: counter %q holds %d bytes", k, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// incr adds one to the uint64 counter stored under k.
func incr(tx *store.Txn, k []byte) error {
	n, err := getUint(tx, k)
	if err != nil {
		return err
	}
	return tx.Set(k, binary.BigEndian.AppendUint64(nil, n+1))
}

func readUint(t *testing.T, db *store.DB, k []byte) uint64 {
	t.Helper()
	var n uint64
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		var err error
		n, err = getUint(tx, k)
		return err
	}))
	return n
}

func testReadYourWrites(t *testing.T, db *store.DB) {
	put(t, db, 2)
	err := db.Update(context.Background(), func(tx *store.Txn) error {
		require.True(t, tx.Writable())
		require.NoError(t, tx.Set(key(1), []byte("one")))
		v, err := tx.Get(key(1))
		require.NoError(t, err)
		assert.Equal(t, "one", string(v))

		require.NoError(t, tx.Set(key(1), []byte("uno")))
		v, err = tx.Get(key(1))
		require.NoError(t, err)
		assert.Equal(t, "uno", string(v), "a second Set replaces the first")

		require.NoError(t, tx.Delete(key(2)))
		_, err = tx.Get(key(2))
		assert.ErrorIs(t, err, store.ErrNotFound, "a Delete hides the committed value")
		ok, err := tx.Has(key(1))
		require.NoError(t, err)
		assert.True(t, ok)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "uno", string(get(t, db, key(1))))
	assert.Nil(t, get(t, db, key(2)))

	// Get returns a copy the caller owns; changing it or the buffer passed
	// to Set changes nothing stored.
	require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
		buf := []byte("mutable") // made afresh by every run of the closure
		if err := tx.Set(key(3), buf); err != nil {
			return err
		}
		copy(buf, "XXXXXXX")
		v, err := tx.Get(key(3))
		if err != nil {
			return err
		}
		v[0] = 'Y'
		return nil
	}))
	assert.Equal(t, "mutable", string(get(t, db, key(3))))
}

func testRollbackOnError(t *testing.T, db *store.DB) {
	put(t, db, 1)
	err := db.Update(context.Background(), func(tx *store.Txn) error {
		require.NoError(t, tx.Set(key(1), []byte("changed")))
		require.NoError(t, tx.Set(key(2), val(2)))
		require.NoError(t, tx.DeleteRange(key(0), key(9)))
		return fmt.Errorf("wrapped: %w", errBoom)
	})
	require.ErrorIs(t, err, errBoom, "Update returns the closure's error")
	assert.Equal(t, string(val(1)), string(get(t, db, key(1))))
	assert.Nil(t, get(t, db, key(2)))
}

func testRollbackOnPanic(t *testing.T, db *store.DB) {
	put(t, db, 1)
	require.PanicsWithValue(t, "storetest: panic", func() {
		_ = db.Update(context.Background(), func(tx *store.Txn) error {
			require.NoError(t, tx.Set(key(1), []byte("changed")))
			require.NoError(t, tx.Set(key(2), val(2)))
			panic("storetest: panic")
		})
	}, "the panic continues in the caller of Update")
	assert.Equal(t, string(val(1)), string(get(t, db, key(1))))
	assert.Nil(t, get(t, db, key(2)))

	// The store is still usable.
	put(t, db, 3)
	assert.Equal(t, string(val(3)), string(get(t, db, key(3))))
}

// testConcurrentRollbacks mixes committing, failing and panicking Updates so
// that a back end that commits several together (group commit) must cut the
// failures out without losing or repeating the others.
func testConcurrentRollbacks(t *testing.T, db *store.DB) {
	const n = 200
	counter := []byte("st/counter")
	var wg sync.WaitGroup
	errs := make([]error, n)
	panics := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = db.Update(context.Background(), func(tx *store.Txn) error {
				if err := incr(tx, counter); err != nil {
					return err
				}
				if err := tx.Set(key(i), val(i)); err != nil {
					return err
				}
				switch i % 5 {
				case 1:
					return errBoom
				case 2:
					panic(i)
				}
				return nil
			})
		}()
	}
	wg.Wait()
	committed := uint64(0)
	for i := range n {
		switch i % 5 {
		case 1:
			assert.ErrorIs(t, errs[i], errBoom, "update %d", i)
			assert.Nil(t, get(t, db, key(i)), "failed update %d wrote", i)
		case 2:
			assert.Equal(t, i, panics[i], "update %d", i)
			assert.Nil(t, get(t, db, key(i)), "panicking update %d wrote", i)
		default:
			assert.NoError(t, errs[i], "update %d", i)
			assert.Nil(t, panics[i], "update %d", i)
			assert.Equal(t, string(val(i)), string(get(t, db, key(i))), "update %d", i)
			committed++
		}
	}
	assert.Equal(t, committed, readUint(t, db, counter), "counter counts committed updates exactly once")
}

// testCancelledWhileQueued holds one Update open so that others queue behind
// it, cancels some of the queued ones, and makes one fail: every Update that
// returns nil must be applied exactly once, every other not at all.
func testCancelledWhileQueued(t *testing.T, db *store.DB) {
	counter := []byte("st/counter")
	release := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	var blockErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		blockErr = db.Update(context.Background(), func(tx *store.Txn) error {
			select {
			case <-started:
			default:
				close(started)
			}
			<-release
			return incr(tx, counter)
		})
	}()
	<-started

	// kinds of queued updates, in queue order: cancelled, cancelled, ok,
	// failing, ok, cancelled, ok.
	kinds := []string{"cancel", "cancel", "ok", "fail", "ok", "cancel", "ok"}
	errs := make([]error, len(kinds))
	cancels := make([]context.CancelFunc, len(kinds))
	for i, kind := range kinds {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Update(ctx, func(tx *store.Txn) error {
				if err := incr(tx, counter); err != nil {
					return err
				}
				if err := incr(tx, key(i)); err != nil {
					return err
				}
				if kind == "fail" {
					return errBoom
				}
				return nil
			})
		}()
		time.Sleep(10 * time.Millisecond) // let it queue in order
	}
	for i, kind := range kinds {
		if kind == "cancel" {
			cancels[i]()
		}
	}
	close(release)
	wg.Wait()
	for _, c := range cancels {
		c()
	}
	require.NoError(t, blockErr)

	want := uint64(1) // the blocking update
	for i, kind := range kinds {
		n := readUint(t, db, key(i))
		switch {
		case kind == "fail":
			assert.ErrorIs(t, errs[i], errBoom)
			assert.Zero(t, n, "failed update %d applied", i)
		case kind == "cancel" && errs[i] != nil:
			assert.ErrorIs(t, errs[i], context.Canceled)
			assert.Zero(t, n, "cancelled update %d applied", i)
		default:
			// A cancelled update may still have committed if it ran
			// before the cancellation; then it returns nil.
			assert.NoError(t, errs[i], "update %d (%s)", i, kind)
			assert.Equal(t, uint64(1), n, "update %d (%s) applied %d times", i, kind, n)
			want++
		}
	}
	assert.Equal(t, want, readUint(t, db, counter))
}

func testViewSnapshot(t *testing.T, db *store.DB) {
	put(t, db, 1, 2)
	err := db.View(context.Background(), func(tx *store.Txn) error {
		v1, err := tx.Get(key(1))
		require.NoError(t, err)
		before := scan(t, tx, prefix, prefixEnd)

		// Updates commit while the View is open; it must not see them.
		require.NoError(t, db.Update(context.Background(), func(u *store.Txn) error {
			if err := u.Set(key(1), []byte("changed")); err != nil {
				return err
			}
			if err := u.Delete(key(2)); err != nil {
				return err
			}
			return u.Set(key(3), val(3))
		}))

		v2, err := tx.Get(key(1))
		require.NoError(t, err)
		assert.Equal(t, string(v1), string(v2))
		_, err = tx.Get(key(2))
		assert.NoError(t, err, "a key deleted after the snapshot is still visible")
		assert.Equal(t, before, scan(t, tx, prefix, prefixEnd))
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "changed", string(get(t, db, key(1))), "a later View sees the update")
}

// testViewSnapshotConcurrent runs Views that read two keys twice while
// Updates keep changing both together: every View must see the pair equal
// and unchanged between its reads.
func testViewSnapshotConcurrent(t *testing.T, db *store.DB) {
	a, b := []byte("st/a"), []byte("st/b")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var writes atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				err := db.Update(context.Background(), func(tx *store.Txn) error {
					if err := incr(tx, a); err != nil {
						return err
					}
					return incr(tx, b)
				})
				if !assert.NoError(t, err) {
					return
				}
				writes.Add(1)
			}
		}()
	}
	changedUnder := 0
	for i := 0; i < 200 || (writes.Load() < 20 && i < 20000); i++ {
		err := db.View(context.Background(), func(tx *store.Txn) error {
			a1, err := getUint(tx, a)
			if err != nil {
				return err
			}
			w := writes.Load()
			if i%10 == 0 {
				// Let an Update commit in between the reads.
				deadline := time.Now().Add(100 * time.Millisecond)
				for writes.Load() == w && time.Now().Before(deadline) {
					time.Sleep(50 * time.Microsecond)
				}
			}
			b1, err := getUint(tx, b)
			if err != nil {
				return err
			}
			a2, err := getUint(tx, a)
			if err != nil {
				return err
			}
			assert.Equal(t, a1, b1, "pair torn inside one View")
			assert.Equal(t, a1, a2, "value changed inside one View")
			if writes.Load() != w {
				changedUnder++
			}
			return nil
		})
		require.NoError(t, err)
	}
	cancel()
	wg.Wait()
	assert.Positive(t, changedUnder, "no Update committed during a View; the test proved nothing")
}

func putRange(t *testing.T, db *store.DB, n int) {
	t.Helper()
	is := make([]int, n)
	for i := range is {
		is[i] = i
	}
	put(t, db, is...)
}

func testIterateForward(t *testing.T, db *store.DB) {
	putRange(t, db, 10)
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		it := tx.NewIter(&store.IterOptions{LowerBound: prefix})
		defer it.Close()
		i := 0
		for ok := it.First(); ok; ok = it.Next() {
			require.True(t, it.Valid())
			assert.Equal(t, string(key(i)), string(it.Key()))
			assert.Equal(t, string(val(i)), string(it.Value()))
			i++
		}
		assert.Equal(t, 10, i)
		assert.False(t, it.Valid())
		assert.False(t, it.Next(), "Next after the end stays at the end")
		return it.Close()
	}))
}

func testIterateBackward(t *testing.T, db *store.DB) {
	putRange(t, db, 10)
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		it := tx.NewIter(&store.IterOptions{LowerBound: prefix, UpperBound: prefixEnd})
		defer it.Close()
		i := 9
		for ok := it.Last(); ok; ok = it.Prev() {
			assert.Equal(t, string(key(i)), string(it.Key()))
			assert.Equal(t, string(val(i)), string(it.Value()))
			i--
		}
		assert.Equal(t, -1, i)
		assert.False(t, it.Valid())

		// Changing direction in the middle.
		require.True(t, it.SeekGE(key(5)))
		require.True(t, it.Prev())
		assert.Equal(t, string(key(4)), string(it.Key()))
		require.True(t, it.Next())
		assert.Equal(t, string(key(5)), string(it.Key()))
		return it.Close()
	}))
}

func testIterateSeek(t *testing.T, db *store.DB) {
	put(t, db, 0, 2, 4, 6, 8)
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		it := tx.NewIter(&store.IterOptions{LowerBound: prefix, UpperBound: prefixEnd})
		defer it.Close()
		cases := []struct {
			name    string
			seek    func([]byte) bool
			at      int
			want    int // -1: no key
			wantKey bool
		}{
			{"SeekGE exact", it.SeekGE, 4, 4, true},
			{"SeekGE between", it.SeekGE, 5, 6, true},
			{"SeekGE before all", it.SeekGE, -1, 0, true},
			{"SeekGE past all", it.SeekGE, 9, -1, false},
			{"SeekLT exact", it.SeekLT, 4, 2, true},
			{"SeekLT between", it.SeekLT, 5, 4, true},
			{"SeekLT past all", it.SeekLT, 9, 8, true},
			{"SeekLT first", it.SeekLT, 0, -1, false},
		}
		for _, c := range cases {
			target := key(c.at)
			if c.at < 0 {
				target = prefix
			}
			ok := c.seek(target)
			require.Equal(t, c.wantKey, ok, c.name)
			require.Equal(t, c.wantKey, it.Valid(), c.name)
			if ok {
				assert.Equal(t, string(key(c.want)), string(it.Key()), c.name)
			}
		}
		// SeekGE then Next walks on in order.
		require.True(t, it.SeekGE(key(3)))
		var got []string
		for ok := true; ok; ok = it.Next() {
			got = append(got, string(it.Key()))
		}
		assert.Equal(t, keyStrings(4, 6, 8), got)
		return it.Close()
	}))
}

func testIterateBounds(t *testing.T, db *store.DB) {
	putRange(t, db, 10)
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		assert.Equal(t, keyStrings(3, 4, 5, 6), scan(t, tx, key(3), key(7)),
			"lower bound inclusive, upper bound exclusive")
		assert.Equal(t, keyStrings(7, 8, 9), scan(t, tx, key(7), nil))
		assert.Equal(t, keyStrings(0, 1, 2), scan(t, tx, prefix, key(3)))
		assert.Empty(t, scan(t, tx, key(5), key(5)), "empty range")

		it := tx.NewIter(&store.IterOptions{LowerBound: key(3), UpperBound: key(7)})
		defer it.Close()
		require.True(t, it.Last())
		assert.Equal(t, string(key(6)), string(it.Key()), "Last stops below the upper bound")
		var back []string
		for ok := true; ok; ok = it.Prev() {
			back = append(back, string(it.Key()))
		}
		assert.Equal(t, keyStrings(6, 5, 4, 3), back, "Prev stops at the lower bound")

		require.True(t, it.SeekGE(key(1)), "SeekGE below the lower bound lands on it")
		assert.Equal(t, string(key(3)), string(it.Key()))
		require.True(t, it.SeekLT(key(9)), "SeekLT above the upper bound lands below it")
		assert.Equal(t, string(key(6)), string(it.Key()))
		assert.False(t, it.SeekGE(key(7)), "SeekGE at the upper bound finds nothing")
		assert.False(t, it.SeekLT(key(3)), "SeekLT at the lower bound finds nothing")
		return it.Close()
	}))
}

func testIterateOwnWrites(t *testing.T, db *store.DB) {
	put(t, db, 1, 3, 5)
	require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
		require.NoError(t, tx.Set(key(2), val(2)))
		require.NoError(t, tx.Set(key(3), []byte("changed")))
		require.NoError(t, tx.Delete(key(5)))
		require.NoError(t, tx.Set(key(6), val(6)))

		it := tx.NewIter(&store.IterOptions{LowerBound: prefix, UpperBound: prefixEnd})
		defer it.Close()
		got := map[string]string{}
		var order []string
		for ok := it.First(); ok; ok = it.Next() {
			got[string(it.Key())] = string(it.Value())
			order = append(order, string(it.Key()))
		}
		assert.Equal(t, keyStrings(1, 2, 3, 6), order)
		assert.Equal(t, "changed", got[string(key(3))])

		var back []string
		for ok := it.Last(); ok; ok = it.Prev() {
			back = append(back, string(it.Key()))
		}
		assert.Equal(t, keyStrings(6, 3, 2, 1), back)
		return it.Close()
	}))
}

// testNoLostUpdate runs read-modify-write Updates from 32 goroutines on a
// few shared counters: every increment must survive.
func testNoLostUpdate(t *testing.T, db *store.DB) {
	const (
		goroutines = 32
		perG       = 25
		counters   = 4
	)
	total := []byte("st/total")
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perG {
				err := db.Update(context.Background(), func(tx *store.Txn) error {
					if err := incr(tx, total); err != nil {
						return err
					}
					return incr(tx, key((g+i)%counters))
				})
				if !assert.NoError(t, err) {
					return
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, uint64(goroutines*perG), readUint(t, db, total))
	var sum uint64
	for c := range counters {
		sum += readUint(t, db, key(c))
	}
	assert.Equal(t, uint64(goroutines*perG), sum)
}

// testOnCommit checks that OnCommit functions run once per committed
// Update, before it returns, in commit order, and never for a rollback or a
// View.
func testOnCommit(t *testing.T, db *store.DB) {
	var mu sync.Mutex
	var seen []uint64 // counter values, in the order OnCommit reported them
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine uint64
			err := db.Update(context.Background(), func(tx *store.Txn) error {
				if err := incr(tx, []byte("st/n")); err != nil {
					return err
				}
				n, err := getUint(tx, []byte("st/n"))
				if err != nil {
					return err
				}
				if i%4 == 3 {
					tx.OnCommit(func() { t.Errorf("OnCommit of rolled-back update %d ran", i) })
					return errBoom
				}
				tx.OnCommit(func() {
					mu.Lock()
					seen = append(seen, n)
					mu.Unlock()
				})
				mine = n
				return nil
			})
			if i%4 == 3 {
				assert.ErrorIs(t, err, errBoom)
				return
			}
			assert.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			assert.Contains(t, seen, mine, "OnCommit ran before Update returned")
		}()
	}
	wg.Wait()
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		tx.OnCommit(func() { t.Error("OnCommit ran in a View") })
		return nil
	}))
	want := make([]uint64, 15)
	for i := range want {
		want[i] = uint64(i + 1)
	}
	assert.Equal(t, want, seen, "one call per committed Update, in commit order")
}

func testReadOnlyView(t *testing.T, db *store.DB) {
	put(t, db, 1)
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		assert.False(t, tx.Writable())
		assert.ErrorIs(t, tx.Set(key(2), val(2)), store.ErrReadOnly)
		assert.ErrorIs(t, tx.Delete(key(1)), store.ErrReadOnly)
		assert.ErrorIs(t, tx.DeleteRange(key(0), key(9)), store.ErrReadOnly)
		return nil
	}))
	assert.Equal(t, string(val(1)), string(get(t, db, key(1))))
	assert.Nil(t, get(t, db, key(2)))
}

func testNotFound(t *testing.T, db *store.DB) {
	put(t, db, 1)
	check := func(tx *store.Txn) {
		_, err := tx.Get(key(2))
		assert.ErrorIs(t, err, store.ErrNotFound)
		ok, err := tx.Has(key(2))
		assert.NoError(t, err)
		assert.False(t, ok)
	}
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error { check(tx); return nil }))
	require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
		check(tx)
		require.NoError(t, tx.Delete(key(1)))
		_, err := tx.Get(key(1))
		assert.ErrorIs(t, err, store.ErrNotFound)
		require.NoError(t, tx.Delete(key(7)), "deleting a missing key is not an error")
		return nil
	}))
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		_, err := tx.Get(key(1))
		assert.ErrorIs(t, err, store.ErrNotFound)
		return nil
	}))
}

func testInvalidKey(t *testing.T, db *store.DB) {
	require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
		_, err := tx.Get(nil)
		assert.ErrorIs(t, err, store.ErrInvalidKey)
		_, err = tx.Has([]byte{})
		assert.ErrorIs(t, err, store.ErrInvalidKey)
		assert.ErrorIs(t, tx.Set(nil, val(1)), store.ErrInvalidKey)
		assert.ErrorIs(t, tx.Delete(nil), store.ErrInvalidKey)
		assert.ErrorIs(t, tx.DeleteRange(nil, key(1)), store.ErrInvalidKey)
		assert.ErrorIs(t, tx.DeleteRange(key(2), key(1)), store.ErrInvalidKey)
		assert.ErrorIs(t, tx.DeleteRange(key(1), key(1)), store.ErrInvalidKey)
		return nil
	}))
}

func testDeleteRange(t *testing.T, db *store.DB) {
	putRange(t, db, 10)
	require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
		require.NoError(t, tx.DeleteRange(key(2), key(5)))
		assert.Equal(t, keyStrings(0, 1, 5, 6, 7, 8, 9), scan(t, tx, prefix, prefixEnd),
			"the transaction sees its own range deletion")
		_, err := tx.Get(key(3))
		assert.ErrorIs(t, err, store.ErrNotFound)
		// A key written after the range deletion, inside it, survives.
		return tx.Set(key(3), val(3))
	}))
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		assert.Equal(t, keyStrings(0, 1, 3, 5, 6, 7, 8, 9), scan(t, tx, prefix, prefixEnd))
		return nil
	}))
	// The whole prefix.
	require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
		return tx.DeleteRange(prefix, prefixEnd)
	}))
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		assert.Empty(t, scan(t, tx, prefix, prefixEnd))
		return nil
	}))
}

func testClosedCalls(t *testing.T, db *store.DB) {
	put(t, db, 1)
	require.NoError(t, db.Close())
	ctx := context.Background()
	ran := false
	mark := func(*store.Txn) error { ran = true; return nil }
	assert.ErrorIs(t, db.Update(ctx, mark), store.ErrClosed)
	assert.ErrorIs(t, db.View(ctx, mark), store.ErrClosed)
	assert.ErrorIs(t, db.Compact(ctx), store.ErrClosed)
	assert.ErrorIs(t, db.Close(), store.ErrClosed)
	assert.False(t, ran, "a closure ran after Close")
}

func testCloseWaitsForUpdate(t *testing.T, db *store.DB) {
	inside := make(chan struct{})
	release := make(chan struct{})
	updateDone := make(chan error, 1)
	go func() {
		updateDone <- db.Update(context.Background(), func(tx *store.Txn) error {
			select {
			case <-inside:
			default:
				close(inside)
			}
			<-release
			return tx.Set(key(1), val(1))
		})
	}()
	<-inside
	closeDone := make(chan error, 1)
	go func() { closeDone <- db.Close() }()

	select {
	case err := <-closeDone:
		t.Fatalf("Close returned (%v) while an Update was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	// Calls made while Close waits are refused.
	require.Eventually(t, func() bool {
		return errors.Is(db.View(context.Background(), func(*store.Txn) error { return nil }), store.ErrClosed)
	}, time.Second, time.Millisecond)

	close(release)
	require.NoError(t, <-updateDone, "the in-flight Update commits")
	require.NoError(t, <-closeDone)
	assert.ErrorIs(t, db.Update(context.Background(), func(*store.Txn) error { return nil }), store.ErrClosed)
}

// testIterateLong walks more keys than a back end that reads in pages
// (PostgreSQL's) reads at once, both ways, turning around on the way.
func testIterateLong(t *testing.T, db *store.DB) {
	const n = 2500
	putRange(t, db, n)
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		it := tx.NewIter(&store.IterOptions{LowerBound: prefix, UpperBound: prefixEnd})
		defer it.Close()
		i := 0
		for ok := it.First(); ok; ok = it.Next() {
			require.Equal(t, string(key(i)), string(it.Key()))
			require.Equal(t, string(val(i)), string(it.Value()))
			i++
		}
		require.Equal(t, n, i)
		require.True(t, it.Prev(), "Prev after the end moves to the last key")
		require.Equal(t, string(key(n-1)), string(it.Key()))
		for i = n - 1; it.Valid(); it.Prev() {
			require.Equal(t, string(key(i)), string(it.Key()))
			i--
		}
		require.Equal(t, -1, i)
		require.True(t, it.Next(), "Next before the start moves to the first key")
		require.Equal(t, string(key(0)), string(it.Key()))

		// From a seek, 100 back and 300 on, twice: the turns cross the
		// pages read before.
		require.True(t, it.SeekGE(key(1200)))
		for range 2 {
			at := 1200
			for range 100 {
				require.True(t, it.Prev())
				at--
				require.Equal(t, string(key(at)), string(it.Key()))
			}
			for range 300 {
				require.True(t, it.Next())
				at++
				require.Equal(t, string(key(at)), string(it.Key()))
			}
			require.True(t, it.SeekLT(key(1201)))
		}
		return it.Close()
	}))
	// Unbounded above: the store's own records sort below the suite's keys.
	require.NoError(t, db.View(context.Background(), func(tx *store.Txn) error {
		assert.Len(t, scan(t, tx, prefix, nil), n)
		it := tx.NewIter(nil)
		defer it.Close()
		require.True(t, it.Last())
		assert.Equal(t, string(key(n-1)), string(it.Key()))
		return it.Close()
	}))
}

// testWriteAfterIterate writes, iterates over what it wrote, then writes
// the same keys again in the same transaction: the later writes win, for
// reads inside it and after the commit.
func testWriteAfterIterate(t *testing.T, db *store.DB) {
	put(t, db, 1, 2)
	require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
		require.NoError(t, tx.Set(key(3), val(3)))
		require.NoError(t, tx.Delete(key(1)))
		assert.Equal(t, keyStrings(2, 3), scan(t, tx, prefix, prefixEnd))
		require.NoError(t, tx.Set(key(3), []byte("again")))
		require.NoError(t, tx.Set(key(1), []byte("back")))
		require.NoError(t, tx.Delete(key(2)))
		v, err := tx.Get(key(3))
		require.NoError(t, err)
		assert.Equal(t, "again", string(v))
		_, err = tx.Get(key(2))
		assert.ErrorIs(t, err, store.ErrNotFound)
		assert.Equal(t, keyStrings(1, 3), scan(t, tx, prefix, prefixEnd))
		return nil
	}))
	assert.Equal(t, "back", string(get(t, db, key(1))))
	assert.Nil(t, get(t, db, key(2)))
	assert.Equal(t, "again", string(get(t, db, key(3))))
}

// testSequence checks NextSequence's contract: the first number is at
// least 1, numbers are unique and increasing (not necessarily
// consecutive: a back end may skip numbers, e.g. those a rolled-back
// transaction drew), counters are independent, and a View cannot draw.
func testSequence(t *testing.T, db *store.DB) {
	ctx := context.Background()
	next := func(name string) uint64 {
		t.Helper()
		var n uint64
		require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
			var err error
			n, err = store.NextSequence(tx, name)
			return err
		}))
		return n
	}
	first := next("storetest.a")
	assert.GreaterOrEqual(t, first, uint64(1))
	last := first
	for range 5 {
		n := next("storetest.a")
		assert.Greater(t, n, last)
		last = n
	}
	require.ErrorIs(t, db.Update(ctx, func(tx *store.Txn) error {
		_, err := store.NextSequence(tx, "storetest.a")
		require.NoError(t, err)
		return errBoom
	}), errBoom)
	assert.Greater(t, next("storetest.a"), last, "after a rollback")
	assert.Equal(t, first, next("storetest.b"), "another counter starts where the first did")
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		a, err := store.NextSequence(tx, "storetest.c")
		require.NoError(t, err)
		b, err := store.NextSequence(tx, "storetest.c")
		require.NoError(t, err)
		assert.Greater(t, b, a, "twice in one transaction")
		// A name that is not a plain identifier.
		_, err = store.NextSequence(tx, "Storetest \"odd\" 'name' "+string(make([]byte, 80)))
		return err
	}))
	require.NoError(t, db.View(ctx, func(tx *store.Txn) error {
		_, err := store.NextSequence(tx, "storetest.a")
		assert.ErrorIs(t, err, store.ErrReadOnly)
		return nil
	}))
}

// testSequenceConcurrent draws numbers from concurrent Updates, which
// also write a key each, some rolling back: every committed number is
// unique, and each goroutine sees its own numbers increase.
func testSequenceConcurrent(t *testing.T, db *store.DB) {
	const goroutines, perG = 16, 20
	var mu sync.Mutex
	seen := map[uint64]int{}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last uint64
			for i := range perG {
				var n uint64
				err := db.Update(context.Background(), func(tx *store.Txn) error {
					var err error
					if n, err = store.NextSequence(tx, "storetest.shared"); err != nil {
						return err
					}
					if err := tx.Set(key(g*perG+i), val(int(n))); err != nil {
						return err
					}
					if i%5 == 4 {
						return errBoom
					}
					return nil
				})
				if i%5 == 4 {
					assert.ErrorIs(t, err, errBoom)
					continue
				}
				if !assert.NoError(t, err) {
					return
				}
				assert.Greater(t, n, last)
				last = n
				mu.Lock()
				seen[n]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Len(t, seen, goroutines*perG*4/5, "committed numbers are unique")
}
