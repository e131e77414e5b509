package journey

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// columns lists the metrics in output order with their formatters.
var columns = []struct {
	name string
	get  func(m *Metrics) string
}{
	{"segment", func(m *Metrics) string { return m.Segment }},
	{"journeys", func(m *Metrics) string { return strconv.Itoa(m.Journeys) }},
	{"resolved", func(m *Metrics) string { return strconv.Itoa(m.Resolved) }},
	{"abandoned", func(m *Metrics) string { return strconv.Itoa(m.Abandoned) }},
	{"open", func(m *Metrics) string { return strconv.Itoa(m.Open) }},
	{"contacts", func(m *Metrics) string { return strconv.Itoa(m.Contacts) }},
	{"repeat_contact_rate", func(m *Metrics) string { return pct(m.RepeatContactRate) }},
	{"switches_per_journey", func(m *Metrics) string { return strconv.FormatFloat(m.SwitchesPerJourney, 'f', 2, 64) }},
	{"drop_off_at_switch", func(m *Metrics) string { return pct(m.DropOffAtSwitch) }},
	{"ttr_p50", func(m *Metrics) string { return dur(m.TimeToResolutionP50) }},
	{"ttr_p90", func(m *Metrics) string { return dur(m.TimeToResolutionP90) }},
	{"journey_fcr", func(m *Metrics) string { return pct(m.JourneyFCR) }},
	{"channel_fcr", func(m *Metrics) string { return pct(m.ChannelFCR) }},
	{"transfer_rate", func(m *Metrics) string { return pct(m.TransferRate) }},
	{"handoff_rate", func(m *Metrics) string { return pct(m.HandoffRate) }},
	{"lost_handoffs", func(m *Metrics) string { return strconv.Itoa(m.LostHandoffs) }},
	{"containment", func(m *Metrics) string { return pct(m.Containment) }},
	{"repeat_ask_rate", func(m *Metrics) string { return pct(m.RepeatAskRate) }},
	{"identity_coverage", func(m *Metrics) string { return pct(m.IdentityCoverage) }},
}

func pct(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

func dur(d time.Duration) string { return d.Round(time.Minute).String() }

// WriteTable writes rows as an aligned text table, one metric per line and
// one column per segment, for people.
func WriteTable(w io.Writer, rows []Metrics) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range columns {
		fmt.Fprint(tw, c.name)
		for i := range rows {
			v := c.get(&rows[i])
			if c.name == "segment" && v == "" {
				v = "all"
			}
			fmt.Fprint(tw, "\t", v)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// WriteCSV writes rows as CSV with a header line, one row per segment;
// rates are percentages and durations Go duration strings.
func WriteCSV(w io.Writer, rows []Metrics) error {
	cw := csv.NewWriter(w)
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = c.name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range rows {
		rec := make([]string, len(columns))
		for j, c := range columns {
			rec[j] = c.get(&rows[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
