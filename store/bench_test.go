package store_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/store"
)

// Every benchmark here has a raw-Pebble twin doing the same work, so that
// the store's overhead reads as a ratio (compare with benchstat).

const (
	benchKeyLen   = 16
	benchValueLen = 100
	benchCallers  = 64
)

var benchValue = func() []byte {
	v := make([]byte, benchValueLen)
	for i := range v {
		v[i] = byte('a' + i%26)
	}
	return v
}()

// benchKey returns a 16-byte key: a fixed 8-byte prefix and n big-endian.
func benchKey(n uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte("benchkey"), n)
}

// openBench opens a threadline store on disk (durable benchmarks must hit a
// real file system, and so does NoSync for a fair comparison).
func openBench(b *testing.B, noSync bool) *store.DB {
	b.Helper()
	db, err := store.Open(b.TempDir(), &store.Options{NoSync: noSync})
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, db.Close()) })
	return db
}

// openRawBench opens Pebble with the options store.Open uses.
func openRawBench(b *testing.B) *pebble.DB {
	b.Helper()
	pdb, err := pebble.Open(b.TempDir(), &pebble.Options{
		CacheSize:          64 << 20,
		MemTableSize:       32 << 20,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             benchLogger{b},
	})
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, pdb.Close()) })
	return pdb
}

// benchLogger drops Pebble's informational messages, as store.Open does.
type benchLogger struct{ b *testing.B }

func (benchLogger) Infof(string, ...any)                {}
func (l benchLogger) Errorf(format string, args ...any) { l.b.Errorf(format, args...) }
func (l benchLogger) Fatalf(format string, args ...any) { l.b.Fatalf(format, args...) }

// reportOps reports throughput; with RunParallel, ns/op is wall time per
// op across all callers, so this is the aggregate rate.
func reportOps(b *testing.B, ops uint64) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(ops)/s, "ops/s")
	}
}

func threadlineWrite(db *store.DB, key []byte) error {
	return db.Update(context.Background(), func(tx *store.Txn) error {
		return tx.Set(key, benchValue)
	})
}

func pebbleWrite(pdb *pebble.DB, key []byte, wo *pebble.WriteOptions) error {
	batch := pdb.NewIndexedBatch()
	defer batch.Close()
	if err := batch.Set(key, benchValue, nil); err != nil {
		return err
	}
	return batch.Commit(wo)
}

// BenchmarkUpdate measures one small write (16-byte key, 100-byte value) per
// transaction.
func BenchmarkUpdate(b *testing.B) {
	b.Run("nosync/threadline", func(b *testing.B) {
		db := openBench(b, true)
		benchSerial(b, func(n uint64) error { return threadlineWrite(db, benchKey(n)) })
	})
	b.Run("nosync/pebble", func(b *testing.B) {
		pdb := openRawBench(b)
		benchSerial(b, func(n uint64) error { return pebbleWrite(pdb, benchKey(n), pebble.NoSync) })
	})
	b.Run("durable/callers=1/threadline", func(b *testing.B) {
		db := openBench(b, false)
		benchSerial(b, func(n uint64) error { return threadlineWrite(db, benchKey(n)) })
	})
	b.Run("durable/callers=1/pebble", func(b *testing.B) {
		pdb := openRawBench(b)
		benchSerial(b, func(n uint64) error { return pebbleWrite(pdb, benchKey(n), pebble.Sync) })
	})
	b.Run("durable/callers=64/threadline", func(b *testing.B) {
		db := openBench(b, false)
		benchParallel(b, benchCallers, func(n uint64) error { return threadlineWrite(db, benchKey(n)) })
	})
	b.Run("durable/callers=64/pebble", func(b *testing.B) {
		pdb := openRawBench(b)
		benchParallel(b, benchCallers, func(n uint64) error { return pebbleWrite(pdb, benchKey(n), pebble.Sync) })
	})
}

func benchSerial(b *testing.B, op func(n uint64) error) {
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		n++
		if err := op(n); err != nil {
			b.Fatal(err)
		}
	}
	reportOps(b, n)
}

