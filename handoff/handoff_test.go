package handoff_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/scripttest"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var (
	annEmail = identity.New(identity.Email, "ann.lee@example.com")
	annChat  = identity.New(identity.Visitor, "v-8f2a")
	annPhone = identity.New(identity.Phone, "(415) 555-0100")
	customer = timeline.Actor{Kind: timeline.Customer}
	billy    = timeline.Actor{Kind: timeline.Bot, ID: "billy"}
)

func at(day int, h, m int) time.Time { return time.Date(2026, 3, 2+day, h, m, 0, 0, time.UTC) }

func msg(id string, t time.Time, ch timeline.Channel, by timeline.Actor, text string, ids ...identity.Identifier) timeline.Event {
	dir := timeline.Outbound
	if by.Kind == timeline.Customer {
		dir = timeline.Inbound
	}
	return timeline.Event{ID: id, Time: t, Channel: ch, Direction: dir, Actor: by, Type: timeline.Message,
		Intent: "billing", Text: text, Identifiers: ids}
}

// annStory: Ann emails on Monday about a double charge, chats on
// Wednesday (the bot confirms the charge, its refund fails, it promises a
// callback), then calls on Thursday from a new phone, giving her email.
// It returns Ann's customer ID; the clock stands at the call.
func annStory(t testing.TB, w *world) identity.CustomerID {
	email := msg("e1", at(0, 9, 0), timeline.Email, customer, "I was charged twice for invoice 4411.", annEmail)
	email.Type = timeline.EmailMsg
	email.Facts = []timeline.Fact{{Key: "invoice", Value: "4411"}, {Key: handoff.FactIssue, Value: "double charge on invoice 4411"}}
	email.Sentiment = timeline.Sentiment(-0.3)
	chat := msg("c1", at(2, 10, 0), timeline.Chat, customer, "Any news? My account number is 55-1234.", annChat, annEmail)
	chat.Facts = []timeline.Fact{{Key: "account_number", Value: "55-1234"}}
	chat.Sentiment = timeline.Sentiment(-0.6)
	bot := msg("c2", at(2, 10, 1), timeline.Chat, billy, "I confirmed the double charge, but the refund failed. An agent will call you back by 17:00.", annChat)
	bot.Actions = []timeline.Action{{Name: "confirm_charge", Outcome: "succeeded"}, {Name: "refund", Outcome: "failed"}, {Name: "callback", Outcome: timeline.Pending}}
	bot.Attrs = map[string]string{timeline.AttrDue: at(3, 17, 0).Format(time.RFC3339)}
	w.append(t, email, chat, bot)
	w.now = at(3, 16, 0)
	_, err := w.g.Observe(context.Background(), identity.Observation{Source: "voice", Time: at(3, 16, 0), Verified: true,
		Identifiers: []identity.Identifier{annPhone, annEmail},
		Attributes:  map[string]string{identity.AttrGivenName: "Ann", identity.AttrFamilyName: "Lee"},
		Consent:     []identity.ConsentChange{{Purpose: "service", Channel: "voice", Granted: true}}})
	require.NoError(t, err)
	call := msg("v1", at(3, 16, 0), timeline.Voice, customer, "", annPhone)
	call.Type = timeline.CallStart
	res := w.append(t, call)
	return res[0].Customer
}

var toVoice = handoff.Request{From: handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "billing"},
	To: handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Agent, ID: "raj"}, Reason: "refund failed twice"}

// TestContextShift: the voice packet holds the email and chat history and
// every fact given there, though the phone is new.
func TestContextShift(t *testing.T) {
	w := newWorld(t, nil)
	c := annStory(t, w)
	p, err := w.b.Build(context.Background(), c, toVoice)
	require.NoError(t, err)
	require.NotNil(t, p.Issue)
	assert.Equal(t, []timeline.Channel{timeline.Email, timeline.Chat, timeline.Voice}, p.Issue.Channels)
	assert.Equal(t, "double charge on invoice 4411", p.Issue.Summary)
	var channels []timeline.Channel
	for _, r := range p.Recent {
		channels = append(channels, r.Channel)
	}
	assert.Subset(t, channels, []timeline.Channel{timeline.Email, timeline.Chat})
	assert.Subset(t, keyValues(p.Provided), []string{"invoice=4411", "account_number=55-1234", "issue=double charge on invoice 4411"})
	assert.Equal(t, "Ann Lee", p.Name)
	assert.NotEmpty(t, p.Verified)
}

