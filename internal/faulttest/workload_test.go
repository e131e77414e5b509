package faulttest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// The mixed workload of the crash and soak tests. Operation i is a pure
// function of (seed, i), so a parent process can replay exactly what a
// child ran; what an operation does depends on the state it meets, which
// is the same in the child and in the replay.

// workBase is the clock of operation 0; operation i runs a minute later
// per step.
var workBase = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// world is one store with the identity graph and timeline over it.
type world struct {
	db  *store.DB
	dir string // "": in memory
	g   *identity.Graph
	tl  *timeline.Timeline
	now atomic.Int64 // Unix ns, set per operation: the clock of g and tl
}

// openWorld opens the world in dir, or in memory when dir is "". nil gopts
// means the workload's default guards; a nil gopts.Clock, the clock set
// per operation.
func openWorld(dir string, opts *store.Options, gopts *identity.Options) (*world, error) {
	if opts == nil {
		opts = &store.Options{}
	}
	if dir == "" {
		opts.InMemory = true
	}
	db, err := store.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	w := &world{db: db, dir: dir}
	w.now.Store(workBase.UnixNano())
	clock := func() time.Time { return time.Unix(0, w.now.Load()).UTC() }
	if gopts == nil {
		gopts = &identity.Options{DefaultRegion: "US"}
	}
	if gopts.Clock == nil {
		o := *gopts
		o.Clock = clock
		gopts = &o
	}
	if w.g, err = identity.Open(db, gopts); err == nil {
		w.tl, err = timeline.Open(w.g, &timeline.Options{Clock: clock})
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

func (w *world) close() error { return w.db.Close() }

// opKind names the operations of the workload.
type opKind string

const (
	opObserve opKind = "observe" // identifiers of one person seen together
	opMerge   opKind = "merge"   // identifiers of two people seen together
	opAppend  opKind = "append"  // an event, sometimes a repeat of an earlier one
	opUnlink  opKind = "unlink"  // every link made by one source
	opForget  opKind = "forget"  // the customer of one identifier, with its events
)

// op is one operation of the workload.
type op struct {
	i     int
	kind  opKind
	ids   []identity.Identifier
	attrs map[string]string
	event timeline.Event
	src   string
}

// poolSize is how many people the workload's identifiers belong to: small
// enough that observations overlap, merge and hit the guards.
const poolSize = 40

func poolEmail(p int) identity.Identifier {
	return identity.New(identity.Email, fmt.Sprintf("person%02d@example.com", p))
}
func poolPhone(p int) identity.Identifier {
	return identity.New(identity.Phone, fmt.Sprintf("+1 415 555 %04d", 1000+p))
}
func poolVisitor(p int) identity.Identifier {
	return identity.New(identity.Visitor, fmt.Sprintf("visitor-%02d", p))
}

// personIDs returns 1 to 3 identifiers of person p.
func personIDs(rng *rand.Rand, p int) []identity.Identifier {
	all := []identity.Identifier{poolEmail(p), poolPhone(p), poolVisitor(p)}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:1+rng.IntN(3)]
}

// opTime is the clock of operation i.
func opTime(i int) time.Time { return workBase.Add(time.Duration(i) * time.Minute) }

// genOp returns operation i of the workload seeded by seed.
func genOp(seed uint64, i int) op {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	o := op{i: i, src: fmt.Sprintf("src-%d", rng.IntN(8))}
	p := rng.IntN(poolSize)
	switch r := rng.IntN(100); {
	case r < 35:
		o.kind, o.ids = opObserve, personIDs(rng, p)
		o.attrs = map[string]string{identity.AttrGivenName: fmt.Sprintf("Given%02d", p), identity.AttrFamilyName: fmt.Sprintf("Family%02d", p)}
	case r < 45:
		q := rng.IntN(poolSize)
		o.kind, o.ids = opMerge, append(personIDs(rng, p)[:1], personIDs(rng, q)[:1]...)
	case r < 85:
		o.kind = opAppend
		if j := rng.IntN(i + 1); rng.IntN(5) == 0 && j < i && genOp(seed, j).kind == opAppend {
			o.event = genOp(seed, j).event // the same event delivered again
			break
		}
		o.event = workEvent(i, personIDs(rng, p))
	case r < 93:
		o.kind = opUnlink
	default:
		o.kind, o.ids = opForget, personIDs(rng, p)[:1]
	}
	return o
}

// workEvent is the event of operation i.
func workEvent(i int, ids []identity.Identifier) timeline.Event {
	return timeline.Event{
		ID: fmt.Sprintf("ev-%06d", i), Time: opTime(i).Add(-time.Second),
		Channel: timeline.Chat, Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer},
		Type: timeline.Message, Text: fmt.Sprintf("message %d from %s", i, ids[0]),
		Facts:       []timeline.Fact{{Key: "order", Value: fmt.Sprintf("order-%d", i)}},
		Identifiers: ids,
	}
}

