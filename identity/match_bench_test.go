package identity_test

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
	"github.com/threadline/threadline/internal/benchkeep"
	"github.com/threadline/threadline/store"
)

var (
	benchMatchCustomers  = flag.Int("bench.matchcustomers", 1_000_000, "customers preloaded for BenchmarkObserveMatching (10k under -short)")
	benchMatchCandidates = flag.String("bench.matchcandidates", "", "comma-separated MatchOptions.MaxCandidates values BenchmarkObserveMatching runs with, one sub-benchmark each (empty: the default)")
)

// matchAttrs turns a generated record into observation attributes.
func matchAttrs(r *match.Record) map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{identity.AttrGivenName: r.GivenName, identity.AttrFamilyName: r.FamilyName,
		identity.AttrFullName: r.FullName, identity.AttrBirthDate: r.BirthDate, identity.AttrAddress: r.Address,
		identity.AttrCity: r.City, identity.AttrPostcode: r.Postcode, identity.AttrRegion: r.Region} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// BenchmarkObserveMatching measures Observe with profile attributes and
// probabilistic matching on, on a NoSync store preloaded with generated
// customers (1M; 10k under -short), each one email and a profile. Every
// measured observation is a generated record (30% of them duplicates of a
// preloaded person, with the corruptions of package synth) seen with a new
// visitor ID, so it is scored against the candidates blocking finds.
// Visitor IDs and records carry on from one run (-count) to the next, so
// no run re-observes what an earlier one stored; once the records (a tenth
// of the preloaded number) are used up they come round again as returning
// people on new devices, which link to their earlier visit.
//
// Besides speed it reports what real-time matching found, from the
// generator's ground truth: recall is the share of observations of a
// preloaded person that joined (one of) that person's customers, and
// false-links/op the share that joined another preloaded person's.
//
// Preloading 1M customers with matching takes many minutes; choose the
// size with -bench.matchcustomers:
//
//	go test -run='^$' -bench=ObserveMatching ./identity/ -args -bench.matchcustomers=100000
//
// -bench.cache sets the store's block cache, as for the other benchmarks;
// -bench.matchcandidates=32,16,8 runs with each MatchOptions.MaxCandidates
// in turn on the same preloaded store, to weigh speed against recall.
func BenchmarkObserveMatching(b *testing.B) {
	n := *benchMatchCustomers
	if testing.Short() {
		n = 10_000
	}
	people := synth.Generate(&synth.Options{Seed: 11, Records: n + n/10})
	name := "customers=" + benchSizeName(n)
	dir := b.TempDir()
	kept, reuse := "", false
	if *benchKeep != "" {
		if kept, reuse = benchkeep.Find(*benchKeep, "match-"+benchSizeName(n)); reuse {
			// Observing writes: work on a copy, so that every run starts
			// from the preloaded store.
			if err := benchkeep.Copy(kept, dir); err != nil {
				b.Fatal(err)
			}
		}
	}
	db, g := openMatchBench(b, dir)
	defer func() { db.Close() }()
	ctx := context.Background()
	switch {
	case reuse:
		fmt.Fprintf(os.Stderr, "identity bench: reused %d preloaded customers from %s\n", n, kept)
	case *benchKeep != "":
		preloadMatchBench(b, g, db, people[:n])
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		if kept, err := benchkeep.Keep(dir, *benchKeep, "match-"+benchSizeName(n)); err != nil {
			b.Fatal(err)
		} else if err := benchkeep.Copy(kept, dir); err != nil {
			b.Fatal(err)
		}
		db, g = openMatchBench(b, dir)
	default:
		preloadMatchBench(b, g, db, people[:n])
	}
	if *benchWarm {
		warmStore(b, db)
	}
	// truthOf maps preloaded customers to their person. Each holds one
	// account ID and accounts never merge (the kind's limit is one), so
	// the customer Observe returns stays that person's.
	truthOf := make(map[identity.CustomerID]int, n)
	preloaded := make(map[int]bool, n)
	for i := range n {
		c, err := g.Lookup(ctx, matchAccount(i))
		if err != nil {
			b.Fatal(err)
		}
		truthOf[c] = people[i].Truth
		preloaded[people[i].Truth] = true
	}
	i := 0 // observations so far, over every run
	var caps []int
	for f := range strings.SplitSeq(*benchMatchCandidates, ",") {
		if f = strings.TrimSpace(f); f != "" {
			c, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("-bench.matchcandidates: %v", err)
			}
			caps = append(caps, c)
		}
	}
	if len(caps) == 0 {
		benchObserveMatching(b, name, g, people[n:], &i, truthOf, preloaded)
		benchCandidateSearch(b, name+"/floor=candidates", g, people[n:])
		benchMatchFloor(b, name+"/floor=observe", g, people[n:])
	}
	for _, c := range caps {
		gc, err := identity.Open(db, &identity.Options{DefaultRegion: "US",
			Matching: &identity.MatchOptions{Params: match.DefaultParams(), MaxCandidates: c}})
		if err != nil {
			b.Fatal(err)
		}
		benchObserveMatching(b, fmt.Sprintf("%s/candidates=%d", name, c), gc, people[n:], &i, truthOf, preloaded)
	}
}

// benchKeep keeps BenchmarkObserveMatching's preloaded store for later
// runs, which work on a copy of it instead of preloading again (1M
// customers take several minutes):
//
//	go test -run='^$' -bench=ObserveMatching ./identity/ -args -bench.keep=/var/tmp/tl-identity
//
// The store is kept in <dir>/match-<customers>, and only once complete.
var benchKeep = flag.String("bench.keep", "", "`dir` to keep BenchmarkObserveMatching's preloaded store in and reuse it from")

// benchWarm reads the whole preloaded store before measuring, so that a
// block cache big enough to hold it (-bench.cache) starts full, as in a
// process that has served for a while, rather than empty.
var benchWarm = flag.Bool("bench.warm", false, "read BenchmarkObserveMatching's whole preloaded store once before measuring")

// warmStore reads every key and value of db once.
func warmStore(b *testing.B, db *store.DB) {
	start := time.Now()
	var n, bytes int
	err := db.View(context.Background(), func(tx *store.Txn) error {
		it := tx.NewIter(nil)
		for ok := it.First(); ok; ok = it.Next() {
			n++
			bytes += len(it.Key()) + len(it.Value())
		}
		return it.Close()
	})
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "identity bench: read %d keys (%d MB) in %v\n", n, bytes>>20, time.Since(start).Round(time.Millisecond))
}

// matchAccount is the account ID of preloaded person i.
func matchAccount(i int) identity.Identifier {
	return identity.New(identity.Account, fmt.Sprintf("crm:%d", i))
}

// openMatchBench opens the benchmark's graph, with matching on, in dir.
func openMatchBench(b *testing.B, dir string) (*store.DB, *identity.Graph) {
	db, err := store.Open(dir, &store.Options{NoSync: true, CacheSize: *benchCache, OnBatch: matchBatches.add})
	if err != nil {
		b.Fatal(err)
	}
	g, err := identity.Open(db, &identity.Options{DefaultRegion: "US",
		Matching: &identity.MatchOptions{Params: match.DefaultParams()}})
	if err != nil {
		b.Fatal(err)
	}
	return db, g
}

// preloadMatchBench observes people, each with one account ID, then
// compacts the store.
func preloadMatchBench(b *testing.B, g *identity.Graph, db *store.DB, people []synth.Person) {
	ctx := context.Background()
	start := time.Now()
	const perUpdate = 1000
	for lo := 0; lo < len(people); lo += perUpdate {
		err := g.Update(ctx, func(tx *identity.Tx) error {
			for i := lo; i < min(lo+perUpdate, len(people)); i++ {
				obs := identity.Observation{Source: "crm", Attributes: matchAttrs(&people[i].Record),
					Identifiers: []identity.Identifier{matchAccount(i)}}
				if _, err := tx.Observe(obs); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	load := time.Since(start)
	// Compact, as the other Observe benchmarks do, so that the runs start
	// on a settled store rather than competing with the compactions the
	// bulk load left behind.
	start = time.Now()
	if err := db.Compact(ctx); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "identity bench: preloaded %d customers with profiles in %v, compacted in %v; block cache %d bytes (0: default)\n",
		len(people), load.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), *benchCache)
}

// benchObserveMatching observes probes in turn from *next on, each with a
// new visitor ID.
func benchObserveMatching(b *testing.B, name string, g *identity.Graph, probes []synth.Person, next *int,
	truthOf map[identity.CustomerID]int, preloaded map[int]bool) {
	ctx := context.Background()
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		links, reviews := 0, 0
		known, found, wrong := 0, 0, 0
		matchBatches.take()
		for b.Loop() {
			i := *next
			p := &probes[i%len(probes)]
			res, err := g.Observe(ctx, identity.Observation{Source: "chat", Attributes: matchAttrs(&p.Record),
				Identifiers: []identity.Identifier{identity.New(identity.Visitor, fmt.Sprintf("v-%d", i))}})
			if err != nil {
				b.Fatal(err)
			}
			if t, ok := truthOf[res.Customer]; ok && t != p.Truth {
				wrong++
			}
			if preloaded[p.Truth] {
				known++
				if t, ok := truthOf[res.Customer]; ok && t == p.Truth {
					found++
				}
			}
			for _, m := range res.Matches {
				switch m.Decision {
				case identity.MatchLinked:
					links++
				case identity.MatchReviewed:
					reviews++
				}
			}
			*next++
		}
		benchReportOps(b)
		ops, bytes := matchBatches.take()
		b.ReportMetric(float64(ops)/float64(b.N), "keys-written/op")
		b.ReportMetric(float64(bytes)/float64(b.N), "bytes-written/op")
		b.ReportMetric(float64(links)/float64(b.N), "links/op")
		b.ReportMetric(float64(reviews)/float64(b.N), "reviews/op")
		b.ReportMetric(float64(found)/float64(max(known, 1)), "recall")
		b.ReportMetric(float64(wrong)/float64(b.N), "false-links/op")
	})
}

// benchCandidateSearch measures the candidate search of a matching
// Observe alone (Graph.MatchCandidates: the blocking index read and the
// candidates scored, nothing written) for the same observations: a floor
// under BenchmarkObserveMatching's ns/op, which adds the writes (the
// profile, its index entries, term counts, the graph's records) and the
// links and reviews.
func benchCandidateSearch(b *testing.B, name string, g *identity.Graph, probes []synth.Person) {
	ctx := context.Background()
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		i, found := 0, 0
		for b.Loop() {
			p := &probes[i%len(probes)]
			n, err := g.MatchCandidates(ctx, identity.Observation{Source: "chat", Attributes: matchAttrs(&p.Record)})
			if err != nil {
				b.Fatal(err)
			}
			found += n
			i++
		}
		benchReportOps(b)
		b.ReportMetric(float64(found)/float64(b.N), "found/op")
	})
}

// matchBatches counts what the benchmark store's batches write, which
// BenchmarkObserveMatching reports per observation.
var matchBatches batchCounter

type batchCounter struct{ ops, bytes atomic.Int64 }

func (c *batchCounter) add(i store.BatchInfo) {
	c.ops.Add(int64(i.Ops))
	c.bytes.Add(int64(i.Bytes))
}

// take returns the counts so far and starts again from zero.
func (c *batchCounter) take() (ops, bytes int64) { return c.ops.Swap(0), c.bytes.Swap(0) }

// A matching observation's batch, as BenchmarkObserveMatching reports it
// (keys-written/op, bytes-written/op) over 30,000 observations on the 1M
// store (format version 3): 20.8 keys, 1,553 bytes. The floor writes the
// whole keys below that.
const (
	matchFloorKeys  = 20
	matchFloorBytes = 1553
)

// benchMatchFloor does at the store, for the same observations, only what
// a matching Observe of a new visitor cannot do without, in one
// transaction:
//
//   - the visitor's identifier record read, and not found;
//   - the term statistics and the term counts of the profile's values
//     read (term-frequency adjustment needs them, and they are updated);
//   - the candidate search, as floor=candidates but inside the
//     transaction, as Observe's atomicity requires;
//   - for each candidate at or above the review band, its identifier
//     record read (for its customer) and the reviewed-pair key looked up;
//   - the batch written: the identifier record, the profile's blocking
//     index entries, the term statistics and counts (all under their real
//     keys), and stand-ins up to the keys and bytes of Observe's batch
//     (matchFloorKeys, matchFloorBytes).
//
// It leaves out what only some observations do (the 0.5 links and 0.16
// reviews per observation read and write more), the scoring's term
// frequencies and every decision. Its ops/s bound what a matching Observe
// can reach on this store and machine.
func benchMatchFloor(b *testing.B, name string, g *identity.Graph, probes []synth.Person) {
	ctx := context.Background()
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		var seq, filler uint64
		for b.Loop() {
			seq++
			p := &probes[int(seq)%len(probes)]
			visitor := identity.New(identity.Visitor, fmt.Sprintf("floor-%d", seq))
			prof := identity.ProfileOf(identity.Observation{Source: "chat", Attributes: matchAttrs(&p.Record)})
			k := prof.Keys(visitor)
			err := g.Update(ctx, func(tx *identity.Tx) error {
				txn := tx.Store()
				if _, err := txn.Get(identity.IdentKey(visitor)); !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("%s: %v, want not found", visitor, err)
				}
				counts := make([][]byte, len(k.Terms))
				for i, t := range k.Terms {
					v, err := txn.Get(t)
					switch {
					case err == nil:
						counts[i] = v
					case errors.Is(err, store.ErrNotFound):
						counts[i] = []byte{1}
					default:
						return err
					}
				}
				found, err := tx.Candidates(prof, visitor)
				if err != nil {
					return err
				}
				for _, c := range found {
					if _, err := txn.Get(identity.IdentKey(c)); err != nil {
						return fmt.Errorf("%s: %w", c, err)
					}
					if _, err := txn.Has(identity.PairKey(visitor, c)); err != nil {
						return err
					}
				}
				n, size := 0, 0
				set := func(key, val []byte) error {
					n, size = n+1, size+len(key)+len(val)+3 // kind and two length bytes
					return txn.Set(key, val)
				}
				if err := set(identity.IdentKey(visitor), floorRecord); err != nil {
					return err
				}
				for _, key := range k.Blocks {
					if err := set(key, k.Value); err != nil {
						return err
					}
				}
				for i, key := range k.Terms {
					if err := set(key, counts[i]); err != nil {
						return err
					}
				}
				for ; n < matchFloorKeys; filler++ {
					key := binary.BigEndian.AppendUint64([]byte{floorTable}, filler)
					val := make([]byte, max((matchFloorBytes-size)/(matchFloorKeys-n)-len(key)-3, 0))
					if err := set(key, val); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		benchReportOps(b)
	})
}