// TestHandoffCarriesEverything is the handoff live test on structured
// fields: a bot collects the account number and the issue, tries two
// steps, then escalates to voice.
func TestHandoffCarriesEverything(t *testing.T) {
	w := newWorld(t, nil)
	visitor := identity.New(identity.Visitor, "v-77")
	ask := msg("b2", at(0, 8, 1), timeline.Chat, billy, "What is your account number?", visitor)
	ask.Attrs = map[string]string{"asks": "account_number"}
	give := msg("b3", at(0, 8, 2), timeline.Chat, customer, "AC-5521, and the internet is down.", visitor)
	give.Facts = []timeline.Fact{{Key: "account_number", Value: "AC-5521"}, {Key: "issue", Value: "internet down"}}
	try := msg("b4", at(0, 8, 4), timeline.Chat, billy, "Both fixes failed.", visitor)
	try.Actions = []timeline.Action{{Name: "reset_router", Outcome: "failed"}, {Name: "line_test", Outcome: "failed"}}
	res := w.append(t, msg("b1", at(0, 8, 0), timeline.Chat, customer, "Help", visitor), ask, give, try)
	req := handoff.Request{From: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"},
		To: handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "tier2"}, Reason: "fixes failed"}
	p, err := w.b.Handoff(context.Background(), res[0].Customer, req)
	require.NoError(t, err)
	assert.Subset(t, keyValues(p.Provided), []string{"account_number=AC-5521", "issue=internet down"})
	var tried []string
	for _, a := range p.Tried {
		tried = append(tried, a.Action+"="+string(a.Outcome))
	}
	assert.Subset(t, tried, []string{"reset_router=failed", "line_test=failed"})
	assert.Equal(t, req.From, p.Why.From)
	assert.Equal(t, req.To, p.Why.To)

	rs, err := w.b.Handoffs(context.Background(), res[0].Customer)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, p.HandoffID, rs[0].ID)
	assert.Equal(t, p.Digest, rs[0].Digest)
	assert.Equal(t, handoff.StatePending, rs[0].State)
}

func keyValues(fs []handoff.Fact) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Key+"="+f.Value)
	}
	return out
}

// TestGolden compares the text and JSON renderings with reviewed files
// (regenerate with -update and review the diff).
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		budget int
	}{{"ann_default", 0}, {"ann_budget_120", 120}, {"ann_budget_220", 220}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, &handoff.Options{TextBudget: tc.budget})
			p, err := w.b.Build(context.Background(), annStory(t, w), toVoice)
			require.NoError(t, err)
			blob, err := json.MarshalIndent(p, "", "  ")
			require.NoError(t, err)
			golden(t, tc.name+".txt", []byte(p.Summary+"\n"))
			golden(t, tc.name+".json", append(blob, '\n'))
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "golden file %s (regenerate with -update)", path)
}

// TestSummaryBudget: at every budget the text fits, starts with the
// customer, and is the same on every build.
func TestSummaryBudget(t *testing.T) {
	for budget := 10; budget <= 500; budget += 7 {
		w := newWorld(t, &handoff.Options{TextBudget: budget})
		c := annStory(t, w)
		p1, err := w.b.Build(context.Background(), c, toVoice)
		require.NoError(t, err)
		p2, err := w.b.Build(context.Background(), c, toVoice)
		require.NoError(t, err)
		assert.LessOrEqual(t, utf8.RuneCountInString(p1.Summary), budget, "budget %d: %q", budget, p1.Summary)
		assert.Equal(t, p1, p2)
		want := "Ann Lee"[:min(budget-1, 7)]
		assert.Contains(t, p1.Summary, want, "budget %d", budget)
	}
}

