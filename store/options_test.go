package store_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/store"
)

func TestOpenInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		dir   string
		opts  *store.Options
		field string
	}{
		{"no directory", "", nil, "dir"},
		{"no directory, NoSync", "", &store.Options{NoSync: true}, "dir"},
		{"negative CacheSize", "x", &store.Options{InMemory: true, CacheSize: -1}, "CacheSize"},
		{"huge CacheSize", "x", &store.Options{InMemory: true, CacheSize: math.MaxInt64}, "CacheSize"},
		{"MemTableSize 1", "x", &store.Options{InMemory: true, MemTableSize: 1}, "MemTableSize"},
		{"MemTableSize below the minimum", "x", &store.Options{InMemory: true, MemTableSize: store.MinMemTableSize - 1}, "MemTableSize"},
		{"MemTableSize at the maximum", "x", &store.Options{InMemory: true, MemTableSize: store.MaxMemTableSize}, "MemTableSize"},
		{"negative MaxGroupSize", "x", &store.Options{InMemory: true, MaxGroupSize: -1}, "MaxGroupSize"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(tc.dir, tc.opts)
			require.Nil(t, db)
			require.ErrorIs(t, err, store.ErrInvalidOptions)
			var oe *store.OptionError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tc.field, oe.Field)
			assert.Contains(t, err.Error(), tc.field)
		})
	}

	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err, "in memory, the directory is only a label")
	require.NoError(t, db.Close())
}

// The smallest memtable allowed takes batches of every size, from a few
// bytes to several times its own size, which Pebble turns into flushable
// batches: none may reach Pebble's "memtable larger than MemTableSize"
// panic.
func TestMinMemTableSize(t *testing.T) {
	db, err := store.Open("", &store.Options{InMemory: true, MemTableSize: store.MinMemTableSize})
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	for _, size := range []int{10, 1 << 10, store.MinMemTableSize/2 - 512, store.MinMemTableSize / 2, store.MinMemTableSize, 4 * store.MinMemTableSize} {
		for i := range 20 {
			require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
				return tx.Set(fmt.Appendf(nil, "k%d-%d", size, i), make([]byte, size))
			}), "value of %d bytes", size)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	var nilOpts *store.Options
	o := nilOpts.Clone()
	o.EnsureDefaults()
	require.NoError(t, o.Validate())
	assert.Equal(t, int64(64<<20), o.CacheSize)
	assert.Equal(t, uint64(32<<20), o.MemTableSize)
	assert.Equal(t, 256, o.MaxGroupSize)
	assert.NotNil(t, o.Logger)

	in := &store.Options{MaxGroupSize: 1}
	c := in.Clone()
	c.EnsureDefaults()
	assert.Equal(t, 1, c.MaxGroupSize, "1 turns group commit off and is kept")
	assert.Zero(t, in.CacheSize, "EnsureDefaults works on the clone")
}

// Open hands the engine's messages to Options.Logger, at debug level for
// its chatter; the store writes nowhere else.
func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dir := t.TempDir()
	for range 2 { // the second open replays the log, which Pebble reports
		db, err := store.Open(dir, &store.Options{Logger: l})
		require.NoError(t, err)
		require.NoError(t, db.Update(context.Background(), func(tx *store.Txn) error {
			return tx.Set([]byte("k"), []byte("v"))
		}))
		require.NoError(t, db.Close())
	}
	assert.Contains(t, buf.String(), "level=DEBUG")
	assert.Contains(t, buf.String(), "component=pebble")
}
