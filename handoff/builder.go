package handoff

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// Options configures a [Builder]. The zero value means the defaults.
type Options struct {
	// RecentTurns is how many recent messages a packet carries verbatim.
	// Default: 6.
	RecentTurns int
	// TurnChars bounds each recent message, in characters; longer ones are
	// cut and end in "…". Default: 500.
	TurnChars int
	// MaxFacts bounds the distinct facts a packet lists: the current
	// issue's first, then the newest others. Default: 100.
	MaxFacts int
	// TextBudget is the length, in characters, the summary text must fit.
	// Default: 400.
	TextBudget int
	// NegativeAt is the sentiment score at or below which the issue's
	// first such event is a "very_negative" moment. Default: -0.6.
	NegativeAt float64
	// Summarizer writes the packet's summary text; nil means
	// [TextSummarizer], which needs no network and no model.
	Summarizer Summarizer
	// Clock stamps packets and handoff records and decides lost handoffs.
	// Default: time.Now. Give it the clock of the journey tracker so
	// abandonment and elapsed times agree.
	Clock func() time.Time
}

// ErrInvalidOptions is returned by [New] for options out of range.
var ErrInvalidOptions = errors.New("handoff: invalid options")

func (o *Options) ensureDefaults() error {
	if o.RecentTurns < 0 || o.TurnChars < 0 || o.MaxFacts < 0 || o.TextBudget < 0 ||
		o.NegativeAt < -1 || o.NegativeAt > 1 {
		return fmt.Errorf("%w: negative limits or NegativeAt outside [-1, 1]", ErrInvalidOptions)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.RecentTurns, 6)
	def(&o.TurnChars, 500)
	def(&o.MaxFacts, 100)
	def(&o.TextBudget, 400)
	if o.NegativeAt == 0 {
		o.NegativeAt = -0.6
	}
	if o.Summarizer == nil {
		o.Summarizer = TextSummarizer{}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return nil
}

// Builder builds handoff packets and records handoffs. It is safe for
// concurrent use.
type Builder struct {
	tr   *journey.Tracker
	opts Options
}

// New returns a builder over a journey tracker (and through it the
// timeline and identity graph). opts may be nil for the defaults.
func New(tr *journey.Tracker, opts *Options) (*Builder, error) {
	b := &Builder{tr: tr}
	if opts != nil {
		b.opts = *opts
	}
	if err := b.opts.ensureDefaults(); err != nil {
		return nil, err
	}
	return b, nil
}

// EndpointKind says what sits at one end of a handoff.
type EndpointKind string

// Endpoint kinds.
const (
	Bot   EndpointKind = "bot"
	Agent EndpointKind = "agent"
	Queue EndpointKind = "queue"
)

// Endpoint is one side of a handoff: a channel and who answers there.
type Endpoint struct {
	Channel timeline.Channel `json:"channel"`
	Kind    EndpointKind     `json:"kind"`
	ID      string           `json:"id,omitempty"` // the bot, agent or queue
}

func (e Endpoint) String() string {
	s := string(e.Channel) + " " + string(e.Kind)
	if e.ID != "" {
		s += " " + e.ID
	}
	return s
}

// Request says which handoff a packet is for.
type Request struct {
	From   Endpoint `json:"from"`
	To     Endpoint `json:"to"`
	Reason string   `json:"reason"`
	// Journey picks the issue by journey ID; empty means the customer's
	// most recent open journey.
	Journey string `json:"journey"`
}

// ErrInvalidRequest is wrapped by every [*RequestError].
var ErrInvalidRequest = errors.New("handoff: invalid request")

// ErrUnknownJourney is returned for a Request.Journey the customer does
// not have.
var ErrUnknownJourney = errors.New("handoff: unknown journey")

// RequestError names the request field that is wrong and why.
type RequestError struct {
	Field, Reason string
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("handoff: invalid request: %s: %s", e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidRequest) true.
func (e *RequestError) Unwrap() error { return ErrInvalidRequest }

const maxField = 256

// check validates a request against the channels tl knows; full requires
// what recording a handoff needs.
func (r *Request) check(tl *timeline.Timeline, full bool) error {
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"from.channel", string(r.From.Channel), full}, {"from.id", r.From.ID, false},
		{"to.channel", string(r.To.Channel), full}, {"to.id", r.To.ID, false},
		{"reason", r.Reason, full}, {"journey", r.Journey, false},
	} {
		switch {
		case f.required && f.v == "":
			return &RequestError{f.name, "required"}
		case len(f.v) > maxField:
			return &RequestError{f.name, fmt.Sprintf("%d bytes, at most %d", len(f.v), maxField)}
		case !utf8.ValidString(f.v):
			return &RequestError{f.name, "invalid UTF-8"}
		}
	}
	for _, e := range []struct {
		name string
		ch   timeline.Channel
	}{{"from.channel", r.From.Channel}, {"to.channel", r.To.Channel}} {
		if e.ch != "" && !tl.KnownChannel(e.ch) {
			return &RequestError{e.name, fmt.Sprintf("unknown channel %q: register it in timeline.Options.Channels", e.ch)}
		}
	}
	for _, e := range []struct {
		name string
		k    EndpointKind
	}{{"from.kind", r.From.Kind}, {"to.kind", r.To.Kind}} {
		if (e.k != "" || full) && e.k != Bot && e.k != Agent && e.k != Queue {
			return &RequestError{e.name, fmt.Sprintf("%q: want bot, agent or queue", e.k)}
		}
	}
	return nil
}

