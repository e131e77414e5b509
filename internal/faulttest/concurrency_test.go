package faulttest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// unguardedOptions lifts every guard that could fire on emails and phones,
// so that the partition into customers depends only on which identifiers
// were seen together, never on the order (DESIGN.md invariant 2).
func unguardedOptions() *identity.Options {
	var kinds []identity.KindPolicy
	for _, p := range identity.DefaultKinds("US", identity.EmailPolicy{}) {
		if p.Kind == identity.Email || p.Kind == identity.Phone {
			p.Limit = 0
			kinds = append(kinds, p)
		}
	}
	return &identity.Options{DefaultRegion: "US", Kinds: kinds, MaxStrongIdentifiers: 1 << 30,
		Clock: func() time.Time { return workBase.AddDate(0, 1, 0) }}
}

// concOp is one call of a concurrency worker: an observation when event is
// nil, else an append.
type concOp struct {
	ids   []identity.Identifier
	event *timeline.Event
}

// concWindow is how far apart in the pool the identifiers of one call are.
const concWindow = 4

// concPool is n strong identifiers: emails, and phones written in several
// spellings that normalize to one value.
func concPool(n int) []identity.Identifier {
	pool := make([]identity.Identifier, n)
	for i := range pool {
		if i%2 == 0 {
			pool[i] = identity.New(identity.Email, fmt.Sprintf("Shared%03d@Example.com", i))
		} else {
			pool[i] = identity.New(identity.Phone, fmt.Sprintf("(415) 555-%04d", 2000+i))
		}
	}
	return pool
}

// concOps draws worker w's calls over the pool.
func concOps(w, n int, pool []identity.Identifier) []concOp {
	rng := rand.New(rand.NewPCG(uint64(w), 64))
	ops := make([]concOp, n)
	for i := range ops {
		// Identifiers near each other in the pool: clusters of many
		// sizes rather than one component of everything.
		b := rng.IntN(len(pool))
		ids := make([]identity.Identifier, 1+rng.IntN(3))
		for j := range ids {
			ids[j] = pool[(b+rng.IntN(concWindow))%len(pool)]
		}
		ops[i].ids = ids
		if rng.IntN(2) == 0 {
			e := workEvent(i, ids)
			e.ID = fmt.Sprintf("w%02d-%03d", w, i)
			ops[i].event = &e
		}
	}
	return ops
}

func (w *world) run(ctx context.Context, o concOp) error {
	if o.event != nil {
		_, err := w.tl.Append(ctx, *o.event)
		return err
	}
	_, err := w.g.Observe(ctx, identity.Observation{Identifiers: o.ids, Source: "conc", Time: workBase})
	return err
}

// customerSets returns the partition of pool into customers as the graph
// sees it, in the form of [Partition.Sets], over canonical identifiers.
func (w *world) customerSets(ctx context.Context, pool []identity.Identifier) ([][]string, error) {
	var p Partition
	by := map[identity.CustomerID]string{}
	for _, raw := range pool {
		id, err := w.g.Normalize(raw)
		if err != nil {
			return nil, err
		}
		c, err := w.g.Lookup(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		if first, ok := by[c]; ok {
			p.Union(first, id.String())
		} else {
			by[c] = id.String()
			p.Union(id.String())
		}
	}
	return p.Sets(), nil
}

// TestConcurrentPartition runs 64 goroutines that observe overlapping
// identifiers and append events with them, then checks that the customers
// are exactly the connected components of what was seen together (a
// union-find over the same links), that a serial run of the same calls
// gives the same partition, that the graph passes Check and that every
// event appears once, under the customer of its identifiers.
func TestConcurrentPartition(t *testing.T) {
	const workers = 64
	perWorker, poolN := 25, 800
	if testing.Short() || raceEnabled {
		perWorker, poolN = 10, 400
	}
	ctx := context.Background()
	pool := concPool(poolN)
	all := make([][]concOp, workers)
	var model Partition
	events := map[string][]identity.Identifier{}
	for w := range all {
		all[w] = concOps(w, perWorker, pool)
		for _, o := range all[w] {
			var set []string
			for _, id := range o.ids {
				set = append(set, canonical(t, id))
			}
			model.Union(set...)
			if o.event != nil {
				events[o.event.ID] = o.ids
			}
		}
	}
	// Identifiers never drawn are in no set: observe each once, alone.
	for _, id := range pool {
		model.Union(canonical(t, id))
	}

	par, err := openWorld(t.TempDir(), nil, unguardedOptions())
	require.NoError(t, err)
	defer par.close()
	done := make(chan error, 1)
	go func() {
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				for _, o := range all[w] {
					if err := par.run(ctx, o); err != nil {
						errs <- fmt.Errorf("worker %d: %w", w, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		done <- <-errs
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Minute): // a bound on liveness, not a timing assertion
		buf := make([]byte, 1<<20)
		t.Fatalf("deadlock: workers still running after 5 minutes\n%s", buf[:runtime.Stack(buf, true)])
	}
	for _, id := range pool {
		require.NoError(t, par.run(ctx, concOp{ids: []identity.Identifier{id}}))
	}

	ser, err := openWorld("", nil, unguardedOptions())
	require.NoError(t, err)
	defer ser.close()
	for _, ops := range all {
		for _, o := range ops {
			require.NoError(t, ser.run(ctx, o))
		}
	}
	for _, id := range pool {
		require.NoError(t, ser.run(ctx, concOp{ids: []identity.Identifier{id}}))
	}

	want := model.Sets()
	for name, w := range map[string]*world{"concurrent": par, "serial": ser} {
		got, err := w.customerSets(ctx, pool)
		require.NoError(t, err)
		require.Equal(t, want, got, "%s run: customers differ from the union-find of the links", name)
		owners, err := w.check(ctx)
		require.NoError(t, err, name)
		require.Len(t, owners, len(events), "%s run: events read", name)
		for id, c := range owners {
			ids, ok := events[id]
			require.True(t, ok, "%s run: unknown event %s", name, id)
			for _, x := range ids {
				n, _ := w.g.Normalize(x)
				owner, err := w.g.Lookup(ctx, n)
				require.NoError(t, err)
				require.Equal(t, owner, c, "%s run: event %s read under %s, its identifier %s is %s's", name, id, c, n, owner)
			}
		}
	}
	sizes := make([]int, len(want))
	for i, s := range want {
		sizes[i] = len(s)
	}
	slices.Sort(sizes)
	t.Logf("%d workers x %d calls, %d events, %d customers (largest %d identifiers)", workers, perWorker, len(events), len(want), sizes[len(sizes)-1])
}

// canonical is id's canonical "kind:value", computed without the graph.
func canonical(t *testing.T, id identity.Identifier) string {
	t.Helper()
	var v string
	var err error
	switch id.Kind {
	case identity.Email:
		v, err = identity.NormalizeEmail(id.Value, identity.EmailPolicy{})
	case identity.Phone:
		v, err = identity.NormalizePhone(id.Value, "US")
	default:
		t.Fatalf("no canonical form for %s", id)
	}
	require.NoError(t, err)
	return identity.New(id.Kind, v).String()
}
