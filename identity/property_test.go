package identity_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/storetest"
	"github.com/threadline/threadline/store"
)

// Property and metamorphic tests of the graph. Every test draws its cases
// from math/rand/v2 with a fixed seed per subtest (named seed=N), so a
// failure reproduces with -run 'TestName/seed=N'.

// propNow is the fixed clock of the property tests.
var propNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// propOptions are options under which no guard can fire on emails and
// phones: no kind limits, no component-size limit.
func propOptions() *identity.Options {
	var kinds []identity.KindPolicy
	for _, p := range identity.DefaultKinds("US", identity.EmailPolicy{}) {
		if p.Kind == identity.Email || p.Kind == identity.Phone {
			p.Limit = 0
			kinds = append(kinds, p)
		}
	}
	return &identity.Options{
		DefaultRegion:        "US",
		Kinds:                kinds,
		MaxStrongIdentifiers: 1 << 30,
		Clock:                func() time.Time { return propNow },
	}
}

func propGraph(t testing.TB) *identity.Graph {
	t.Helper()
	db := storetest.Open(t)
	g, err := identity.Open(db, propOptions())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// propIdent is one identifier of the pool: a raw spelling and its
// canonical form, the key of the test's own model.
type propIdent struct {
	raw   identity.Identifier
	canon string // "kind:value"
}

// propPhones are the valid numbers of +1 415 555 01NN, raw spelling and
// canonical value.
var propPhones = sync.OnceValue(func() []propIdent {
	var out []propIdent
	for n := range 100 {
		raw := fmt.Sprintf("+1 415 555 01%02d", n)
		v, err := identity.NormalizePhone(raw, "US")
		if err != nil {
			continue
		}
		out = append(out, propIdent{identity.New(identity.Phone, raw), identity.New(identity.Phone, v).String()})
	}
	return out
})

// propPool draws a pool of n strong identifiers, emails and phones mixed.
// Some emails are spelled with upper case, which the graph must fold.
func propPool(rng *rand.Rand, n int) []propIdent {
	phones := propPhones()
	var pool []propIdent
	for _, i := range rng.Perm(n + len(phones))[:n] {
		if i < len(phones) {
			pool = append(pool, phones[i])
			continue
		}
		v := fmt.Sprintf("u%d@example.com", i)
		raw := v
		if rng.IntN(3) == 0 {
			raw = strings.ToUpper(v)
		}
		pool = append(pool, propIdent{identity.New(identity.Email, raw), identity.New(identity.Email, v).String()})
	}
	return pool
}

// propObs draws an observation of 1 to 3 identifiers of the pool
// (possibly repeating one: the graph deduplicates).
func propObs(rng *rand.Rand, pool []propIdent) []propIdent {
	obs := make([]propIdent, 1+rng.IntN(3))
	for i := range obs {
		obs[i] = pool[rng.IntN(len(pool))]
	}
	return obs
}

func propRaw(obs []propIdent) []identity.Identifier {
	out := make([]identity.Identifier, len(obs))
	for i, p := range obs {
		out[i] = p.raw
	}
	return out
}

// propUF is the test's own model of connectivity.
type propUF map[string]string

func (u propUF) add(x string) {
	if _, ok := u[x]; !ok {
		u[x] = x
	}
}

func (u propUF) find(x string) string {
	u.add(x)
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

func (u propUF) union(a, b string) { u[u.find(a)] = u.find(b) }

// partition renders the components as sorted lines of sorted members.
func (u propUF) partition() []string {
	groups := map[string][]string{}
	for x := range u {
		r := u.find(x)
		groups[r] = append(groups[r], x)
	}
	return propRenderGroups(groups)
}

func propRenderGroups[K comparable](groups map[K][]string) []string {
	out := make([]string, 0, len(groups))
	for _, g := range groups {
		slices.Sort(g)
		out = append(out, strings.Join(g, " "))
	}
	slices.Sort(out)
	return out
}

// propPartition looks up every identifier of ids (canonical "kind:value")
// and returns the partition into customers, and the customer of each.
func propPartition(t *testing.T, g *identity.Graph, ids []string) ([]string, map[string]identity.CustomerID) {
	t.Helper()
	ctx := context.Background()
	groups := map[identity.CustomerID][]string{}
	of := map[string]identity.CustomerID{}
	for _, s := range ids {
		id, err := identity.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		c, err := g.Lookup(ctx, id)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", s, err)
		}
		groups[c] = append(groups[c], s)
		of[s] = c
	}
	return propRenderGroups(groups), of
}

func propCheck(t *testing.T, g *identity.Graph, when string) {
	t.Helper()
	vs, err := g.Check(context.Background())
	if err != nil {
		t.Fatalf("%s: Check: %v", when, err)
	}
	if len(vs) > 0 {
		t.Fatalf("%s: Check found %d violations:\n%s", when, len(vs), propViolations(vs))
	}
}

func propViolations(vs []identity.Violation) string {
	var sb strings.Builder
	for _, v := range vs {
		sb.WriteString("  " + v.String() + "\n")
	}
	return sb.String()
}

func propDiff(got, want []string) string {
	var sb strings.Builder
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&sb, "  missing: %s\n", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&sb, "  extra:   %s\n", g)
		}
	}
	return sb.String()
}

