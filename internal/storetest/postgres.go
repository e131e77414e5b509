package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadline/threadline/store"
)

// PostgresEnv names the environment variable that holds the URL of a
// PostgreSQL database for tests. When it is unset, tests that need the
// database skip, saying so, so that `go test ./...` needs nothing
// installed; .ci/run starts a private cluster and sets it.
const PostgresEnv = "THREADLINE_TEST_POSTGRES"

// PostgresURL returns the test database's URL, or skips t when
// [PostgresEnv] is unset.
func PostgresURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(PostgresEnv)
	if url == "" {
		t.Skipf("%s is not set: skipping the PostgreSQL run (set it to a database URL, e.g. postgres://user@127.0.0.1:5432/db, to run it)", PostgresEnv)
	}
	return url
}

var schemas atomic.Int64

// PostgresSchema reserves a schema of its own on the test database (see
// [PostgresURL]; it skips t without one), so that tests and concurrent runs
// never see each other's data, and drops it when t ends, after the
// cleanups registered later (closing the stores opened on it) ran. It
// returns the database's URL and the schema's name, for
// [store.Options].Schema: every store opened on it shares one store, as
// processes do.
func PostgresSchema(t testing.TB) (url, schema string) {
	t.Helper()
	url = PostgresURL(t)
	schema = fmt.Sprintf("tltest_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemas.Add(1))
	t.Cleanup(func() {
		if err := store.DropPostgres(context.Background(), url, schema); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	return url, schema
}

// OpenPostgres opens a new, empty store on the test database in a schema
// of its own (see [PostgresSchema]), with opts (nil: defaults) but for
// opts.Schema. It skips t when no database is set. The store is closed and
// its schema dropped when t ends.
func OpenPostgres(t testing.TB, opts *store.Options) *store.DB {
	t.Helper()
	url, schema := PostgresSchema(t)
	var o store.Options
	if opts != nil {
		o = *opts
	}
	o.Schema = schema
	db, err := store.OpenPostgres(context.Background(), url, &o)
	if err != nil {
		t.Fatalf("storetest: open PostgreSQL store: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
			t.Errorf("storetest: close PostgreSQL store: %v", err)
		}
	})
	return db
}

// Open opens a new, empty store for a test: on the test database (see
// [OpenPostgres]) when [PostgresEnv] is set, else in memory on Pebble. A
// package's tests that open their stores with it run on both back ends:
// `go test` as usual, then again with the variable set (as .ci/run does).
// The store is closed when t ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	if os.Getenv(PostgresEnv) != "" {
		return OpenPostgres(t, nil)
	}
	db, err := store.Open("", &store.Options{InMemory: true})
	if err != nil {
		t.Fatalf("storetest: open in-memory store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
