package handoff

import (
	"slices"
	"sort"
	"time"

	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// history is what a packet takes from a customer's timeline, folded from
// one scan of it: a timeline may hold thousands of events, and the packet
// keeps a few facts, turns and handoffs of them, so no event is held after
// its turn in the scan (beyond the strings the packet quotes).
type history struct {
	b *Builder
	// j is the current journey, nil for none; next indexes the next of its
	// events to come. The journey was grouped from these very events, and
	// both lists are in timeline order, (time, event ID), so one walk
	// finds them.
	j    *journey.Journey
	next int

	uptakes uptakes        // who took up each handoff of the timeline
	facts   factSet        // every fact the customer gave
	turns   turnRing       // the last turns of the conversation
	inbound []channelCount // the customer's inbound events per channel
	busiest int            // index in inbound of the channel with the most; -1 before the first

	// The current issue's events.
	summary      string // text of its first customer event, unless a handoff came first
	issueFact    string // the last FactIssue fact the customer gave, if hasIssueFact
	hasIssueFact bool
	handoffs     []timeline.Event // its handoff events
	sentiment    Sentiment
	veryNegative bool // sentiment has its "very_negative" moment
	promises     []Promise
	agents       agentSet
}

func (b *Builder) newHistory(j *journey.Journey) *history {
	return &history{b: b, j: j, turns: turnRing{n: b.opts.RecentTurns}, busiest: -1,
		sentiment: Sentiment{Moments: []Moment{}}, promises: []Promise{}}
}

// add folds the next event of the timeline in. It never fails; the error
// is for [timeline.ScanTx].
func (h *history) add(ev timeline.Event) error {
	e := &ev
	in := h.j != nil && h.next < len(h.j.Events) && e.ID == h.j.Events[h.next]
	if in {
		h.next++
	}
	h.uptakes.add(e)
	h.facts.add(e, in)
	h.turns.add(e)
	h.countInbound(e)
	if in {
		h.addIssue(e)
	}
	return nil
}

// addIssue folds in an event of the current issue.
func (h *history) addIssue(e *timeline.Event) {
	switch {
	case e.Actor.Kind == timeline.Customer && h.summary == "":
		h.summary = e.Text
	case e.Type == timeline.Handoff:
		h.handoffs = append(h.handoffs, *e)
	}
	for _, f := range e.Facts {
		if f.Key == FactIssue && e.Actor.Kind == timeline.Customer {
			h.issueFact, h.hasIssueFact = f.Value, true
		}
	}
	h.addSentiment(e)
	h.addPromises(e)
	h.agents.add(e)
}

// addSentiment follows the issue's scores and notes its notable moments.
func (h *history) addSentiment(e *timeline.Event) {
	s := &h.sentiment
	if m := e.Attrs[timeline.AttrMoment]; m != "" {
		s.Moments = append(s.Moments, Moment{Kind: m, At: e.Time, Channel: e.Channel, Text: h.b.cut(e.Text)})
	}
	if e.Sentiment == nil {
		return
	}
	if !s.Known {
		s.Known, s.Start = true, *e.Sentiment
	}
	s.Now = *e.Sentiment
	if !h.veryNegative && s.Now <= h.b.opts.NegativeAt {
		h.veryNegative = true
		s.Moments = append(s.Moments, Moment{Kind: "very_negative", At: e.Time, Channel: e.Channel, Text: h.b.cut(e.Text)})
	}
}

const trendBand = 0.2

// sentimentOf returns the issue's sentiment with its trend.
func (h *history) sentimentOf() Sentiment {
	s := h.sentiment
	if s.Known {
		switch d := s.Now - s.Start; {
		case d > trendBand:
			s.Trend = "improving"
		case d < -trendBand:
			s.Trend = "worsening"
		default:
			s.Trend = "steady"
		}
	}
	return s
}

// addPromises keeps the issue's pending actions that no later attempt of
// the same action settled.
func (h *history) addPromises(e *timeline.Event) {
	if e.Actor.Kind == timeline.Customer {
		return
	}
	for _, a := range e.Actions {
		h.promises = slices.DeleteFunc(h.promises, func(p Promise) bool { return p.Action == a.Name })
		if a.Outcome == timeline.Pending {
			due, _ := time.Parse(time.RFC3339, e.Attrs[timeline.AttrDue])
			h.promises = append(h.promises, Promise{Action: a.Name, By: e.Actor.Kind, ByID: e.Actor.ID, Channel: e.Channel, At: e.Time, Due: due.UTC()})
		}
	}
}

// channelCount counts a customer's inbound events on one channel.
type channelCount struct {
	ch timeline.Channel
	n  int
}

// countInbound counts the customer's inbound events per channel and
// follows the busiest channel; events come oldest first, so a tie goes to
// the channel used most recently.
func (h *history) countInbound(e *timeline.Event) {
	if e.Actor.Kind != timeline.Customer || e.Direction != timeline.Inbound {
		return
	}
	i := slices.IndexFunc(h.inbound, func(c channelCount) bool { return c.ch == e.Channel })
	if i < 0 {
		i = len(h.inbound)
		h.inbound = append(h.inbound, channelCount{ch: e.Channel})
	}
	h.inbound[i].n++
	if h.busiest < 0 || h.inbound[i].n >= h.inbound[h.busiest].n {
		h.busiest = i
	}
}

// preferred is the channel of most of the customer's inbound events; ""
// without any.
func (h *history) preferred() timeline.Channel {
	if h.busiest < 0 {
		return ""
	}
	return h.inbound[h.busiest].ch
}

// factSet gathers the distinct facts (by key and value) the customer gave,
// each with where and when it was first given; verified if any giving
// was verified, current if any was in the current issue.
type factSet struct {
	idx map[factKey]int
	all []Fact
}

type factKey struct{ k, v string }

func (s *factSet) add(e *timeline.Event, current bool) {
	if e.Actor.Kind != timeline.Customer {
		return
	}
	for _, f := range e.Facts {
		if i, ok := s.idx[factKey{f.Key, f.Value}]; ok {
			s.all[i].Verified = s.all[i].Verified || e.Verified
			s.all[i].Current = s.all[i].Current || current
			continue
		}
		if s.idx == nil {
			s.idx = map[factKey]int{}
		}
		s.idx[factKey{f.Key, f.Value}] = len(s.all)
		s.all = append(s.all, Fact{Key: f.Key, Value: f.Value, Channel: e.Channel, At: e.Time, Verified: e.Verified, Current: current})
	}
}

// list returns at most max facts: the current issue's first, then the
// newest others; oldest first.
func (s *factSet) list(max int) []Fact {
	all := s.all
	if all == nil {
		all = []Fact{}
	}
	if len(all) <= max {
		return all
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		switch {
		case all[x].Current != all[y].Current:
			if all[x].Current {
				return -1
			}
			return 1
		default:
			return y - x
		}
	})
	keep := order[:max]
	slices.Sort(keep)
	out := make([]Fact, len(keep))
	for i, k := range keep {
		out[i] = all[k]
	}
	return out
}

