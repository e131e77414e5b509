package faulttest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// soakWorkers run the workload side by side, each with its own seed.
const soakWorkers = 4

// soakSample is one interval of the soak: what the load did and what it
// cost.
type soakSample struct {
	at            time.Duration
	ops           int
	p50, p99, max time.Duration
	heap          uint64 // live heap after a forced GC
	rss           int64  // resident set (Linux; 0 elsewhere): the engine's memtables and cache live outside the Go heap
	disk          int64
}

func (s soakSample) String() string {
	return fmt.Sprintf("t=%-5v ops=%-6d p50=%-9v p99=%-9v max=%-9v heap=%.1fMiB rss=%.1fMiB disk=%.1fMiB", s.at.Round(time.Second/10), s.ops,
		s.p50.Round(time.Microsecond), s.p99.Round(time.Microsecond), s.max.Round(time.Microsecond),
		float64(s.heap)/(1<<20), float64(s.rss)/(1<<20), float64(s.disk)/(1<<20))
}

// TestSoak runs the mixed workload (observe, merge, append, unlink,
// forget, plus timeline reads) from several goroutines on a durable
// on-disk store for a bounded time, reporting throughput, latency
// percentiles, heap and disk use per interval. It asserts only what does
// not depend on the machine's speed: no call fails, and the live heap at
// the end is within a generous bound of the heap after the first interval.
// THREADLINE_SOAK=2m (or THREADLINE_LONG=1) runs the long mode.
func TestSoak(t *testing.T) {
	total, interval := 2*time.Second, 500*time.Millisecond
	if longMode() {
		total, interval = 2*time.Minute, 10*time.Second
	}
	if s := os.Getenv("THREADLINE_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		require.NoError(t, err, "THREADLINE_SOAK")
		total, interval = d, max(d/12, 100*time.Millisecond)
	}
	ctx := context.Background()
	dir := t.TempDir()
	w, err := openWorld(dir, nil, nil)
	require.NoError(t, err)
	defer w.close()

	var mu sync.Mutex
	var lat []time.Duration // of the current interval
	var failed atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for k := range soakWorkers {
		wg.Go(func() {
			seed := uint64(1000 + k)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				if err := soakOp(ctx, w, seed, k, i); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	var samples []soakSample
	began := time.Now()
	for range int(total / interval) {
		time.Sleep(interval)
		mu.Lock()
		cur := lat
		lat = nil
		mu.Unlock()
		samples = append(samples, sample(time.Since(began), cur, dir))
		t.Log(samples[len(samples)-1])
	}
	close(stop)
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatal(err)
	}
	require.NotEmpty(t, samples)
	first, last := samples[0], samples[len(samples)-1]
	require.Positive(t, first.ops, "no operation finished in the first interval")
	// Generous: the memtables and block cache (96 MiB with the defaults)
	// fill up over the run, so a bound relative to the start would be
	// wrong; growth proportional to the data would blow through this one.
	bound := 2*first.heap + 256<<20
	require.LessOrEqual(t, last.heap, bound, "live heap grew from %d to %d bytes", first.heap, last.heap)
}

// soakOp runs operation i of worker k: the workload's operation, with
// event IDs made unique to the worker, or every tenth time a read of a
// timeline.
func soakOp(ctx context.Context, w *world, seed uint64, k, i int) error {
	o := genOp(seed, i)
	if o.kind == opAppend {
		o.event.ID = fmt.Sprintf("w%d-%s", k, o.event.ID)
	}
	if i%10 == 9 {
		c, err := w.g.Lookup(ctx, poolEmail(i%poolSize))
		if err != nil {
			return nil // not seen yet, or forgotten
		}
		_, err = w.tl.Read(ctx, c, timeline.Query{Newest: true, Limit: 50})
		if errors.Is(err, identity.ErrNotFound) {
			return nil // forgotten by another worker since the lookup
		}
		return err
	}
	if _, err := w.apply(ctx, o); err != nil {
		return fmt.Errorf("worker %d, %s %d: %w", k, o.kind, i, err)
	}
	return nil
}

// sample summarises one interval's latencies, and measures the live heap
// and the store's size on disk.
func sample(at time.Duration, lat []time.Duration, dir string) soakSample {
	s := soakSample{at: at, ops: len(lat)}
	if len(lat) > 0 {
		slices.Sort(lat)
		s.p50, s.p99, s.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.heap = m.HeapAlloc
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64); err == nil {
					s.rss = kb << 10
				}
			}
		}
	}
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			s.disk += fi.Size()
		}
		return nil
	})
	return s
}
