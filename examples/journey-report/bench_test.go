package main

import (
	"context"
	"fmt"
	"io"
	"testing"
)

// BenchmarkReport is the whole program on a fresh temporary store: generate
// a month, load it through identity and timeline, compute the journey
// metrics (three passes) and the siloed view (one more). events/s counts
// generated events over the whole run.
func BenchmarkReport(b *testing.B) {
	for _, n := range []int{300, 2000} {
		b.Run(fmt.Sprintf("customers=%d", n), func(b *testing.B) {
			if testing.Short() && n > 300 {
				b.Skip("-short: the small size only")
			}
			b.ReportAllocs()
			events := 0
			for b.Loop() {
				r, err := run(context.Background(), config{customers: n, seed: 1}, io.Discard, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
				events += r.Events
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