// benchParallel runs op from callers goroutines at once. RunParallel starts
// parallelism × GOMAXPROCS goroutines, so the parallelism is derived from
// GOMAXPROCS (32 on two processors).
func benchParallel(b *testing.B, callers int, op func(n uint64) error) {
	b.ReportAllocs()
	b.SetParallelism(max(1, callers/runtime.GOMAXPROCS(0)))
	var n atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(n.Add(1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportOps(b, n.Load())
}

const benchStoreKeys = 100_000

// loadThreadline fills a store with benchStoreKeys keys, key(0) to
// key(benchStoreKeys-1), in batches of 1000.
func loadThreadline(b *testing.B, db *store.DB, key func(n uint64) []byte) {
	b.Helper()
	for lo := uint64(0); lo < benchStoreKeys; lo += 1000 {
		require.NoError(b, db.Update(context.Background(), func(tx *store.Txn) error {
			for n := lo; n < lo+1000; n++ {
				if err := tx.Set(key(n), benchValue); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

// loadPebble fills a raw Pebble store with the same keys.
func loadPebble(b *testing.B, pdb *pebble.DB) {
	b.Helper()
	for lo := uint64(0); lo < benchStoreKeys; lo += 1000 {
		batch := pdb.NewBatch()
		for n := lo; n < lo+1000; n++ {
			require.NoError(b, batch.Set(benchKey(n), benchValue, nil))
		}
		require.NoError(b, batch.Commit(pebble.NoSync))
		require.NoError(b, batch.Close())
	}
}

// BenchmarkView measures a point read in a read-only transaction on a store
// of 100k keys; the baseline reads from a Pebble snapshot, which is what a
// View holds.
func BenchmarkView(b *testing.B) {
	b.Run("keys=100k/threadline", func(b *testing.B) {
		db := openBench(b, true)
		loadThreadline(b, db, benchKey)
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			k := benchKey(rng.Uint64N(benchStoreKeys))
			err := db.View(context.Background(), func(tx *store.Txn) error {
				_, err := tx.Get(k)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("keys=100k/pebble", func(b *testing.B) {
		pdb := openRawBench(b)
		loadPebble(b, pdb)
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			k := benchKey(rng.Uint64N(benchStoreKeys))
			snap := pdb.NewSnapshot()
			v, closer, err := snap.Get(k)
			if err != nil {
				b.Fatal(err)
			}
			_ = append([]byte(nil), v...) // Txn.Get returns a copy
			_ = closer.Close()
			_ = snap.Close()
		}
	})
}

// BenchmarkScan measures reading 100 consecutive keys with an iterator in a
// read-only transaction, on a store of 100k keys.
func BenchmarkScan(b *testing.B) {
	const scanLen = 100
	b.Run("keys=100/threadline", func(b *testing.B) {
		db := openBench(b, true)
		loadThreadline(b, db, benchKey)
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			start := rng.Uint64N(benchStoreKeys - scanLen)
			err := db.View(context.Background(), func(tx *store.Txn) error {
				it := tx.NewIter(&store.IterOptions{LowerBound: benchKey(start), UpperBound: benchKey(start + scanLen)})
				got := 0
				for ok := it.First(); ok; ok = it.Next() {
					got += len(it.Value())
				}
				if got != scanLen*benchValueLen {
					b.Fatalf("scanned %d bytes", got)
				}
				return it.Close()
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("keys=100/pebble", func(b *testing.B) {
		pdb := openRawBench(b)
		loadPebble(b, pdb)
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			start := rng.Uint64N(benchStoreKeys - scanLen)
			snap := pdb.NewSnapshot()
			it, err := snap.NewIter(&pebble.IterOptions{LowerBound: benchKey(start), UpperBound: benchKey(start + scanLen)})
			if err != nil {
				b.Fatal(err)
			}
			got := 0
			for ok := it.First(); ok; ok = it.Next() {
				got += len(it.Value())
			}
			if got != scanLen*benchValueLen {
				b.Fatalf("scanned %d bytes", got)
			}
			if err := it.Close(); err != nil {
				b.Fatal(err)
			}
			_ = snap.Close()
		}
	})
}
