package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/storetest"
	"github.com/threadline/threadline/store"
)

// The PostgreSQL benchmarks run when THREADLINE_TEST_POSTGRES is set
// (see internal/storetest). Each has a raw-pgx twin that sends what the
// store sends for the same work, so the store's overhead reads as a ratio
// (as the Pebble benchmarks do); the Pebble figures for the same work are
// BenchmarkUpdateWrites, BenchmarkView and BenchmarkScan.

// openPostgresBench opens a store in a schema of its own, with a pool as
// large as the callers, and counts the retries its commits report.
func openPostgresBench(b *testing.B, callers int) (*store.DB, *pgxpool.Pool, string, *atomic.Int64) {
	b.Helper()
	url, schema := storetest.PostgresSchema(b)
	url = withPoolSize(url, callers)
	retries := new(atomic.Int64)
	db, err := store.OpenPostgres(context.Background(), url, &store.Options{
		Schema:  schema,
		OnBatch: func(bi store.BatchInfo) { retries.Add(int64(bi.Retries)) },
	})
	require.NoError(b, err)
	b.Cleanup(func() { _ = db.Close() })
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	return db, pool, pgx.Identifier{schema}.Sanitize() + ".kv", retries
}

// withPoolSize sets pgxpool's pool_max_conns in a URL.
func withPoolSize(url string, n int) string {
	sep := "?"
	for _, c := range url {
		if c == '?' {
			sep = "&"
		}
	}
	return fmt.Sprintf("%s%spool_max_conns=%d", url, sep, max(n, 4))
}

// writeKeys writes n keys starting at key number first in one Update.
func writeKeys(db *store.DB, first uint64, n int) error {
	return db.Update(context.Background(), func(tx *store.Txn) error {
		for i := range uint64(n) {
			if err := tx.Set(benchKey(first+i), benchValue); err != nil {
				return err
			}
		}
		return nil
	})
}

// rawWriteKeys does what the store does for writeKeys: a SERIALIZABLE
// transaction, one upsert of every key, the COMMIT in the same round trip.
func rawWriteKeys(pool *pgxpool.Pool, table string, first uint64, n int) error {
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "BEGIN ISOLATION LEVEL SERIALIZABLE"); err != nil {
		return err
	}
	ks, vs := make([][]byte, n), make([][]byte, n)
	for i := range ks {
		ks[i], vs[i] = benchKey(first+uint64(i)), benchValue
	}
	var batch pgx.Batch
	batch.Queue("WITH d AS (DELETE FROM "+table+" WHERE k = ANY($1::bytea[])) "+
		"INSERT INTO "+table+" (k, v) SELECT * FROM unnest($2::bytea[], $3::bytea[]) "+
		"ON CONFLICT (k) DO UPDATE SET v = excluded.v", [][]byte{}, ks, vs)
	batch.Queue("COMMIT")
	if err := conn.SendBatch(ctx, &batch).Close(); err != nil {
		_, _ = conn.Exec(ctx, "ROLLBACK")
		return err
	}
	return nil
}

// BenchmarkPostgresUpdate measures one Update writing N keys (16-byte
// key, 100-byte value), durable as the server is configured.
func BenchmarkPostgresUpdate(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("writes=%d/threadline", n), func(b *testing.B) {
			db, _, _, _ := openPostgresBench(b, 1)
			benchSerial(b, func(i uint64) error { return writeKeys(db, i*uint64(n), n) })
		})
		b.Run(fmt.Sprintf("writes=%d/pgx", n), func(b *testing.B) {
			_, pool, table, _ := openPostgresBench(b, 1)
			benchSerial(b, func(i uint64) error { return rawWriteKeys(pool, table, i*uint64(n), n) })
		})
	}
}

// BenchmarkUpdateWrites is BenchmarkPostgresUpdate's work on Pebble.
func BenchmarkUpdateWrites(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("writes=%d/threadline", n), func(b *testing.B) {
			db := openBench(b, false)
			benchSerial(b, func(i uint64) error { return writeKeys(db, i*uint64(n), n) })
		})
	}
}

