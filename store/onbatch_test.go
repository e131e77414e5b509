package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/store"
)

// batchLog collects what Options.OnBatch reports.
type batchLog struct {
	mu  sync.Mutex
	got []store.BatchInfo
}

func (l *batchLog) add(b store.BatchInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, b)
}

func (l *batchLog) all() []store.BatchInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]store.BatchInfo(nil), l.got...)
}

func TestOnBatchReportsCommittedBytes(t *testing.T) {
	for _, inMemory := range []bool{true, false} {
		t.Run(fmt.Sprintf("inmemory=%v", inMemory), func(t *testing.T) {
			var log batchLog
			db, err := store.Open(t.TempDir(), &store.Options{InMemory: inMemory, OnBatch: log.add})
			require.NoError(t, err)
			defer db.Close()
			ctx := context.Background()
			require.Empty(t, log.all(), "Open's own version record is not reported")

			key, value := []byte("\x01loadgen"), []byte("twelve bytes")
			require.NoError(t, db.Update(ctx, func(tx *store.Txn) error { return tx.Set(key, value) }))
			// Pebble's batch encoding: a 12-byte header, then per set a kind
			// byte and the key and value each behind a uvarint length.
			want := 12 + 1 + 1 + len(key) + 1 + len(value)
			require.Equal(t, []store.BatchInfo{{Updates: 1, Ops: 1, Bytes: want}}, log.all())

			// A failed update and an update that writes nothing are not
			// committed to the engine, so nothing is reported.
			boom := errors.New("boom")
			require.ErrorIs(t, db.Update(ctx, func(tx *store.Txn) error {
				if err := tx.Set(key, value); err != nil {
					return err
				}
				return boom
			}), boom)
			require.NoError(t, db.Update(ctx, func(*store.Txn) error { return nil }))
			require.Len(t, log.all(), 1)

			from, to := []byte("\x01a"), []byte("\x01b")
			require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
				if err := tx.Delete(key); err != nil {
					return err
				}
				return tx.DeleteRange(from, to)
			}))
			got := log.all()
			require.Len(t, got, 2)
			assert.Equal(t, store.BatchInfo{Updates: 1, Ops: 2, Bytes: 12 + (1 + 1 + len(key)) + (1 + 1 + len(from) + 1 + len(to))}, got[1])
		})
	}
}

func TestOnBatchCountsEveryUpdateOfAGroup(t *testing.T) {
	var log batchLog
	db, err := store.Open(t.TempDir(), &store.Options{NoSync: true, OnBatch: log.add})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()

	const writers, each = 8, 25
	boom := errors.New("boom")
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				err := db.Update(ctx, func(tx *store.Txn) error {
					if err := tx.Set(fmt.Appendf(nil, "\x01w%d-%03d", w, i), []byte("v")); err != nil {
						return err
					}
					if i%5 == 4 {
						return boom // rolled back, possibly out of a shared group
					}
					return nil
				})
				if i%5 == 4 {
					assert.ErrorIs(t, err, boom)
				} else {
					assert.NoError(t, err)
				}
			}
		})
	}
	wg.Wait()

	var updates, ops, bytes int
	for _, b := range log.all() {
		require.Positive(t, b.Updates)
		require.Equal(t, b.Updates, b.Ops, "each committed update set one key")
		updates += b.Updates
		ops += b.Ops
		bytes += b.Bytes - 12
	}
	committed := writers * each * 4 / 5
	assert.Equal(t, committed, updates)
	assert.Equal(t, committed, ops)
	assert.Equal(t, committed*(1+1+len("\x01w0-000")+1+1), bytes, "batch bodies without their headers")
}
