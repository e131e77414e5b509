// Command evaluate measures the probabilistic matcher on labelled data: one
// CSV (deduplication) or two (linkage), a mapping from columns to matcher
// fields, and a truth column (rows with equal truth values are one
// person). It runs the default configuration, estimating the parameters
// from the data without looking at the labels, and prints the pairs
// compared, pairwise precision, recall and F1, B-cubed F1, the blocking's
// pairs completeness and reduction ratio, the time of every stage and the
// peak memory.
//
//	go run ./examples/evaluate                        # synth's committed 10k dataset
//	go run ./examples/evaluate -gen geco              # geco's committed 5k dataset
//	go run ./examples/evaluate -a crm.csv -truth person_id \
//	    -field given_name=first_name -field birth_date=dob -ignore notes
//	go run ./examples/evaluate -a old.csv -b new.csv -truth person_id
//	go run ./examples/evaluate -generate 1000000      # generated in memory
//	go run ./examples/evaluate -gen geco -generate 100000
//
// Two generators make labelled data: synth (US-style CRM records, its
// own corruption model) and geco (Australian-style records, the FEBRL and
// GeCo corruption model, many duplicates per entity for some). They share
// no vocabulary; a change that helps on one and hurts on the other is
// tuned to a generator.
//
// Matcher fields: given_name, family_name, full_name, birth_date, address,
// city, postcode, region, email, phone, exclusive (a strong identifier such
// as an account ID), id. Columns named like a field or one of its common
// aliases (first_name, surname, dob, zip, address_1, a date in three
// columns, ...; see identity/csvmap) are mapped to it unless -ignore names
// them. The mapping used is printed, and the columns left unmapped are
// named in a warning.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/threadline/threadline/identity/csvmap"
	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/geco"
	"github.com/threadline/threadline/identity/match/synth"
)

type config struct {
	a, b        string
	truth       string
	columns     csvmap.Options
	gen         string
	noContacts  bool
	generate    int
	seed        uint64
	params      string
	saveParams  string
	pairsOut    string
	clustersOut string
	progress    bool
	window      int
	maxCluster  int
	workers     int
}

func main() {
	var c config
	c.columns.RegisterFlags(flag.CommandLine)
	flag.StringVar(&c.a, "a", "", "CSV to deduplicate, or the first table of a linkage (default: the committed dataset of -gen)")
	flag.StringVar(&c.b, "b", "", "second CSV: link it against -a instead of deduplicating")
	flag.StringVar(&c.truth, "truth", "truth", "column holding the true person (empty: no quality figures)")
	flag.StringVar(&c.gen, "gen", "synth", "generator: synth or geco (its committed dataset, or -generate)")
	flag.IntVar(&c.generate, "generate", 0, "generate this many records in memory instead of reading -a")
	flag.BoolVar(&c.noContacts, "no-contacts", false, "with -gen geco -generate: no phones or emails, as in FEBRL's data")
	flag.Uint64Var(&c.seed, "seed", 1, "seed for -generate")
	flag.StringVar(&c.params, "params", "", "JSON parameters to use instead of estimating them")
	flag.StringVar(&c.saveParams, "save-params", "", "write the parameters used as JSON")
	flag.StringVar(&c.pairsOut, "pairs", "", "write the scored pairs (link and review) as CSV")
	flag.StringVar(&c.clustersOut, "clusters", "", "write every record's cluster as CSV")
	flag.BoolVar(&c.progress, "progress", false, "print progress to stderr")
	flag.IntVar(&c.window, "window", 0, "sorted-neighbourhood window (0: default)")
	flag.IntVar(&c.maxCluster, "max-cluster", 0, "largest cluster (0: default)")
	flag.IntVar(&c.workers, "workers", 0, "goroutines comparing pairs (0: GOMAXPROCS)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "evaluate:", err)
		os.Exit(1)
	}
}

// table is one input: records and their truth values.
type table struct {
	recs  []match.Record
	truth []string
}

