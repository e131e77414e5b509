package handoff

import (
	"strings"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
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

// TestIssueSummary: without an "issue" fact the summary is the intent and
// the first sentence of the first message, greeting and final punctuation
// dropped, quoted so that what follows in the text is not read as part of
// it.
func TestIssueSummary(t *testing.T) {
	for _, c := range []struct{ intent, text, want string }{
		{"delivery", "Hi there, please move my delivery, order 77. It is due today.", "delivery: “please move my delivery, order 77”"},
		{"billing", "Hello! Good morning, I was charged twice!! Call me.", "billing: “I was charged twice”"},
		{"no_internet", "Dear Sir or Madam, my router has been down since 9.", "no internet: “my router has been down since 9”"},
		{"", "Where is my parcel?", "“Where is my parcel”"},
		{"refund", "", "refund"},
		{"refund", "Hi!", "refund"},
		{"", "   ", ""},
		{"x", strings.Repeat("word ", 40), "x: “" + strings.TrimSpace(strings.Repeat("word ", 23)) + "…”"},
	} {
		if got := issueSummary(c.intent, c.text); got != c.want {
			t.Errorf("issueSummary(%q, %q) = %q, want %q", c.intent, c.text, got, c.want)
		}
	}
}

func TestMaskedID(t *testing.T) {
	for id, want := range map[identity.Identifier]string{
		identity.New(identity.Email, "ann.lee@example.com"): "a***@example.com",
		identity.New(identity.Phone, "+14155550142"):        "phone …0142",
		identity.New(identity.Visitor, "v-8f2a"):            "visitor …f2a",
		identity.New(identity.Visitor, "v1"):                "visitor …1",
	} {
		if got := maskedID(id); got != want {
			t.Errorf("maskedID(%s) = %q, want %q", id, got, want)
		}
	}
}
