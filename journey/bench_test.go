package journey_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// Benchmarks. Targets (issue 7), on 2 cores: Compute over 1M events at
// least 200k events/s; the live-state update at most 20 µs per appended
// event.
//
//	go test -run='^$' -bench=Compute -benchtime=3x ./journey/
//	go test -run='^$' -bench=LiveAppend -benchtime=20000x -count=2 ./journey/
//
// Fixtures are built once per process on disk with NoSync (1M events take
// about a minute); -short builds small ones only, and -compute-events
// sizes the big one. Besides wall time, each benchmark reports the
// process's CPU time (events/cpu-s, cpu-µs/op), which other processes on
// a shared machine do not inflate.
//
// Measured 2026-11-23 on 2 cores shared with other jobs (load average 8
// to 16, so wall figures are several times too slow): Compute over 1M
// events 334k events/cpu-s from the live state (168k grouping every
// timeline; 306k only reading the timelines); the hook alone 31-32
// cpu-µs per event (empty transaction 1.2), at history 20 and 200 alike;
// Append with the live state 28-45 cpu-µs more than without.

// TestMain closes and removes the benchmark fixtures, which outlive one
// benchmark so that -count and sub-benchmarks share them.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, w := range benchWorlds {
		w.db.Close()
	}
	for _, dir := range benchDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// computeEvents sizes the big BenchmarkCompute fixture.
var computeEvents = flag.Int("compute-events", 1_000_000, "events in the big BenchmarkCompute fixture (not built with -short)")

var (
	benchWorlds = map[string]*world{}
	benchDirs   []string
	benchStart  = time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
)

// benchWorld returns the fixture called name, building it with fill the
// first time. live says whether a tracker is attached while filling, so
// that appends keep live state.
func benchWorld(b *testing.B, name string, live bool, fill func(w *world)) *world {
	if w := benchWorlds[name]; w != nil {
		return w
	}
	dir, err := os.MkdirTemp("", "journey-bench-")
	if err != nil {
		b.Fatal(err)
	}
	benchDirs = append(benchDirs, dir)
	w := &world{now: benchStart.AddDate(5, 0, 0)}
	clock := func() time.Time { return w.now }
	if w.db, err = store.Open(dir, &store.Options{NoSync: true, CacheSize: 512 << 20}); err != nil {
		b.Fatal(err)
	}
	if w.g, err = identity.Open(w.db, &identity.Options{Clock: clock}); err != nil {
		b.Fatal(err)
	}
	if w.tl, err = timeline.Open(w.g, &timeline.Options{Clock: clock}); err != nil {
		b.Fatal(err)
	}
	if live {
		if w.tr, err = journey.NewTracker(w.tl, &journey.Options{Clock: clock}); err != nil {
			b.Fatal(err)
		}
	}
	fill(w)
	if !live {
		if w.tr, err = journey.NewTracker(w.tl, &journey.Options{Clock: clock}); err != nil {
			b.Fatal(err)
		}
		w.tl.Detach(journey.HookName) // reads only: no live state
	}
	benchWorlds[name] = w
	return w
}