// TestOrderIndependence: without refusals, the partition into customers
// does not depend on the order of observations (doc.go), and equals the
// connected components of "seen together".
func TestOrderIndependence(t *testing.T) {
	const seeds, orders = 30, 4
	for seed := uint64(1); seed <= seeds; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x7468726561646c6e))
			large := seed%3 == 0
			// About one link per observation: with fewer observations than
			// identifiers the graph keeps several customers of varied size.
			poolN := 3 + rng.IntN(10)
			if large {
				poolN = 40 + rng.IntN(50)
			}
			obsN := 1 + rng.IntN(poolN)
			if large {
				obsN = poolN/3 + rng.IntN(poolN/2)
			}
			pool := propPool(rng, poolN)
			obs := make([][]propIdent, obsN)
			uf := propUF{}
			for i := range obs {
				obs[i] = propObs(rng, pool)
				for _, p := range obs[i] {
					uf.union(p.canon, obs[i][0].canon)
				}
			}
			want := uf.partition()
			t.Logf("%d observations of %d identifiers: %d customers", obsN, len(uf), len(want))
			seen := make([]string, 0, len(uf))
			for id := range uf {
				seen = append(seen, id)
			}
			slices.Sort(seen)

			ctx := context.Background()
			order := make([]int, obsN)
			for i := range order {
				order[i] = i
			}
			for o := range orders {
				if o > 0 {
					rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				}
				g := propGraph(t)
				for step, i := range order {
					res, err := g.Observe(ctx, identity.Observation{Source: "prop", Identifiers: propRaw(obs[i])})
					if err != nil {
						t.Fatalf("seed %d order %d step %d: Observe %v: %v", seed, o, step, propRaw(obs[i]), err)
					}
					if len(res.Refusals) > 0 || res.Outcome == identity.OutcomeRefused {
						t.Fatalf("seed %d order %d step %d: refusals with no guards: %v", seed, o, step, res.Refusals)
					}
					if !large || step == len(order)-1 {
						propCheck(t, g, fmt.Sprintf("seed %d order %d step %d", seed, o, step))
					}
				}
				got, _ := propPartition(t, g, seen)
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d order %d (%v): partition differs from union-find:\n%s", seed, o, order, propDiff(got, want))
				}
			}
		})
	}
}

