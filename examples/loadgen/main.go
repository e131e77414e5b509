// Command loadgen measures Threadline on your hardware with a generated
// contact-center workload, and measures raw Pebble writing the same bytes
// as the ceiling.
//
// It generates, from -seed alone, -customers people with several
// identifiers each (email, phone, WhatsApp, chat visitor, device, CRM
// account), journeys with channel switches, bot-to-human handoffs
// (recorded and acknowledged), resolutions and abandonments, and a share of
// people who also appear under a second identity that only probabilistic
// matching could join. It drives that through the library on an on-disk
// store with -concurrency goroutines, phase by phase:
//
//  1. observe: identity observations (web visit, sign-up, CRM record,
//     WhatsApp, app) that build each customer;
//  2. events: timeline appends, one event per call as they would arrive
//     live, in time order per customer;
//  3. handoffs: handoff.Builder.Handoff at each bot-to-human handoff (the
//     packet is built from the timeline so far and the handoff recorded);
//  4. acks: handoff.Builder.Acknowledge by the agent who takes over; then
//     the rest of those journeys' events (counted with phase 2);
//  5. reads: every customer's whole timeline;
//  6. journey metrics: journey.Tracker.Compute over all customers.
//
// Then it replays every batch our store committed (same operation count
// and encoded size per batch, same order, same sync mode) into a fresh raw
// Pebble database with the store's engine options, and prints the ratio of
// our write throughput to Pebble's.
//
// Usage:
//
//	go run ./examples/loadgen [-customers 1000] [-events 20000] [-concurrency 16]
//	    [-durability sync|nosync] [-seed 1] [-dir DIR] [-json]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/threadline/threadline/identity"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil {
		var prog io.Writer
		if !cfg.json && isTerminal(os.Stderr) {
			prog = os.Stderr
		}
		err = run(context.Background(), cfg, os.Stdout, prog)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	customers, events, concurrency int
	durability                     string
	seed                           uint64
	dir                            string
	json                           bool
}

func (c config) sync() bool { return c.durability == "sync" }

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.customers, "customers", 1000, "number of customers (people) to generate")
	fs.IntVar(&c.events, "events", 20000, "number of timeline events in all, handoff and acknowledgement events included")
	fs.IntVar(&c.concurrency, "concurrency", 16, "goroutines driving the library")
	fs.StringVar(&c.durability, "durability", "sync", "sync: every write durable when it returns; nosync: store.Options.NoSync (raw Pebble likewise)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the generated workload")
	fs.StringVar(&c.dir, "dir", "", "empty or new directory for the stores, kept afterwards (default: a temporary directory, removed)")
	fs.BoolVar(&c.json, "json", false, "print one JSON object instead of text, and no progress bar")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.customers < 1 || c.customers > maxCustomers:
		return c, fmt.Errorf("-customers %d: want 1 to %d", c.customers, maxCustomers)
	case c.events < 0:
		return c, fmt.Errorf("-events %d: want 0 or more", c.events)
	case c.concurrency < 1:
		return c, fmt.Errorf("-concurrency %d: want 1 or more", c.concurrency)
	case c.durability != "sync" && c.durability != "nosync":
		return c, fmt.Errorf("-durability %q: want sync or nosync", c.durability)
	}
	return c, nil
}

// workDir returns the directory to work in and a cleanup function.
func workDir(dir string) (string, func(), error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "threadline-loadgen-")
		return d, func() { os.RemoveAll(d) }, err
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return dir, func() {}, os.MkdirAll(dir, 0o755)
	case err != nil:
		return "", nil, err
	case len(entries) > 0:
		return "", nil, fmt.Errorf("-dir %s is not empty", dir)
	}
	return dir, func() {}, nil
}

// run executes the whole benchmark and writes the report to out. Progress
// bars go to prog unless it is nil.
func run(ctx context.Context, cfg config, out, prog io.Writer) error {
	dir, cleanup, err := workDir(cfg.dir)
	if err != nil {
		return err
	}
	defer cleanup()
	rep, err := measure(ctx, cfg, dir, prog)
	if err != nil {
		return err
	}
	if cfg.json {
		err = rep.writeJSON(out)
	} else {
		err = rep.writeText(out)
	}
	if err != nil {
		return err
	}
	if len(rep.Checks.Failed) > 0 {
		return fmt.Errorf("%d check(s) failed: %v", len(rep.Checks.Failed), rep.Checks.Failed)
	}
	return nil
}

// measure runs the phases and the raw Pebble ceiling and returns the report.
func measure(ctx context.Context, cfg config, dir string, prog io.Writer) (*report, error) {
	rep := newReport(cfg, dir)
	r := &runner{cfg: cfg, gen: &generator{seed: cfg.seed, customers: cfg.customers, events: cfg.events}, rec: newRecorder(), prog: prog,
		mainIDs: make([]identity.CustomerID, cfg.customers), dupIDs: make([]identity.CustomerID, cfg.customers),
		handoffIDs: make([]string, cfg.customers)}
	rep.generate(r.gen, prog)
	if err := r.open(filepath.Join(dir, "threadline")); err != nil {
		return nil, err
	}
	defer func() {
		if r.st != nil {
			r.st.Close()
		}
	}()
	if err := rep.library(ctx, r); err != nil {
		return nil, err
	}
	err := r.st.Close()
	r.st = nil
	if err == nil {
		err = rep.sizes(r.dir)
	}
	if err != nil {
		return nil, err
	}
	if err := rep.ceiling(filepath.Join(dir, "raw-pebble"), r.rec, cfg.sync(), prog); err != nil {
		return nil, err
	}
	return rep, nil
}
