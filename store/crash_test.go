package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/faulttest"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// The crash test runs this test binary again as a child process (selected
// by these environment variables) that commits numbered Updates until the
// parent kills it with SIGKILL.
const (
	crashDirEnv   = "THREADLINE_CRASH_DIR"
	crashStartEnv = "THREADLINE_CRASH_START"
	crashWriters  = 8
)

// crashKeys returns the two keys one numbered Update writes: the record and
// a checksum of it, so that a half-applied Update would be detected.
func crashKeys(n uint64) (data, sum []byte) {
	return keys.New(keys.Meta).String("crash").Uint(n), keys.New(keys.Meta).String("crashsum").Uint(n)
}

// crashValue is the record Update n writes: recognisably n's, 200 bytes.
func crashValue(n uint64) []byte {
	v := fmt.Appendf(nil, "update %d:", n)
	for len(v) < 200 {
		h := sha256.Sum256(v)
		v = append(v, h[:]...)
	}
	return v[:200]
}

// TestCrashChild is the child side of TestCrash; it does nothing unless
// started by TestCrash.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrash")
	}
	start, err := strconv.ParseUint(os.Getenv(crashStartEnv), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad start:", err)
		os.Exit(2)
	}
	// A child whose parent died must not run forever.
	time.AfterFunc(30*time.Second, func() { os.Exit(3) })

	db, err := store.Open(dir, nil) // durable defaults
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	fmt.Println("ready")
	var next atomic.Uint64
	next.Store(start)
	var wg sync.WaitGroup
	for range crashWriters {
		wg.Go(func() {
			for {
				n := next.Add(1)
				data, sum := crashKeys(n)
				v := crashValue(n)
				h := sha256.Sum256(v)
				err := db.Update(context.Background(), func(tx *store.Txn) error {
					if err := tx.Set(data, v); err != nil {
						return err
					}
					return tx.Set(sum, h[:])
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, "update:", err)
					os.Exit(2)
				}
				// One write per line, so lines from writers never interleave.
				os.Stdout.WriteString("ack " + strconv.FormatUint(n, 10) + "\n")
			}
		})
	}
	wg.Wait()
}

// TestCrash kills a process committing durable Updates at random moments
// and checks, after each kill, that the store opens cleanly, that every
// Update acknowledged before the kill is there, and that no Update is there
// in part. The kills accumulate on one store, so recovery of a recovered
// store is tested too.
func TestCrash(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("in the child")
	}
	const kills = 20
	maxDelay := 150 * time.Millisecond
	if testing.Short() {
		maxDelay = 40 * time.Millisecond
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	dir := t.TempDir()
	var acked []uint64
	began := time.Now()
	for i := range kills {
		delay := 5*time.Millisecond + time.Duration(rng.Int64N(int64(maxDelay-5*time.Millisecond)))
		// Numbers never repeat across children: each starts a million on.
		start := uint64(i) * crashSpan
		got := runCrashChild(t, dir, start, delay)
		acked = append(acked, got...)
		// This child's updates now; everything once more at the end, so a
		// later recovery that lost an earlier update is caught too.
		checkCrashStore(t, dir, got, start, start+crashSpan)
	}
	checkCrashStore(t, dir, acked, 0, kills*crashSpan)
	t.Logf("%d kills, %d acknowledged updates, %v", kills, len(acked), time.Since(began).Round(time.Millisecond))
	require.NotEmpty(t, acked, "no child acknowledged anything: the test proved nothing")
}

// crashSpan separates the update numbers of successive children.
const crashSpan = 1_000_000

// runCrashChild starts a child committing Updates numbered from start+1,
// kills it delay after it opened the store, and returns the numbers it
// acknowledged.
func runCrashChild(t *testing.T, dir string, start uint64, delay time.Duration) []uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashStartEnv+"="+strconv.FormatUint(start, 10))
	var acks []uint64
	for _, a := range faulttest.KillChild(t, cmd, delay) {
		if n, err := strconv.ParseUint(a, 10, 64); err == nil {
			acks = append(acks, n)
		}
	}
	return acks
}

// checkCrashStore reopens the store and checks it: every acknowledged
// update is present and intact, and every update numbered in [lo, hi) that
// is present at all (acknowledged or not) is whole.
func checkCrashStore(t *testing.T, dir string, acked []uint64, lo, hi uint64) {
	t.Helper()
	db, err := store.Open(dir, nil)
	require.NoError(t, err, "the store does not open after a crash")
	defer func() { require.NoError(t, db.Close()) }()
	err = db.View(context.Background(), func(tx *store.Txn) error {
		for _, n := range acked {
			data, _ := crashKeys(n)
			v, err := tx.Get(data)
			if err != nil {
				return fmt.Errorf("acknowledged update %d: %w", n, err)
			}
			if err := checkCrashUpdate(tx, n, v); err != nil {
				return err
			}
		}
		lower, _ := crashKeys(lo)
		upper, _ := crashKeys(hi)
		it := tx.NewIter(&store.IterOptions{LowerBound: lower, UpperBound: upper})
		defer it.Close()
		prefixLen := len(keys.New(keys.Meta).String("crash"))
		present := 0
		for ok := it.First(); ok; ok = it.Next() {
			d := keys.NewSuffixDecoder(it.Key()[prefixLen:])
			n := d.Uint()
			if d.Err() != nil || !d.Done() {
				return fmt.Errorf("stray key %s", store.FormatKey(it.Key()))
			}
			if err := checkCrashUpdate(tx, n, it.Value()); err != nil {
				return err
			}
			present++
		}
		if present < len(acked) {
			return fmt.Errorf("%d updates present, %d acknowledged", present, len(acked))
		}
		return it.Close()
	})
	require.NoError(t, err)
}

// checkCrashUpdate checks that update n, whose record reads v, is whole.
func checkCrashUpdate(tx *store.Txn, n uint64, v []byte) error {
	if !bytes.Equal(v, crashValue(n)) {
		return fmt.Errorf("update %d damaged: %q", n, v)
	}
	_, sum := crashKeys(n)
	s, err := tx.Get(sum)
	if err != nil {
		return fmt.Errorf("update %d half there: checksum: %w", n, err)
	}
	if h := sha256.Sum256(v); !bytes.Equal(s, h[:]) {
		return fmt.Errorf("update %d: checksum does not match", n)
	}
	return nil
}
