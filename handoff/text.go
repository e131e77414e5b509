package handoff

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/threadline/threadline/timeline"
)

// Summarizer writes the short text an agent reads first. Implement it to
// have a language model write the text; the [Builder] calls it after the
// packet is built, outside any transaction, and cuts the result to budget
// characters. If it fails, the packet carries the built-in text and the
// error in SummaryError. Implementations must be safe for concurrent use
// when the Builder is used concurrently.
type Summarizer interface {
	Summarize(ctx context.Context, p *Packet, budget int) (string, error)
}

// TextSummarizer is the built-in [Summarizer]: deterministic, no network,
// no model. It writes up to six sentences in this order: who and what the
// issue is; what the customer already gave; what was tried; sentiment;
// promises; why the handoff. When they do not all fit the budget, the
// least important go first (why, then sentiment, promises, tried, given),
// and lists are shortened with "+N more" before a sentence is dropped. The
// first sentence is always kept, cut to the budget if it must be.
type TextSummarizer struct{}

// Summarize implements [Summarizer]. It never fails.
func (TextSummarizer) Summarize(_ context.Context, p *Packet, budget int) (string, error) {
	// Sentences in reading order; keep holds the order in which they
	// claim the budget.
	sentences := []sentence{
		{render: func(int) string { return whoAndWhat(p, budget) }},
		{render: func(room int) string { return list("Already given: ", facts(p), ".", room) }},
		{render: func(room int) string { return list("Tried: ", attempts(p.Tried), ".", room) }},
		{render: func(int) string { return mood(p.Sentiment) }},
		{render: func(room int) string { return list("Promised: ", promised(p.Promises), ".", room) }},
		{render: func(int) string { return why(p.Why) }},
	}
	keep := []int{0, 1, 2, 4, 3, 5}
	used := 0
	for _, i := range keep {
		room := budget - used
		if used > 0 {
			room-- // the space before the sentence
		}
		s := sentences[i].render(room)
		if i == 0 {
			s = truncate(s, budget)
		}
		if s == "" || utf8.RuneCountInString(s) > room {
			continue
		}
		sentences[i].text = s
		used += utf8.RuneCountInString(s) + min(used, 1)
	}
	var out []string
	for _, s := range sentences {
		if s.text != "" {
			out = append(out, s.text)
		}
	}
	return strings.Join(out, " "), nil
}

type sentence struct {
	render func(room int) string
	text   string
}

// whoAndWhat: "Ann Lee (verified by phone) — double charge on invoice
// 4411, open 3 days, email → chat → voice." The sentence is cut to budget
// characters, so the channel path stops once it is that long alone.
func whoAndWhat(p *Packet, budget int) string {
	name := p.Name
	if name == "" {
		name = "Customer " + p.Customer.String()
	}
	var kinds []string
	for _, v := range p.Verified {
		if !slices.Contains(kinds, v.Kind) {
			kinds = append(kinds, v.Kind)
		}
	}
	who := name + " (not verified)"
	if len(kinds) > 0 {
		who = name + " (verified by " + strings.Join(kinds, ", ") + ")"
	}
	if p.Issue == nil {
		return who + " — no open issue."
	}
	is := p.Issue
	what := is.Summary
	parts := []string{}
	if what = strings.TrimRight(what, ".!?; "); what != "" {
		parts = append(parts, what)
	}
	if is.Case != "" {
		parts = append(parts, "case "+is.Case)
	}
	parts = append(parts, "open "+age(time.Duration(is.Elapsed)))
	if len(is.Channels) > 0 {
		parts = append(parts, path(is.Channels, budget))
	}
	if n := len(is.Handoffs); n > 0 {
		parts = append(parts, plural(n, "earlier handoff"))
	}
	return who + " — " + strings.Join(parts, ", ") + "."
}

