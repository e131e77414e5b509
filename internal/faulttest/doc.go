// Package faulttest proves Threadline's invariants (DESIGN.md,
// "Invariants") under faults, across the store, identity, timeline and
// journey packages together. Its tests are the evidence; its exported
// helpers serve them and other packages' tests: [StoreDigest] (has a call
// changed the store?), [ScanStore] and [ScanFiles] (is a value still in the
// store, or in its files?), [Partition] (a union-find model of customers)
// and [KillChild] (run a child process and kill it with SIGKILL).
//
// What the tests prove, and how:
//
//   - Crash consistency (TestCrash): a child process runs a deterministic
//     mixed workload (observe, merge, append, unlink, forget) on an on-disk
//     store with durable defaults and acknowledges each call on its stdout
//     after the call returns; the parent kills it with SIGKILL at a random
//     moment, again and again on the same store. The parent replays the
//     same calls on an oracle store, restarted where the child restarted
//     (so that both skip the same counter numbers): after every restart the recovered
//     store must equal the oracle, key for key and byte for byte, after the
//     acknowledged calls, or after one more (the call in flight may have
//     committed unacknowledged). So every acknowledged call is there and
//     none is there in part; the graph must also pass Check, and every
//     event must appear exactly once, under the oracle's customer.
//     TestCrashNoSync does the same with store.Options.NoSync, where the
//     store must recover to the state after some earlier call, and reports
//     how many acknowledged calls were lost.
//   - Concurrency (TestConcurrentPartition): 64 goroutines observe
//     overlapping identifiers and append events; the customers must be the
//     connected components of what was seen together (a union-find over
//     the same links) and equal those of a serial run; every event appears
//     once, under its identifiers' customer.
//   - Hostile input (TestHostileInput, TestOpenBadOptions, FuzzAppend,
//     FuzzReadCursor): invalid arguments (empty, 10 MB, invalid UTF-8,
//     unknown kinds, 10,000 identifiers, years 1900 and 3000, cancelled
//     contexts) to the public entry points of identity, timeline, journey
//     (triggers too) and handoff return errors matched by errors.Is and
//     leave the store's
//     digest unchanged. Observe and Append are covered field by field by
//     their own packages' bad-input tests; these fill the gaps.
//   - Supernode attack (TestSupernode, BenchmarkSupernode): one phone
//     number observed with many people's emails gathers no more than the
//     email limit allows, every refusal is recorded, and the benchmark
//     compares an observation at 10 shared observations with one at
//     100,000.
//   - Erasure (TestErasure): after Forget and store.DB.Compact no key,
//     value, table or write-ahead log holds the erased customer's
//     identifiers, names, facts, message text or event IDs; the scan is
//     first shown to find them. Pebble's MANIFEST may keep erased keys that
//     bounded a table until two reopens (documented in store.DB.Compact and
//     the README's threat model).
//   - Soak (TestSoak): a bounded mixed load from several goroutines on a
//     durable store, logging throughput, latency percentiles, heap, RSS
//     and disk use per interval; it asserts only that no call fails and
//     that the live heap stays within a generous bound.
//
// The default run is short (a handful of kills, two seconds of soak) and
// the larger tests shrink further under the race detector. The long modes:
//
//	THREADLINE_LONG=1 go test -v -count=1 -timeout=30m -run 'Crash|Soak|Supernode' ./internal/faulttest
//
// runs 100 kills (30 with NoSync), a 2-minute soak and a supernode of
// 100,000 observations. THREADLINE_CRASH_KILLS=N and THREADLINE_SOAK=2m set
// the crash and soak sizes alone. The supernode benchmark:
//
//	go test -run='^$' -bench=Supernode -benchtime=2000x ./internal/faulttest
//
// (100,000 shared observations; 5,000 with -short).
package faulttest
