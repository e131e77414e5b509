package store

// Options configures a [DB]. A nil *Options, or the zero value, means all
// defaults.
type Options struct {
	// InMemory keeps the whole store in memory: nothing is written to dir and
	// everything is lost on Close. Meant for tests and examples.
	// Default: false (durable on disk).
	InMemory bool

	// NoSync makes Update return once its writes are applied, without
	// waiting for the write-ahead log to be written, let alone synced: the
	// engine writes the log from the process's memory in the background. So
	// a crash of the process, as well as of the machine, may lose the most
	// recent updates (internal/faulttest's TestCrashNoSync loses tens of
	// small ones per SIGKILL), but never part of one: the store recovers to
	// its state after some earlier Update, in commit order. Meant for bulk
	// loads that can be rerun. Default: false (every Update is durable when
	// it returns).
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
	// Default: 64 MiB.
	CacheSize int64

	// MemTableSize is the size in bytes of one memtable (the in-memory
	// write buffer). Default: 32 MiB.
	MemTableSize uint64

	// MaxGroupSize caps how many concurrent Update calls are committed
	// together by one synced write. Default: 256.
	MaxGroupSize int

	// OnBatch, if set, is called once for every batch the store commits to
	// the storage engine, after the commit and before the Update calls it
	// carries return. It reports what was written, so that a benchmark can
	// replay the same bytes in the same batch sizes against the engine
	// alone (see examples/loadgen). Calls never overlap (commits are
	// serialized), and OnBatch must not call [DB.Update]: the commit
	// pipeline is waiting for it. Empty batches and the format version
	// written by Open are not reported. Default: nil.
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
	// write-ahead log for it (before the log's own framing).
	Bytes int
}

const (
	defaultCacheSize    = 64 << 20
	defaultMemTableSize = 32 << 20
	defaultMaxGroupSize = 256
)

// withDefaults returns a copy of o with every zero field set to its default.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.CacheSize <= 0 {
		c.CacheSize = defaultCacheSize
	}
	if c.MemTableSize == 0 {
		c.MemTableSize = defaultMemTableSize
	}
	if c.MaxGroupSize <= 0 {
		c.MaxGroupSize = defaultMaxGroupSize
	}
	return c
}
