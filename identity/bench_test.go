package identity_test

import (
	"context"
	"encoding/binary"
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
	"github.com/threadline/threadline/store"
)

// Benchmarks of the graph on an on-disk store.
//
// BenchmarkLookup, BenchmarkLookupKind and BenchmarkObserve share one
// fixture per process (they come first in this file, so they run on it
// before the writes of the other benchmarks): a
// NoSync store preloaded with benchIdentifiers() identifiers (10k under
// -short, 1M otherwise), customers of one email and one phone each. Building
// the 1M fixture takes a while; it happens once, on first use, and the
// store directory is removed by TestMain.
//
// Every benchmark reports ops/s besides ns/op. Run:
//
//	go test -run='^$' -bench=. -benchtime=2s -count=3 ./identity/

// benchCache sets the block cache of the preloaded store. The store's
// default is sized for small graphs; 1M identifiers take about 250 MB on
// disk, so compare with a cache that holds them:
//
//	go test -run='^$' -bench='Observe|Lookup' ./identity/ -args -bench.cache=1073741824
var benchCache = flag.Int64("bench.cache", 0, "block cache `bytes` of the preloaded benchmark store (0: store default)")

func TestMain(m *testing.M) {
	code := m.Run()
	benchCleanup()
	os.Exit(code)
}

func benchIdentifiers() int {
	if testing.Short() {
		return 10_000
	}
	return 1_000_000
}

func benchSizeName(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000 && n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}

// Phone numbers for the benchmarks: valid US numbers, none a placeholder
// (seven equal trailing digits, blocked by default), each index a different
// number. Index ranges keep the fixture and each benchmark apart.
var (
	benchAreas     = []int{415, 212, 646, 312, 617, 206, 303, 512, 702, 305, 650, 408, 510, 213, 310}
	benchExchanges = func() []int {
		var out []int
		for ex := 200; ex < 1000; ex++ {
			if ex%111 != 0 { // not 222, 333, ...: 2222222 would be a placeholder
				out = append(out, ex)
			}
		}
		return out
	}()
)

const (
	benchPreloadBase = 0
	benchNewBase     = 20_000_000
	benchMergeBase   = 40_000_000
	benchDurableBase = 60_000_000
	benchFloorBase   = 5_000_000 // kind=new/floor's numbers, after kind=new's
)

func benchPhone(i int) string {
	perArea := len(benchExchanges) * 10_000
	a := benchAreas[(i/perArea)%len(benchAreas)]
	ex := benchExchanges[(i/10_000)%len(benchExchanges)]
	return fmt.Sprintf("+1%d%03d%04d", a, ex, i%10_000)
}

func benchEmail(prefix string, i int) string { return fmt.Sprintf("%s%d@example.com", prefix, i) }

// benchPair is the observation of a customer with one email and one phone.
func benchPair(prefix string, i, phoneBase int) identity.Observation {
	return identity.Observation{Source: "bench", Identifiers: []identity.Identifier{
		identity.New(identity.Email, benchEmail(prefix, i)),
		identity.New(identity.Phone, benchPhone(phoneBase+i)),
	}}
}

// benchFixture is the preloaded store shared by the benchmarks.
type benchFixture struct {
	dir       string
	db        *store.DB
	g         *identity.Graph
	customers int // preloaded customers: identifiers/2
	loadTime  time.Duration
}

var (
	benchOnce sync.Once
	benchFix  *benchFixture
	benchErr  error

	benchNewNext   atomic.Int64 // next index of kind=new
	benchMergeNext atomic.Int64 // next index of merge pairs
	benchDurNext   atomic.Int64 // next index of the durable benchmark
)

func benchCleanup() {
	if benchFix != nil {
		benchFix.db.Close()
		os.RemoveAll(benchFix.dir)
	}
}

func benchOptions() *identity.Options { return &identity.Options{DefaultRegion: "US"} }