// TestRandomUnlinkCheck interleaves random observations with random
// unlinks (by link, by observation, by pair) and checks after every step
// that the graph is sound, that every identifier still resolves, and that
// customers are exactly the connected components of the links that remain,
// tracked by the test from Result.Links and Graph.Links.
func TestRandomUnlinkCheck(t *testing.T) {
	const seeds, steps = 20, 40
	ctx := context.Background()
	for seed := uint64(1); seed <= seeds; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x756e6c696e6b))
			pool := propPool(rng, 4+rng.IntN(12))
			g := propGraph(t)

			live := map[identity.LinkID]identity.Link{} // links the model says exist
			var order []string                          // identifiers in first-seen order
			firstSeen := map[string]int{}
			observations, unlinks, splits := 0, 0, 0

			for step := range steps {
				where := fmt.Sprintf("seed %d step %d", seed, step)
				before := map[string]identity.CustomerID{}
				if len(order) > 0 {
					_, before = propPartition(t, g, order)
				}
				var sel identity.LinkSelector
				liveIDs := propLinkIDs(live)
				switch r := rng.IntN(10); {
				case r < 5 || len(live) == 0:
					obs := propObs(rng, pool)
					res, err := g.Observe(ctx, identity.Observation{Source: fmt.Sprintf("src%d", rng.IntN(3)), Identifiers: propRaw(obs)})
					if err != nil {
						t.Fatalf("%s: Observe: %v", where, err)
					}
					observations++
					if res.Outcome == identity.OutcomeRefused || len(res.Refusals) > 0 {
						t.Fatalf("%s: refusals with no guards: %v", where, res.Refusals)
					}
					inObs := map[string]bool{}
					for _, p := range obs {
						inObs[p.canon] = true
						if _, ok := firstSeen[p.canon]; !ok {
							firstSeen[p.canon] = len(order)
							order = append(order, p.canon)
						}
					}
					if len(res.Links) > 0 {
						all, err := g.Links(ctx, res.Customer)
						if err != nil {
							t.Fatalf("%s: Links(%s): %v", where, res.Customer, err)
						}
						for _, id := range res.Links {
							i := slices.IndexFunc(all, func(l identity.Link) bool { return l.ID == id })
							if i < 0 {
								t.Fatalf("%s: new link %s not listed by Links(%s)", where, id, res.Customer)
							}
							l := all[i]
							if !inObs[l.A.String()] || !inObs[l.B.String()] || l.Observation != res.Observation {
								t.Fatalf("%s: link %v does not join two identifiers of observation %s %v", where, l, res.Observation, propRaw(obs))
							}
							if _, dup := live[id]; dup {
								t.Fatalf("%s: link ID %s reused", where, id)
							}
							live[id] = l
						}
					}
					propCheck(t, g, where)
					propComponents(t, g, where, order, live)
					continue
				case r < 7:
					sel.Link = liveIDs[rng.IntN(len(liveIDs))]
				case r < 9:
					sel.Observation = live[liveIDs[rng.IntN(len(liveIDs))]].Observation
				default:
					l := live[liveIDs[rng.IntN(len(liveIDs))]]
					if rng.IntN(2) == 0 {
						l.A, l.B = l.B, l.A
					}
					sel.Pair = [2]identity.Identifier{l.A, l.B}
				}
				var want []identity.LinkID
				for _, id := range liveIDs {
					l := live[id]
					if id == sel.Link || (sel.Observation != 0 && l.Observation == sel.Observation) ||
						(!sel.Pair[0].IsZero() && (sel.Pair == [2]identity.Identifier{l.A, l.B} || sel.Pair == [2]identity.Identifier{l.B, l.A})) {
						want = append(want, id)
					}
				}
				res, err := g.Unlink(ctx, sel)
				if err != nil {
					t.Fatalf("%s: Unlink(%+v): %v", where, sel, err)
				}
				got := slices.Sorted(slices.Values(res.Removed))
				if !slices.Equal(got, want) {
					t.Fatalf("%s: Unlink(%+v) removed %v, want %v", where, sel, got, want)
				}
				for _, id := range got {
					delete(live, id)
				}
				unlinks++
				splits += len(res.Splits)
				propCheck(t, g, where)
				_, after := propComponents(t, g, where, order, live)
				propSplits(t, where, res, order, before, after)
			}
			if observations == 0 {
				t.Fatalf("seed %d: no observations", seed)
			}
			t.Logf("%d identifiers, %d observations, %d unlinks, %d splits, %d links left", len(order), observations, unlinks, splits, len(live))
		})
	}
}

