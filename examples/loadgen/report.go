package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"
)

// report is everything a run measured; its JSON form is the -json output.
type report struct {
	Config struct {
		Customers   int    `json:"customers"`
		Events      int    `json:"events"`
		Concurrency int    `json:"concurrency"`
		Durability  string `json:"durability"`
		Seed        uint64 `json:"seed"`
		Dir         string `json:"dir"`
	} `json:"config"`
	Machine struct {
		CPUs        int    `json:"cpus"`
		GOMAXPROCS  int    `json:"gomaxprocs"`
		MemoryBytes int64  `json:"memory_bytes"`
		OS          string `json:"os"`
		Arch        string `json:"arch"`
		Go          string `json:"go"`
	} `json:"machine"`
	Generated expected `json:"generated"`
	// GenerateMicros is the time to generate one customer's plan; every
	// write phase regenerates the plans it needs, inside its timing.
	GenerateMicros float64 `json:"generate_us_per_customer"`

	Phases  []phase `json:"phases"`
	Journey struct {
		Seconds      float64 `json:"seconds"` // journey.Tracker.Compute over all customers
		Journeys     int     `json:"journeys"`
		Resolved     int     `json:"resolved"`
		Abandoned    int     `json:"abandoned"`
		Open         int     `json:"open"`
		HandoffRate  float64 `json:"handoff_rate"`
		LostHandoffs int     `json:"lost_handoffs"`
		JourneyFCR   float64 `json:"journey_fcr"`
		ChannelFCR   float64 `json:"channel_fcr"`
	} `json:"journey_metrics"`
	Store struct {
		Customers        int     `json:"live_customers"`
		Bytes            int64   `json:"bytes"` // files of the store at the end of the load
		BytesPerCustomer float64 `json:"bytes_per_customer"`
		// After a full compaction (store.DB.Compact) and Close: all files,
		// and the sorted tables alone (the data; the rest is write-ahead
		// logs Pebble keeps to recycle, and metadata).
		CompactedBytes            int64   `json:"compacted_bytes"`
		CompactedBytesPerCustomer float64 `json:"compacted_bytes_per_customer"`
		TableBytes                int64   `json:"table_bytes"`
		TableBytesPerCustomer     float64 `json:"table_bytes_per_customer"`
		CompactSeconds            float64 `json:"compact_seconds"`
	} `json:"store"`
	PeakMemory struct {
		Bytes  int64  `json:"bytes"`
		Source string `json:"source"`
	} `json:"peak_memory"`
	Ceiling ceiling `json:"raw_pebble"`
	Checks  struct {
		Failed []string `json:"failed"`
	} `json:"checks"`

	ours map[string]time.Duration // wall time of each write phase
}