// Build returns the packet for customer c at the handoff req describes,
// without recording anything. An unknown or forgotten customer returns an
// error wrapping [identity.ErrNotFound]; a customer without events gets a
// packet with no Issue and empty sections.
func (b *Builder) Build(ctx context.Context, c identity.CustomerID, req Request) (*Packet, error) {
	if err := req.check(b.tr.Timeline(), false); err != nil {
		return nil, err
	}
	p, _, err := b.assemble(ctx, c, req)
	if err != nil {
		return nil, err
	}
	b.finish(ctx, p)
	return p, nil
}

// assemble builds the packet's sections in one read, and returns an
// identifier of the customer to record events under. Digest and Summary
// are left to finish.
func (b *Builder) assemble(ctx context.Context, c identity.CustomerID, req Request) (*Packet, identity.Identifier, error) {
	var (
		p      *Packet
		anchor identity.Identifier
	)
	err := b.tr.Timeline().Graph().View(ctx, func(tx *identity.Tx) error {
		s, err := b.read(tx, c, req.Journey)
		if err != nil {
			return err
		}
		p = b.packet(s, req)
		anchor = s.cust.Identifiers[0].Identifier
		return nil
	})
	return p, anchor, err
}

// finish sets the digest of an assembled packet, then its summary.
func (b *Builder) finish(ctx context.Context, p *Packet) {
	p.Digest = p.ComputeDigest()
	b.summarize(ctx, p)
}

// situation is what a packet is built from: read in one transaction.
type situation struct {
	cust *identity.Customer
	j    *journey.Journey // the current journey; nil for none
	hist *history
	now  time.Time
}

// read reads customer c, its journeys, and folds its timeline into what
// the packet for journey ID id ("" for the current one) takes of it.
func (b *Builder) read(tx *identity.Tx, c identity.CustomerID, id string) (*situation, error) {
	cust, err := tx.Customer(c)
	if err != nil {
		return nil, err
	}
	js, err := b.tr.BriefJourneysTx(tx, cust.ID)
	if err != nil {
		return nil, err
	}
	j, err := current(js, id, cust.ID)
	if err != nil {
		return nil, err
	}
	h := b.newHistory(j)
	if err := timeline.ScanTx(tx, cust.ID, timeline.Query{}, h.add); err != nil {
		return nil, err
	}
	return &situation{cust: cust, j: j, hist: h, now: b.opts.Clock().UTC()}, nil
}

// current returns the journey of js a request is about, or nil.
func current(js []journey.Journey, id string, c identity.CustomerID) (*journey.Journey, error) {
	for i := len(js) - 1; i >= 0; i-- {
		j := &js[i]
		if (id == "" && j.State == journey.Open) || (id != "" && j.ID == id) {
			return j, nil
		}
	}
	if id != "" {
		return nil, fmt.Errorf("%w: %q of customer %s", ErrUnknownJourney, id, c)
	}
	return nil, nil
}

