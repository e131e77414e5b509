package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// runner drives the workload through the library on one store.
type runner struct {
	cfg  config
	gen  *generator
	rec  *recorder
	st   *threadline.Stack
	prog io.Writer // where progress bars go; nil for none
	dir  string    // the store's directory

	// Per customer index, written by the one worker that handles it.
	mainIDs, dupIDs []identity.CustomerID
	handoffIDs      []string
	dupNew          atomic.Int64 // duplicate observations that made a new customer
	eventsRead      atomic.Int64
}

func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

func (r *runner) open(dir string) error {
	var err error
	r.dir = dir
	// No triggers: the workload measures observe, append and handoff, and
	// runs none.
	r.st, err = threadline.Open(dir, &threadline.Options{
		Store:      store.Options{NoSync: !r.cfg.sync(), OnBatch: r.rec.onBatch},
		Identity:   identity.Options{DefaultRegion: "US"},
		NoTriggers: true,
		Clock:      clockAt(simEnd),
	})
	return err
}

// worker is one goroutine's view: its own handoff builder over the stack's
// tracker, whose clock it moves to each handoff's simulated time (the
// stack's clock stands at the end of the simulation).
type worker struct {
	now  time.Time
	b    *handoff.Builder
	lat  []time.Duration
	prog *progress
}

// timed runs op, recording its latency.
func (w *worker) timed(op func() error) error {
	start := time.Now()
	err := op()
	w.lat = append(w.lat, time.Since(start))
	w.prog.add(1)
	return err
}

// phaseResult is what one phase measured.
type phaseResult struct {
	elapsed time.Duration
	lat     []time.Duration // sorted
}

// phase runs fn for every customer index on cfg.concurrency workers and
// returns the wall time and every latency the workers recorded. ops is
// the number of operations expected, for the progress bar.
func (r *runner) phase(ctx context.Context, name string, ops int, fn func(ctx context.Context, w *worker, i int) error) (phaseResult, error) {
	workers := make([]*worker, r.cfg.concurrency)
	for k := range workers {
		w := &worker{}
		clock := func() time.Time { return w.now }
		var err error
		if w.b, err = handoff.New(r.st.Tracker(), &handoff.Options{Clock: clock}); err != nil {
			return phaseResult{}, err
		}
		workers[k] = w
	}
	r.rec.start(name)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prog := startProgress(r.prog, name, ops)
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		mu      sync.Mutex
		firstEr error
		lat     []time.Duration
	)
	start := time.Now()
	for _, w := range workers {
		w.prog = prog
		wg.Go(func() {
			var err error
			for i := int(next.Add(1) - 1); i < r.cfg.customers && err == nil; i = int(next.Add(1) - 1) {
				if err = fn(ctx, w, i); err != nil {
					err = fmt.Errorf("%s, customer %d: %w", name, i, err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, w.lat...)
			if err != nil && firstEr == nil {
				firstEr = err
				cancel()
			}
		})
	}
	wg.Wait()
	res := phaseResult{elapsed: time.Since(start), lat: lat}
	prog.finish()
	slices.Sort(res.lat)
	return res, firstEr
}

func (r *runner) observe(ctx context.Context, w *worker, i int) error {
	pl := r.gen.plan(i)
	for k, obs := range pl.obs {
		var res identity.Result
		if err := w.timed(func() (err error) { res, err = r.st.Observe(ctx, obs); return err }); err != nil {
			return err
		}
		switch {
		case pl.dup && k == pl.dupObs:
			r.dupIDs[i] = res.Customer
			if res.Outcome == identity.OutcomeNew {
				r.dupNew.Add(1)
			}
		default:
			r.mainIDs[i] = res.Customer
		}
	}
	return nil
}

func (r *runner) appendAll(ctx context.Context, w *worker, events []timeline.Event) error {
	for _, e := range events {
		if err := w.timed(func() error { _, err := r.st.Append(ctx, e); return err }); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) eventsBefore(ctx context.Context, w *worker, i int) error {
	return r.appendAll(ctx, w, r.gen.plan(i).before)
}

func (r *runner) eventsAfter(ctx context.Context, w *worker, i int) error {
	return r.appendAll(ctx, w, r.gen.plan(i).after)
}

func (r *runner) handoff(ctx context.Context, w *worker, i int) error {
	h := r.gen.plan(i).handoff
	if h == nil {
		return nil
	}
	w.now = h.at
	return w.timed(func() error {
		p, err := w.b.Handoff(ctx, r.mainIDs[i], h.req)
		if err == nil {
			r.handoffIDs[i] = p.HandoffID
		}
		return err
	})
}

func (r *runner) acknowledge(ctx context.Context, w *worker, i int) error {
	h := r.gen.plan(i).handoff
	if h == nil {
		return nil
	}
	w.now = h.ackAt
	return w.timed(func() error { return w.b.Acknowledge(ctx, r.mainIDs[i], r.handoffIDs[i], h.by) })
}

// read reads the whole timeline of the customer and of its duplicate.
func (r *runner) read(ctx context.Context, w *worker, i int) error {
	for _, c := range []identity.CustomerID{r.mainIDs[i], r.dupIDs[i]} {
		if c == 0 {
			continue
		}
		if err := w.timed(func() error {
			p, err := r.st.Read(ctx, c, timeline.Query{})
			r.eventsRead.Add(int64(len(p.Events)))
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// metrics times journey.Tracker.Compute over every customer.
func (r *runner) metrics(ctx context.Context) (journey.Metrics, time.Duration, error) {
	start := time.Now()
	rows, err := r.st.Tracker().Compute(ctx, journey.Window{}, journey.AllJourneys)
	took := time.Since(start)
	if err != nil || len(rows) == 0 {
		return journey.Metrics{}, took, err
	}
	return rows[0], took, nil
}

func (r *runner) liveCustomers(ctx context.Context) (int, error) {
	n := 0
	err := r.st.Graph().Customers(ctx, func(*identity.Tx, identity.CustomerID) error { n++; return nil })
	return n, err
}
