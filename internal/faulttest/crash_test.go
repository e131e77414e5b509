package faulttest

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/store"
)

// The crash test runs this test binary again as a child (selected by these
// environment variables) that runs the workload from operation START on
// until the parent kills it.
const (
	crashDirEnv   = "THREADLINE_FAULT_CRASH_DIR"
	crashSeedEnv  = "THREADLINE_FAULT_CRASH_SEED"
	crashStartEnv = "THREADLINE_FAULT_CRASH_START"
	crashNoSync   = "THREADLINE_FAULT_CRASH_NOSYNC"
)

// longMode reports whether THREADLINE_LONG asks for the long modes.
func longMode() bool { return os.Getenv("THREADLINE_LONG") != "" }

// TestCrashChild is the child side of TestCrash; it does nothing unless
// started by TestCrash.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrash")
	}
	fail := func(what string, err error) {
		fmt.Fprintln(os.Stderr, what+":", err)
		os.Exit(2)
	}
	seed, err := strconv.ParseUint(os.Getenv(crashSeedEnv), 10, 64)
	if err != nil {
		fail("seed", err)
	}
	start, err := strconv.Atoi(os.Getenv(crashStartEnv))
	if err != nil {
		fail("start", err)
	}
	// A child whose parent died must not run forever.
	time.AfterFunc(60*time.Second, func() { os.Exit(3) })

	w, err := openWorld(dir, &store.Options{NoSync: os.Getenv(crashNoSync) != ""}, nil) // durable defaults unless asked
	if err != nil {
		fail("open", err)
	}
	os.Stdout.WriteString("ready\n")
	for i := start; ; i++ {
		res, err := w.apply(context.Background(), genOp(seed, i))
		if err != nil {
			fail(fmt.Sprintf("op %d", i), err)
		}
		// One write per acknowledgement: once it returns, the line is in
		// the pipe and survives the kill.
		os.Stdout.WriteString("ack " + strconv.Itoa(i) + " " + res + "\n")
	}
}

// TestCrash kills a process running the mixed workload with SIGKILL at
// random moments, many times over one on-disk store, and checks after
// every restart that the store equals an in-memory oracle that ran the
// acknowledged operations (or one more: the operation in flight may have
// committed unacknowledged), that the graph passes Check, and that every
// event appears exactly once.
func TestCrash(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	kills, seed, rng := crashPlan(t, 6, 100)
	ctx := context.Background()

	dir := t.TempDir()
	oracle := openOracle(t)
	defer func() { oracle.close() }()

	next, acked, inflight := 0, 0, 0
	began := time.Now()
	for k := range kills {
		if k > 0 {
			oracle = reopenOracle(t, oracle)
		}
		delay := 10*time.Millisecond + time.Duration(rng.Int64N(int64(150*time.Millisecond)))
		acks := runCrashChild(t, dir, seed, next, delay)
		for _, a := range acks {
			i, res, _ := strings.Cut(a, " ")
			require.Equal(t, strconv.Itoa(next), i, "kill %d: acknowledgements out of order", k)
			want, err := oracle.apply(ctx, genOp(seed, next))
			require.NoError(t, err, "oracle, op %d", next)
			require.Equal(t, want, res, "kill %d: op %d (%s) answered differently in the child", k, next, genOp(seed, next).kind)
			next++
		}
		acked += len(acks)

		rec, err := openWorld(dir, nil, nil)
		require.NoError(t, err, "kill %d: the store does not open after the crash", k)
		got, err := StoreDigest(ctx, rec.db)
		require.NoError(t, err)
		want, err := StoreDigest(ctx, oracle.db)
		require.NoError(t, err)
		if got != want {
			// The operation in flight committed before its acknowledgement.
			_, err := oracle.apply(ctx, genOp(seed, next))
			require.NoError(t, err, "oracle, op %d", next)
			want, err = StoreDigest(ctx, oracle.db)
			require.NoError(t, err)
			require.Equal(t, want, got, "kill %d after %d acknowledged ops: the store equals neither the oracle after them nor after op %d (%s)",
				k, next, next, genOp(seed, next).kind)
			next++
			inflight++
		}
		owners, err := rec.check(ctx)
		require.NoError(t, err, "kill %d", k)
		wantOwners, err := oracle.eventOwners(ctx)
		require.NoError(t, err)
		require.True(t, maps.Equal(wantOwners, owners), "kill %d: events and their customers differ from the oracle", k)
		require.NoError(t, rec.close())
	}
	t.Logf("%d kills, %d operations acknowledged, %d more committed unacknowledged, %v", kills, acked, inflight, time.Since(began).Round(time.Millisecond))
	require.Positive(t, acked, "no child acknowledged anything: the test proved nothing")
}

