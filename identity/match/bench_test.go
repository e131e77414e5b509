package match_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
)

// BenchmarkCompare compares pairs of 1,000 prepared generated records,
// mostly different people (the common case among candidates).
func BenchmarkCompare(b *testing.B) {
	ps := synth.Generate(&synth.Options{Seed: 3, Records: 1000})
	recs := make([]*match.Prepared, len(ps))
	for i := range ps {
		recs[i] = match.Prepare(&ps[i].Record)
	}
	b.Run("records=1k", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			match.Compare(recs[i%len(recs)], recs[(i*7+1)%len(recs)])
			i++
		}
	})
}

// BenchmarkPrepare normalizes generated records.
func BenchmarkPrepare(b *testing.B) {
	ps := synth.Generate(&synth.Options{Seed: 3, Records: 1000})
	b.Run("records=1k", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			match.Prepare(&ps[i%len(ps)].Record)
			i++
		}
	})
}

// BenchmarkUnmarshalPrepared decodes prepared generated records, as
// real-time matching does for every candidate it reads from the store's
// blocking index (compare BenchmarkPrepare, which it replaces there).
func BenchmarkUnmarshalPrepared(b *testing.B) {
	ps := synth.Generate(&synth.Options{Seed: 3, Records: 1000})
	encs := make([][]byte, len(ps))
	for i := range ps {
		encs[i], _ = match.Prepare(&ps[i].Record).AppendBinary(nil)
	}
	b.Run("records=1k", func(b *testing.B) {
		b.ReportAllocs()
		var p match.Prepared
		i := 0
		for b.Loop() {
			if err := p.UnmarshalBinary(encs[i%len(encs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkDedupe runs a whole deduplication with estimation on generated
// records (30% duplicates); 100k is skipped under -short.
func BenchmarkDedupe(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		if testing.Short() && n > 10_000 {
			continue
		}
		ps := synth.Generate(&synth.Options{Seed: 4, Records: n})
		recs, _ := records(ps)
		b.Run(fmt.Sprintf("records=%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := match.Dedupe(context.Background(), recs, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