// fillPlans appends generated journeys (see genPlan) for customers until
// the store holds at least events events; perCustomer bounds one
// customer's journeys. It returns the number of events.
func fillPlans(b *testing.B, w *world, events, perCustomer int) int {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	var batch []timeline.Event
	flush := func() {
		if _, err := w.tl.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	n := 0
	for c := 0; n < events; c++ {
		ids := []identity.Identifier{identity.New(identity.Email, fmt.Sprintf("c%d@example.com", c))}
		if c%3 != 0 {
			ids = append(ids, identity.New(identity.Account, fmt.Sprintf("crm:%d", c)))
		}
		for k := range 1 + r.IntN(perCustomer) {
			p := genPlan(r)
			begin := benchStart.Add(time.Duration(k)*20*24*time.Hour + time.Duration(r.IntN(600))*time.Minute)
			evs := p.events(fmt.Sprintf("c%dj%d", c, k), begin, ids)
			batch = append(batch, evs...)
			n += len(evs)
		}
		if len(batch) >= 2000 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	return n
}

// BenchmarkCompute measures [journey.Tracker.Compute] over every customer
// (1 to 3 journeys each, about 6 events per journey), in events per
// second: source=live with the live state kept by appends (the normal
// case), source=grouped without it (a store filled before any tracker was
// attached: every customer's timeline is read and grouped), and
// source=readonly, the baseline, reading every customer's timeline without
// grouping or metrics.
func BenchmarkCompute(b *testing.B) {
	ctx := context.Background()
	big := "1M"
	if *computeEvents != 1_000_000 {
		big = fmt.Sprint(*computeEvents)
	}
	for _, size := range []int{10_000, *computeEvents} {
		if size > 10_000 && testing.Short() {
			continue
		}
		name := "10k"
		if size != 10_000 {
			name = big
		}
		for _, source := range []string{"live", "grouped", "readonly"} {
			b.Run(fmt.Sprintf("events=%s/source=%s", name, source), func(b *testing.B) {
				live := source == "live"
				w := benchWorld(b, fmt.Sprint("compute", size, live), live, func(w *world) { w.events = fillPlans(b, w, size, 3) })
				b.ReportAllocs()
				cpu := startCPU()
				for b.Loop() {
					var err error
					if source == "readonly" {
						err = w.g.Customers(ctx, func(tx *identity.Tx, c identity.CustomerID) error {
							_, err := timeline.ReadTx(tx, c, timeline.Query{})
							return err
						})
					} else {
						_, err = w.tr.Compute(ctx, journey.Window{}, journey.FirstChannel)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(w.events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
				if used := cpu.stop(); used > 0 {
					b.ReportMetric(float64(w.events)*float64(b.N)/used.Seconds(), "events/cpu-s")
				}
			})
		}
	}
}

// cpuMeter measures the process's CPU time over a benchmark loop. The
// machines we measure on are shared, so wall time per op (ns/op, events/s)
// includes waiting for other processes; CPU time does not (it does include
// the garbage collector's work on every core).
type cpuMeter struct {
	start time.Duration
	ok    bool
}

func startCPU() cpuMeter {
	d, ok := processCPU()
	return cpuMeter{d, ok}
}

// stop returns the CPU time used since start, or 0 if not measured.
func (m cpuMeter) stop() time.Duration {
	d, ok := processCPU()
	if !ok || !m.ok {
		return 0
	}
	return d - m.start
}

// benchSeq numbers the events BenchmarkLiveAppend appends, so that each is
// later than all before it.
var benchSeq int

// errRollback ends a benchmark transaction without committing it.
var errRollback = errors.New("rollback")

// BenchmarkLiveAppend measures the cost the live state adds to an append
// of one in-order event, for customers with about history events (1 to 3
// journeys at 20 per 100 events). live=off appends with no tracker
// attached; live=on with one (the hook runs in the Append); live=hook runs
// the hook alone for the same event in a transaction that is rolled back,
// and live=txn that transaction with nothing in it, so the hook's own cost
// is hook minus txn. Each iteration appends to the
// next of the customers in turn, so in live=off and live=on every
// customer's history grows by b.N/customers events during the run.
func BenchmarkLiveAppend(b *testing.B) {
	ctx := context.Background()
	customers := 1000
	if testing.Short() {
		customers = 20
	}
	for _, history := range []int{20, 200} {
		for _, mode := range []string{"off", "on", "hook", "txn"} {
			b.Run(fmt.Sprintf("history=%d/live=%s", history, mode), func(b *testing.B) {
				live := mode == "on" || mode == "hook"
				w := benchWorld(b, fmt.Sprint("append", history, live), live, func(w *world) {
					fillHistories(b, w, customers, history)
				})
				ids := make([]identity.Identifier, customers)
				cs := make([]identity.CustomerID, customers)
				for i := range ids {
					ids[i] = identity.New(identity.Email, fmt.Sprintf("h%d@example.com", i))
					c, err := w.g.Lookup(ctx, ids[i])
					if err != nil {
						b.Fatal(err)
					}
					cs[i] = c
				}
				n := 0
				b.ReportAllocs()
				cpu := startCPU()
				for b.Loop() {
					i := n % customers
					n++
					benchSeq++ // in order after every event appended before, by any run
					e := timeline.Event{ID: fmt.Sprintf("%s-%d", mode, benchSeq), Time: benchStart.AddDate(4, 0, 0).Add(time.Duration(benchSeq) * time.Second),
						Channel: timeline.Chat, Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer},
						Type: timeline.Message, Intent: "billing", Text: "Hello again about my bill.",
						Identifiers: ids[i : i+1]}
					var err error
					if mode == "hook" || mode == "txn" {
						err = w.g.Update(ctx, func(tx *identity.Tx) error {
							if mode == "txn" {
								return errRollback
							}
							if err := w.tr.Advance(tx, cs[i], &e); err != nil {
								return err
							}
							return errRollback
						})
						if errors.Is(err, errRollback) {
							err = nil
						}
					} else {
						_, err = w.tl.Append(ctx, e)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				if used := cpu.stop(); used > 0 {
					b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
				}
				if mode == "on" {
					if _, ok, err := w.tr.LiveState(ctx, cs[0]); err != nil || !ok {
						b.Fatalf("live state of %s not valid: %v", cs[0], err)
					}
				}
			})
		}
	}
}

// fillHistories gives each customer about history events of generated
// journeys, 20 days apart.
func fillHistories(b *testing.B, w *world, customers, history int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	for c := range customers {
		ids := []identity.Identifier{identity.New(identity.Email, fmt.Sprintf("h%d@example.com", c))}
		var evs []timeline.Event
		for k := 0; len(evs) < history; k++ {
			p := genPlan(r)
			evs = append(evs, p.events(fmt.Sprintf("h%dj%d", c, k), benchStart.Add(time.Duration(k)*20*24*time.Hour), ids)...)
		}
		if _, err := w.tl.Append(ctx, evs...); err != nil {
			b.Fatal(err)
		}
	}
}
