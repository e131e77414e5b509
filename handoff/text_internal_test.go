package handoff

import (
	"testing"
	"time"

	"github.com/threadline/threadline/timeline"
)

// TestPathBudget: the first sentence cut to the budget is the same whether
// the channel path stops early or lists every channel.
func TestPathBudget(t *testing.T) {
	chs := []timeline.Channel{timeline.Email, timeline.Social("x"), "café", timeline.Voice}
	var long []timeline.Channel
	for i := range 300 {
		long = append(long, chs[i%len(chs)])
	}
	for _, channels := range [][]timeline.Channel{nil, chs[:1], chs, long} {
		p := &Packet{Name: "Ann Lee", Issue: &Issue{Summary: "double charge", Channels: channels, Elapsed: Duration(50 * time.Hour),
			Handoffs: []Past{{ID: "h1"}}}}
		for budget := 1; budget < 700; budget += 7 {
			if got, want := truncate(whoAndWhat(p, budget), budget), truncate(whoAndWhat(p, 1<<30), budget); got != want {
				t.Fatalf("%d channels, budget %d: %q, want %q", len(channels), budget, got, want)
			}
		}
	}
}
