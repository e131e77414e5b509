package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// printReport writes the report for people: the siloed view per channel,
// the journey metrics overall, by first channel and by intent, and the
// overstatement in two sentences.
func printReport(w io.Writer, r *report) error {
	fmt.Fprintln(w, "\nWhat each channel reports on its own (one ticket per channel a problem touched), beside what became of the problem:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "channel\ttickets\tcontacts\tchannel_fcr\tbot_contained\tmoved_on\t|\tjourney_resolved\tjourney_fcr\t")
	for _, c := range r.Channels {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t|\t%s\t%s\t\n", c.Channel, c.Tickets, c.Contacts,
			pct(c.ChannelFCR), pct(c.BotContained), pct(c.MovedOn), pct(c.JourneyResolved), pct(c.JourneyFCR))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprint(w, `  channel_fcr: resolved tickets with one contact on that channel ("solved first time" as the channel sees it)
  bot_contained: tickets a bot handled with no agent on that channel (what a bot dashboard counts)
  moved_on: tickets after which the customer took the same problem to another channel
  journey_resolved, journey_fcr: tickets whose whole journey was resolved, and resolved in one contact
`)
	sections := []struct {
		title string
		rows  []journey.Metrics
	}{
		{"Journey metrics (journeys that started in " + r.Month + "):", []journey.Metrics{r.All}},
		{"By first channel:", r.ByFirstChannel},
		{"By intent:", r.ByIntent},
	}
	for _, s := range sections {
		fmt.Fprintln(w, "\n"+s.title)
		if err := journey.WriteTable(w, s.rows); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	_, err := fmt.Fprintln(w, overstatement(r))
	return err
}

// overstatement says in two sentences how far the siloed view is from the
// journey view: first-contact resolution, and bot containment on the
// channels where bots answer.
func overstatement(r *report) string {
	s := fmt.Sprintf("Channel reports claim %s first-contact resolution; %s of customer problems were solved in one contact.",
		pct(r.All.ChannelFCR), pct(r.All.JourneyFCR))
	var tickets, contained int
	var journeys, botJourneys float64
	for _, c := range r.Channels {
		if botChannel(timeline.Channel(c.Channel)) {
			tickets += c.Tickets
			contained += int(c.BotContained*float64(c.Tickets) + 0.5)
		}
	}
	for _, m := range r.ByFirstChannel {
		if botChannel(timeline.Channel(m.Segment)) {
			journeys += float64(m.Journeys)
			botJourneys += m.Containment * float64(m.Journeys)
		}
	}
	if tickets > 0 && journeys > 0 {
		s += fmt.Sprintf("\nBot dashboards on chat, WhatsApp and SMS count %s of their tickets as contained; %s of the journeys"+
			" that started there were resolved by a bot with no agent and no repeat contact.",
			pct(float64(contained)/float64(tickets)), pct(botJourneys/journeys))
	}
	return s
}

func pct(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

// writeFiles writes -csv (journey metrics, every segmentation, one row
// each: segment "all", "first_channel=chat", "intent=billing") and -json
// (the whole report).
func writeFiles(cfg config, stdout io.Writer, r *report) error {
	if cfg.csv != "" {
		rows := []journey.Metrics{r.All}
		rows[0].Segment = "all"
		rows = append(rows, prefixed("first_channel=", r.ByFirstChannel)...)
		rows = append(rows, prefixed("intent=", r.ByIntent)...)
		if err := writeTo(cfg.csv, stdout, func(w io.Writer) error { return journey.WriteCSV(w, rows) }); err != nil {
			return err
		}
	}
	if cfg.json != "" {
		return writeTo(cfg.json, stdout, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		})
	}
	return nil
}

func prefixed(prefix string, rows []journey.Metrics) []journey.Metrics {
	out := make([]journey.Metrics, len(rows))
	for i, m := range rows {
		m.Segment = prefix + m.Segment
		out[i] = m
	}
	return out
}

// writeTo runs write on the file path, or on stdout for "-".
func writeTo(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
