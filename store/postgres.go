package store

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenPostgres opens the store kept in a PostgreSQL database, creating its
// schema (Options.Schema) and table if needed, so that several processes,
// on one machine or many, share one store. url is a libpq connection
// string or URL, as pgx reads it; the pool's settings come from it too
// (pool_max_conns, default the larger of 4 and the number of CPUs, bounds
// how many Update and View calls run at once). nil opts means defaults;
// Options.InMemory is refused.
//
// The store is one table, kv (k bytea primary key, v bytea), holding the
// same keys and values as on Pebble, and one sequence per counter (see
// [NextSequence]). Update runs a SERIALIZABLE transaction whose writes are
// buffered and sent in one statement at commit, and reruns it on a
// serialization failure or a deadlock; View runs a read-only REPEATABLE
// READ transaction (one snapshot); Get is one read outside any
// transaction.
func OpenPostgres(ctx context.Context, url string, opts *Options) (*DB, error) {
	o := opts.Clone()
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.InMemory {
		return nil, &OptionError{Field: "InMemory", Value: true, Reason: "not with PostgreSQL"}
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, &OptionError{Field: "url", Value: "(not shown)", Reason: "not a PostgreSQL connection string"}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, engineErr("open", err)
	}
	be := &pgBackend{pool: pool, q: newPgSQL(o.Schema), maxTries: o.MaxTries, onBatch: o.OnBatch}
	if o.NoSync {
		be.begin = be.q.beginNoSync
	} else {
		be.begin = be.q.begin
	}
	if err := be.setUp(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{be: be}, nil
}

// DropPostgres removes the store kept in schema of the database at url:
// its table, its sequences and the schema itself, at once and for good.
// No process may have the store open. Meant for tests and for
// decommissioning a store.
func DropPostgres(ctx context.Context, url, schema string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return engineErr("connect", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, newPgSQL(schema).dropSchema)
	return engineErr("drop schema", err)
}

// pgBackend implements backend over a PostgreSQL connection pool. Unlike
// Pebble's, its Updates run concurrently, each in its own transaction, and
// the database orders them; nothing in it is a cache of stored state, so
// other processes may write the same store.
type pgBackend struct {
	pool     *pgxpool.Pool
	q        *pgSQL
	begin    string
	maxTries int
	onBatch  func(BatchInfo)
	order    commitOrder

	seqMu sync.Mutex
	seqs  map[string]string // counters whose sequence exists: name -> quoted name
}

// setUp creates the schema and the table if they are missing and checks
// the format version, as Pebble's Open does. Two processes setting up one
// new store at once may collide in the catalog; the loser tries again.
func (b *pgBackend) setUp(ctx context.Context) error {
	var err error
	for range 3 {
		if err = b.createTables(ctx); err == nil {
			break
		}
		if c := sqlState(err); c != "23505" && c != "42P06" && c != "42P07" {
			break
		}
	}
	if err != nil {
		return engineErr("create table", err)
	}
	v, err := b.get(ctx, versionKey)
	if errors.Is(err, ErrNotFound) {
		return b.update(ctx, func(t *Txn) error {
			return t.Set(versionKey, binary.BigEndian.AppendUint64(nil, FormatVersion))
		})
	}
	if err != nil {
		return err
	}
	return checkVersion(v)
}

func (b *pgBackend) createTables(ctx context.Context) error {
	if _, err := b.pool.Exec(ctx, b.q.createSchema); err != nil {
		return err
	}
	_, err := b.pool.Exec(ctx, b.q.createTable)
	return err
}

// checkVersion checks a stored format version record.
func checkVersion(v []byte) error {
	if len(v) != 8 {
		return &VersionError{Found: 0, Want: FormatVersion}
	}
	if found := binary.BigEndian.Uint64(v); found != FormatVersion {
		return &VersionError{Found: found, Want: FormatVersion}
	}
	return nil
}

// Backoff between tries of a conflicting Update: a random wait below a
// ceiling that doubles from backoffBase up to backoffMax ("full jitter"),
// so that transactions that collided do not collide again in step.
const (
	backoffBase = 500 * time.Microsecond
	backoffMax  = 50 * time.Millisecond
)

func (b *pgBackend) update(ctx context.Context, fn func(*Txn) error) error {
	for try := 1; ; try++ {
		res := b.try(ctx, fn)
		switch {
		case res.retry == "":
			if res.err == nil && b.onBatch != nil && res.info.Ops > 0 {
				res.info.Retries = try - 1
				b.onBatch(res.info)
			}
			return res.err
		case try == b.maxTries:
			return &ConflictError{Tries: try, Code: res.retry}
		}
		ceiling := min(backoffMax, backoffBase<<min(try-1, 16))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(rand.N(ceiling)):
		}
	}
}

// tryResult is the outcome of one try of an Update: retry holds the
// SQLSTATE of a conflict that calls for another try; otherwise err is the
// Update's result.
type tryResult struct {
	err   error
	retry string
	info  BatchInfo
}

