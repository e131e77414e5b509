package journey_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

func TestNewTrackerInvalidOptions(t *testing.T) {
	w := openWorld(t, "", nil)
	defer w.db.Close()
	for _, tc := range []struct {
		name  string
		opts  journey.Options
		field string
	}{
		{"negative Gap", journey.Options{Gap: -time.Hour}, "Gap"},
		{"Gap Never", journey.Options{Gap: journey.Never}, "Gap"},
		{"negative ReopenWindow", journey.Options{ReopenWindow: -time.Hour}, "ReopenWindow"},
		{"negative SessionGap", journey.Options{SessionGap: -2}, "SessionGap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := timeline.Open(w.g, nil)
			require.NoError(t, err)
			tr, err := journey.NewTracker(tl, &tc.opts)
			require.Nil(t, tr)
			require.ErrorIs(t, err, journey.ErrInvalidOptions)
			var oe *journey.OptionError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tc.field, oe.Field)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
	// Never is how to turn the reopen window and sessions off.
	tl, err := timeline.Open(w.g, nil)
	require.NoError(t, err)
	_, err = journey.NewTracker(tl, &journey.Options{ReopenWindow: journey.Never, SessionGap: journey.Never})
	require.NoError(t, err)
}

// One Timeline takes one tracker and one Triggers: a second would
// silently have replaced the first's hook.
func TestSecondTrackerRefused(t *testing.T) {
	w := openWorld(t, "", nil)
	defer w.db.Close()
	_, err := journey.NewTracker(w.tl, nil)
	require.ErrorIs(t, err, timeline.ErrHookExists)

	arb, err := journey.NewArbiter(w.tr, journey.DefaultRules()...)
	require.NoError(t, err)
	_, err = journey.NewTriggers(arb, journey.DefaultTriggers()...)
	require.NoError(t, err)
	_, err = journey.NewTriggers(arb, journey.DefaultTriggers()...)
	require.ErrorIs(t, err, timeline.ErrHookExists)
}

func TestNewArbiterInvalidRules(t *testing.T) {
	w := openWorld(t, "", nil)
	defer w.db.Close()
	ok := journey.DefaultRules()[0]
	for name, rules := range map[string][]journey.Rule{
		"no name":     {{Suppress: ok.Suppress}},
		"no Suppress": {{Name: "x"}},
		"name twice":  {ok, ok},
	} {
		_, err := journey.NewArbiter(w.tr, rules...)
		assert.ErrorIs(t, err, journey.ErrInvalidRule, name)
	}
}

// With ReopenWindow Never, a contact right after a resolution starts a
// new journey; with SessionGap Never, every customer message is a contact.
func TestNeverWindows(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ev := func(id string, min int, typ timeline.Type) timeline.Event {
		return timeline.Event{ID: id, Time: at.Add(time.Duration(min) * time.Minute), Channel: timeline.Chat,
			Direction: timeline.Inbound, Actor: timeline.Actor{Kind: timeline.Customer}, Type: typ, Intent: "billing"}
	}
	events := []timeline.Event{ev("e1", 0, timeline.Message), ev("e2", 1, timeline.Message), ev("e3", 2, timeline.Resolution), ev("e4", 3, timeline.Message)}
	def := journey.Group(1, events, nil, at.Add(time.Hour))
	never := journey.Group(1, events, &journey.Options{ReopenWindow: journey.Never, SessionGap: journey.Never}, at.Add(time.Hour))
	require.Len(t, def, 1, "by default the contact after the resolution reopens the journey")
	require.Len(t, never, 2)
	assert.Equal(t, 1, def[0].Contacts, "one session: minutes apart on one channel")
	assert.Equal(t, 3, never[0].Contacts, "each customer event its own contact")
}