func (b *Builder) packet(s *situation, req Request) *Packet {
	h := s.hist
	p := &Packet{
		Customer:  s.cust.ID,
		Name:      displayName(s.cust),
		Verified:  verified(s.cust),
		Consent:   consent(s.cust, req.To.Channel),
		Provided:  h.facts.list(b.opts.MaxFacts),
		Tried:     tried(s.j),
		Sentiment: h.sentimentOf(),
		Promises:  h.promises,
		Why:       Reason{Reason: req.Reason, From: req.From, To: req.To},
		Recent:    h.recent(),
		Built:     s.now,
	}
	if s.j != nil {
		p.Issue = b.issue(s.j, h, s.now)
	}
	p.Routing = routing(s, p, s.j)
	return p
}

func verified(c *identity.Customer) []VerifiedID {
	out := []VerifiedID{}
	for _, id := range c.Verified() {
		out = append(out, VerifiedID{Identifier: id.String(), Kind: string(id.Kind), Source: id.VerifiedSource, At: id.VerifiedAt})
	}
	return out
}

func consent(c *identity.Customer, ch timeline.Channel) []Consent {
	out := []Consent{}
	for _, s := range c.Consent {
		if ch == "" || s.Channel == string(ch) || s.Channel == "*" {
			out = append(out, Consent{Purpose: s.Purpose, Channel: s.Channel, Granted: s.Granted})
		}
	}
	return out
}

func tried(j *journey.Journey) []Attempt {
	if j == nil {
		return []Attempt{}
	}
	out := make([]Attempt, 0, len(j.Attempts))
	for _, a := range j.Attempts {
		if a.Outcome != timeline.Pending {
			out = append(out, Attempt{Action: a.Name, Outcome: a.Outcome, By: a.Actor.Kind, ByID: a.Actor.ID, Channel: a.Channel, At: a.Time})
		}
	}
	return out
}

// cut bounds a text to Options.TurnChars characters.
func (b *Builder) cut(s string) string { return truncate(s, b.opts.TurnChars) }

// truncate cuts s to at most n characters, the last being "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	if !utf8.ValidString(s) { // each invalid byte becomes U+FFFD
		r := []rune(s)
		return string(r[:n-1]) + "…"
	}
	k := 0
	for i := range s { // s has more than n characters, so this returns
		if k == n-1 {
			return s[:i] + "…"
		}
		k++
	}
	return s
}

// issueSummaryChars bounds an issue summary taken from a message.
const issueSummaryChars = 120

// issue describes journey j from the history of its events.
func (b *Builder) issue(j *journey.Journey, h *history, now time.Time) *Issue {
	// j was decoded for this packet alone, so its Channels can be the
	// packet's.
	is := &Issue{Journey: j.ID, Intent: j.Intent, Case: j.Case, Started: j.Start, Elapsed: Duration(now.Sub(j.Start)),
		Channels: j.Channels, Contacts: j.Contacts, Handoffs: []Past{}}
	if is.Channels == nil {
		is.Channels = []timeline.Channel{}
	}
	is.Summary = issueSummary(j.Intent, h.summary)
	for i := range h.handoffs {
		r := recordOf(&h.handoffs[i], h.uptakes.by, now, b.tr.AckTimeout())
		is.Handoffs = append(is.Handoffs, Past{ID: r.ID, At: r.At, From: r.From.Channel, To: r.To.Channel, Reason: r.Reason, State: r.State})
	}
	if h.hasIssueFact {
		is.Summary = h.issueFact
	}
	return is
}

// FactIssue is the fact key a customer's own statement of the problem uses
// (e.g. "double charge on invoice 4411"); it becomes the issue summary.
const FactIssue = "issue"

// summarize writes the summary text, falling back to the built-in text
// when a configured summarizer fails.
func (b *Builder) summarize(ctx context.Context, p *Packet) {
	text, err := b.opts.Summarizer.Summarize(ctx, p, b.opts.TextBudget)
	if err == nil {
		p.Summary = truncate(text, b.opts.TextBudget)
		return
	}
	p.SummaryError = err.Error()
	p.Summary, _ = TextSummarizer{}.Summarize(ctx, p, b.opts.TextBudget)
}
