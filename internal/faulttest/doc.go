// Package faulttest proves Threadline's invariants (../../shared/DESIGN.md,
// "Invariants") under faults, across the store, identity and timeline
// packages together. Its tests are the evidence; its few exported helpers
// (store digests, raw scans of keys, values and files, a union-find
// partition) serve them and the bad-input tests of other packages.
//
// What the tests prove, and how:
//
//   - Crash consistency (TestCrash): a child process runs a deterministic
//     mixed workload (observe, merge, unlink, append, forget) on an on-disk
//     store with durable defaults and acknowledges each call on its stdout
//     after the call returns; the parent kills it with SIGKILL at a random
//     moment. The parent replays the same operations on an in-memory
//     oracle: after every restart the recovered store must equal, key for
//     key and byte for byte, the oracle after the acknowledged operations,
//     or after one more (the call in flight may have committed without its
//     acknowledgement). So every acknowledged operation is present and
//     nothing is half-applied; identity's Check must pass and every event
//     must appear exactly once.
//   - Concurrency (TestConcurrentPartition): 64 goroutines observe
//     overlapping identifiers and append events; the final partition into
//     customers equals a union-find over the same links, and a serial run.
//   - Hostile input (TestHostileInput, FuzzAppend, FuzzReadCursor): invalid
//     arguments to every public entry point of identity, timeline and
//     journey return typed errors and leave the store byte for byte as it
//     was. Observe and Append are covered in depth by their packages'
//     badinput tests; these fill the gaps.
//   - Supernode attack (TestSupernode, BenchmarkSupernode): one phone number
//     shared by many observations joins no more identifiers than the
//     guards allow; the benchmark compares an observation naming the
//     shared number with one naming a fresh number.
//   - Erasure (TestErasure): after Forget and a forced compaction, no key,
//     value or file of the store holds the erased customer's identifiers,
//     names, facts or message text.
//   - Soak (TestSoak): a bounded mixed load reporting heap and latency over
//     time; it asserts only that the heap after GC stays bounded.
//
// The default run is short (a handful of kills, a second or two of soak).
// The long modes are switched on by environment variables:
//
//	THREADLINE_LONG=1 go test -v -count=1 -timeout=30m ./internal/faulttest
//
// runs 100 kills, a 2-minute soak and a supernode of 100,000 observations.
// THREADLINE_CRASH_KILLS=N and THREADLINE_SOAK=DURATION set the crash and
// soak sizes alone. The supernode benchmark is
//
//	go test -run='^$' -bench=Supernode -benchtime=2000x ./internal/faulttest
//
// (100,000 shared observations; 5,000 with -short).
package faulttest