type fixed struct {
	text string
	err  error
}

func (f fixed) Summarize(context.Context, *handoff.Packet, int) (string, error) { return f.text, f.err }

// TestSummarizer: a configured summarizer writes the text, cut to the
// budget; a failing one falls back to the built-in text and says why.
func TestSummarizer(t *testing.T) {
	w := newWorld(t, &handoff.Options{Summarizer: fixed{text: "Ann needs her refund, now. Be kind."}, TextBudget: 20})
	c := annStory(t, w)
	p, err := w.b.Build(context.Background(), c, toVoice)
	require.NoError(t, err)
	assert.Equal(t, "Ann needs her refun…", p.Summary)

	w = newWorld(t, &handoff.Options{Summarizer: fixed{err: errors.New("model timed out")}})
	c = annStory(t, w)
	p, err = w.b.Build(context.Background(), c, toVoice)
	require.NoError(t, err)
	assert.Equal(t, "model timed out", p.SummaryError)
	want, _ := handoff.TextSummarizer{}.Summarize(context.Background(), p, 400)
	assert.Equal(t, want, p.Summary)
}

// TestDigest: the digest names the content: equal packets share it, a new
// fact changes it, and the summary does not enter it.
func TestDigest(t *testing.T) {
	w := newWorld(t, nil)
	c := annStory(t, w)
	p1, err := w.b.Build(context.Background(), c, toVoice)
	require.NoError(t, err)
	w2 := newWorld(t, &handoff.Options{Summarizer: fixed{text: "other words"}})
	p2, err := w2.b.Build(context.Background(), annStory(t, w2), toVoice)
	require.NoError(t, err)
	assert.Equal(t, p1.Digest, p2.Digest)
	more := msg("v2", at(3, 16, 1), timeline.Voice, customer, "My order is 9.", annPhone)
	more.Facts = []timeline.Fact{{Key: "order", Value: "9"}}
	w.append(t, more)
	p3, err := w.b.Build(context.Background(), c, toVoice)
	require.NoError(t, err)
	assert.NotEqual(t, p1.Digest, p3.Digest)
}

// TestJSONRoundTrip: a packet decodes back to itself.
func TestJSONRoundTrip(t *testing.T) {
	w := newWorld(t, nil)
	p, err := w.b.Build(context.Background(), annStory(t, w), toVoice)
	require.NoError(t, err)
	blob, err := json.Marshal(p)
	require.NoError(t, err)
	var back handoff.Packet
	require.NoError(t, json.Unmarshal(blob, &back))
	assert.Equal(t, p, &back)
	assert.Error(t, json.Unmarshal([]byte(`{"issue":{"elapsed":"3d"}}`), &back))
}

// TestErrors: every failure is typed and records nothing.
func TestErrors(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, nil)
	c := annStory(t, w)

	_, err := w.b.Build(ctx, 999, toVoice)
	assert.ErrorIs(t, err, identity.ErrNotFound)

	for _, req := range []handoff.Request{
		{},
		{From: toVoice.From, To: toVoice.To},
		{From: toVoice.From, To: handoff.Endpoint{Channel: timeline.Voice, Kind: "robot"}, Reason: "x"},
		{From: toVoice.From, To: toVoice.To, Reason: "\xff"},
		{From: toVoice.From, To: toVoice.To, Reason: string(make([]byte, 300))},
	} {
		_, err := w.b.Handoff(ctx, c, req)
		var re *handoff.RequestError
		require.ErrorAs(t, err, &re, "%+v", req)
		assert.ErrorIs(t, err, handoff.ErrInvalidRequest)
	}
	_, err = w.b.Build(ctx, c, handoff.Request{Journey: "nope"})
	assert.ErrorIs(t, err, handoff.ErrUnknownJourney)
	assert.ErrorIs(t, w.b.Acknowledge(ctx, c, "handoff-x", timeline.Actor{Kind: timeline.Agent, ID: "a"}), handoff.ErrUnknownHandoff)
	rs, err := w.b.Handoffs(ctx, c)
	require.NoError(t, err)
	assert.Empty(t, rs, "failed calls recorded a handoff")

	_, err = w.tl.Append(ctx, timeline.Event{})
	require.Error(t, err)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = w.b.Handoff(cctx, c, toVoice)
	assert.ErrorIs(t, err, context.Canceled)

	for _, o := range []handoff.Options{{RecentTurns: -1}, {NegativeAt: 2}} {
		_, err := handoff.New(nil, &o)
		assert.ErrorIs(t, err, handoff.ErrInvalidOptions)
	}
}

