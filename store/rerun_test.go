package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/store"
)

// With THREADLINE_TEST_RERUN=1 at Open, every Update closure runs twice;
// the first run's writes, counters and OnCommit functions are thrown away.
func TestRerunMode(t *testing.T) {
	t.Setenv("THREADLINE_TEST_RERUN", "1")
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()

	runs, commits := 0, 0
	var n uint64
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) (err error) {
		runs++
		tx.OnCommit(func() { commits++ })
		if v, err := tx.Get([]byte("k")); err == nil {
			return tx.Set([]byte("k"), append(v, 'x'))
		}
		if err := tx.Set([]byte("k"), []byte("x")); err != nil {
			return err
		}
		n, err = store.NextSequence(tx, "s")
		return err
	}))
	assert.Equal(t, 2, runs)
	assert.Equal(t, 1, commits)
	assert.Equal(t, uint64(1), n, "the throwaway run's number is not kept")
	v, err := db.Get(ctx, []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, "x", string(v), "the second run does not see the first's writes")

	t.Setenv("THREADLINE_TEST_RERUN", "")
	plain, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer plain.Close()
	runs = 0
	require.NoError(t, plain.Update(ctx, func(*store.Txn) error { runs++; return nil }))
	assert.Equal(t, 1, runs)
}
