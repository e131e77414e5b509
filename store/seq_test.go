package store_test

import (
	"encoding/binary"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// TestNextSequenceCache checks that counters stay right around writes that
// bypass NextSequence, the cases the Pebble back end's counter cache must
// notice, and across reopening and concurrent group commits.
func TestNextSequenceCache(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, &store.Options{NoSync: true})
	require.NoError(t, err)
	ctx := t.Context()
	seqKey := keys.New(keys.Seq).String("obs")
	next := func(name string, extra func(tx *store.Txn) error) uint64 {
		t.Helper()
		var n uint64
		require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
			if extra != nil {
				if err := extra(tx); err != nil {
					return err
				}
			}
			var err error
			n, err = store.NextSequence(tx, name)
			return err
		}))
		return n
	}
	assert.Equal(t, uint64(1), next("obs", nil))
	assert.Equal(t, uint64(2), next("obs", nil))
	// Two in one transaction.
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		for _, want := range []uint64{3, 4} {
			n, err := store.NextSequence(tx, "obs")
			require.NoError(t, err)
			assert.Equal(t, want, n)
		}
		return nil
	}))
	// The counter's key, read in the same transaction by Get or by
	// iterator, is never below the value handed out, also when the
	// transaction reserved a new block (the back end writes a counter once
	// per batch, so these reads must still see it), and a write after it
	// supersedes it.
	readCounter := func(tx *store.Txn) uint64 {
		t.Helper()
		v, err := tx.Get(seqKey)
		require.NoError(t, err)
		it := tx.NewIter(&store.IterOptions{LowerBound: keys.New(keys.Seq), UpperBound: keys.PrefixEnd(keys.New(keys.Seq))})
		found := false
		for ok := it.First(); ok; ok = it.Next() {
			if string(it.Key()) == string(seqKey) {
				assert.Equal(t, v, it.Value(), "iterator and Get disagree")
				found = true
			}
		}
		require.NoError(t, it.Close())
		assert.True(t, found, "iterator misses the counter")
		return binary.BigEndian.Uint64(v)
	}
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		for want := uint64(5); want <= 300; want++ { // crosses a block's end
			n, err := store.NextSequence(tx, "obs")
			require.NoError(t, err)
			require.Equal(t, want, n)
			if want <= 6 || want >= 255 {
				assert.GreaterOrEqual(t, readCounter(tx), want)
			}
		}
		require.NoError(t, tx.Set(seqKey, binary.BigEndian.AppendUint64(nil, 40)))
		n, err := store.NextSequence(tx, "obs")
		require.NoError(t, err)
		assert.Equal(t, uint64(41), n)
		n, err = store.NextSequence(tx, "obs")
		require.NoError(t, err)
		assert.Equal(t, uint64(42), n)
		return nil
	}))
	require.NoError(t, db.View(ctx, func(tx *store.Txn) error {
		assert.Equal(t, uint64(42), readCounter(tx), "committed value")
		return nil
	}))
	// A delete of the counter after numbers were handed out in the same
	// transaction restarts it.
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		if _, err := store.NextSequence(tx, "obs"); err != nil {
			return err
		}
		return tx.Delete(seqKey)
	}))
	assert.Equal(t, uint64(1), next("obs", nil))
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		return tx.Set(seqKey, binary.BigEndian.AppendUint64(nil, 4))
	}))
	assert.Equal(t, uint64(5), next("obs", nil))
	// Only counters: a transaction that hands out a number and writes
	// nothing else still commits it.
	assert.Equal(t, uint64(6), next("obs", nil))
	require.NoError(t, db.View(ctx, func(tx *store.Txn) error {
		assert.GreaterOrEqual(t, readCounter(tx), uint64(6))
		return nil
	}))
	// A direct write of the counter is seen, in the same transaction and
	// after it.
	assert.Equal(t, uint64(101), next("obs", func(tx *store.Txn) error {
		return tx.Set(seqKey, binary.BigEndian.AppendUint64(nil, 100))
	}))
	assert.Equal(t, uint64(102), next("obs", nil))
	// So are a delete and a range delete over the counters.
	assert.Equal(t, uint64(1), next("obs", func(tx *store.Txn) error { return tx.Delete(seqKey) }))
	assert.Equal(t, uint64(2), next("obs", nil))
	assert.Equal(t, uint64(1), next("obs", func(tx *store.Txn) error {
		return tx.DeleteRange(keys.New(keys.Meta).String("z"), keys.New(keys.Customer))
	}))
	assert.Equal(t, uint64(2), next("obs", nil))
	// A range delete elsewhere leaves them alone.
	assert.Equal(t, uint64(3), next("obs", func(tx *store.Txn) error {
		return tx.DeleteRange(keys.New(keys.Customer), keys.New(keys.Customer).Uint(9))
	}))
	// Concurrent callers, committed in groups, never share a number.
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				var n uint64
				err := db.Update(ctx, func(tx *store.Txn) error {
					var err error
					n, err = store.NextSequence(tx, "par")
					return err
				})
				assert.NoError(t, err)
				mu.Lock()
				assert.False(t, seen[n], "number %d handed out twice", n)
				seen[n] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, 800)
	// Reopening goes on above every number handed out, skipping less than
	// a block.
	require.NoError(t, db.Close())
	db, err = store.Open(dir, nil)
	require.NoError(t, err)
	defer db.Close()
	n := next("obs", nil)
	assert.True(t, n > 3 && n < 3+256, "obs after reopening: %d", n)
	n = next("par", nil)
	assert.True(t, n > 800 && n < 800+256, "par after reopening: %d", n)
	// A read-only transaction cannot hand out numbers.
	require.ErrorIs(t, db.View(ctx, func(tx *store.Txn) error {
		_, err := store.NextSequence(tx, "obs")
		return err
	}), store.ErrReadOnly)
}

// TestNextSequenceBlocks checks that a counter is written once per block
// of numbers, not once per transaction.
func TestNextSequenceBlocks(t *testing.T) {
	var ops []int
	db, err := store.Open(t.TempDir(), &store.Options{NoSync: true, OnBatch: func(b store.BatchInfo) { ops = append(ops, b.Ops) }})
	require.NoError(t, err)
	defer db.Close()
	for i := range 600 {
		require.NoError(t, db.Update(t.Context(), func(tx *store.Txn) error {
			n, err := store.NextSequence(tx, "c")
			require.Equal(t, uint64(i+1), n)
			if err != nil {
				return err
			}
			return tx.Set(keys.New(keys.Customer).Uint(n), nil)
		}))
	}
	require.Len(t, ops, 600)
	counters := 0
	for _, n := range ops {
		counters += n - 1
	}
	assert.Equal(t, 3, counters, "600 numbers take 3 blocks")
}