// TestAcknowledgeRace: of several agents acknowledging at once, exactly
// one wins; the others get ErrAlreadyAcknowledged.
func TestAcknowledgeRace(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, nil)
	c := annStory(t, w)
	p, err := w.b.Handoff(ctx, c, toVoice)
	require.NoError(t, err)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			errs <- w.b.Acknowledge(ctx, c, p.HandoffID, timeline.Actor{Kind: timeline.Agent, ID: string(rune('a' + i))})
		}()
	}
	won := 0
	for range 8 {
		if err := <-errs; err == nil {
			won++
		} else {
			assert.ErrorIs(t, err, handoff.ErrAlreadyAcknowledged)
		}
	}
	assert.Equal(t, 1, won)
}

// TestRoute: the routing query returns the packet's routing section: the
// preferred channel from history, the agents of the open issue, and the
// urgency signals.
func TestRoute(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, nil)
	c := annStory(t, w)
	raj := timeline.Actor{Kind: timeline.Agent, ID: "raj"}
	reply := msg("v2", at(3, 16, 2), timeline.Voice, raj, "Which invoice number was it?", annPhone)
	reply.Attrs = map[string]string{"asks": "invoice"}
	w.append(t, reply)
	r, err := w.b.Route(ctx, c)
	require.NoError(t, err)
	p, err := w.b.Build(ctx, c, handoff.Request{})
	require.NoError(t, err)
	assert.Equal(t, p.Routing, r)
	assert.Equal(t, timeline.Voice, r.PreferredChannel, "one inbound event each: ties go to the most recent channel")
	assert.Equal(t, "history", r.PreferenceSource)
	require.Len(t, r.Agents, 1)
	assert.Equal(t, "raj", r.Agents[0].Agent)
	assert.Equal(t, "engaged", r.Agents[0].Outcome)
	assert.Equal(t, 3, r.Contacts)
	assert.Equal(t, 1, r.RepeatAsks)
	assert.True(t, r.Negative)
	assert.True(t, r.Verified)
}

// TestLostHandoffsAgree: a handoff nobody takes up is pending, not lost,
// until the tracker's AckTimeout has passed, in the handoff records and in
// journey metrics alike; taken up late, it is lost in neither.
func TestLostHandoffsAgree(t *testing.T) {
	ctx := context.Background()
	now := at(0, 9, 0)
	clock := func() time.Time { return now }
	tl := scripttest.Timeline(t, clock)
	tr, err := journey.NewTracker(tl, &journey.Options{AckTimeout: 10 * time.Minute, Clock: clock})
	require.NoError(t, err)
	b, err := handoff.New(tr, &handoff.Options{Clock: clock})
	require.NoError(t, err)
	res, err := tl.Append(ctx, msg("m1", now, timeline.Chat, customer, "My refund failed.", annChat))
	require.NoError(t, err)
	c := res[0].Customer
	_, err = b.Handoff(ctx, c, handoff.Request{From: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"},
		To: handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "billing"}, Reason: "refund failed"})
	require.NoError(t, err)

	check := func(want handoff.State, lost int) {
		t.Helper()
		rs, err := b.Handoffs(ctx, c)
		require.NoError(t, err)
		require.Len(t, rs, 1)
		m, err := tr.Compute(ctx, journey.Window{}, journey.AllJourneys)
		require.NoError(t, err)
		assert.Equal(t, want, rs[0].State, "at %s", now)
		assert.Equal(t, lost, m[0].LostHandoffs, "metrics at %s", now)
	}
	now = now.Add(9 * time.Minute)
	check(handoff.StatePending, 0)
	now = now.Add(2 * time.Minute)
	check(handoff.StateLost, 1)
	now = now.Add(time.Minute)
	_, err = tl.Append(ctx, msg("m2", now, timeline.Voice, timeline.Actor{Kind: timeline.Agent, ID: "raj"}, "Raj here, I see the refund.", annChat))
	require.NoError(t, err)
	check(handoff.StateAcknowledged, 0)
}

