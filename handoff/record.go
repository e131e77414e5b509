package handoff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// State is where a recorded handoff stands.
type State string

// Handoff states.
const (
	// StatePending: not taken up yet, and younger than the tracker's
	// journey.Options.AckTimeout.
	StatePending State = "pending"
	// StateAcknowledged: the receiving side took over: it acknowledged the
	// handoff, or an agent or bot other than the one handing off acted
	// after it (see [journey.WaitingHandoff]).
	StateAcknowledged State = "acknowledged"
	// StateLost: not taken up within journey.Options.AckTimeout; the same
	// handoffs journey.Metrics.LostHandoffs counts. A late take-up still
	// turns it into StateAcknowledged.
	StateLost State = "lost"
)

// Record is a handoff recorded on the timeline.
type Record struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Journey string    `json:"journey,omitempty"` // the issue's journey ID when it was built
	From    Endpoint  `json:"from"`
	To      Endpoint  `json:"to"`
	Reason  string    `json:"reason,omitempty"`
	Digest  string    `json:"digest,omitempty"` // of the packet handed over
	State   State     `json:"state"`
	// AckedBy and AckedAt say who took over and when: the acknowledging
	// actor, or the first other agent or bot that acted after it.
	AckedBy timeline.Actor `json:"acked_by,omitzero"`
	AckedAt time.Time      `json:"acked_at,omitzero"`
}

// Attributes of a handoff event, beside its channel (the From channel),
// actor (the From side) and text (the reason).
const (
	attrToChannel = "to_channel"
	attrToKind    = "to_kind"
	attrToID      = "to_id"
	attrFromKind  = "from_kind"
	attrDigest    = "digest"
	attrJourney   = "journey"
)

var (
	// ErrUnknownHandoff is returned for a handoff ID the customer's
	// timeline does not hold.
	ErrUnknownHandoff = errors.New("handoff: unknown handoff")
	// ErrAlreadyAcknowledged is returned when someone else acknowledged
	// the handoff first.
	ErrAlreadyAcknowledged = errors.New("handoff: already acknowledged")
)

// Handoff builds the packet for a handoff and records the handoff on the
// customer's timeline: an event of type [timeline.Handoff] on the From
// channel, carrying the destination, the reason and the packet's digest.
// The packet's HandoffID names the event. From.Channel, To.Channel, both
// kinds and Reason are required. The event ID derives from the customer,
// the time and the packet, so a retry with the same clock records nothing
// new.
func (b *Builder) Handoff(ctx context.Context, c identity.CustomerID, req Request) (*Packet, error) {
	if err := req.check(b.tr.Timeline(), true); err != nil {
		return nil, err
	}
	p, anchor, err := b.assemble(ctx, c, req)
	if err != nil {
		return nil, err
	}
	b.finish(ctx, p)
	e := timeline.Event{Time: p.Built, Channel: req.From.Channel, Direction: timeline.Internal,
		Actor: actorOf(req.From), Type: timeline.Handoff, Text: req.Reason,
		Attrs: map[string]string{attrToChannel: string(req.To.Channel), attrToKind: string(req.To.Kind),
			attrFromKind: string(req.From.Kind), attrDigest: p.Digest},
		Identifiers: []identity.Identifier{anchor}}
	if req.To.ID != "" {
		e.Attrs[attrToID] = req.To.ID
	}
	if p.Issue != nil {
		e.Intent, e.Case, e.Attrs[attrJourney] = p.Issue.Intent, p.Issue.Case, p.Issue.Journey
	}
	e.ID = enc.ContentID("handoff-", p.Customer.String(), p.Built.Format(time.RFC3339Nano), req.From.String(), req.To.String(), req.Reason, p.Digest)
	if _, err := b.tr.Timeline().Append(ctx, e); err != nil {
		return nil, err
	}
	p.HandoffID = e.ID
	return p, nil
}

// actorOf is who performs a handoff from an endpoint: a queue hands off
// as the system.
func actorOf(e Endpoint) timeline.Actor {
	switch e.Kind {
	case Bot:
		return timeline.Actor{Kind: timeline.Bot, ID: e.ID}
	case Agent:
		return timeline.Actor{Kind: timeline.Agent, ID: e.ID}
	default:
		return timeline.Actor{Kind: timeline.System, ID: e.ID}
	}
}