// path joins channels with arrows, up to the first channel that makes the
// path longer than budget characters: whatever follows it in a sentence
// cut to budget characters is cut anyway.
func path(chs []timeline.Channel, budget int) string {
	var sb strings.Builder
	n := 0 // characters in sb
	for i, c := range chs {
		if n > budget {
			break
		}
		if i > 0 {
			sb.WriteString(" → ")
			n += 3
		}
		sb.WriteString(string(c))
		n += utf8.RuneCountInString(string(c))
	}
	return sb.String()
}

func age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour:
		return plural(int(d/time.Hour), "hour")
	default:
		return plural(int(d/time.Minute), "minute")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// list renders prefix + items + suffix within room characters, replacing
// the items that do not fit with "+N more"; "" when not even one fits.
func list(prefix string, items []string, suffix string, room int) string {
	fit, size := 0, utf8.RuneCountInString(prefix)+utf8.RuneCountInString(suffix)
	for n, it := range items { // size is the length with items[:n+1]
		size += utf8.RuneCountInString(it) + 2*min(n, 1)
		if size+len(more(len(items)-n-1)) <= room {
			fit = n + 1
		}
	}
	if fit == 0 {
		return ""
	}
	return prefix + strings.Join(items[:fit], ", ") + more(len(items)-fit) + suffix
}

// more stands for n items left out of a list: " +3 more"; "" for none.
func more(n int) string {
	if n == 0 {
		return ""
	}
	return " +" + strconv.Itoa(n) + " more"
}

// facts lists the current issue's facts first, leaving out the issue
// statement the first sentence already shows.
func facts(p *Packet) []string {
	var cur, other []string
	for _, f := range p.Provided {
		if f.Key == FactIssue && p.Issue != nil && f.Value == p.Issue.Summary {
			continue
		}
		s := words(f.Key) + " " + f.Value
		if f.Verified {
			s += " (verified)"
		}
		if f.Current {
			cur = append(cur, s)
		} else {
			other = append(other, s)
		}
	}
	return append(cur, other...)
}

// attempts names the actor only where it changes: "bot billy confirm
// charge (succeeded)", "refund (failed)".
func attempts(as []Attempt) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = words(a.Action) + " (" + string(a.Outcome) + ")"
		if i == 0 || a.By != as[i-1].By || a.ByID != as[i-1].ByID {
			out[i] = who(a.By, a.ByID) + " " + out[i]
		}
	}
	return out
}

func promised(ps []Promise) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = words(p.Action) + " by " + who(p.By, p.ByID)
		if !p.Due.IsZero() {
			out[i] += ", due " + p.Due.Format("Mon 15:04")
		}
	}
	return out
}

func who(k timeline.ActorKind, id string) string {
	if id == "" {
		return string(k)
	}
	return string(k) + " " + id
}

// words turns an identifier-like name into words: "auto_refund" → "auto refund".
func words(s string) string { return strings.ReplaceAll(s, "_", " ") }

// mood: "Frustrated, worsening; complaint." from the latest score.
func mood(s Sentiment) string {
	var parts []string
	if s.Known {
		word := "Positive"
		switch {
		case s.Now <= -0.6:
			word = "Angry"
		case s.Now <= negativeAt:
			word = "Frustrated"
		case s.Now < 0.2:
			word = "Calm"
		}
		if s.Trend != "steady" {
			word += ", " + s.Trend
		}
		parts = append(parts, word)
	}
	var kinds []string
	for _, m := range s.Moments {
		if k := words(m.Kind); !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) > 0 {
		parts = append(parts, "moments: "+strings.Join(kinds, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	s0 := strings.Join(parts, "; ")
	return strings.ToUpper(s0[:1]) + s0[1:] + "."
}

// why: "Handoff chat bot billy → voice queue billing: refund failed."
func why(r Reason) string {
	if r.To.Channel == "" && r.Reason == "" {
		return ""
	}
	s := "Handoff"
	if r.From.Channel != "" {
		s += " " + r.From.String()
	}
	if r.To.Channel != "" {
		s += " → " + r.To.String()
	}
	if r.Reason != "" {
		s += ": " + strings.TrimSuffix(r.Reason, ".")
	}
	return s + "."
}
