package timeline_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/benchkeep"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// Benchmarks. Measured on 2 cores; targets: at least 100k events/s for
// batched appends without sync, and at most 100 µs to read a customer's
// newest 50 events.
//
//	go test -run='^$' -bench=. -benchtime=2s ./timeline/
//
// BenchmarkReadNewest50 builds its store once per process: 2M events by
// default (see -bench.events); -short uses 100k.

// TestMain removes the benchmark fixtures, which outlive one benchmark so
// that -count and sub-benchmarks share them.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range fixtures {
		f.close()
	}
	os.Exit(code)
}

// benchBase is when benchmark histories start; events are one second apart
// from there, so the biggest fixture ends before now.
var benchBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// openBench opens a timeline on an on-disk store in dir.
func openBench(b testing.TB, dir string, opts *store.Options) (*timeline.Timeline, *store.DB) {
	b.Helper()
	db, err := store.Open(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	g, err := identity.Open(db, &identity.Options{DefaultRegion: "US"})
	if err != nil {
		b.Fatal(err)
	}
	tl, err := timeline.Open(g, nil)
	if err != nil {
		b.Fatal(err)
	}
	return tl, db
}

var benchChannels = []timeline.Channel{timeline.Chat, timeline.Email, timeline.Voice, timeline.SMS, timeline.WhatsApp, timeline.Web}

// benchEvent is a typical chat or email step: a sentence of text, an
// intent, a case, sometimes a fact.
func benchEvent(n int, at time.Time, id identity.Identifier) timeline.Event {
	e := timeline.Event{
		ID: fmt.Sprintf("evt-%010d", n), Time: at, Channel: benchChannels[n%len(benchChannels)],
		Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer}, Type: timeline.Message,
		Text:   fmt.Sprintf("Hi, this is about order %d: the parcel has not arrived and tracking has not moved since Monday.", n%100_000),
		Intent: "order_status", Case: fmt.Sprintf("CS-%d", n/7), Identifiers: []identity.Identifier{id},
	}
	if n%3 == 0 {
		e.Direction, e.Actor = timeline.Outbound, timeline.Actor{Kind: timeline.Agent, ID: "agent-17"}
		e.Facts = []timeline.Fact{{Key: "order", Value: fmt.Sprint(n % 100_000)}}
	}
	return e
}

// seedIDs numbers events that set benchmarks up, apart from measured ones.
const seedIDs = 9_000_000_000

func benchEmail(i int) identity.Identifier {
	return identity.New(identity.Email, fmt.Sprintf("customer%07d@example.com", i))
}

