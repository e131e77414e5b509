// Command journey-report generates a month of contact-center traffic,
// stores it through Threadline (identity resolution, the cross-channel
// timeline, journeys) and prints journey metrics beside what each channel's
// own, siloed report would say, so the overstatement is visible.
//
// The traffic is synthetic but shaped like a contact center's: customers
// with emails, phones, WhatsApp numbers, web-chat cookies and CRM accounts;
// journeys on chat, voice, email, WhatsApp and SMS that a bot contains,
// that an agent solves, that switch channels, repeat, get reopened or are
// abandoned; handoffs (some lost), transfers and repeat asks. The same
// -seed gives the same traffic and the same report.
//
//	go run ./examples/journey-report
//	go run ./examples/journey-report -customers 20000 -seed 7 -csv metrics.csv -json report.json
//	go run ./examples/journey-report -dir /tmp/tl && go run ./examples/graph -dir /tmp/tl -customer c1
//
// The store is a temporary directory, removed at the end, unless -dir
// names one to keep. Loading uses the store's bulk mode (NoSync): a process
// crash loses nothing, a power cut may lose the latest writes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// config is the command line.
type config struct {
	customers int
	seed      uint64
	dir       string // store directory to keep; "" means a temporary one
	csv, json string // output files; "-" means standard output
}

func main() {
	var cfg config
	flag.IntVar(&cfg.customers, "customers", 2000, "customers to generate (at most 100000)")
	flag.Uint64Var(&cfg.seed, "seed", 1, "random seed: the same seed gives the same traffic")
	flag.StringVar(&cfg.dir, "dir", "", "keep the store in this directory instead of a temporary one")
	flag.StringVar(&cfg.csv, "csv", "", `write the journey metrics as CSV to this file ("-" for standard output)`)
	flag.StringVar(&cfg.json, "json", "", `write the whole report as JSON to this file ("-" for standard output)`)
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "journey-report: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	if _, err := run(context.Background(), cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "journey-report:", err)
		os.Exit(1)
	}
}

// report is everything the program prints, as JSON writes it.
type report struct {
	Month     string `json:"month"`
	Customers int    `json:"customers"`
	Seed      uint64 `json:"seed"`
	Events    int    `json:"events"`
	// Channels is the siloed view, per channel and "all".
	Channels []channelRow `json:"channels"`
	// All, ByFirstChannel and ByIntent are journey metrics of the
	// journeys that started in the month.
	All            journey.Metrics   `json:"all"`
	ByFirstChannel []journey.Metrics `json:"by_first_channel"`
	ByIntent       []journey.Metrics `json:"by_intent"`
}

// grouping is the journey grouping the tracker and the siloed view share.
var grouping = journey.Options{Gap: 7 * 24 * time.Hour, ReopenWindow: 72 * time.Hour, SessionGap: 30 * time.Minute}

// run generates, loads and reports. The report for people goes to stdout,
// or to stderr when stdout carries -csv or -json; progress goes to stderr.
func run(ctx context.Context, cfg config, stdout, stderr io.Writer) (*report, error) {
	if cfg.customers < 1 || cfg.customers > 100000 {
		return nil, fmt.Errorf("-customers %d: want 1 to 100000", cfg.customers)
	}
	if cfg.csv == "-" && cfg.json == "-" {
		return nil, errors.New(`-csv and -json cannot both write to standard output`)
	}
	human := stdout
	if cfg.csv == "-" || cfg.json == "-" {
		human = stderr
	}
	dir, cleanup, err := storeDir(cfg.dir)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	lib, err := openLibrary(dir)
	if err != nil {
		return nil, err
	}
	defer lib.Close()
	started := time.Now()
	prog := &progress{w: stderr, start: started, last: started}
	events, crm, err := load(ctx, lib, cfg, prog)
	if err != nil {
		return nil, err
	}
	loaded := time.Since(started)
	r, err := compute(ctx, lib, cfg, events, prog)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(human, "Threadline journey report: %s, %d customers, seed %d\n", r.Month, cfg.customers, cfg.seed)
	where := "a temporary store, bulk-load mode"
	if cfg.dir != "" {
		where = "the store in " + dir + ", bulk-load mode"
	}
	fmt.Fprintf(human, "Loaded %d events and %d CRM records through identity and timeline in %s, reported in %s (%s).\n",
		events, crm, loaded.Round(time.Millisecond), (time.Since(started) - loaded).Round(time.Millisecond), where)
	if err := printReport(human, r); err != nil {
		return nil, err
	}
	return r, writeFiles(cfg, stdout, r)
}

