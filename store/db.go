package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// backend is what a storage engine provides to [DB]: Pebble (pebble.go),
// embedded, owned by one process, and PostgreSQL (postgres.go), shared by
// many, which maps update to a serializable SQL transaction (retried on
// conflict, which is why update closures may run more than once) and view
// to a read-only one.
type backend interface {
	// update runs fn in a read-write transaction and commits it atomically
	// and, unless configured otherwise, durably. fn may run more than once.
	// After the commit, and before update returns, it runs the OnCommit
	// functions of the run that committed, ordered with other updates'
	// OnCommit functions (of this process) as their commits are.
	update(ctx context.Context, fn func(*Txn) error) error
	// view runs fn against one consistent snapshot.
	view(ctx context.Context, fn func(kv) error) error
	// get returns a copy of key's committed value, or ErrNotFound.
	get(ctx context.Context, key []byte) ([]byte, error)
	// compact rewrites all data files, dropping deleted data.
	compact(ctx context.Context) error
	close() error
}

// DB is a transactional key-value store. Open one with [Open] (Pebble,
// embedded) or [OpenPostgres] (shared by several processes).
//
// A DB is safe for concurrent use by multiple goroutines. Updates are
// serializable: on Pebble they are applied one after another (each sees
// the writes of those before it); on PostgreSQL they run concurrently and
// the database aborts and the store reruns those that conflict, with the
// same outcome. View calls run in parallel with each other and with
// Update.
type DB struct {
	be backend

	mu       sync.RWMutex // guards closed; held for reading by every call in flight
	closed   bool
	inflight sync.WaitGroup

	fatal atomic.Pointer[FatalError] // the engine's fatal error, once it had one
}

// enter registers a call in flight, or reports ErrClosed or the engine's
// fatal error.
func (db *DB) enter() error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.closed {
		return ErrClosed
	}
	if fe := db.fatal.Load(); fe != nil {
		return fe
	}
	db.inflight.Add(1)
	return nil
}

// guard runs f, a call into the back end, and keeps the engine's fatal
// error, whether f returned it or panicked with it, for every later call.
func (db *DB) guard(f func() error) (err error) {
	defer func() {
		var fe *FatalError
		if errors.As(err, &fe) {
			db.fatal.CompareAndSwap(nil, fe)
		}
	}()
	defer recoverFatal(&err)
	return f()
}

// Update runs fn in a read-write transaction. If fn returns nil, its writes
// are committed atomically; with the default options they are durable when
// Update returns. If fn returns an error or panics, nothing it wrote is
// kept: the error is returned, or the panic continues in the caller (but
// see [FatalError]).
//
// On Pebble, concurrent Update calls are applied one after another and made
// durable together by one synced write (group commit); each returns only
// after its own writes are durable. On PostgreSQL each is a SERIALIZABLE
// transaction; one aborted by a conflict is run again after a random
// backoff, up to Options.MaxTries times, then fails with a
// [*ConflictError]. If the connection is lost during the commit, Update
// returns [ErrCommitUnknown] and does not run fn again.
//
// fn may run more than once before its result is committed, so it must have
// no side effects outside the transaction: act on what was committed after
// Update returns. Inside fn, call only the Txn: a call to the DB from fn
// may wait forever on PostgreSQL, where fn holds one of the pool's
// connections.
func (db *DB) Update(ctx context.Context, fn func(*Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.enter(); err != nil {
		return err
	}
	defer db.inflight.Done()
	return db.guard(func() error { return db.be.update(ctx, fn) })
}

// View runs fn in a read-only transaction that sees one consistent snapshot
// of the store, unaffected by Updates that commit while it runs.
func (db *DB) View(ctx context.Context, fn func(*Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.enter(); err != nil {
		return err
	}
	defer db.inflight.Done()
	return db.guard(func() error {
		return db.be.view(ctx, func(k kv) error { return fn(&Txn{kv: k}) })
	})
}

// Get returns a copy of key's value in the committed state, or
// [ErrNotFound]. It is one read outside any transaction, which costs less
// than a View: use a View for several reads that must see one state.
func (db *DB) Get(ctx context.Context, key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, ErrInvalidKey
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.inflight.Done()
	var v []byte
	err := db.guard(func() (err error) {
		v, err = db.be.get(ctx, key)
		return err
	})
	return v, err
}

// Has reports whether key exists in the committed state, as [DB.Get]
// reads it.
func (db *DB) Has(ctx context.Context, key []byte) (bool, error) {
	_, err := db.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Compact rewrites the store's data files so that deleted and overwritten
// data is physically removed, not just hidden: call it after Forget to make
// erasure complete on disk.
//
// On Pebble, when it returns, no table or write-ahead log in the directory
// holds deleted keys or values (it waits for reads in progress that still
// use the old files). One residue remains: Pebble's MANIFEST lists the
// first and last key of every file it has made since the MANIFEST was
// started, so a deleted key (an identifier, an event ID; never a value)
// may stay there until Pebble starts a new MANIFEST, which it does on Open
// (keeping the previous one) or when it grows past 128 MiB. Two Close and
// Open cycles after Compact remove it.
//
// On PostgreSQL it runs VACUUM FULL on the store's table, which holds an
// exclusive lock on the table while it runs: every other call on the
// store, from every process, waits. The server's write-ahead log, its
// replicas and its backups keep what they kept.
//
// The file system may keep freed blocks on the device; see the README's
// threat model.
func (db *DB) Compact(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := db.enter(); err != nil {
		return err
	}
	defer db.inflight.Done()
	return db.guard(func() error { return db.be.compact(ctx) })
}

// Close waits for calls in flight to finish, then closes the store. Every
// call after Close returns [ErrClosed], including a second Close. After the
// engine's fatal error, Close still releases what it can and returns that
// error.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	db.closed = true
	db.mu.Unlock()
	db.inflight.Wait()
	err := db.guard(db.be.close)
	if fe := db.fatal.Load(); fe != nil {
		return fe
	}
	return err
}
