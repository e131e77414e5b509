// Package store is Threadline's transactional key-value layer: the only
// package that talks to the storage engine, and the one place where
// durability is decided. Two back ends sit behind one API: Pebble,
// embedded in one process ([Open]), and PostgreSQL, shared by several
// processes and machines ([OpenPostgres]). Nothing above the store sees
// which one it runs on: both hold the same keys and values.
//
// The core types:
//
//   - [DB], opened with [Open] or [OpenPostgres]. Safe for concurrent use.
//   - [Txn], passed to the closures of [DB.Update] (read-write, committed
//     atomically when the closure returns nil, rolled back on an error or a
//     panic) and [DB.View] (read-only, one consistent snapshot).
//   - [Iterator], a cursor over a key range in either direction.
//
// Caveats:
//
//   - An Update closure may run more than once before it commits (group
//     commit reruns a group when one member fails; PostgreSQL retries on
//     conflict). Keep side effects out of it and act after Update returns,
//     on what was committed, or in [Txn.OnCommit].
//   - On PostgreSQL, OnCommit functions follow the commit order of this
//     process's transactions only; other processes' commits are not seen
//     by them. Nothing in the store caches stored state in memory there
//     (Pebble's counter cache has no PostgreSQL counterpart: counters are
//     sequences).
//   - Durability: with default options, a committed Update is on stable
//     storage when Update returns. [Options].NoSync trades that for speed in
//     bulk loads: a crash, of the process or of the machine, may lose the
//     most recent updates, never part of one.
//   - Values returned by [Txn.Get] are copies the caller owns; Key and Value
//     of an [Iterator] are valid only until the next move.
//   - Errors are this package's sentinels ([ErrNotFound], [ErrClosed], ...)
//     or wrap them; no engine type or error escapes. Options Open cannot
//     use are an [*OptionError] naming the field.
//   - The store never writes to the global log and never exits the
//     process: the engine's messages go to [Options].Logger, and its fatal
//     errors become a [*FatalError] (returned where the caller's goroutine
//     meets it; a panic that ends the process where only the engine's own
//     goroutines do).
//   - Test mode: THREADLINE_TEST_RERUN=1 in the environment at [Open] runs
//     every Update closure twice, to prove closures safe to rerun.
//
// Keys are tuples encoded so that byte order is logical order; the key
// schema (every table, its layout and its owning package) is documented in
// schema.go of this package, and [FormatKey] prints keys readably.
package store