// turnRing keeps the last n turns of the conversation across channels,
// uncut: only the ones kept are cut to Options.TurnChars.
type turnRing struct {
	n    int
	ring []Turn // ring[seen%n] is the oldest once seen > n
	seen int
}

func (r *turnRing) add(e *timeline.Event) {
	if e.Text == "" || e.Actor.Kind == timeline.System || (e.Type != timeline.Message && e.Type != timeline.EmailMsg) {
		return
	}
	t := Turn{At: e.Time, Channel: e.Channel, By: e.Actor.Kind, ByID: e.Actor.ID, Text: e.Text}
	if len(r.ring) < r.n {
		r.ring = append(r.ring, t)
	} else {
		r.ring[r.seen%r.n] = t
	}
	r.seen++
}

// recent returns the turns kept, oldest first, cut to Options.TurnChars.
func (h *history) recent() []Turn {
	r := &h.turns
	out := make([]Turn, len(r.ring))
	for i := range out {
		out[i] = r.ring[(r.seen+i)%len(r.ring)]
		out[i].Text = h.b.cut(out[i].Text)
	}
	return out
}

// agentSet follows the agents who acted in the current issue.
type agentSet struct {
	list []AgentHistory
	at   map[string]int // index in list, by agent ID
	// scores are the issue's customer sentiment scores, oldest first.
	scores []score
}

// score is a customer's sentiment score at a time (Unix nanoseconds).
type score struct {
	at int64
	v  float64
}

func (s *agentSet) add(e *timeline.Event) {
	if e.Actor.Kind == timeline.Customer && e.Sentiment != nil {
		at := e.Time.UnixNano()
		if len(s.list) == 0 && len(s.scores) > 0 && s.scores[len(s.scores)-1].at < at {
			// No agent yet: any agent's range starts at or after at, so
			// the earlier scores are in none.
			s.scores = s.scores[:0]
		}
		s.scores = append(s.scores, score{at, *e.Sentiment})
	}
	if e.Actor.Kind != timeline.Agent {
		return
	}
	i, ok := s.at[e.Actor.ID]
	if !ok {
		if s.at == nil {
			s.at = map[string]int{}
		}
		i = len(s.list)
		s.at[e.Actor.ID] = i
		s.list = append(s.list, AgentHistory{Agent: e.Actor.ID, First: e.Time, Outcome: "engaged"})
	}
	a := &s.list[i]
	a.Last = e.Time
	if !slices.Contains(a.Channels, e.Channel) {
		a.Channels = append(a.Channels, e.Channel)
	}
	switch {
	case e.Type == timeline.Resolution:
		a.Outcome = "resolved"
	case (e.Type == timeline.Handoff || e.Type == timeline.Transfer) && a.Outcome != "resolved":
		a.Outcome = "handed_off"
	}
}

// histories returns the agents in order of first involvement, each with
// the customer's last score from its first to its last event.
func (s *agentSet) histories() []AgentHistory {
	out := s.list
	if out == nil {
		return []AgentHistory{}
	}
	for i := range out {
		first, last := out[i].First.UnixNano(), out[i].Last.UnixNano()
		// Scores are in time order: the last one up to last, if not
		// before first, is the last one in range.
		k := sort.Search(len(s.scores), func(k int) bool { return s.scores[k].at > last }) - 1
		if k >= 0 && s.scores[k].at >= first {
			v := s.scores[k].v
			out[i].Sentiment = &v
		}
	}
	return out
}
