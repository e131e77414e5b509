package handoff

import (
	"context"
	"time"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// Routing is what a router reads before assigning a contact: signals with
// definitions, not a decision. Agent skills and queue load belong to the
// caller's router.
type Routing struct {
	// PreferredChannel is the customer's stated preference (the profile
	// attribute [AttrPreferredChannel]), else the channel of most of their
	// inbound events (ties: the most recently used); empty without either.
	PreferredChannel timeline.Channel `json:"preferred_channel,omitempty"`
	// PreferenceSource is "stated" or "history".
	PreferenceSource string `json:"preference_source,omitempty"`
	// Agents are the agents who acted in the current issue, in order of
	// first involvement.
	Agents []AgentHistory `json:"agents"`
	// Contacts is the current issue's inbound sessions so far.
	Contacts int `json:"contacts"`
	// Elapsed is the time since the current issue started.
	Elapsed Duration `json:"elapsed"`
	// Negative says the issue's latest sentiment score is at or below
	// -0.2 (frustrated or worse).
	Negative bool `json:"negative"`
	// RepeatAsks counts the times the customer was asked again for a fact
	// they had given in the issue.
	RepeatAsks int `json:"repeat_asks"`
	// LostHandoffs counts the issue's handoffs in [StateLost].
	LostHandoffs int `json:"lost_handoffs"`
	// Verified says the customer has a verified identifier.
	Verified bool `json:"verified"`
}

// AttrPreferredChannel is the profile attribute (see
// [identity.Observation].Attributes) holding the channel a customer said
// they prefer.
const AttrPreferredChannel = "preferred_channel"

// AgentHistory is one agent's part in the current issue.
type AgentHistory struct {
	Agent    string             `json:"agent"`
	Channels []timeline.Channel `json:"channels"` // in order of first use
	First    time.Time          `json:"first"`
	Last     time.Time          `json:"last"`
	// Outcome is "resolved" (the agent recorded a resolution), else
	// "handed_off" (they handed off or transferred), else "engaged".
	Outcome string `json:"outcome"`
	// Sentiment is the customer's last score from the agent's first to
	// last event; nil when none was scored.
	Sentiment *float64 `json:"sentiment,omitempty"`
}

// negativeAt is the latest score at or below which Routing.Negative holds.
const negativeAt = -0.2

// Route returns the routing signals for customer c: the Routing section of
// the packet [Builder.Build] would return, without recording anything (and
// without writing the packet's summary).
func (b *Builder) Route(ctx context.Context, c identity.CustomerID) (Routing, error) {
	p, _, err := b.assemble(ctx, c, Request{})
	if err != nil {
		return Routing{}, err
	}
	return p.Routing, nil
}

func routing(s *situation, p *Packet, j *journey.Journey) Routing {
	r := Routing{Agents: s.hist.agents.histories(), Verified: len(p.Verified) > 0,
		Negative: p.Sentiment.Known && p.Sentiment.Now <= negativeAt}
	r.PreferredChannel, r.PreferenceSource = preferred(s)
	if p.Issue != nil {
		r.Contacts, r.Elapsed = p.Issue.Contacts, p.Issue.Elapsed
		for _, h := range p.Issue.Handoffs {
			if h.State == StateLost {
				r.LostHandoffs++
			}
		}
	}
	if j != nil {
		r.RepeatAsks = len(j.RepeatAsks)
	}
	return r
}

func preferred(s *situation) (timeline.Channel, string) {
	if a, ok := s.cust.Attributes[AttrPreferredChannel]; ok {
		return timeline.Channel(a.Value), "stated"
	}
	if ch := s.hist.preferred(); ch != "" {
		return ch, "history"
	}
	return "", ""
}