// BenchmarkPostgresContention runs 16 concurrent callers, each Update
// reading a key and writing it back, and drawing a number from a shared
// counter (NextSequence): on distinct keys (in insertion order, and
// scattered over the key space), and on 64 hot keys, where transactions
// conflict. It reports the retries per committed Update (retries/op).
func BenchmarkPostgresContention(b *testing.B) {
	const callers = 16
	for _, c := range []struct {
		name    string
		key     func(n uint64) []byte
		preload bool // start from a table of benchStoreKeys keys
	}{
		// Keys in insertion order all land on the index's last page,
		// where PostgreSQL's predicate locks (page-grained in a btree)
		// make transactions that read absent keys there conflict.
		{"distinct-sequential", benchKey, false},
		{"distinct-scattered", scattered, false},
		// The same among 100k scattered keys, whose index has a few
		// hundred leaf pages: as in a store in use.
		{"distinct-scattered/keys=100k", func(n uint64) []byte { return scattered(benchStoreKeys + n) }, true},
		{"hot=64", func(n uint64) []byte { return benchKey(n % 64) }, false},
	} {
		b.Run(fmt.Sprintf("callers=%d/%s", callers, c.name), func(b *testing.B) {
			db, _, _, retries := openPostgresBench(b, callers)
			if c.preload {
				loadThreadline(b, db, scattered)
				retries.Store(0)
			}
			benchParallel(b, callers, func(n uint64) error {
				k := c.key(n)
				return db.Update(context.Background(), func(tx *store.Txn) error {
					if _, err := tx.Get(k); err != nil && err != store.ErrNotFound {
						return err
					}
					if _, err := store.NextSequence(tx, "bench"); err != nil {
						return err
					}
					return tx.Set(k, benchValue)
				})
			})
			b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/op")
		})
	}
}

// scattered spreads key numbers over the key space.
func scattered(n uint64) []byte { return benchKey(n * 0x9e3779b97f4a7c15) }

// loadPostgres opens a PostgreSQL store holding benchStoreKeys keys.
func loadPostgres(b *testing.B) (*store.DB, *pgxpool.Pool, string) {
	db, pool, table, _ := openPostgresBench(b, 4)
	loadThreadline(b, db, benchKey)
	_, err := pool.Exec(context.Background(), "ANALYZE "+table)
	require.NoError(b, err)
	return db, pool, table
}

// BenchmarkPostgresRead measures, on a store of 100k keys, a point read
// (DB.Get: one statement, no transaction), a point read in a View, and
// reading 100 consecutive keys in a View.
func BenchmarkPostgresRead(b *testing.B) {
	db, pool, table := loadPostgres(b) // once for every sub-benchmark
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	b.Run("get/keys=100k/threadline", func(b *testing.B) {
		benchSerial(b, func(uint64) error {
			_, err := db.Get(ctx, benchKey(rng.Uint64N(benchStoreKeys)))
			return err
		})
	})
	b.Run("get/keys=100k/pgx", func(b *testing.B) {
		benchSerial(b, func(uint64) error {
			var v []byte
			return pool.QueryRow(ctx, "SELECT v FROM "+table+" WHERE k = $1", benchKey(rng.Uint64N(benchStoreKeys))).Scan(&v)
		})
	})
	b.Run("view-get/keys=100k/threadline", func(b *testing.B) {
		benchSerial(b, func(uint64) error {
			return db.View(ctx, func(tx *store.Txn) error {
				_, err := tx.Get(benchKey(rng.Uint64N(benchStoreKeys)))
				return err
			})
		})
	})
	const scanLen = 100
	b.Run("scan=100/keys=100k/threadline", func(b *testing.B) {
		benchSerial(b, func(uint64) error {
			start := rng.Uint64N(benchStoreKeys - scanLen)
			return db.View(ctx, func(tx *store.Txn) error {
				it := tx.NewIter(&store.IterOptions{LowerBound: benchKey(start), UpperBound: benchKey(start + scanLen)})
				got := 0
				for ok := it.First(); ok; ok = it.Next() {
					got += len(it.Value())
				}
				if got != scanLen*benchValueLen {
					return fmt.Errorf("scanned %d bytes", got)
				}
				return it.Close()
			})
		})
	})
	b.Run("scan=100/keys=100k/pgx", func(b *testing.B) {
		benchSerial(b, func(uint64) error {
			start := rng.Uint64N(benchStoreKeys - scanLen)
			tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			rows, err := tx.Query(ctx, "SELECT k, v FROM "+table+" WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3",
				benchKey(start), benchKey(start+scanLen), scanLen)
			if err != nil {
				return err
			}
			got := 0
			for rows.Next() {
				var k, v []byte
				if err := rows.Scan(&k, &v); err != nil {
					return err
				}
				got += len(v)
			}
			if got != scanLen*benchValueLen {
				return fmt.Errorf("scanned %d bytes", got)
			}
			return rows.Err()
		})
	})
}