// benchFixtureFor returns the shared preloaded graph, building it on first use.
func benchFixtureFor(b *testing.B) *benchFixture {
	b.Helper()
	benchOnce.Do(func() {
		benchFix, benchErr = benchLoadFixture(benchIdentifiers())
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFix
}

func benchLoadFixture(n int) (_ *benchFixture, err error) {
	dir, err := os.MkdirTemp("", "identity-bench-*")
	if err != nil {
		return nil, err
	}
	db, err := store.Open(dir, &store.Options{NoSync: true, CacheSize: *benchCache})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	f := &benchFixture{dir: dir, db: db, customers: n / 2}
	benchFix = f // so that benchCleanup removes it even if loading fails
	if f.g, err = identity.Open(db, benchOptions()); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := benchBulkObserve(f.g, f.customers, func(i int) identity.Observation { return benchPair("p", i, benchPreloadBase) }, identity.OutcomeNew); err != nil {
		return nil, fmt.Errorf("preload: %w", err)
	}
	f.loadTime = time.Since(start)
	// Compact, so that the benchmarks start on a settled store rather than
	// competing with the compactions the bulk load left behind.
	start = time.Now()
	if err := db.Compact(context.Background()); err != nil {
		return nil, fmt.Errorf("compact: %w", err)
	}
	fmt.Fprintf(os.Stderr, "identity bench: preloaded %d identifiers (%d customers) in %v, compacted in %v; block cache %d bytes (0: default)\n",
		n, f.customers, f.loadTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), *benchCache)
	return f, nil
}

// benchBulkObserve makes n observations, many per transaction, and checks each
// one's outcome.
func benchBulkObserve(g *identity.Graph, n int, obs func(i int) identity.Observation, want identity.Outcome) error {
	const perUpdate = 1000
	ctx := context.Background()
	for lo := 0; lo < n; lo += perUpdate {
		hi := min(lo+perUpdate, n)
		err := g.Update(ctx, func(tx *identity.Tx) error {
			for i := lo; i < hi; i++ {
				res, err := tx.Observe(obs(i))
				if err != nil {
					return err
				}
				if res.Outcome != want {
					return fmt.Errorf("observation %d: outcome %s, want %s (refusals %v)", i, res.Outcome, want, res.Refusals)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func benchReportOps(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}

// BenchmarkLookup measures Lookup of random preloaded identifiers, half
// emails and half phones, as callers would pass them (normalized again by
// the graph).
func BenchmarkLookup(b *testing.B) {
	f := benchFixtureFor(b)
	b.Run("ids="+benchSizeName(2*f.customers), func(b *testing.B) {
		benchLookup(b, f, func(rng *rand.Rand, i int) identity.Identifier {
			if rng.IntN(2) == 0 {
				return identity.New(identity.Email, benchEmail("p", i))
			}
			return identity.New(identity.Phone, benchPhone(benchPreloadBase+i))
		})
	})
}

// BenchmarkLookupKind splits BenchmarkLookup by kind: phone normalization
// costs much more than email normalization.
func BenchmarkLookupKind(b *testing.B) {
	f := benchFixtureFor(b)
	size := "ids=" + benchSizeName(2*f.customers)
	b.Run("kind=email/"+size, func(b *testing.B) {
		benchLookup(b, f, func(_ *rand.Rand, i int) identity.Identifier {
			return identity.New(identity.Email, benchEmail("p", i))
		})
	})
	b.Run("kind=phone/"+size, func(b *testing.B) {
		benchLookup(b, f, func(_ *rand.Rand, i int) identity.Identifier {
			return identity.New(identity.Phone, benchPhone(benchPreloadBase+i))
		})
	})
}

// BenchmarkObserve measures Observe by one caller on the preloaded NoSync
// store: kind=new creates a customer (one email, one phone), kind=hit
// observes a preloaded customer again, kind=merge merges two customers of
// one identifier each.
func BenchmarkObserve(b *testing.B) {
	f := benchFixtureFor(b)
	ctx := context.Background()
	size := "ids=" + benchSizeName(2*f.customers)

	b.Run("kind=new/"+size, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			i := int(benchNewNext.Add(1))
			res, err := f.g.Observe(ctx, benchPair("n", i, benchNewBase))
			if err != nil || res.Outcome != identity.OutcomeNew {
				b.Fatalf("new %d: %s %v", i, res.Outcome, err)
			}
		}
		benchReportOps(b)
	})

	b.Run("kind=hit/"+size, func(b *testing.B) {
		b.ReportAllocs()
		rng := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			i := rng.IntN(f.customers)
			res, err := f.g.Observe(ctx, benchPair("p", i, benchPreloadBase))
			if err != nil || res.Outcome != identity.OutcomeExisting {
				b.Fatalf("hit %d: %s %v", i, res.Outcome, err)
			}
		}
		benchReportOps(b)
	})

	// The floors do at the store only what kind=new and kind=hit cannot do
	// without (see observeFloor): their ops/s bound what Observe can reach
	// on this store and machine, whatever the graph logic costs.
	b.Run("kind=new/floor/"+size, func(b *testing.B) {
		fl := &observeFloor{f: f}
		b.ReportAllocs()
		for b.Loop() {
			fl.newCustomer(b, int(benchNewNext.Add(1)))
		}
		benchReportOps(b)
	})

	b.Run("kind=hit/floor/"+size, func(b *testing.B) {
		fl := &observeFloor{f: f}
		b.ReportAllocs()
		rng := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			fl.hit(b, rng.IntN(f.customers))
		}
		benchReportOps(b)
	})

	b.Run("kind=merge/"+size, func(b *testing.B) {
		b.ReportAllocs()
		// Pairs of single-identifier customers, made in batches outside
		// the timer: customer m<i>@example.com and customer benchPhone(i).
		var next, end int
		refill := func() {
			const batch = 20_000
			next = int(benchMergeNext.Add(batch)) - batch
			end = next + batch
			base := next
			err := benchBulkObserve(f.g, 2*batch, func(j int) identity.Observation {
				i := base + j/2
				id := identity.New(identity.Email, benchEmail("m", i))
				if j%2 == 1 {
					id = identity.New(identity.Phone, benchPhone(benchMergeBase+i))
				}
				return identity.Observation{Source: "bench", Identifiers: []identity.Identifier{id}}
			}, identity.OutcomeNew)
			if err != nil {
				b.Fatal(err)
			}
		}
		refill()
		for b.Loop() {
			if next == end {
				b.StopTimer()
				refill()
				b.StartTimer()
			}
			res, err := f.g.Observe(ctx, benchPair("m", next, benchMergeBase))
			if err != nil || res.Outcome != identity.OutcomeMerged {
				b.Fatalf("merge %d: %s %v", next, res.Outcome, err)
			}
			next++
		}
		benchReportOps(b)
	})
}

// BenchmarkObserveDurable measures Observe of new customers on a durable
// store (default options: every Update synced, concurrent Updates group
// committed) with 64 concurrent callers.
func BenchmarkObserveDurable(b *testing.B) {
	const callers = 64
	b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
		db, err := store.Open(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		g, err := identity.Open(db, benchOptions())
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		b.SetParallelism((callers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(benchDurNext.Add(1))
				res, err := g.Observe(ctx, benchPair("d", i, benchDurableBase))
				if err != nil || res.Outcome != identity.OutcomeNew {
					b.Errorf("durable %d: %s %v", i, res.Outcome, err)
					return
				}
			}
		})
		benchReportOps(b)
	})
}

func benchLookup(b *testing.B, f *benchFixture, pick func(*rand.Rand, int) identity.Identifier) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	// Identifiers are built outside the timer: the benchmark measures
	// Lookup, not fmt.
	ids := make([]identity.Identifier, 1<<16)
	for i := range ids {
		ids[i] = pick(rng, rng.IntN(f.customers))
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := f.g.Lookup(ctx, ids[n%len(ids)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	benchReportOps(b)
}

// BenchmarkNormalize measures the normalizers alone on values seen for the
// first time (no cache: these are the package functions Observe calls on a
// miss), so that Observe's figures can be read against them: a new
// customer's phone number costs phone/e164 before any storage work.
func BenchmarkNormalize(b *testing.B) {
	cases := []struct {
		name string
		in   func(i int) string
		fn   func(string) (string, error)
	}{
		{"email", func(i int) string { return benchEmail("Normalize.", i) },
			func(s string) (string, error) { return identity.NormalizeEmail(s, identity.EmailPolicy{}) }},
		{"phone/e164", func(i int) string { return benchPhone(benchNewBase + i) },
			func(s string) (string, error) { return identity.NormalizePhone(s, "US") }},
		{"phone/national", func(i int) string {
			p := benchPhone(benchNewBase + i) // +1AAAEEENNNN
			return fmt.Sprintf("(%s) %s-%s", p[2:5], p[5:8], p[8:])
		}, func(s string) (string, error) { return identity.NormalizePhone(s, "US") }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := c.fn(c.in(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// observeFloor is Observe reduced to the work it cannot do without, on the
// preloaded store, for the floor twins of BenchmarkObserve:
//
//   - a new customer (email and phone): both normalizers, the phone
//     number's through libphonenumber; the two identifier records read
//     and not found; the 11 keys a new customer writes (540 bytes in all,
//     as Observe's batch), in one transaction;
//   - a hit (both identifiers known, one customer): the email normalized,
//     the phone number found stored in E.164 form by one read instead of
//     libphonenumber; in one transaction, the two identifier records read,
//     the link between them looked up, and both records written back (the
//     last-seen time and count).
//
// No validation, guards, customer records, history or result: the gap to
// kind=new and kind=hit is the graph's own cost.
type observeFloor struct {
	f   *benchFixture
	seq uint64 // numbers the keys a new customer writes besides its records
}

// floorTable is the table byte of the stand-ins for a new customer's other
// keys: one no table uses (see internal/keys.Tables), so they touch no
// record of the graph.
const floorTable = 0xff

var (
	floorRecord = make([]byte, 30) // an identifier record's size
	floorValue  = make([]byte, 36) // the other keys' values: 540 bytes in all
)

func (fl *observeFloor) newCustomer(b *testing.B, i int) {
	email, err := identity.NormalizeEmail(benchEmail("floor", i), identity.EmailPolicy{})
	if err != nil {
		b.Fatal(err)
	}
	phone, err := identity.NormalizePhone(benchPhone(benchNewBase+benchFloorBase+i), "US")
	if err != nil {
		b.Fatal(err)
	}
	ids := []identity.Identifier{identity.New(identity.Email, email), identity.New(identity.Phone, phone)}
	err = fl.f.db.Update(context.Background(), func(tx *store.Txn) error {
		for _, id := range ids {
			if _, err := tx.Get(identity.IdentKey(id)); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%s: %v, want not found", id, err)
			}
		}
		for _, id := range ids {
			if err := tx.Set(identity.IdentKey(id), floorRecord); err != nil {
				return err
			}
		}
		for range 9 {
			fl.seq++
			if err := tx.Set(binary.BigEndian.AppendUint64([]byte{floorTable}, fl.seq), floorValue); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func (fl *observeFloor) hit(b *testing.B, i int) {
	email, err := identity.NormalizeEmail(benchEmail("p", i), identity.EmailPolicy{})
	if err != nil {
		b.Fatal(err)
	}
	phone := identity.New(identity.Phone, benchPhone(benchPreloadBase+i))
	if ok, err := fl.f.db.Has(context.Background(), identity.IdentKey(phone)); err != nil || !ok {
		b.Fatalf("%s stored: %v %v", phone, ok, err)
	}
	ids := []identity.Identifier{identity.New(identity.Email, email), phone}
	err = fl.f.db.Update(context.Background(), func(tx *store.Txn) error {
		var recs [2][]byte
		for j, id := range ids {
			rec, err := tx.Get(identity.IdentKey(id))
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			recs[j] = rec
		}
		if ok, err := tx.Has(identity.AdjKey(ids[0], ids[1])); err != nil || !ok {
			return fmt.Errorf("link %s-%s: %v %w", ids[0], ids[1], ok, err)
		}
		for j, id := range ids {
			if err := tx.Set(identity.IdentKey(id), recs[j]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