// apply runs o and summarises its outcome, so that a replay can check it
// got the same answer as the process that ran it first. Errors the
// workload provokes on purpose (nothing to unlink or forget) are outcomes
// like any other; only unexpected errors are returned.
func (w *world) apply(ctx context.Context, o op) (string, error) {
	w.now.Store(opTime(o.i).UnixNano())
	switch o.kind {
	case opObserve, opMerge:
		r, err := w.g.Observe(ctx, identity.Observation{Identifiers: o.ids, Source: o.src, Time: opTime(o.i), Attributes: o.attrs})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %s merged=%v links=%d refused=%d", r.Outcome, r.Customer, r.Merged, len(r.Links), len(r.Refusals)), nil
	case opAppend:
		res, err := w.tl.Append(ctx, o.event)
		if errors.Is(err, timeline.ErrInvalidEvent) {
			return "rejected", nil // every identifier refused (suppressed or blocked)
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s dup=%v %s", res[0].Customer, res[0].Duplicate, res[0].Identity.Outcome), nil
	case opUnlink:
		res, err := w.g.Unlink(ctx, identity.LinkSelector{Source: o.src})
		if errors.Is(err, identity.ErrNotFound) {
			return "nothing to unlink", nil
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("removed=%d splits=%d", len(res.Removed), len(res.Splits)), nil
	case opForget:
		c, err := w.g.Lookup(ctx, o.ids[0])
		if errors.Is(err, identity.ErrNotFound) {
			return "nothing to forget", nil
		}
		if err != nil {
			return "", err
		}
		res, err := w.tl.Forget(ctx, c, identity.ForgetOptions{})
		if errors.Is(err, identity.ErrNotFound) {
			return "forgotten meanwhile", nil // by another goroutine of the soak test
		}
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("forgot %s ids=%d", res.Customer, len(res.Identifiers)), nil
	}
	return "", fmt.Errorf("unknown op %q", o.kind)
}

// eventOwners returns every event ID in the timelines of all customers
// with the customer it was read under, failing if any event appears twice.
func (w *world) eventOwners(ctx context.Context) (map[string]identity.CustomerID, error) {
	owners := map[string]identity.CustomerID{}
	err := w.g.Customers(ctx, func(tx *identity.Tx, c identity.CustomerID) error {
		page, err := timeline.ReadTx(tx, c, timeline.Query{})
		if err != nil {
			return err
		}
		for _, e := range page.Events {
			if prev, dup := owners[e.ID]; dup {
				return fmt.Errorf("event %s appears twice: customers %s and %s", e.ID, prev, c)
			}
			owners[e.ID] = c
		}
		return nil
	})
	return owners, err
}

// checkWorld runs identity's Check and the exactly-once check of events.
func (w *world) check(ctx context.Context) (map[string]identity.CustomerID, error) {
	vs, err := w.g.Check(ctx)
	if err != nil {
		return nil, err
	}
	if len(vs) > 0 {
		var b strings.Builder
		for _, v := range vs {
			fmt.Fprintln(&b, v)
		}
		return nil, fmt.Errorf("graph check: %d violations:\n%s", len(vs), b.String())
	}
	return w.eventOwners(ctx)
}