// TestReceivingSide: a chat escalates to a voice queue. The queue lists
// the waiting handoff; the caller's phone first resolves to a customer of
// its own, and the agent attaches it to the handoff's customer; once
// acknowledged, the queue is empty.
func TestReceivingSide(t *testing.T) {
	ctx := context.Background()
	now := at(0, 9, 0)
	clock := func() time.Time { return now }
	tl := scripttest.Timeline(t, clock)
	tr, err := journey.NewTracker(tl, &journey.Options{Clock: clock})
	require.NoError(t, err)
	b, err := handoff.New(tr, &handoff.Options{Clock: clock})
	require.NoError(t, err)
	res, err := tl.Append(ctx, msg("m1", now, timeline.Chat, customer, "My refund failed.", annChat))
	require.NoError(t, err)
	ann := res[0].Customer
	billing := handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "billing"}
	p, err := b.Handoff(ctx, ann, handoff.Request{From: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"},
		To: billing, Reason: "refund failed"})
	require.NoError(t, err)
	_, err = b.Handoff(ctx, ann, handoff.Request{From: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"},
		To: handoff.Endpoint{Channel: timeline.Email, Kind: handoff.Queue, ID: "billing"}, Reason: "send the receipt"})
	require.NoError(t, err)

	for _, f := range []handoff.Endpoint{billing, {Channel: timeline.Voice}, {Kind: handoff.Queue, ID: "billing", Channel: timeline.Voice}} {
		w, err := b.Waiting(ctx, f)
		require.NoError(t, err)
		require.Len(t, w, 1, "filter %v", f)
		assert.Equal(t, ann, w[0].Customer)
		assert.Equal(t, p.HandoffID, w[0].ID)
	}
	all, err := b.Waiting(ctx, handoff.Endpoint{Kind: handoff.Queue})
	require.NoError(t, err)
	assert.Len(t, all, 2)
	_, err = b.Waiting(ctx, handoff.Endpoint{Channel: "fax"})
	assert.ErrorIs(t, err, handoff.ErrInvalidRequest)

	// The caller's phone is known from elsewhere, as another customer.
	other, err := tl.Graph().Observe(ctx, identity.Observation{Source: "voice", Time: now, Identifiers: []identity.Identifier{annPhone}})
	require.NoError(t, err)
	require.NotEqual(t, ann, other.Customer)
	got, err := b.Attach(ctx, ann, p.HandoffID, annPhone)
	require.NoError(t, err)
	live, err := tl.Graph().Resolve(ctx, ann)
	require.NoError(t, err)
	assert.Equal(t, live, got.Customer)
	byPhone, err := tl.Graph().Lookup(ctx, annPhone)
	require.NoError(t, err)
	assert.Equal(t, live, byPhone, "the phone now belongs to the handoff's customer")
	_, err = b.Attach(ctx, ann, "handoff-none", annPhone)
	assert.ErrorIs(t, err, handoff.ErrUnknownHandoff)

	require.NoError(t, b.Acknowledge(ctx, live, p.HandoffID, timeline.Actor{Kind: timeline.Agent, ID: "raj"}))
	w, err := b.Waiting(ctx, billing)
	require.NoError(t, err)
	assert.Empty(t, w)
}