// phase is one measured operation type.
type phase struct {
	Name      string  `json:"name"`
	Unit      string  `json:"unit"`
	Count     int     `json:"count"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
	P50Micros float64 `json:"p50_us"`
	P99Micros float64 `json:"p99_us"`
}

// ceiling compares our writes with raw Pebble writing the same batches.
type ceiling struct {
	Phases []ceilingRow `json:"phases"`
	Total  ceilingRow   `json:"total"`
}

type ceilingRow struct {
	Phase      string  `json:"phase"`
	Batches    int     `json:"batches"`
	Ops        int64   `json:"ops"`
	Bytes      int64   `json:"bytes"`
	OursSecs   float64 `json:"ours_seconds"`
	RawSecs    float64 `json:"raw_seconds"`
	OursMBps   float64 `json:"ours_mb_per_s"`
	RawMBps    float64 `json:"raw_mb_per_s"`
	Ratio      float64 `json:"ours_to_raw"` // OursMBps / RawMBps: the share of the ceiling we reach
	NotMatched int     `json:"batches_not_matched"`
}

func newReport(cfg config, dir string) *report {
	rep := &report{}
	rep.Checks.Failed = []string{}
	c := &rep.Config
	c.Customers, c.Events, c.Concurrency, c.Durability, c.Seed, c.Dir = cfg.customers, cfg.events, cfg.concurrency, cfg.durability, cfg.seed, dir
	m := &rep.Machine
	m.CPUs, m.GOMAXPROCS, m.MemoryBytes = runtime.NumCPU(), runtime.GOMAXPROCS(0), memTotal()
	m.OS, m.Arch, m.Go = runtime.GOOS, runtime.GOARCH, runtime.Version()
	return rep
}

// generate plans every customer once, for the expected totals.
func (rep *report) generate(g *generator, progw io.Writer) {
	prog := startProgress(progw, "generate", g.customers)
	defer prog.finish()
	start := time.Now()
	for i := range g.customers {
		rep.Generated.add(g.plan(i))
		prog.add(1)
	}
	rep.GenerateMicros = micros(time.Since(start)) / float64(g.customers)
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func (rep *report) addPhase(name, unit string, res phaseResult) {
	p := phase{Name: name, Unit: unit, Count: len(res.lat), Seconds: res.elapsed.Seconds()}
	if p.Seconds > 0 {
		p.PerSecond = float64(p.Count) / p.Seconds
	}
	p.P50Micros, p.P99Micros = micros(percentile(res.lat, 50)), micros(percentile(res.lat, 99))
	rep.Phases = append(rep.Phases, p)
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(float64(p) / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// library runs the phases against our store and measures it.
func (rep *report) library(ctx context.Context, r *runner) error {
	gen := &rep.Generated
	obs, err := r.phase(ctx, "observe", gen.Observations, r.observe)
	if err != nil {
		return err
	}
	rep.addPhase("observe", "observations", obs)
	before, err := r.phase(ctx, "events", gen.Appended, r.eventsBefore)
	if err != nil {
		return err
	}
	hand, err := r.phase(ctx, "handoffs", gen.Handoffs, r.handoff)
	if err != nil {
		return err
	}
	acks, err := r.phase(ctx, "acks", gen.Handoffs, r.acknowledge)
	if err != nil {
		return err
	}
	after, err := r.phase(ctx, "events", gen.Appended-len(before.lat), r.eventsAfter)
	if err != nil {
		return err
	}
	events := phaseResult{elapsed: before.elapsed + after.elapsed, lat: slices.Concat(before.lat, after.lat)}
	slices.Sort(events.lat)
	rep.addPhase("events", "events", events)
	rep.addPhase("handoffs", "packets", hand)
	rep.addPhase("acks", "acknowledgements", acks)
	reads, err := r.phase(ctx, "reads", gen.Customers+gen.Duplicates, r.read)
	if err != nil {
		return err
	}
	rep.addPhase("reads", "timeline reads", reads)
	rep.ours = map[string]time.Duration{"observe": obs.elapsed, "events": events.elapsed, "handoffs": hand.elapsed, "acks": acks.elapsed}

	m, took, err := r.metrics(ctx)
	if err != nil {
		return err
	}
	j := &rep.Journey
	j.Seconds, j.Journeys, j.Resolved, j.Abandoned, j.Open = took.Seconds(), m.Journeys, m.Resolved, m.Abandoned, m.Open
	j.HandoffRate, j.LostHandoffs, j.JourneyFCR, j.ChannelFCR = m.HandoffRate, m.LostHandoffs, m.JourneyFCR, m.ChannelFCR
	if rep.Store.Customers, err = r.liveCustomers(ctx); err != nil {
		return err
	}
	if err := rep.compact(ctx, r); err != nil {
		return err
	}
	rep.PeakMemory.Bytes, rep.PeakMemory.Source = peakMemory()
	rep.check(r)
	return nil
}

// compact times a full compaction of the store (store.DB.Compact).
func (rep *report) compact(ctx context.Context, r *runner) error {
	var err error
	if rep.Store.Bytes, _, err = dirSize(r.dir); err != nil {
		return err
	}
	start := time.Now()
	err = r.st.Store().Compact(ctx)
	rep.Store.CompactSeconds = time.Since(start).Seconds()
	return err
}

// sizes measures the closed, compacted store.
func (rep *report) sizes(dir string) error {
	s := &rep.Store
	var err error
	if s.CompactedBytes, s.TableBytes, err = dirSize(dir); err != nil {
		return err
	}
	n := float64(max(s.Customers, 1))
	s.BytesPerCustomer, s.CompactedBytesPerCustomer, s.TableBytesPerCustomer = float64(s.Bytes)/n, float64(s.CompactedBytes)/n, float64(s.TableBytes)/n
	return nil
}

// check compares what the library holds with what was generated.
func (rep *report) check(r *runner) {
	g := &rep.Generated
	fail := func(format string, args ...any) {
		rep.Checks.Failed = append(rep.Checks.Failed, fmt.Sprintf(format, args...))
	}
	eq := func(what string, got, want int) {
		if got != want {
			fail("%s: got %d, generated %d", what, got, want)
		}
	}
	eq("live customers", rep.Store.Customers, g.Customers+g.Duplicates)
	eq("duplicates left apart (new customers)", int(r.dupNew.Load()), g.Duplicates)
	eq("events read back", int(r.eventsRead.Load()), g.Events)
	eq("journeys", rep.Journey.Journeys, g.Journeys)
	eq("resolved journeys", rep.Journey.Resolved, g.Resolved)
	eq("abandoned journeys", rep.Journey.Abandoned, g.Abandoned)
	eq("open journeys", rep.Journey.Open, g.Open)
	eq("journeys with a handoff", int(math.Round(rep.Journey.HandoffRate*float64(rep.Journey.Journeys))), g.Handoffs)
	eq("lost handoffs", rep.Journey.LostHandoffs, 0)
	for _, p := range rep.Phases {
		want := map[string]int{"observe": g.Observations, "events": g.Appended, "handoffs": g.Handoffs, "acks": g.Handoffs,
			"reads": g.Customers + g.Duplicates}[p.Name]
		eq(p.Name+" operations", p.Count, want)
	}
}

// ceiling replays each write phase's batches into raw Pebble.
func (rep *report) ceiling(dir string, rec *recorder, sync bool, progw io.Writer) error {
	rp, err := openReplayer(dir, sync)
	if err != nil {
		return err
	}
	defer rp.close()
	tot := &rep.Ceiling.Total
	tot.Phase = "total"
	for _, name := range []string{"observe", "events", "handoffs", "acks"} {
		bs := rec.batches(name)
		prog := startProgress(progw, "raw "+name, len(bs))
		raw, inexact, err := rp.replay(bs, prog)
		prog.finish()
		if err != nil {
			return err
		}
		row := ceilingRow{Phase: name, Batches: len(bs), NotMatched: inexact, OursSecs: rep.ours[name].Seconds(), RawSecs: raw.Seconds()}
		for _, b := range bs {
			row.Ops += int64(b.ops)
			row.Bytes += int64(b.bytes)
		}
		row.rates()
		rep.Ceiling.Phases = append(rep.Ceiling.Phases, row)
		tot.Batches += row.Batches
		tot.Ops += row.Ops
		tot.Bytes += row.Bytes
		tot.OursSecs += row.OursSecs
		tot.RawSecs += row.RawSecs
		tot.NotMatched += row.NotMatched
	}
	tot.rates()
	return rp.close()
}

func (c *ceilingRow) rates() {
	mb := float64(c.Bytes) / 1e6
	if c.OursSecs > 0 {
		c.OursMBps = mb / c.OursSecs
	}
	if c.RawSecs > 0 {
		c.RawMBps = mb / c.RawSecs
	}
	if c.RawMBps > 0 {
		c.Ratio = c.OursMBps / c.RawMBps
	}
}

func (rep *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func (rep *report) writeText(w io.Writer) error {
	c, m, g := &rep.Config, &rep.Machine, &rep.Generated
	fmt.Fprintf(w, "Threadline loadgen: %d customers, %d events, concurrency %d, durability %s, seed %d\n",
		c.Customers, c.Events, c.Concurrency, c.Durability, c.Seed)
	fmt.Fprintf(w, "machine: %d CPUs (GOMAXPROCS %d), %.1f GiB memory, %s/%s, %s; stores in %s\n\n",
		m.CPUs, m.GOMAXPROCS, float64(m.MemoryBytes)/(1<<30), m.OS, m.Arch, m.Go, c.Dir)
	fmt.Fprintf(w, "Workload: %d customers with %d identity observations (email, phone, WhatsApp, chat visitor, device, CRM account);\n",
		g.Customers, g.Observations)
	fmt.Fprintf(w, "  %d events in %d journeys (%d resolved, %d abandoned, %d open), %d channel switches, %d bot-to-human handoffs;\n",
		g.Events, g.Journeys, g.Resolved, g.Abandoned, g.Open, g.Switches, g.Handoffs)
	fmt.Fprintf(w, "  %d duplicates only probabilistic matching could join (new phone + work email, same name, birth date and address).\n",
		g.Duplicates)
	fmt.Fprintf(w, "  Generating a customer's plan takes %.0f µs; write phases regenerate plans inside their timing.\n\n", rep.GenerateMicros)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\toperations\tseconds\trate\tp50\tp99\t")
	for _, p := range rep.Phases {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f %s/s\t%s\t%s\t\n", p.Name, p.Count, p.Seconds, p.PerSecond, p.Unit,
			fmtMicros(p.P50Micros), fmtMicros(p.P99Micros))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "(observe: identity.Graph.Observe; events: one event per timeline.Append, as they arrive live; handoffs:")
	fmt.Fprintln(w, " handoff.Builder.Handoff, which builds the packet from the timeline and records the handoff; acks:")
	fmt.Fprintln(w, " handoff.Builder.Acknowledge; reads: timeline.Read of a customer's whole timeline.)")
	j, s := &rep.Journey, &rep.Store
	fmt.Fprintf(w, "\nJourney metrics (journey.Tracker.Compute over %d customers): %.2f s; %d journeys, %d resolved, %d abandoned, %d open; journey FCR %.1f%% vs channel FCR %.1f%%.\n",
		s.Customers, j.Seconds, j.Journeys, j.Resolved, j.Abandoned, j.Open, 100*j.JourneyFCR, 100*j.ChannelFCR)
	fmt.Fprintf(w, "Store on disk (per live customer, duplicates included): %.1f MB at the end of the load (%.0f bytes per customer, mostly write-ahead log);\n",
		float64(s.Bytes)/1e6, s.BytesPerCustomer)
	fmt.Fprintf(w, "  after a full compaction (%.2f s) and Close: %.1f MB (%.0f bytes per customer), of which the data, in sorted tables,\n",
		s.CompactSeconds, float64(s.CompactedBytes)/1e6, s.CompactedBytesPerCustomer)
	fmt.Fprintf(w, "  %.1f MB (%.0f bytes per customer); the rest is write-ahead log files Pebble keeps to reuse, and metadata.\n",
		float64(s.TableBytes)/1e6, s.TableBytesPerCustomer)
	fmt.Fprintf(w, "Peak memory: %.0f MB (%s, before the raw Pebble run).\n\n", float64(rep.PeakMemory.Bytes)/1e6, rep.PeakMemory.Source)

	fmt.Fprintln(w, "Ceiling: raw Pebble committing the same batches (ops and bytes per batch, in order, one at a time, same sync):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tbatches\tMB\tours MB/s\traw MB/s\tours/raw\t")
	for _, row := range append(rep.Ceiling.Phases, rep.Ceiling.Total) {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.2f\t%.3f\t\n", row.Phase, row.Batches, float64(row.Bytes)/1e6, row.OursMBps, row.RawMBps, row.Ratio)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n := rep.Ceiling.Total.NotMatched; n > 0 {
		fmt.Fprintf(w, "(%d batches held operations too small to copy one for one; their bytes were written in fewer operations.)\n", n)
	}
	if len(rep.Checks.Failed) == 0 {
		fmt.Fprintln(w, "\nChecks passed: every customer, duplicate, event, journey state and handoff generated is in the store, none lost.")
	} else {
		fmt.Fprintf(w, "\nCHECKS FAILED:\n")
		for _, f := range rep.Checks.Failed {
			fmt.Fprintln(w, "  "+f)
		}
	}
	return nil
}

func fmtMicros(us float64) string {
	if us >= 1000 {
		return fmt.Sprintf("%.2f ms", us/1000)
	}
	return fmt.Sprintf("%.0f µs", us)
}
