package journey

import (
	"time"

	"github.com/threadline/threadline/timeline"
)

// WaitingHandoff is a handoff event nobody has taken up yet. It carries the
// one definition of a lost handoff, which journey metrics
// ([Metrics].LostHandoffs), the handoff package (its StateLost) and the
// unacknowledged-escalation trigger share:
//
//   - A handoff is taken up by the first later event that acknowledges it
//     (a [timeline.HandoffAck] naming it in [timeline.AttrHandoff]) or is
//     by an agent or bot other than the one that handed off (the
//     receiving side answering).
//   - A handoff not taken up is waiting until [Options].AckTimeout has
//     passed since it, and lost after that. A late take-up makes it taken
//     up, not lost.
type WaitingHandoff struct {
	ID   string         `json:"id"`
	At   time.Time      `json:"at,omitzero"`
	From timeline.Actor `json:"from"`
}

// WaitingFor returns the waiting handoff that handoff event e starts.
func WaitingFor(e *timeline.Event) WaitingHandoff {
	return WaitingHandoff{ID: e.ID, At: e.Time, From: e.Actor}
}

// TakenUpBy reports whether event e, which comes after the handoff, takes
// it up.
func (h WaitingHandoff) TakenUpBy(e *timeline.Event) bool {
	if e.Type == timeline.HandoffAck {
		return e.Attrs[timeline.AttrHandoff] == h.ID
	}
	return (e.Actor.Kind == timeline.Agent || e.Actor.Kind == timeline.Bot) && e.Actor != h.From
}

// Lost reports whether the handoff, not taken up as of now, is lost after
// timeout.
func (h WaitingHandoff) Lost(now time.Time, timeout time.Duration) bool {
	return now.Sub(h.At) > timeout
}

// HandoffWatch follows handoffs through events fed in timeline order and
// says when each is taken up. The zero value is ready to use.
type HandoffWatch struct {
	// Waiting are the handoffs seen and not taken up yet, oldest first.
	Waiting []WaitingHandoff
}

// Add folds in the next event and returns the waiting handoffs it takes
// up (nil for none); a handoff event then starts waiting itself.
func (w *HandoffWatch) Add(e *timeline.Event) (taken []WaitingHandoff) {
	keep := w.Waiting[:0]
	for _, h := range w.Waiting {
		if h.TakenUpBy(e) {
			taken = append(taken, h)
		} else {
			keep = append(keep, h)
		}
	}
	w.Waiting = keep
	if len(keep) == 0 {
		w.Waiting = nil // as the live state decodes it
	}
	if e.Type == timeline.Handoff {
		w.Waiting = append(w.Waiting, WaitingFor(e))
	}
	return taken
}

// lost counts the waiting handoffs lost as of now.
func (w *HandoffWatch) lost(now time.Time, timeout time.Duration) int {
	n := 0
	for _, h := range w.Waiting {
		if h.Lost(now, timeout) {
			n++
		}
	}
	return n
}
