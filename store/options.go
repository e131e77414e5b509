package store

import (
	"log/slog"
	"math"
)

// Options configures a [DB]. A nil *Options, or the zero value, means all
// defaults. [Open] works on a copy: Clone, then EnsureDefaults, then
// Validate, so a value that no default can mend is an [*OptionError] from
// Open, never a panic inside the engine. Fields that concern
// only one back end say so; the other ignores them.
type Options struct {
	// InMemory keeps the whole store in memory: nothing is written to dir and
	// everything is lost on Close. Meant for tests and examples. Pebble
	// only: [OpenPostgres] refuses it. Default: false (durable on disk).
	InMemory bool

	// NoSync makes Update return once its writes are applied, without
	// waiting for the write-ahead log to be written, let alone synced: the
	// engine writes the log from the process's memory in the background. So
	// a crash of the process, as well as of the machine, may lose the most
	// recent updates (internal/faulttest's TestCrashNoSync loses tens of
	// small ones per SIGKILL), but never part of one: the store recovers to
	// its state after some earlier Update, in commit order. Meant for bulk
	// loads that can be rerun. On PostgreSQL it commits with
	// synchronous_commit off: a crash of the server (not of the client)
	// may lose the most recent updates, never part of one. Default: false
	// (every Update is durable when it returns).
	NoSync bool

	// CacheSize is the size in bytes of the block cache for data read from
	// the store's files (memtables come on top of it). Size it to the
	// working set: reads that miss it go to disk. Measured on 2 cores, a
	// graph of 1M identifiers (about 250 MB on disk) looks an identifier up
	// in under 5 µs with 1 GiB of cache; with too small a cache most
	// lookups read files and cost 20 µs and more.
	// Memory is taken only as blocks are read, so a cache larger than the
	// store costs nothing; the default stays modest because the library is
	// embedded in processes that have their own use for memory.
	// Pebble only. Default (0): 64 MiB. Negative is invalid.
	CacheSize int64

	// MemTableSize is the size in bytes of one memtable (the in-memory
	// write buffer). It must be at least [MinMemTableSize] (the engine
	// cannot fit its own bookkeeping and a batch in less) and below
	// [MaxMemTableSize]. Pebble only. Default (0): 32 MiB.
	MemTableSize uint64

	// MaxGroupSize caps how many concurrent Update calls are committed
	// together by one synced write. 1 turns group commit off: every Update
	// is a write of its own. Pebble only. Default (0): 256. Negative is
	// invalid.
	MaxGroupSize int

	// Logger receives the storage engine's messages: its informational
	// chatter at [slog.LevelDebug], its background errors (a failed
	// compaction or file deletion) at [slog.LevelError]. The store never
	// writes to the standard library's global log nor to stderr.
	// Default (nil): messages are discarded; pass [slog.Default] to have
	// them in the process's log.
	Logger *slog.Logger

	// Schema is the PostgreSQL schema that holds the store: its table kv
	// and its counters' sequences (see schema.go). Open creates it if
	// needed. Stores in different schemas of one database are
	// independent. At most 63 bytes. PostgreSQL only. Default (""):
	// "threadline".
	Schema string

	// MaxTries is how many times an Update runs its closure when the
	// transaction keeps being aborted by conflicts with concurrent ones
	// (serialization failures, deadlocks), waiting a random, growing
	// backoff between tries; after the last it fails with a
	// [*ConflictError]. PostgreSQL only. Default (0): 50. Negative is
	// invalid.
	MaxTries int

	// OnBatch, if set, is called once for every batch the store commits to
	// the storage engine, after the commit and before the Update calls it
	// carries return. It reports what was written, so that a benchmark can
	// replay the same bytes in the same batch sizes against the engine
	// alone (see examples/loadgen). On Pebble calls never overlap (commits
	// are serialized), and OnBatch must not call [DB.Update]: the commit
	// pipeline is waiting for it. On PostgreSQL every Update that wrote is
	// a batch of its own, and calls for concurrent Updates may overlap.
	// Empty batches and the format version written by Open are not
	// reported. Default: nil.
	OnBatch func(BatchInfo)
}

// BatchInfo describes one batch committed to the storage engine: the
// writes of one or more Update calls committed together (group commit).
// It is a plain value.
type BatchInfo struct {
	// Updates is the number of Update calls the batch commits (an Update
	// that wrote nothing counts when it shares a batch with others).
	Updates int
	// Ops is the number of sets, deletes and range deletions in it.
	Ops int
	// Bytes is the batch's encoded size: what the engine appends to its
	// write-ahead log for it (before the log's own framing). On
	// PostgreSQL, the bytes of the keys and values written.
	Bytes int
	// Retries is how many times the batch's transaction was aborted by a
	// conflict and run again before it committed (PostgreSQL; always 0 on
	// Pebble, whose Updates never conflict).
	Retries int
}

// The bounds of [Options].MemTableSize. Pebble panics when a memtable
// cannot hold its empty skiplists plus a batch of up to half its size
// (under 4 KiB breaks at once); the minimum leaves a wide margin. The
// maximum is Pebble's: a memtable's offsets are 32-bit.
const (
	MinMemTableSize = 64 << 10
	MaxMemTableSize = min(math.MaxUint32, math.MaxInt)
)

const (
	defaultCacheSize    = 64 << 20
	defaultMemTableSize = 32 << 20
	defaultMaxGroupSize = 256
	defaultSchema       = "threadline"
	defaultMaxTries     = 50
)

// Clone returns a copy of o; a nil o gives the zero Options.
func (o *Options) Clone() *Options {
	var c Options
	if o != nil {
		c = *o
	}
	return &c
}

// EnsureDefaults sets every zero field of o to its default and leaves the
// others, valid or not, as they are.
func (o *Options) EnsureDefaults() {
	if o.CacheSize == 0 {
		o.CacheSize = defaultCacheSize
	}
	if o.MemTableSize == 0 {
		o.MemTableSize = defaultMemTableSize
	}
	if o.MaxGroupSize == 0 {
		o.MaxGroupSize = defaultMaxGroupSize
	}
	if o.Schema == "" {
		o.Schema = defaultSchema
	}
	if o.MaxTries == 0 {
		o.MaxTries = defaultMaxTries
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports the first field of o (with defaults ensured) that the
// store cannot use, as an [*OptionError].
func (o *Options) Validate() error {
	switch {
	case o.CacheSize < 0:
		return &OptionError{Field: "CacheSize", Value: o.CacheSize, Reason: "negative"}
	case o.MemTableSize < MinMemTableSize:
		return &OptionError{Field: "MemTableSize", Value: o.MemTableSize, Reason: "below MinMemTableSize (64 KiB)"}
	case o.MemTableSize >= MaxMemTableSize:
		return &OptionError{Field: "MemTableSize", Value: o.MemTableSize, Reason: "not below MaxMemTableSize"}
	case o.CacheSize > math.MaxInt64-2*int64(o.MemTableSize):
		// Open adds the memtables to the cache (see Open).
		return &OptionError{Field: "CacheSize", Value: o.CacheSize, Reason: "too large: with the memtables it overflows int64"}
	case o.MaxGroupSize < 0:
		return &OptionError{Field: "MaxGroupSize", Value: o.MaxGroupSize, Reason: "negative"}
	case len(o.Schema) > 63:
		return &OptionError{Field: "Schema", Value: o.Schema, Reason: "longer than 63 bytes"}
	case o.MaxTries < 0:
		return &OptionError{Field: "MaxTries", Value: o.MaxTries, Reason: "negative"}
	}
	return nil
}