func propLinkIDs(m map[identity.LinkID]identity.Link) []identity.LinkID {
	out := make([]identity.LinkID, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// propComponents checks that the customers are the connected components of
// the live links (every identifier still resolving), and that the links
// the graph lists are exactly the live ones.
func propComponents(t *testing.T, g *identity.Graph, where string, ids []string, live map[identity.LinkID]identity.Link) ([]string, map[string]identity.CustomerID) {
	t.Helper()
	uf := propUF{}
	for _, id := range ids {
		uf.add(id)
	}
	for _, l := range live {
		uf.union(l.A.String(), l.B.String())
	}
	want := uf.partition()
	got, of := propPartition(t, g, ids)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: customers differ from components of the remaining links:\n%s", where, propDiff(got, want))
	}
	listed := map[identity.LinkID]bool{}
	for _, c := range propCustomers(of) {
		ls, err := g.Links(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: Links(%s): %v", where, c, err)
		}
		for _, l := range ls {
			m, ok := live[l.ID]
			if !ok || m.A != l.A || m.B != l.B {
				t.Fatalf("%s: Links(%s) lists %v; the model has %v", where, c, l, m)
			}
			listed[l.ID] = true
		}
	}
	if len(listed) != len(live) {
		t.Fatalf("%s: graph lists %d links, the model has %d", where, len(listed), len(live))
	}
	return got, of
}

func propCustomers(of map[string]identity.CustomerID) []identity.CustomerID {
	var out []identity.CustomerID
	for _, c := range of {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// propSplits checks Unlink's report against the customers before and
// after: a split customer keeps the part holding its oldest identifier,
// other parts get new IDs in order of their oldest identifier, and
// customers not reported as split did not change.
func propSplits(t *testing.T, where string, res identity.UnlinkResult, order []string, before, after map[string]identity.CustomerID) {
	t.Helper()
	split := map[identity.CustomerID]identity.SplitResult{}
	for _, s := range res.Splits {
		split[s.Customer] = s
	}
	maxBefore := identity.CustomerID(0)
	for _, c := range before {
		maxBefore = max(maxBefore, c)
	}
	// order lists identifiers oldest first: the first one met of a
	// customer is its oldest.
	oldestOf := map[identity.CustomerID]string{}
	for _, id := range order {
		if _, ok := oldestOf[before[id]]; !ok {
			oldestOf[before[id]] = id
		}
	}
	partsSeen := map[identity.CustomerID][]identity.CustomerID{}
	for _, id := range order {
		b, a := before[id], after[id]
		s, wasSplit := split[b]
		switch {
		case !wasSplit && a != b:
			t.Fatalf("%s: %s moved from %s to %s, but %s was not reported split (%+v)", where, id, b, a, b, res)
		case wasSplit && oldestOf[b] == id && a != b:
			t.Fatalf("%s: oldest identifier %s of %s went to %s; the split customer should keep it", where, id, b, a)
		case wasSplit && a != b:
			if !slices.Contains(s.Parts, a) || a <= maxBefore {
				t.Fatalf("%s: %s of split %s went to %s, not a new part of %v", where, id, b, a, s.Parts)
			}
			if !slices.Contains(partsSeen[b], a) {
				partsSeen[b] = append(partsSeen[b], a)
			}
		}
	}
	// Meeting parts in first-seen order must give them in ID order.
	for b, ps := range partsSeen {
		if !slices.Equal(ps, split[b].Parts) {
			t.Fatalf("%s: parts of %s by oldest identifier are %v, Unlink reported %v", where, b, ps, split[b].Parts)
		}
	}
	for b, s := range split {
		if len(partsSeen[b]) != len(s.Parts) {
			t.Fatalf("%s: split of %s reports parts %v, identifiers moved to %v", where, b, s.Parts, partsSeen[b])
		}
	}
}

// propChangeLog collects changes from a subscription and detects overlapping
// deliveries.
type propChangeLog struct {
	mu      sync.Mutex
	changes []identity.Change
	busy    atomic.Int32
	overlap atomic.Bool
}

func (l *propChangeLog) record(c identity.Change) {
	if l.busy.Add(1) != 1 {
		l.overlap.Store(true)
	}
	time.Sleep(time.Microsecond) // widen the window in which an overlap would show
	l.mu.Lock()
	l.changes = append(l.changes, c)
	l.mu.Unlock()
	l.busy.Add(-1)
}

func (l *propChangeLog) take() []identity.Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.changes
	l.changes = nil
	return out
}

func propFormatChanges(cs []identity.Change) string {
	var sb strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&sb, "%s %s", c.Type, c.Customer)
		if len(c.Others) > 0 {
			fmt.Fprintf(&sb, " %v", c.Others)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// TestSubscribeOrder checks that subscribers get the changes of a scripted
// sequence in commit order with the right customers, and that concurrent
// observations deliver every change exactly once, in commit order, one at
// a time.
func TestSubscribeOrder(t *testing.T) {
	ctx := context.Background()
	t.Run("scripted", func(t *testing.T) {
		db, err := store.Open("", &store.Options{InMemory: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		opts := &identity.Options{DefaultRegion: "US", Clock: func() time.Time { return propNow }}
		g, err := identity.Open(db, opts)
		if err != nil {
			t.Fatal(err)
		}
		log := &propChangeLog{}
		cancel := g.Subscribe(log.record)

		ann := identity.New(identity.Email, "ann@example.com")
		bob := identity.New(identity.Email, "bob@example.com")
		phone := identity.New(identity.Phone, "+1 415 555 0142")
		cat := identity.New(identity.Email, "cat@example.com")
		observe := func(ids ...identity.Identifier) identity.Result {
			t.Helper()
			res, err := g.Observe(ctx, identity.Observation{Source: "script", Identifiers: ids})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		expect := func(step string, want ...identity.Change) {
			t.Helper()
			got := log.take()
			if propFormatChanges(got) != propFormatChanges(want) {
				t.Fatalf("%s: changes\n%s want\n%s", step, propFormatChanges(got), propFormatChanges(want))
			}
			for _, c := range got {
				if !c.Time.Equal(propNow) {
					t.Fatalf("%s: change %s at %v, want %v", step, c.Type, c.Time, propNow)
				}
			}
		}
		c := func(n uint64) identity.CustomerID { return identity.CustomerID(n) }

		observe(ann)
		expect("observe ann", identity.Change{Type: identity.Created, Customer: c(1)})
		observe(bob, phone)
		expect("observe bob+phone", identity.Change{Type: identity.Created, Customer: c(2)})
		observe(ann) // nothing new: no change
		expect("observe ann again")
		bad := observe(ann, phone)
		expect("merge", identity.Change{Type: identity.Merged, Customer: c(1), Others: []identity.CustomerID{c(2)}})
		if _, err := g.Unlink(ctx, identity.LinkSelector{Observation: bad.Observation}); err != nil {
			t.Fatal(err)
		}
		expect("unlink", identity.Change{Type: identity.Split, Customer: c(1), Others: []identity.CustomerID{c(3)}})
		observe(cat)
		expect("observe cat", identity.Change{Type: identity.Created, Customer: c(4)})
		// Several changes committed by one transaction arrive in order.
		err = g.Update(ctx, func(tx *identity.Tx) error {
			if _, err := tx.Observe(identity.Observation{Source: "script", Identifiers: []identity.Identifier{cat, bob}}); err != nil {
				return err
			}
			_, err := tx.Forget(c(3), identity.ForgetOptions{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		expect("merge and forget in one transaction",
			identity.Change{Type: identity.Merged, Customer: c(3), Others: []identity.CustomerID{c(4)}},
			identity.Change{Type: identity.Forgotten, Customer: c(3), Others: []identity.CustomerID{c(4)}})
		// c1 kept alias c2 through the split.
		if _, err := g.Forget(ctx, c(2), identity.ForgetOptions{}); err != nil {
			t.Fatal(err)
		}
		expect("forget c1 through its alias", identity.Change{Type: identity.Forgotten, Customer: c(1), Others: []identity.CustomerID{c(2)}})
		// A failed transaction delivers nothing.
		_ = g.Update(ctx, func(tx *identity.Tx) error {
			if _, err := tx.Observe(identity.Observation{Source: "script", Identifiers: []identity.Identifier{ann}}); err != nil {
				return err
			}
			return fmt.Errorf("rolled back")
		})
		expect("rolled back")
		cancel()
		observe(identity.New(identity.Email, "dan@example.com"))
		expect("after cancel")
		if log.overlap.Load() {
			t.Fatal("deliveries overlapped")
		}
		propCheck(t, g, "end")
	})

	t.Run("concurrent", func(t *testing.T) {
		const workers, perWorker, poolN = 8, 60, 300
		g := propGraph(t)
		log := &propChangeLog{}
		defer g.Subscribe(log.record)()

		var pool []identity.Identifier
		for i := range poolN {
			pool = append(pool, identity.New(identity.Email, fmt.Sprintf("w%d@example.com", i)))
		}
		results := make([][]identity.Result, workers)
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), 99))
				for range perWorker {
					ids := []identity.Identifier{pool[rng.IntN(poolN)]}
					if rng.IntN(2) == 0 {
						ids = append(ids, pool[rng.IntN(poolN)])
					}
					res, err := g.Observe(ctx, identity.Observation{Source: "conc", Identifiers: ids})
					if err != nil {
						errs <- err
						return
					}
					results[w] = append(results[w], res)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if log.overlap.Load() {
			t.Fatal("deliveries overlapped")
		}
		changes := log.take()

		// What the results say happened.
		created := map[identity.CustomerID]int{}
		merged := map[string]int{}
		for _, rs := range results {
			for _, r := range rs {
				switch r.Outcome {
				case identity.OutcomeNew:
					created[r.Customer]++
				case identity.OutcomeMerged:
					merged[fmt.Sprint(r.Customer, r.Merged)]++
				}
			}
		}
		for c, n := range created {
			if n != 1 {
				t.Fatalf("%s created by %d observations", c, n)
			}
		}
		// What was delivered, checked for commit order: on Pebble customer
		// IDs are handed out in commit order, so Created changes come in
		// increasing ID order (PostgreSQL's sequences are increasing in
		// draw order only, store.DB.NextSequence); a merge only names
		// customers created before it and not yet absorbed.
		idsInCommitOrder := os.Getenv("THREADLINE_TEST_POSTGRES") == ""
		alive := map[identity.CustomerID]bool{}
		var last identity.CustomerID
		nCreated, nMerged := 0, 0
		for i, ch := range changes {
			switch ch.Type {
			case identity.Created:
				nCreated++
				if idsInCommitOrder && ch.Customer <= last {
					t.Fatalf("change %d: Created %s after Created %s", i, ch.Customer, last)
				}
				last = ch.Customer
				if created[ch.Customer] != 1 {
					t.Fatalf("change %d: Created %s, which no observation reported new", i, ch.Customer)
				}
				alive[ch.Customer] = true
			case identity.Merged:
				nMerged++
				key := fmt.Sprint(ch.Customer, ch.Others)
				if merged[key] == 0 {
					t.Fatalf("change %d: Merged %s, which no observation reported (or reported fewer times)", i, key)
				}
				merged[key]--
				for _, c := range append([]identity.CustomerID{ch.Customer}, ch.Others...) {
					if !alive[c] {
						t.Fatalf("change %d: Merged %s names %s, not alive at that point", i, key, c)
					}
				}
				for _, c := range ch.Others {
					delete(alive, c)
				}
			default:
				t.Fatalf("change %d: unexpected %s %s", i, ch.Type, ch.Customer)
			}
		}
		if nCreated != len(created) {
			t.Fatalf("delivered %d Created changes, observations created %d customers", nCreated, len(created))
		}
		for k, n := range merged {
			if n != 0 {
				t.Fatalf("merge %s reported by observations but not delivered (%d left)", k, n)
			}
		}
		if nMerged == 0 {
			t.Fatal("no merges: the test pool is too sparse")
		}
		// The customers alive according to the changes are those the
		// identifiers resolve to.
		var ids []string
		for _, p := range pool {
			if _, err := g.Lookup(ctx, p); err == nil {
				ids = append(ids, p.String())
			}
		}
		_, of := propPartition(t, g, ids)
		live := propCustomers(of)
		if got := slices.Sorted(func(yield func(identity.CustomerID) bool) {
			for c := range alive {
				if !yield(c) {
					return
				}
			}
		}); !slices.Equal(got, live) {
			t.Fatalf("customers alive by changes %v, by lookup %v", got, live)
		}
		propCheck(t, g, "end")
	})
}
