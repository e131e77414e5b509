package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/journey"
)

func runSmall(t *testing.T, cfg config) (*report, string) {
	t.Helper()
	if cfg.customers == 0 {
		cfg.customers = 150
	}
	if cfg.seed == 0 {
		cfg.seed = 3
	}
	var stdout bytes.Buffer
	r, err := run(context.Background(), cfg, &stdout, io.Discard)
	require.NoError(t, err)
	return r, stdout.String()
}

// TestConsistent runs a small month and checks that the numbers add up.
func TestConsistent(t *testing.T) {
	t.Parallel()
	r, out := runSmall(t, config{})
	all := r.All
	require.Positive(t, all.Journeys)
	assert.Equal(t, all.Journeys, all.Resolved+all.Abandoned+all.Open, "every journey is resolved, abandoned or open")
	for name, rows := range map[string][]journey.Metrics{"first channel": r.ByFirstChannel, "intent": r.ByIntent} {
		var sum journey.Metrics
		for _, m := range rows {
			sum.Journeys += m.Journeys
			sum.Resolved += m.Resolved
			sum.Abandoned += m.Abandoned
			sum.Open += m.Open
			sum.Contacts += m.Contacts
			sum.LostHandoffs += m.LostHandoffs
		}
		assert.Equal(t, [6]int{all.Journeys, all.Resolved, all.Abandoned, all.Open, all.Contacts, all.LostHandoffs},
			[6]int{sum.Journeys, sum.Resolved, sum.Abandoned, sum.Open, sum.Contacts, sum.LostHandoffs}, "segments by %s add up", name)
	}
	assert.LessOrEqual(t, all.JourneyFCR, all.ChannelFCR, "the siloed view overstates first-contact resolution")
	assert.Positive(t, all.Containment)
	assert.Positive(t, all.RepeatAskRate)
	assert.Positive(t, all.HandoffRate)
	assert.Positive(t, all.SwitchesPerJourney)

	// The siloed view restates journey's contact rule: its totals must be
	// the library's own.
	total := r.Channels[len(r.Channels)-1]
	require.Equal(t, "all", total.Channel)
	var tickets, contacts, fcr int
	for _, c := range r.Channels[:len(r.Channels)-1] {
		tickets += c.Tickets
		contacts += c.Contacts
		fcr += int(c.ChannelFCR*float64(c.Tickets) + 0.5)
		assert.GreaterOrEqual(t, c.Contacts, c.Tickets, "%s: every ticket has a contact", c.Channel)
	}
	assert.Equal(t, tickets, total.Tickets)
	assert.Equal(t, all.Contacts, contacts, "contacts per channel add up to the journeys' contacts")
	assert.Equal(t, all.Contacts, total.Contacts)
	assert.InDelta(t, all.ChannelFCR, float64(fcr)/float64(tickets), 1e-9, "channel FCR agrees with journey.Metrics")
	assert.InDelta(t, all.ChannelFCR, total.ChannelFCR, 1e-9)
	assert.LessOrEqual(t, total.JourneyFCR, total.ChannelFCR)

	assert.Contains(t, out, "Channel reports claim "+pct(all.ChannelFCR)+" first-contact resolution; "+pct(all.JourneyFCR))
	assert.Contains(t, out, "By first channel:")
	assert.Contains(t, out, "By intent:")
}

// TestDeterministic: the same seed gives the same report, another seed
// another one, and loading the same month again into a kept store adds
// nothing.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, _ := runSmall(t, config{customers: 60, dir: dir})
	b, _ := runSmall(t, config{customers: 60})
	require.Equal(t, a, b)
	again, _ := runSmall(t, config{customers: 60, dir: dir})
	require.Equal(t, a, again, "appends are idempotent")
	other, _ := runSmall(t, config{customers: 60, seed: 4})
	require.NotEqual(t, a.All, other.All)
}

func TestFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath, jsonPath := filepath.Join(dir, "m.csv"), filepath.Join(dir, "r.json")
	r, _ := runSmall(t, config{customers: 60, csv: csvPath, json: jsonPath})

	f, err := os.Open(csvPath)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 2+len(r.ByFirstChannel)+len(r.ByIntent))
	require.Equal(t, []string{"segment", "journeys"}, recs[0][:2])
	require.Equal(t, []string{"all", strconv.Itoa(r.All.Journeys)}, recs[1][:2])
	require.Equal(t, "first_channel="+r.ByFirstChannel[0].Segment, recs[2][0])
	require.Equal(t, "intent="+r.ByIntent[0].Segment, recs[2+len(r.ByFirstChannel)][0])

	b, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	var back report
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, *r, back)
}

// TestStdout: with -csv - the CSV alone goes to standard output and the
// report for people to standard error.
func TestStdout(t *testing.T) {
	var stdout, stderr bytes.Buffer
	_, err := run(context.Background(), config{customers: 40, seed: 1, csv: "-"}, &stdout, &stderr)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(stdout.String(), "segment,journeys,"), stdout.String())
	require.NotContains(t, stdout.String(), "Channel reports claim")
	require.Contains(t, stderr.String(), "Channel reports claim")
}

func TestBadFlags(t *testing.T) {
	ctx := context.Background()
	_, err := run(ctx, config{customers: 0}, io.Discard, io.Discard)
	require.ErrorContains(t, err, "-customers 0")
	_, err = run(ctx, config{customers: 10, csv: "-", json: "-"}, io.Discard, io.Discard)
	require.ErrorContains(t, err, "both")
}
