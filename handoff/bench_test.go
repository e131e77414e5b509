package handoff_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// BenchmarkBuild builds the packet for a customer with 1k events across 5
// channels (one identifier per channel), in one open journey.
func BenchmarkBuild(b *testing.B) {
	const events = 1000
	w := newWorld(b, nil)
	channels := []timeline.Channel{timeline.Email, timeline.Chat, timeline.SMS, timeline.WhatsApp, timeline.Voice}
	ids := []identity.Identifier{identity.New(identity.Email, "bench@example.com"), identity.New(identity.Visitor, "v-bench"),
		identity.New(identity.Phone, "+14155550142"), identity.New(identity.WhatsApp, "+14155550143"), identity.New(identity.Phone, "+14155550144")}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	batch := make([]timeline.Event, 0, 100)
	for i := range events {
		k := i % len(channels)
		by := customer
		if i%2 == 1 {
			by = billy
		}
		e := msg(fmt.Sprintf("e%04d", i), start.Add(time.Duration(i)*time.Minute), channels[k], by, fmt.Sprintf("message %d about the double charge", i), ids[k], ids[0])
		e.Sentiment = timeline.Sentiment(float64(i%20)/10 - 1)
		switch {
		case i%10 == 0:
			e.Facts = []timeline.Fact{{Key: fmt.Sprintf("fact%d", i%70), Value: fmt.Sprint(i)}}
		case by == billy && i%10 == 3:
			e.Actions = []timeline.Action{{Name: fmt.Sprintf("step%d", i%30), Outcome: "failed"}}
		}
		if batch = append(batch, e); len(batch) == cap(batch) {
			w.append(b, batch...)
			batch = batch[:0]
		}
	}
	c, err := w.g.Lookup(context.Background(), ids[0])
	if err != nil {
		b.Fatal(err)
	}
	req := handoff.Request{From: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot},
		To: handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "tier2"}, Reason: "escalation"}
	p, err := w.b.Build(context.Background(), c, req)
	if err != nil || p.Issue == nil || len(p.Issue.Channels) < 5 {
		b.Fatalf("packet: %+v, %v; want an issue across 5 channels", p, err)
	}
	b.Run("events=1k/channels=5", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := w.b.Build(context.Background(), c, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
