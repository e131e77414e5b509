package handoff

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/timeline"
)

// State is where a recorded handoff stands.
type State string

// Handoff states.
const (
	// StatePending: not acknowledged yet, and younger than Options.AckTimeout.
	StatePending State = "pending"
	// StateAcknowledged: the receiving side took over.
	StateAcknowledged State = "acknowledged"
	// StateLost: not acknowledged within Options.AckTimeout. A late
	// acknowledgement still turns it into StateAcknowledged.
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
	// AckedBy and AckedAt say who took over and when.
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
	if err := req.check(true); err != nil {
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
// Acknowledging again by the same actor does nothing; a handoff someone
// else acknowledged returns [ErrAlreadyAcknowledged], an unknown one
// [ErrUnknownHandoff].
func (b *Builder) Acknowledge(ctx context.Context, c identity.CustomerID, handoffID string, by timeline.Actor) error {
	if by.Kind != timeline.Agent && by.Kind != timeline.Bot {
		return &RequestError{"by.kind", fmt.Sprintf("%q: want agent or bot", by.Kind)}
	}
	var h *timeline.Event
	var rec Record
	var anchor identity.Identifier
	err := b.tr.Timeline().Graph().View(ctx, func(tx *identity.Tx) error {
		events, err := handoffEvents(tx, c)
		if err != nil {
			return err
		}
		for i := range events {
			if events[i].ID == handoffID && events[i].Type == timeline.Handoff {
				h = &events[i]
			}
		}
		if h == nil {
			return fmt.Errorf("%w: %q of customer %s", ErrUnknownHandoff, handoffID, c)
		}
		rec = recordOf(h, acknowledgements(events), b.opts.Clock(), b.opts.AckTimeout)
		anchor = h.Identifiers[0]
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
	_, err = b.tr.Timeline().Append(ctx, timeline.Event{ID: "ack-" + handoffID, Time: b.opts.Clock().UTC(), Channel: ch,
		Direction: timeline.Internal, Actor: by, Type: timeline.HandoffAck, Intent: h.Intent, Case: h.Case,
		Attrs: map[string]string{timeline.AttrHandoff: handoffID}, Identifiers: []identity.Identifier{anchor}})
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
		events, err := handoffEvents(tx, c)
		if err != nil {
			return err
		}
		acks, now := acknowledgements(events), b.opts.Clock()
		for i := range events {
			if events[i].Type == timeline.Handoff {
				out = append(out, recordOf(&events[i], acks, now, b.opts.AckTimeout))
			}
		}
		return nil
	})
	return out, err
}

func handoffEvents(tx *identity.Tx, c identity.CustomerID) ([]timeline.Event, error) {
	page, err := timeline.ReadTx(tx, c, timeline.Query{Types: []timeline.Type{timeline.Handoff, timeline.HandoffAck}})
	return page.Events, err
}

// ack is the first acknowledgement of a handoff.
type ack struct {
	by timeline.Actor
	at time.Time
}

func acknowledgements(events []timeline.Event) map[string]ack {
	out := map[string]ack{}
	for i := range events {
		noteAck(out, &events[i])
	}
	return out
}

// noteAck adds e to acks, by handoff ID, if it is the first
// acknowledgement of its handoff.
func noteAck(acks map[string]ack, e *timeline.Event) {
	if e.Type != timeline.HandoffAck {
		return
	}
	id := e.Attrs[timeline.AttrHandoff]
	if _, seen := acks[id]; !seen {
		acks[id] = ack{e.Actor, e.Time}
	}
}

// recordOf reads a handoff event. Handoff events appended by other systems
// lack the attributes: their destination is then unknown.
func recordOf(e *timeline.Event, acks map[string]ack, now time.Time, timeout time.Duration) Record {
	from := Endpoint{Channel: e.Channel, Kind: EndpointKind(e.Attrs[attrFromKind]), ID: e.Actor.ID}
	if from.Kind == "" {
		from.Kind = EndpointKind(e.Actor.Kind)
	}
	r := Record{ID: e.ID, At: e.Time, Journey: e.Attrs[attrJourney], From: from, Reason: e.Text, Digest: e.Attrs[attrDigest],
		To: Endpoint{Channel: timeline.Channel(e.Attrs[attrToChannel]), Kind: EndpointKind(e.Attrs[attrToKind]), ID: e.Attrs[attrToID]}}
	a, ok := acks[e.ID]
	switch {
	case ok:
		r.State, r.AckedBy, r.AckedAt = StateAcknowledged, a.by, a.at
	case now.Sub(e.Time) > timeout:
		r.State = StateLost
	default:
		r.State = StatePending
	}
	return r
}