// seedCustomers gives each of n customers one event, so that benchmarks
// measure appends for known customers, the common case.
func seedCustomers(b testing.TB, tl *timeline.Timeline, n int) {
	b.Helper()
	const batch = 5000
	for lo := 0; lo < n; lo += batch {
		evs := make([]timeline.Event, 0, batch)
		for i := lo; i < min(n, lo+batch); i++ {
			evs = append(evs, benchEvent(seedIDs+i, benchBase, benchEmail(i)))
		}
		if _, err := tl.Append(context.Background(), evs...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	const customers = 10_000
	ctx := context.Background()
	b.Run("batch=100/nosync", func(b *testing.B) {
		tl, db := openBench(b, b.TempDir(), &store.Options{NoSync: true})
		defer db.Close()
		seedCustomers(b, tl, customers)
		rng := rand.New(rand.NewPCG(1, 2))
		evs := make([]timeline.Event, 100)
		n := 0
		b.ReportAllocs()
		for b.Loop() {
			for i := range evs {
				evs[i] = benchEvent(n, benchBase.Add(time.Duration(n)*time.Second), benchEmail(rng.IntN(customers)))
				n++
			}
			if _, err := tl.Append(ctx, evs...); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("batch=100/nosync/floor", func(b *testing.B) {
		db, err := store.Open(b.TempDir(), &store.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		f := appendFloor{db: db, customers: customers}
		f.run(b, 0, customers, customers) // seed, as seedCustomers does
		n := customers
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			f.run(b, n, 100, rng.IntN(customers))
			n += 100
		}
		b.ReportMetric(float64(n-customers)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("durable/callers=64", func(b *testing.B) {
		tl, db := openBench(b, b.TempDir(), nil)
		defer db.Close()
		seedCustomers(b, tl, customers)
		var next atomic.Int64
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n := int(next.Add(1))
				e := benchEvent(n, benchBase.Add(time.Duration(n)*time.Second), benchEmail(n*7919%customers))
				if _, err := tl.Append(ctx, e); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// appendFloor is what Append cannot do without, at the store level, as the
// "floor" twin of the batched benchmark: per event, the two reads (is the
// event ID taken? which customer holds the identifier?) and the three
// writes (the event under its identifier, the event-ID index, the
// identifier's record with its last-seen time and count), with keys and
// values of the sizes Append writes (390 bytes per event in all), in one
// transaction per batch. No validation, normalization, encoding, identity
// logic or journey state: the gap between this and batch=100/nosync is the
// library's own cost, and 1/(this ns/event) is the bound on its throughput.
type appendFloor struct {
	db        *store.DB
	customers int
}

var (
	floorEventValue = make([]byte, 200)
	floorIndexValue = make([]byte, 40)
	floorRecValue   = make([]byte, 30)
)

// run writes events first..first+count-1; event i is observed with the
// identifier of customer (i*7919+salt) mod f.customers (salt spreads
// batches; a run of f.customers events from 0 sees each customer once).
func (f *appendFloor) run(b *testing.B, first, count, salt int) {
	err := f.db.Update(context.Background(), func(tx *store.Txn) error {
		for i := first; i < first+count; i++ {
			c := identity.New(identity.Email, fmt.Sprintf("customer%07d@example.com", (i*7919+salt)%f.customers))
			eventID := fmt.Sprintf("evt-%010d", i)
			id := timeline.EventIDKey(eventID)
			if _, err := tx.Get(id); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("event ID: %v", err)
			}
			// The identifier's record, keyed as package identity keys it
			// (kind, then value; not exported outside its tests).
			rec := keys.New(keys.Ident).String(string(c.Kind)).String(c.Value)
			if _, err := tx.Get(rec); err != nil && (i >= f.customers || !errors.Is(err, store.ErrNotFound)) {
				return err
			}
			ev := timeline.EventKey(c, int64(i), eventID)
			if err := errors.Join(tx.Set(ev, floorEventValue), tx.Set(id, floorIndexValue), tx.Set(rec, floorRecValue)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// fixture is a store of many events with one customer of interest.
type fixture struct {
	dir    string
	db     *store.DB
	tl     *timeline.Timeline
	target identity.CustomerID
	built  time.Duration
}

func (f *fixture) close() {
	if f.db != nil {
		f.db.Close()
	}
	os.RemoveAll(f.dir)
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[int]*fixture{}
)

// readFixture returns the store of total events, built on first use: a
// customer with 10 identifiers (5 emails, 5 phones) and 10k events spread
// over its whole history, among total/100 other customers with 100 events
// each on average. Events arrive in time order, as they do in production,
// in batches of 10k without sync.
func readFixture(b *testing.B, total int) *fixture {
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f := fixtures[total]; f != nil {
		return f
	}
	start := time.Now()
	var target []identity.Identifier
	for i := range 5 {
		target = append(target,
			identity.New(identity.Email, fmt.Sprintf("target%d@example.com", i)),
			identity.New(identity.Phone, fmt.Sprintf("+1 415 555 01%02d", 20+i)))
	}
	ctx := context.Background()
	if *benchKeep != "" {
		if f := keptFixture(b, total, target[0]); f != nil {
			fixtures[total] = f
			return f
		}
	}
	dir, err := os.MkdirTemp("", "timeline-bench-")
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{dir: dir}
	fixtures[total] = f
	f.tl, f.db = openBench(b, dir, &store.Options{NoSync: true})

	first := benchEvent(seedIDs, benchBase, target[0])
	first.Identifiers = target
	res, err := f.tl.Append(ctx, first)
	if err != nil {
		b.Fatal(err)
	}
	f.target = res[0].Customer

	const targetEvents = 10_000
	others := max(1, total/100)
	every := total / targetEvents
	rng := rand.New(rand.NewPCG(3, 4))
	evs := make([]timeline.Event, 0, 10_000)
	flush := func() {
		if _, err := f.tl.Append(ctx, evs...); err != nil {
			b.Fatal(err)
		}
		evs = evs[:0]
	}
	for n := range total - 1 {
		id := benchEmail(rng.IntN(others))
		if n%every == every-1 {
			id = target[(n/every)%len(target)]
		}
		evs = append(evs, benchEvent(n, benchBase.Add(time.Duration(n)*time.Second), id))
		if len(evs) == cap(evs) {
			flush()
		}
		if n%500_000 == 499_999 {
			b.Logf("fixture: %d events in %v", n+1, time.Since(start).Round(time.Second))
		}
	}
	flush()
	loaded := time.Since(start)
	// Reads are measured on a settled store, as after a night of
	// background compaction, not on the heap of files a bulk load leaves.
	if err := f.db.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	f.built = time.Since(start)
	b.Logf("fixture of %d events loaded in %v, compacted in %v", total,
		loaded.Round(time.Second), (f.built - loaded).Round(time.Second))
	if *benchKeep != "" {
		f.keep(b, total)
	}
	return f
}

// benchKeep keeps BenchmarkReadNewest50's store for later runs, which
// reuse it instead of loading again (10M events take minutes to load):
//
//	go test -run='^$' -bench=ReadNewest50 ./timeline/ -args -bench.events=10000000 -bench.keep=/var/tmp/tl10m
//
// The store is kept in <dir>/<events>, and only once complete.
var benchKeep = flag.String("bench.keep", "", "`dir` to keep BenchmarkReadNewest50's store in and reuse it from")

// keep moves a complete fixture under the -bench.keep directory.
func (f *fixture) keep(b *testing.B, total int) {
	if err := f.db.Close(); err != nil {
		b.Fatal(err)
	}
	kept, err := benchkeep.Keep(f.dir, *benchKeep, fmt.Sprint(total))
	if err != nil {
		b.Fatal(err)
	}
	f.dir, f.db = "", nil
	f.tl, f.db = openBench(b, kept, &store.Options{NoSync: true})
}

// keptFixture opens the store a run with -bench.keep kept, or returns nil
// when there is none.
func keptFixture(b *testing.B, total int, target identity.Identifier) *fixture {
	kept, ok := benchkeep.Find(*benchKeep, fmt.Sprint(total))
	if !ok {
		return nil
	}
	f := &fixture{}
	f.tl, f.db = openBench(b, kept, &store.Options{NoSync: true})
	c, err := f.tl.Graph().Lookup(context.Background(), target)
	if err != nil {
		b.Fatalf("kept store %s: %v", kept, err)
	}
	f.target = c
	b.Logf("fixture of %d events reused from %s", total, kept)
	return f
}

// benchEvents sizes BenchmarkReadNewest50's store. The figure is
// for 10M events, which takes several minutes to load on 2 cores:
//
//	go test -run='^$' -bench=ReadNewest50 -timeout=60m ./timeline/ -args -bench.events=10000000
var benchEvents = flag.Int("bench.events", 2_000_000, "events in BenchmarkReadNewest50's store (100k under -short)")

func BenchmarkReadNewest50(b *testing.B) {
	total := *benchEvents
	if testing.Short() {
		total = 100_000
	}
	name := fmt.Sprint(total)
	switch {
	case total%1_000_000 == 0:
		name = fmt.Sprintf("%dM", total/1_000_000)
	case total%1_000 == 0:
		name = fmt.Sprintf("%dk", total/1_000)
	}
	b.Run("events="+name, func(b *testing.B) {
		f := readFixture(b, total)
		ctx := context.Background()
		q := timeline.Query{Newest: true, Limit: 50}
		page, err := f.tl.Read(ctx, f.target, q)
		if err != nil || len(page.Events) != 50 || page.Next == "" {
			b.Fatalf("Read = %d events, next %q, %v; want 50 and more", len(page.Events), page.Next, err)
		}
		if all, _ := f.tl.Read(ctx, f.target, timeline.Query{}); len(all.Events) < 10_000 {
			b.Fatalf("target has %d events, want 10k", len(all.Events))
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.tl.Read(ctx, f.target, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}