// Acknowledge records that by (an agent or bot) took over a handoff, with
// an event of type [timeline.HandoffAck] on the destination channel.
// Acknowledging a handoff by took up already (by acknowledging it, or by
// acting after it: see [journey.WaitingHandoff]) does nothing; a handoff
// someone else took up returns [ErrAlreadyAcknowledged], an unknown one
// [ErrUnknownHandoff].
func (b *Builder) Acknowledge(ctx context.Context, c identity.CustomerID, handoffID string, by timeline.Actor) error {
	if by.Kind != timeline.Agent && by.Kind != timeline.Bot {
		return &RequestError{"by.kind", fmt.Sprintf("%q: want agent or bot", by.Kind)}
	}
	var h *timeline.Event
	var rec Record
	err := b.tr.Timeline().Graph().View(ctx, func(tx *identity.Tx) error {
		handoffs, took, err := handoffsOf(tx, c)
		if err != nil {
			return err
		}
		for i := range handoffs {
			if handoffs[i].ID == handoffID {
				h = &handoffs[i]
			}
		}
		if h == nil {
			return fmt.Errorf("%w: %q of customer %s", ErrUnknownHandoff, handoffID, c)
		}
		rec = recordOf(h, took, b.opts.Clock(), b.tr.AckTimeout())
		return nil
	})
	switch {
	case err != nil:
		return err
	case rec.State == StateAcknowledged && rec.AckedBy == by:
		return nil
	case rec.State == StateAcknowledged:
		return fmt.Errorf("%w: %s by %s %s", ErrAlreadyAcknowledged, handoffID, rec.AckedBy.Kind, rec.AckedBy.ID)
	}
	ch := rec.To.Channel
	if ch == "" {
		ch = h.Channel
	}
	// The acknowledgement comes after the handoff in timeline order, which
	// is what takes it up, even when both carry the same clock reading.
	at := b.opts.Clock().UTC()
	if !at.After(h.Time) {
		at = h.Time.Add(time.Nanosecond)
	}
	_, err = b.tr.Timeline().Append(ctx, timeline.Event{ID: "ack-" + handoffID, Time: at, Channel: ch,
		Direction: timeline.Internal, Actor: by, Type: timeline.HandoffAck, Intent: h.Intent, Case: h.Case,
		Attrs: map[string]string{timeline.AttrHandoff: handoffID}, Identifiers: []identity.Identifier{h.Identifiers[0]}})
	if errors.Is(err, timeline.ErrEventConflict) { // someone acknowledged between our read and write
		return fmt.Errorf("%w: %s", ErrAlreadyAcknowledged, handoffID)
	}
	return err
}

// Handoffs returns a customer's recorded handoffs, oldest first, each with
// its state as of the builder's clock.
func (b *Builder) Handoffs(ctx context.Context, c identity.CustomerID) ([]Record, error) {
	var out []Record
	err := b.tr.Timeline().Graph().View(ctx, func(tx *identity.Tx) error {
		handoffs, took, err := handoffsOf(tx, c)
		if err != nil {
			return err
		}
		now := b.opts.Clock()
		for i := range handoffs {
			out = append(out, recordOf(&handoffs[i], took, now, b.tr.AckTimeout()))
		}
		return nil
	})
	return out, err
}

// handoffsOf reads customer c's handoff events, oldest first, and who took
// each up, from one scan of its timeline.
func handoffsOf(tx *identity.Tx, c identity.CustomerID) ([]timeline.Event, map[string]ack, error) {
	var handoffs []timeline.Event
	var u uptakes
	err := timeline.ScanTx(tx, c, timeline.Query{}, func(e timeline.Event) error {
		u.add(&e)
		if e.Type == timeline.Handoff {
			handoffs = append(handoffs, e)
		}
		return nil
	})
	return handoffs, u.by, err
}

// ack is who took up a handoff, and when.
type ack struct {
	by timeline.Actor
	at time.Time
}

// uptakes follows, over a timeline in order, who took up each handoff (by
// the one definition of [journey.WaitingHandoff]).
type uptakes struct {
	watch journey.HandoffWatch
	by    map[string]ack // by handoff ID
}

func (u *uptakes) add(e *timeline.Event) {
	for _, h := range u.watch.Add(e) {
		if u.by == nil {
			u.by = map[string]ack{}
		}
		u.by[h.ID] = ack{e.Actor, e.Time}
	}
}

// recordOf reads a handoff event. Handoff events appended by other systems
// lack the attributes: their destination is then unknown.
func recordOf(e *timeline.Event, took map[string]ack, now time.Time, timeout time.Duration) Record {
	from := Endpoint{Channel: e.Channel, Kind: EndpointKind(e.Attrs[attrFromKind]), ID: e.Actor.ID}
	if from.Kind == "" {
		from.Kind = EndpointKind(e.Actor.Kind)
	}
	r := Record{ID: e.ID, At: e.Time, Journey: e.Attrs[attrJourney], From: from, Reason: e.Text, Digest: e.Attrs[attrDigest],
		To: Endpoint{Channel: timeline.Channel(e.Attrs[attrToChannel]), Kind: EndpointKind(e.Attrs[attrToKind]), ID: e.Attrs[attrToID]}}
	a, ok := took[e.ID]
	switch {
	case ok:
		r.State, r.AckedBy, r.AckedAt = StateAcknowledged, a.by, a.at
	case journey.WaitingFor(e).Lost(now, timeout):
		r.State = StateLost
	default:
		r.State = StatePending
	}
	return r
}
