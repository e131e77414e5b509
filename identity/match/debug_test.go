package match_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
)

func TestDebugFP(t *testing.T) {
	ps := synth.Generate(&synth.Options{Seed: 1, Records: 10000})
	recs, truth := records(ps)
	res, _ := match.Dedupe(context.Background(), recs, nil)
	for _, f := range res.Params.Fields {
		for _, l := range f.Levels {
			fmt.Printf("%s %s m=%.4f u=%.5f\n", f.Field, l.Name, l.M, l.U)
		}
	}
	tc := match.NewTermCounts()
	for i := range recs {
		tc.Add(match.Prepare(&recs[i]))
	}
	model, _ := match.NewModel(res.Params, tc)
	fp := 0
	for _, p := range res.Pairs {
		if p.Decision == match.Link && truth[p.A] != truth[p.B] && fp < 10 {
			fp++
			s := model.Score(match.Prepare(&recs[p.A]), match.Prepare(&recs[p.B]))
			fmt.Printf("FP %.1f\n%+v\n%+v\n%s\n\n", p.Weight, recs[p.A], recs[p.B], s.Explain())
		}
	}
	// false negatives: true pairs in different clusters
	byTruth := map[int][]int{}
	for i, t := range truth {
		byTruth[t] = append(byTruth[t], i)
	}
	fn := 0
	for _, m := range byTruth {
		for x := range m {
			for y := x + 1; y < len(m); y++ {
				a, b := m[x], m[y]
				if res.Cluster[a] != res.Cluster[b] && fn < 10 {
					fn++
					s := model.Score(match.Prepare(&recs[a]), match.Prepare(&recs[b]))
					fmt.Printf("FN\n%+v\n%+v\n%s\n\n", recs[a], recs[b], s.Explain())
				}
			}
		}
	}
}