// storeDir returns cfg's directory, or a temporary one that cleanup
// removes.
func storeDir(dir string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "threadline-journey-report-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// openLibrary opens the Threadline stack in bulk-load mode, without
// triggers: the report runs none. The clock stands at the end of the
// month: the report runs then.
func openLibrary(dir string) (*threadline.Stack, error) {
	return threadline.Open(dir, &threadline.Options{
		Store:      store.Options{NoSync: true},
		Identity:   identity.Options{DefaultRegion: "US"},
		Journey:    grouping,
		NoTriggers: true,
		Clock:      func() time.Time { return monthEnd },
	})
}

// load generates each customer (from its own random stream, so customer n
// is the same whatever -customers is) and stores their CRM record and
// month of events. Re-running on the same -dir and -seed adds nothing:
// appends are idempotent by event ID.
func load(ctx context.Context, lib *threadline.Stack, cfg config, prog *progress) (events, crm int, err error) {
	for n := 1; n <= cfg.customers; n++ {
		rng := rand.New(rand.NewPCG(cfg.seed, uint64(n)))
		p := newPerson(rng, n)
		if ids := p.crmRecord(); ids != nil {
			obs := identity.Observation{Source: "crm-import", Time: monthStart.Add(-time.Hour), Identifiers: ids}
			if _, err := lib.Observe(ctx, obs); err != nil {
				return 0, 0, fmt.Errorf("customer %d: crm import: %w", n, err)
			}
			crm++
		}
		evs := (&gen{rng: rng, p: &p}).month()
		if len(evs) > 0 {
			if _, err := lib.Append(ctx, evs...); err != nil {
				return 0, 0, fmt.Errorf("customer %d: %w", n, err)
			}
		}
		events += len(evs)
		prog.tick("  loaded %d/%d customers, %d events", n, cfg.customers, events)
	}
	return events, crm, nil
}

// compute reads the journey metrics and the siloed per-channel view of the
// journeys that started in the month.
func compute(ctx context.Context, lib *threadline.Stack, cfg config, events int, prog *progress) (*report, error) {
	r := &report{Month: monthStart.Format("January 2006"), Customers: cfg.customers, Seed: cfg.seed, Events: events}
	w := journey.Window{From: monthStart, To: monthEnd}
	// Each Compute is one pass over the store; on a long run say which.
	var all []journey.Metrics
	segments := []struct {
		by   journey.Segment
		rows *[]journey.Metrics
	}{{journey.AllJourneys, &all}, {journey.FirstChannel, &r.ByFirstChannel}, {journey.ByIntent, &r.ByIntent}}
	for i, s := range segments {
		prog.long("  computing journey metrics, pass %d of 4", i+1)
		var err error
		if *s.rows, err = lib.Tracker().Compute(ctx, w, s.by); err != nil {
			return nil, err
		}
	}
	if len(all) == 1 { // none when no journey started in the month
		r.All = all[0]
	}
	prog.long("  reading the siloed view per channel, pass 4 of 4")
	s := newSilo()
	err := lib.Graph().Customers(ctx, func(tx *identity.Tx, c identity.CustomerID) error {
		page, err := timeline.ReadTx(tx, c, timeline.Query{})
		if err != nil {
			return err
		}
		for _, j := range journey.Group(c, page.Events, &grouping, monthEnd) {
			if !j.Start.Before(monthStart) && j.Start.Before(monthEnd) {
				s.add(&j, page.Events)
			}
		}
		return nil
	})
	r.Channels = s.rows()
	return r, err
}

// progress reports on long runs to standard error, at most once a second.
type progress struct {
	w           io.Writer
	start, last time.Time
}

// tick prints the line if a second has passed since the last one.
func (p *progress) tick(format string, args ...any) {
	if now := time.Now(); now.Sub(p.last) >= time.Second {
		p.last = now
		fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// long prints the line if the run has taken more than a second so far.
func (p *progress) long(format string, args ...any) {
	if time.Since(p.start) >= time.Second {
		p.last = time.Now()
		fmt.Fprintf(p.w, format+"\n", args...)
	}
}