func run(ctx context.Context, w io.Writer, c config) error {
	peak := watchMemory()
	start := time.Now()
	var a, b *table
	var err error
	if c.gen == "" {
		c.gen = "synth"
	}
	g, ok := generators[c.gen]
	if !ok {
		return fmt.Errorf("-gen %q: want synth or geco", c.gen)
	}
	if c.noContacts && (c.gen != "geco" || c.generate == 0) {
		return fmt.Errorf("-no-contacts needs -gen geco and -generate")
	}
	if c.a == "" {
		c.a = g.dataset
	}
	if c.generate > 0 {
		a = tableOf(g.generate(c))
		fmt.Fprintf(w, "generated %d records with %s (seed %d, %s)\n", len(a.recs), c.gen, c.seed, g.about)
	} else {
		if a, err = readTable(w, c.a, c); err != nil {
			return err
		}
		if c.b != "" {
			if b, err = readTable(w, c.b, c); err != nil {
				return err
			}
		}
	}
	load := time.Since(start)

	opts := &match.Options{Window: c.window, MaxClusterSize: c.maxCluster, Workers: c.workers}
	if c.params != "" {
		p, err := loadParams(c.params)
		if err != nil {
			return err
		}
		opts.Params = &p
	}
	if c.progress {
		opts.Progress = func(p match.Progress) {
			fmt.Fprintf(os.Stderr, "\r%-12s %d", p.Stage, p.Done)
			if p.Done == p.Total {
				fmt.Fprintln(os.Stderr)
			}
		}
	}
	var res *match.Result
	if b == nil {
		res, err = match.Dedupe(ctx, a.recs, opts)
	} else {
		res, err = match.LinkTables(ctx, a.recs, b.recs, opts)
	}
	if err != nil {
		return err
	}
	report(w, res)
	if c.truth != "" && a.truth != nil {
		if err := quality(ctx, w, a, b, res, opts); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nstages:\n  %-12s %8.3fs\n", "load", load.Seconds())
	for _, s := range res.Stages {
		fmt.Fprintf(w, "  %-12s %8.3fs\n", s.Name, s.Duration.Seconds())
	}
	fmt.Fprintf(w, "total %.3fs; peak Go memory %s (heap in use, sampled every 10ms); %d CPUs\n",
		time.Since(start).Seconds(), mib(peak()), runtime.NumCPU())
	return writeOutputs(c, a, b, res)
}

func report(w io.Writer, res *match.Result) {
	links, reviews := 0, 0
	for _, p := range res.Pairs {
		if p.Decision == match.Link {
			links++
		} else {
			reviews++
		}
	}
	fmt.Fprintf(w, "pairs compared %d; linked %d; to review %d; clusters of 2+ %d\n",
		res.Compared, links, reviews, len(res.Clusters()))
	if res.EMIterations > 0 {
		fmt.Fprintf(w, "parameters estimated without labels: prior %.4f after %d EM iterations\n", res.Params.Prior, res.EMIterations)
	}
	fmt.Fprintf(w, "bands: link at weight %.2f (p=%.3f), review at %.2f (p=%.3f)\n",
		res.Params.Link, match.ProbabilityOf(res.Params.Link), res.Params.Review, match.ProbabilityOf(res.Params.Review))
}

func quality(ctx context.Context, w io.Writer, a, b *table, res *match.Result, opts *match.Options) error {
	truth := a.truth
	var side []bool
	var bRecs []match.Record
	var bTruth []string
	if b != nil {
		truth = slices.Concat(a.truth, b.truth)
		side = make([]bool, len(truth))
		for i := len(a.truth); i < len(side); i++ {
			side[i] = true
		}
		bRecs, bTruth = b.recs, b.truth
	}
	m := match.Evaluate(truth, res.Cluster, side)
	bm, err := match.EvaluateBlocking(ctx, a.recs, a.truth, bRecs, bTruth, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\npairwise:  precision %.4f  recall %.4f  F1 %.4f  (%d predicted, %d true, %d correct)\n",
		m.Precision, m.Recall, m.F1, m.Predicted, m.True, m.Correct)
	fmt.Fprintf(w, "B-cubed:   precision %.4f  recall %.4f  F1 %.4f\n", m.BCubedPrecision, m.BCubedRecall, m.BCubedF1)
	fmt.Fprintf(w, "blocking:  pairs completeness %.4f (%d of %d true pairs)  reduction ratio %.6f (%d of %d pairs)\n",
		bm.PairsCompleteness, bm.Found, bm.True, bm.ReductionRatio, bm.Candidates, bm.All)
	return nil
}

// generators are the labelled-data generators -gen names, each with its
// committed dataset.
var generators = map[string]struct {
	dataset, about string
	generate       func(c config) []synth.Person
}{
	"synth": {"identity/match/testdata/people10k.csv", "30% duplicates, one original each",
		func(c config) []synth.Person {
			return synth.Generate(&synth.Options{Seed: c.seed, Records: c.generate})
		}},
	"geco": {"identity/match/geco/testdata/geco5k.csv", "40% duplicates, 1 to 9 per original",
		func(c config) []synth.Person {
			return geco.Generate(&geco.Options{Seed: c.seed, Records: c.generate, NoContacts: c.noContacts}).People
		}},
}

func tableOf(ps []synth.Person) *table {
	t := &table{recs: make([]match.Record, len(ps)), truth: make([]string, len(ps))}
	for i, p := range ps {
		t.recs[i], t.truth[i] = p.Record, strconv.Itoa(p.Truth)
	}
	return t
}

// readTable reads one CSV and prints the column mapping it used, with a
// warning for the columns the matcher will not see.
func readTable(w io.Writer, path string, c config) (*table, error) {
	o := c.columns
	o.Keep = []string{c.truth}
	t, err := csvmap.ReadFile(path, &o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "read %d records from %s\n", len(t.Records), path)
	printMapping(w, t)
	if _, ok := t.Kept[c.truth]; c.truth != "" && !ok {
		fmt.Fprintf(w, "warning: no truth column %q, so no quality figures (-truth names the column)\n", c.truth)
	}
	return &table{recs: t.Records, truth: t.Kept[c.truth]}, nil
}

func printMapping(w io.Writer, t *csvmap.Table) {
	fmt.Fprintln(w, "columns:")
	for _, f := range match.FieldNames() {
		if col, ok := t.Columns[f]; ok {
			fmt.Fprintf(w, "  %-12s ← %s (%s)\n", f, col, t.By[f])
		}
	}
	if len(t.Unmapped) > 0 {
		fmt.Fprintf(w, "warning: columns not mapped, which the matcher does not see: %s (map one with -field FIELD=COLUMN)\n",
			strings.Join(t.Unmapped, ", "))
	}
}

func loadParams(path string) (match.Params, error) {
	f, err := os.Open(path)
	if err != nil {
		return match.Params{}, err
	}
	defer f.Close()
	return match.LoadParams(f)
}

func writeOutputs(c config, a, b *table, res *match.Result) error {
	if c.saveParams != "" {
		if err := writeFile(c.saveParams, func(w io.Writer) error { return res.Params.Save(w) }); err != nil {
			return err
		}
	}
	id := func(t *table, i int) string {
		if t.recs[i].ID != "" {
			return t.recs[i].ID
		}
		return strconv.Itoa(i)
	}
	second := a
	if b != nil {
		second = b
	}
	if c.pairsOut != "" {
		err := writeFile(c.pairsOut, func(w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write([]string{"a", "b", "weight", "probability", "decision", "clustered"})
			for _, p := range res.Pairs {
				cw.Write([]string{id(a, p.A), id(second, p.B), strconv.FormatFloat(p.Weight, 'f', 3, 64),
					strconv.FormatFloat(match.ProbabilityOf(p.Weight), 'f', 4, 64), p.Decision.String(), strconv.FormatBool(p.Clustered)})
			}
			cw.Flush()
			return cw.Error()
		})
		if err != nil {
			return err
		}
	}
	if c.clustersOut != "" {
		return writeFile(c.clustersOut, func(w io.Writer) error {
			cw := csv.NewWriter(w)
			cw.Write([]string{"table", "record", "cluster"})
			for i, cl := range res.Cluster {
				t, name, j := "a", a, i
				if b != nil && i >= len(a.recs) {
					t, name, j = "b", b, i-len(a.recs)
				}
				cw.Write([]string{t, id(name, j), strconv.Itoa(cl)})
			}
			cw.Flush()
			return cw.Error()
		})
	}
	return nil
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// watchMemory samples the Go heap in use until the returned function is
// called, and returns the largest sample.
func watchMemory() func() uint64 {
	var mu sync.Mutex
	var peak uint64
	stop := make(chan struct{})
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		peak = max(peak, ms.HeapInuse+ms.StackInuse)
		mu.Unlock()
	}
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(stop)
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

func mib(n uint64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }
