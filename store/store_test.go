package store_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/internal/storetest"
	"github.com/threadline/threadline/store"
)

func TestConformance(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) *store.DB {
			db, err := store.Open("", &store.Options{InMemory: true})
			require.NoError(t, err)
			return db
		})
	})
	t.Run("disk", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) *store.DB {
			db, err := store.Open(t.TempDir(), nil)
			require.NoError(t, err)
			return db
		})
	})
	t.Run("disk-nosync", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) *store.DB {
			db, err := store.Open(t.TempDir(), &store.Options{NoSync: true, MaxGroupSize: 4})
			require.NoError(t, err)
			return db
		})
	})
	t.Run("postgres", func(t *testing.T) {
		storetest.PostgresURL(t)
		storetest.Run(t, func(t *testing.T) *store.DB { return storetest.OpenPostgres(t, nil) })
	})
	t.Run("postgres-nosync", func(t *testing.T) {
		storetest.PostgresURL(t)
		storetest.Run(t, func(t *testing.T) *store.DB {
			return storetest.OpenPostgres(t, &store.Options{NoSync: true})
		})
	})
}

// versionKey is the meta record store.Open checks.
var versionKey = keys.New(keys.Meta).String("version")

// setRawVersion overwrites the stored format version with pebble directly.
func setRawVersion(t *testing.T, dir string, v []byte) {
	t.Helper()
	pdb, err := pebble.Open(dir, &pebble.Options{FormatMajorVersion: pebble.FormatNewest})
	require.NoError(t, err)
	require.NoError(t, pdb.Set(versionKey, v, pebble.Sync))
	require.NoError(t, pdb.Close())
}

func TestOpenVersionMismatch(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	setRawVersion(t, dir, binary.BigEndian.AppendUint64(nil, store.FormatVersion+1))
	_, err = store.Open(dir, nil)
	require.Error(t, err)
	var verr *store.VersionError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, store.FormatVersion+1, verr.Found)
	assert.Equal(t, store.FormatVersion, verr.Want)
	assert.ErrorIs(t, err, store.ErrVersion)
	assert.Equal(t, fmt.Sprintf("store: format version %d, this library reads version %d", store.FormatVersion+1, store.FormatVersion), err.Error())

	// A store of the previous format (before the matcher's index held
	// prepared profiles) is refused the same way.
	setRawVersion(t, dir, binary.BigEndian.AppendUint64(nil, 1))
	_, err = store.Open(dir, nil)
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, uint64(1), verr.Found)

	// A version record that is not 8 bytes is a mismatch too, not a panic.
	setRawVersion(t, dir, []byte("v1"))
	_, err = store.Open(dir, nil)
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, uint64(0), verr.Found)

	// The failed opens released the directory: the right version opens.
	setRawVersion(t, dir, binary.BigEndian.AppendUint64(nil, store.FormatVersion))
	db, err = store.Open(dir, nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())
}

func TestOpenWritesVersion(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, nil)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	pdb, err := pebble.Open(dir, &pebble.Options{})
	require.NoError(t, err)
	defer pdb.Close()
	v, closer, err := pdb.Get(versionKey)
	require.NoError(t, err)
	defer closer.Close()
	assert.Equal(t, binary.BigEndian.AppendUint64(nil, store.FormatVersion), v)
}

func TestOpenEngineError(t *testing.T) {
	// A regular file where the directory should be: the engine fails, and
	// its error reaches the caller as ErrEngine, not as a Pebble error.
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	_, err := store.Open(file, nil)
	assert.ErrorIs(t, err, store.ErrEngine)
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, nil)
	require.NoError(t, err)
	ctx := t.Context()
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		return tx.Set([]byte("k"), []byte("v"))
	}))
	require.NoError(t, db.Compact(ctx))
	require.NoError(t, db.Close())

	db, err = store.Open(dir, nil)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.View(ctx, func(tx *store.Txn) error {
		v, err := tx.Get([]byte("k"))
		require.NoError(t, err)
		assert.Equal(t, "v", string(v))
		return nil
	}))
}

