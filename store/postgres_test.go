package store_test

import (
	"context"
	"encoding/binary"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/storetest"
	"github.com/threadline/threadline/store"
)

// conflictOnce runs an Update that reads k, lets another Update change k
// and commit, then writes k: under SERIALIZABLE the first try must abort.
// It returns how often its closure ran and the Update's error.
func conflictOnce(t *testing.T, db *store.DB, k []byte) (int, error) {
	t.Helper()
	ctx := context.Background()
	runs := 0
	err := db.Update(ctx, func(tx *store.Txn) error {
		runs++
		if _, err := tx.Get(k); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if runs == 1 {
			require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
				return tx.Set(k, []byte("other"))
			}))
		}
		return tx.Set(k, []byte("mine"))
	})
	return runs, err
}

func TestPostgresConflictRetried(t *testing.T) {
	var retries atomic.Int64
	db := storetest.OpenPostgres(t, &store.Options{OnBatch: func(b store.BatchInfo) {
		retries.Add(int64(b.Retries))
	}})
	runs, err := conflictOnce(t, db, []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, 2, runs, "the closure ran again after the conflict")
	assert.Equal(t, int64(1), retries.Load(), "OnBatch reports the retry")
	v, err := db.Get(t.Context(), []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, "mine", string(v))
}

func TestPostgresConflictError(t *testing.T) {
	db := storetest.OpenPostgres(t, &store.Options{MaxTries: 1})
	runs, err := conflictOnce(t, db, []byte("k"))
	assert.Equal(t, 1, runs)
	var cerr *store.ConflictError
	require.ErrorAs(t, err, &cerr)
	assert.ErrorIs(t, err, store.ErrConflict)
	assert.Equal(t, 1, cerr.Tries)
	assert.Equal(t, "40001", cerr.Code)
	v, err := db.Get(t.Context(), []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, "other", string(v), "the aborted Update wrote nothing")
}

// openShared opens a store in a schema of the test database's own, as
// another process would.
func openShared(t *testing.T, url, schema string) *store.DB {
	t.Helper()
	db, err := store.OpenPostgres(t.Context(), url, &store.Options{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestPostgresReopen(t *testing.T) {
	url, schema := storetest.PostgresSchema(t)
	db := openShared(t, url, schema)
	ctx := t.Context()
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error { return tx.Set([]byte("k"), []byte("v")) }))
	// A second store on the same schema, as another process would open
	// it, shares the data and the counters.
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		_, err := store.NextSequence(tx, "reopen")
		return err
	}))
	other := openShared(t, url, schema)
	v, err := other.Get(ctx, []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, "v", string(v))
	require.NoError(t, other.Update(ctx, func(tx *store.Txn) error {
		n, err := store.NextSequence(tx, "reopen")
		assert.Equal(t, uint64(2), n)
		return err
	}))
	require.NoError(t, other.Compact(ctx))
}

func TestPostgresVersionMismatch(t *testing.T) {
	url, schema := storetest.PostgresSchema(t)
	db := openShared(t, url, schema)
	ctx := t.Context()
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		return tx.Set(versionKey, binary.BigEndian.AppendUint64(nil, store.FormatVersion+1))
	}))
	_, err := store.OpenPostgres(ctx, url, &store.Options{Schema: schema})
	var verr *store.VersionError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, store.FormatVersion+1, verr.Found)
}

func TestPostgresInvalidOptions(t *testing.T) {
	ctx := t.Context()
	_, err := store.OpenPostgres(ctx, "postgres://localhost/x", &store.Options{InMemory: true})
	assert.ErrorIs(t, err, store.ErrInvalidOptions)
	_, err = store.OpenPostgres(ctx, "postgres://localhost/x", &store.Options{Schema: string(make([]byte, 64))})
	assert.ErrorIs(t, err, store.ErrInvalidOptions)
	_, err = store.OpenPostgres(ctx, "not a url ::: =", nil)
	assert.ErrorIs(t, err, store.ErrInvalidOptions)
}