// try runs fn once in a transaction and commits it.
func (b *pgBackend) try(ctx context.Context, fn func(*Txn) error) (res tryResult) {
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return tryResult{err: b.abortErr(ctx, engineErr("acquire connection", err))}
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, b.begin); err != nil {
		return tryResult{err: b.abortErr(ctx, engineErr("begin", err))}
	}
	k := &pgKV{ctx: ctx, conn: conn.Conn(), be: b, write: true}
	txn := Txn{kv: k}
	ended := false
	defer func() {
		if !ended {
			// The rollback must run even when ctx is done, or the
			// connection goes back to the pool inside a transaction (the
			// pool then closes it).
			_, _ = conn.Exec(context.WithoutCancel(ctx), b.q.rollback)
		}
	}()
	fnErr := fn(&txn)
	switch {
	case k.retry != "":
		return tryResult{retry: k.retry}
	case fnErr != nil && k.err != nil:
		return tryResult{err: b.abortErr(ctx, fnErr)}
	case fnErr != nil:
		return tryResult{err: fnErr}
	case k.err != nil:
		return tryResult{err: b.abortErr(ctx, k.err)}
	}
	var ticket uint64
	if len(txn.onCommit) > 0 {
		ticket = b.order.take()
	}
	info, retry, err := k.commit()
	ended = retry == "" && (err == nil || errors.Is(err, ErrCommitUnknown))
	if len(txn.onCommit) > 0 {
		var fns []func()
		if retry == "" && err == nil {
			fns = txn.onCommit
		}
		b.order.finish(ticket, fns)
	}
	return tryResult{err: err, retry: retry, info: info}
}

// abortErr returns the error of an Update that failed before its commit:
// the context's error if it is done (a query cut short by it reports it
// only as text), else err.
func (b *pgBackend) abortErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// sequence returns the quoted name of the sequence behind the counter
// called name, creating the sequence if this process has not seen it yet.
// It is created by a connection of its own, outside any transaction: the
// DDL commits at once, whichever process wins the race to create it, and
// the transaction that asked never sees a failure. A pool connection could
// wait forever when every other is held by a transaction doing the same.
// Knowing a sequence exists is safe to cache: sequences are never dropped
// while the store is open (only DropPostgres drops them).
func (b *pgBackend) sequence(ctx context.Context, name string) (string, error) {
	b.seqMu.Lock()
	defer b.seqMu.Unlock()
	seq, ok := b.seqs[name]
	if ok {
		return seq, nil
	}
	seq = b.q.seqName(name)
	conn, err := pgx.ConnectConfig(ctx, b.pool.Config().ConnConfig)
	if err != nil {
		return "", engineErr("connect", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, createSeq(seq))
	switch sqlState(err) {
	case "", "23505", "42P07": // created, or by someone else meanwhile
	default:
		return "", engineErr("create sequence", err)
	}
	if b.seqs == nil {
		b.seqs = make(map[string]string)
	}
	b.seqs[name] = seq
	return seq, nil
}

func (b *pgBackend) view(ctx context.Context, fn func(kv) error) error {
	conn, err := b.pool.Acquire(ctx)
	if err != nil {
		return b.abortErr(ctx, engineErr("acquire connection", err))
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, b.q.beginView); err != nil {
		return b.abortErr(ctx, engineErr("begin", err))
	}
	// A read-only transaction has nothing to commit: ending it either way
	// is the same.
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), b.q.rollback) }()
	k := &pgKV{ctx: ctx, conn: conn.Conn(), be: b}
	if err := fn(k); err != nil {
		return err
	}
	if k.err != nil {
		return b.abortErr(ctx, k.err)
	}
	return nil
}

func (b *pgBackend) get(ctx context.Context, key []byte) ([]byte, error) {
	var v []byte
	err := b.pool.QueryRow(ctx, b.q.get, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, b.abortErr(ctx, engineErr("get", err))
	}
	return v, nil
}

// compact runs VACUUM FULL on the table, which rewrites it without the
// deleted rows' versions. It takes an ACCESS EXCLUSIVE lock on the table
// while it runs: every other call on the store, in every process, waits.
// PostgreSQL only (CockroachDB and YugabyteDB have no VACUUM).
func (b *pgBackend) compact(ctx context.Context) error {
	_, err := b.pool.Exec(ctx, b.q.vacuum)
	return b.abortErr(ctx, engineErr("vacuum", err))
}

func (b *pgBackend) close() error {
	b.pool.Close()
	return nil
}

// sqlState returns the SQLSTATE of a server error, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// retryable returns the SQLSTATE of a conflict that calls for rerunning a
// transaction (serialization failure, deadlock), or "".
func retryable(err error) string {
	switch c := sqlState(err); c {
	case "40001", "40P01":
		return c
	}
	return ""
}