func TestNextSequence(t *testing.T) {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	ctx := t.Context()
	// A closure may run more than once: the number it got is the last
	// run's, kept after Update returns.
	var got []uint64
	next := func() {
		var n uint64
		require.NoError(t, db.Update(ctx, func(tx *store.Txn) (err error) {
			n, err = store.NextSequence(tx, "obs")
			return err
		}))
		got = append(got, n)
	}
	for range 3 {
		next()
	}
	// A rolled-back transaction hands out nothing.
	errRollback := errors.New("rollback")
	require.ErrorIs(t, db.Update(ctx, func(tx *store.Txn) error {
		_, err := store.NextSequence(tx, "obs")
		require.NoError(t, err)
		return errRollback
	}), errRollback)
	next()
	assert.Equal(t, []uint64{1, 2, 3, 4}, got)
}

// TestSchemaDocument checks that the key-schema comment in schema.go lists
// every table of internal/keys as "0xNN name", with its owner.
func TestSchemaDocument(t *testing.T) {
	src, err := os.ReadFile("schema.go")
	require.NoError(t, err)
	var doc strings.Builder
	for _, line := range strings.Split(string(src), "\n") {
		if c, ok := strings.CutPrefix(strings.TrimSpace(line), "//"); ok {
			doc.WriteString(c + "\n")
		}
	}
	text := doc.String()
	for _, tab := range keys.Tables {
		entry := fmt.Sprintf("0x%02x %s", byte(tab.Table), tab.Name)
		re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(entry) + `\s+owner\s+(\S+)`)
		m := re.FindStringSubmatch(text)
		if !assert.NotNil(t, m, "schema.go does not document table %q", entry) {
			continue
		}
		assert.Equal(t, tab.Owner, m[1], "owner of %s", entry)
	}
}

func TestFormatKey(t *testing.T) {
	cases := []struct {
		key  []byte
		want string
	}{
		{keys.New(keys.Meta).String("version"), "/meta/version"},
		{keys.New(keys.Seq).String("obs"), "/seq/obs"},
		{keys.New(keys.Customer).Uint(42), "/cust/42"},
		{keys.New(keys.Member).Uint(7).String("email").String("ann@example.com"), "/member/7/email/ann@example.com"},
		{keys.New(keys.Attribute).String("a").String("dob").Int(-5).Uint(0), "/attr/a/dob/-5/0"},
		{keys.New(keys.Meta).String("a/b"), `/meta/"a/b"`},
		{keys.New(keys.Meta).Bytes([]byte{0, 0xff}), `/meta/"\x00\xff"`},
		{keys.New(keys.Meta), "/meta"},
		{[]byte{0x7f}, "/0x7f"},
		{nil, "/"},
		{[]byte{byte(keys.Meta), 0x12, 'a'}, "/meta/!corrupt"},
		{[]byte{byte(keys.Meta), 0x15, 1, 2}, "/meta/0!corrupt"},
		{[]byte{byte(keys.Meta), 0x99, 0xab}, "/meta/0x99ab"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, store.FormatKey(c.key), "key %x", c.key)
	}
}

func TestGetHas(t *testing.T) {
	db, err := store.Open(t.TempDir(), &store.Options{NoSync: true})
	require.NoError(t, err)
	ctx := t.Context()
	k := keys.New(keys.Customer).Uint(1)
	ok, err := db.Has(ctx, k)
	require.NoError(t, err)
	assert.False(t, ok)
	// Inside an Update the write is not committed yet; after it, it is.
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		require.NoError(t, tx.Set(k, []byte("v")))
		ok, err := db.Has(ctx, k)
		require.NoError(t, err)
		assert.False(t, ok, "an uncommitted write")
		return nil
	}))
	ok, err = db.Has(ctx, k)
	require.NoError(t, err)
	assert.True(t, ok)
	v, err := db.Get(ctx, k)
	require.NoError(t, err)
	assert.Equal(t, []byte("v"), v)
	_, err = db.Get(ctx, keys.New(keys.Customer).Uint(2))
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.Has(ctx, nil)
	assert.ErrorIs(t, err, store.ErrInvalidKey)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = db.Has(cancelled, k)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = db.Get(cancelled, k)
	assert.ErrorIs(t, err, context.Canceled)
	require.NoError(t, db.Close())
	_, err = db.Has(ctx, k)
	assert.ErrorIs(t, err, store.ErrClosed)
	_, err = db.Get(ctx, k)
	assert.ErrorIs(t, err, store.ErrClosed)
}
