package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runJSON runs loadgen in-process with -json and decodes its output.
func runJSON(t *testing.T, args ...string) *report {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	cfg, err := parseFlags(append([]string{"-json", "-dir", dir}, args...), io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), cfg, &out, nil))
	var rep report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	for _, sub := range []string{"threadline", "raw-pebble"} {
		_, err := os.Stat(filepath.Join(dir, sub))
		require.NoError(t, err, "-dir keeps both stores")
	}
	return &rep
}

func TestTinyRunJSON(t *testing.T) {
	for _, durability := range []string{"nosync", "sync"} {
		t.Run(durability, func(t *testing.T) {
			customers, events := 60, 1500
			if durability == "sync" { // every write waits for the disk
				customers, events = 12, 250
			}
			rep := runJSON(t, "-customers", itoa(customers), "-events", itoa(events), "-concurrency", "4",
				"-durability", durability, "-seed", "7")
			g := rep.Generated
			require.Empty(t, rep.Checks.Failed)

			// What was generated is what was asked for.
			assert.Equal(t, customers, g.Customers)
			assert.Equal(t, events, g.Events)
			assert.Equal(t, g.Events, g.Appended+2*g.Handoffs, "every event is appended, or is a handoff or its acknowledgement")
			assert.Equal(t, g.Journeys, g.Resolved+g.Abandoned+g.Open)
			assert.Positive(t, g.Handoffs)
			assert.GreaterOrEqual(t, g.Observations, 3*customers, "web, sign-up and CRM at least")

			// What was measured matches it.
			counts := map[string]int{}
			for _, p := range rep.Phases {
				counts[p.Name] = p.Count
				assert.Positive(t, p.PerSecond, p.Name)
				assert.Positive(t, p.P50Micros, p.Name)
				assert.GreaterOrEqual(t, p.P99Micros, p.P50Micros, p.Name)
			}
			assert.Equal(t, map[string]int{"observe": g.Observations, "events": g.Appended, "handoffs": g.Handoffs,
				"acks": g.Handoffs, "reads": customers + g.Duplicates}, counts)
			j := rep.Journey
			assert.Equal(t, []int{g.Journeys, g.Resolved, g.Abandoned, g.Open}, []int{j.Journeys, j.Resolved, j.Abandoned, j.Open})
			assert.Zero(t, j.LostHandoffs)
			assert.Equal(t, customers+g.Duplicates, rep.Store.Customers)
			assert.Positive(t, rep.Store.Bytes)
			assert.Positive(t, rep.Store.TableBytes)
			assert.LessOrEqual(t, rep.Store.TableBytes, rep.Store.CompactedBytes)
			assert.Positive(t, rep.PeakMemory.Bytes)

			// The ceiling replayed every batch, and the ratios are positive.
			c := rep.Ceiling
			require.Len(t, c.Phases, 4)
			var batches int
			var bytes int64
			for _, row := range c.Phases {
				assert.Positive(t, row.Batches, row.Phase)
				assert.Positive(t, row.Ratio, row.Phase)
				assert.Zero(t, row.NotMatched, row.Phase)
				batches += row.Batches
				bytes += row.Bytes
			}
			assert.Equal(t, batches, c.Total.Batches)
			assert.Equal(t, bytes, c.Total.Bytes)
			assert.Positive(t, c.Total.Ratio)
			assert.InDelta(t, c.Total.OursMBps/c.Total.RawMBps, c.Total.Ratio, 1e-9)
		})
	}
}

func TestTextOutput(t *testing.T) {
	cfg, err := parseFlags([]string{"-customers", "8", "-events", "120", "-durability", "nosync", "-dir", t.TempDir()}, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), cfg, &out, nil))
	for _, want := range []string{"observations/s", "events/s", "packets/s", "timeline reads/s", "Journey metrics",
		"bytes per customer", "Peak memory", "ours/raw", "Checks passed", "duplicates only probabilistic matching could join"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestSameSeedSameWorkload(t *testing.T) {
	a := runJSON(t, "-customers", "10", "-events", "200", "-durability", "nosync", "-seed", "5", "-concurrency", "1")
	b := runJSON(t, "-customers", "10", "-events", "200", "-durability", "nosync", "-seed", "5", "-concurrency", "6")
	assert.Equal(t, a.Generated, b.Generated, "concurrency does not change the workload")
	assert.Equal(t, a.Journey.Journeys, b.Journey.Journeys)
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-customers", "0"}, {"-customers", itoa(maxCustomers + 1)}, {"-events", "-1"}, {"-concurrency", "0"},
		{"-durability", "fast"}, {"extra"}, {"-nosuchflag"},
	} {
		_, err := parseFlags(args, io.Discard)
		assert.Error(t, err, "%v", args)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x"), nil, 0o644))
	cfg, err := parseFlags([]string{"-dir", dir}, io.Discard)
	require.NoError(t, err)
	assert.ErrorContains(t, run(context.Background(), cfg, io.Discard, nil), "not empty")
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCanceledRunFails(t *testing.T) {
	cfg, err := parseFlags([]string{"-customers", "5", "-events", "50", "-durability", "nosync", "-dir", filepath.Join(t.TempDir(), "d")}, io.Discard)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	assert.ErrorIs(t, run(ctx, cfg, &out, nil), context.Canceled)
	assert.Empty(t, out.String(), "no report for a run that did not finish")
}