// openOracle opens an empty world for the crash tests' oracle. It is on
// disk, so that it can be reopened where a child restarted: a restart
// skips the rest of each counter's reserved block of numbers (see
// store.NextSequence), and the oracle must hand out the same IDs.
func openOracle(t *testing.T) *world {
	t.Helper()
	w, err := openWorld(t.TempDir(), &store.Options{NoSync: true}, nil)
	require.NoError(t, err)
	return w
}

// reopenOracle closes the oracle and opens its store again.
func reopenOracle(t *testing.T, w *world) *world {
	t.Helper()
	require.NoError(t, w.close())
	w, err := openWorld(w.dir, &store.Options{NoSync: true}, nil)
	require.NoError(t, err)
	return w
}

// crashPlan returns how many kills to make (short, or long in the long
// mode, or THREADLINE_CRASH_KILLS), the workload's seed, logged, and a
// source of kill times.
func crashPlan(t *testing.T, short, long int) (int, uint64, *rand.Rand) {
	kills := short
	if longMode() {
		kills = long
	}
	if s := os.Getenv("THREADLINE_CRASH_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err, "THREADLINE_CRASH_KILLS")
		kills = n
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (the workload; kill times are random too)", seed)
	return kills, seed, rand.New(rand.NewPCG(seed, 1))
}

// runCrashChild starts a child running the workload from operation start,
// kills it delay after it opened the store, and returns the
// acknowledgements it wrote ("I RESULT"), in order.
func runCrashChild(t *testing.T, dir string, seed uint64, start int, delay time.Duration, env ...string) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=120s")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir,
		crashSeedEnv+"="+strconv.FormatUint(seed, 10), crashStartEnv+"="+strconv.Itoa(start))
	cmd.Env = append(cmd.Env, env...)
	return KillChild(t, cmd, delay)
}

// TestCrashNoSync is TestCrash with Options.NoSync, which does not wait
// for the write-ahead log to reach the operating system: the engine writes
// it from its own memory in the background, so a process crash can lose
// the latest acknowledged updates. What must hold is what the store
// promises for NoSync: the recovered store is the state after some
// operation (a prefix of the workload, never part of an operation), every
// restart passes Check and holds every event once. It reports how many
// acknowledged operations were lost.
func TestCrashNoSync(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	kills, seed, rng := crashPlan(t, 4, 30)
	ctx := context.Background()
	dir := t.TempDir()
	// states[i] is the oracle's digest after operations 0..i-1; starts
	// lists the operations children started at, where the oracle restarts
	// too.
	oracle := openOracle(t)
	defer func() { oracle.close() }()
	d, err := StoreDigest(ctx, oracle.db)
	require.NoError(t, err)
	states := []Digest{d}
	var starts []int
	next, lost := 0, 0
	for k := range kills {
		if k > 0 {
			oracle = reopenOracle(t, oracle)
		}
		starts = append(starts, next)
		delay := 10*time.Millisecond + time.Duration(rng.Int64N(int64(150*time.Millisecond)))
		acks := runCrashChild(t, dir, seed, next, delay, crashNoSync+"=1")
		// Run the oracle up to one past the acknowledgements.
		for i := len(states) - 1; i <= next+len(acks); i++ {
			_, err := oracle.apply(ctx, genOp(seed, i))
			require.NoError(t, err)
			d, err := StoreDigest(ctx, oracle.db)
			require.NoError(t, err)
			states = append(states, d)
		}
		rec, err := openWorld(dir, nil, nil)
		require.NoError(t, err, "kill %d: the store does not open after the crash", k)
		got, err := StoreDigest(ctx, rec.db)
		require.NoError(t, err)
		// Operations that changed nothing leave equal states: take the
		// latest, the most favourable reading.
		at := len(states) - 1
		for at >= 0 && states[at] != got {
			at--
		}
		require.GreaterOrEqual(t, at, next, "kill %d: the store is not the state after any operation from %d on", k, next)
		_, err = rec.check(ctx)
		require.NoError(t, err, "kill %d", k)
		require.NoError(t, rec.close())
		if acked := next + len(acks); at < acked {
			lost += acked - at
		}
		if at < len(states)-1 {
			// Rewind the oracle to the recovered state: replay from the
			// start, restarting where the children did.
			require.NoError(t, oracle.close())
			oracle = openOracle(t)
			for i := range at {
				if i > 0 && slices.Contains(starts, i) {
					oracle = reopenOracle(t, oracle)
				}
				_, err := oracle.apply(ctx, genOp(seed, i))
				require.NoError(t, err)
			}
			states = states[:at+1]
		}
		next = at
	}
	t.Logf("%d kills, %d acknowledged operations lost (allowed with NoSync)", kills, lost)
}
