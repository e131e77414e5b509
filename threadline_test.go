package threadline_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

var (
	t0    = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ann   = identity.New(identity.Email, "ann@example.com")
	annPh = identity.New(identity.Phone, "+14155550100")
)

// clockAt returns a fixed clock.
func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

func event(id string, at time.Time, ch timeline.Channel, typ timeline.Type, ids ...identity.Identifier) timeline.Event {
	return timeline.Event{ID: id, Time: at, Channel: ch, Direction: timeline.Inbound,
		Actor: timeline.Actor{Kind: timeline.Customer}, Type: typ, Intent: "billing", Identifiers: ids}
}

// open opens a stack in dir with o, failing the test on error, and closes
// it at the end of the test unless the test closed it.
func open(t *testing.T, dir string, o *threadline.Options) *threadline.Stack {
	t.Helper()
	s, err := threadline.Open(dir, o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestCommonPath runs the front door's methods over one customer: the
// layers share Options.Clock, and the live journeys, the packet, the
// arbiter and Forget see what was appended.
func TestCommonPath(t *testing.T) {
	ctx := context.Background()
	now := t0.Add(2 * time.Hour)
	s := open(t, "", &threadline.Options{Store: store.Options{InMemory: true}, Clock: clockAt(now)})

	res, err := s.Observe(ctx, identity.Observation{Source: "crm", Identifiers: []identity.Identifier{ann, annPh}})
	require.NoError(t, err)
	require.Equal(t, identity.OutcomeNew, res.Outcome)
	_, err = s.Append(ctx, event("e1", t0, timeline.Email, timeline.EmailMsg, ann),
		event("e2", t0.Add(time.Hour), timeline.Voice, timeline.CallStart, annPh))
	require.NoError(t, err)
	_, err = s.Append(ctx, event("future", now.Add(25*time.Hour), timeline.Chat, timeline.Message, ann))
	require.ErrorIs(t, err, timeline.ErrInvalidEvent, "the timeline refuses events after Options.Clock()+24h, long before time.Now")

	c, err := s.Lookup(ctx, annPh)
	require.NoError(t, err)
	require.Equal(t, res.Customer, c)
	page, err := s.Read(ctx, c, timeline.Query{})
	require.NoError(t, err)
	require.Len(t, page.Events, 2)
	js, err := s.Journeys(ctx, c)
	require.NoError(t, err)
	require.Len(t, js, 1)
	require.Equal(t, journey.Open, js[0].State)
	require.Equal(t, []timeline.Channel{timeline.Email, timeline.Voice}, js[0].Channels)

	p, err := s.Packet(ctx, c, handoff.Request{To: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"}})
	require.NoError(t, err)
	require.Empty(t, p.HandoffID, "Packet records nothing")
	require.Equal(t, now, p.Built, "the builder uses Options.Clock")
	p, err = s.Handoff(ctx, c, handoff.Request{
		From: handoff.Endpoint{Channel: timeline.Chat, Kind: handoff.Bot, ID: "billy"},
		To:   handoff.Endpoint{Channel: timeline.Voice, Kind: handoff.Queue, ID: "billing"}, Reason: "refund"})
	require.NoError(t, err)
	require.NotEmpty(t, p.HandoffID)

	d, err := s.Decide(ctx, c, journey.Candidate{Name: "promo", Kind: journey.Promotion, Channel: timeline.Email, Purpose: "marketing", Priority: 1})
	require.NoError(t, err)
	require.Nil(t, d.Chosen, "the default rules suppress a promotion during an open issue")

	st, err := s.Triggers().List(ctx)
	require.NoError(t, err)
	require.Len(t, st, len(journey.DefaultTriggers()))

	_, err = s.Forget(ctx, c, identity.ForgetOptions{})
	require.NoError(t, err)
	_, err = s.Lookup(ctx, ann)
	require.ErrorIs(t, err, identity.ErrNotFound)
	js, err = s.Journeys(ctx, c)
	require.ErrorIs(t, err, identity.ErrNotFound)
	require.Empty(t, js)
}

// hook counts the appends it sees.
type hook struct{ appended *int }

func (h hook) Appended(*identity.Tx, []timeline.Notice) error {
	*h.appended++
	return nil
}

func (h hook) Forgetting(*identity.Tx, identity.CustomerID, []identity.Identifier) error { return nil }

func TestHooksAndNoTriggers(t *testing.T) {
	ctx := context.Background()
	n := 0
	s := open(t, "", &threadline.Options{Store: store.Options{InMemory: true}, Clock: clockAt(t0),
		NoTriggers: true, NoRules: true, Hooks: map[string]timeline.Hook{"count": hook{&n}}})
	require.Nil(t, s.Triggers())
	_, err := s.Append(ctx, event("e1", t0, timeline.Email, timeline.EmailMsg, ann))
	require.NoError(t, err)
	require.Positive(t, n, "an Options.Hooks hook sees the Stack's appends")
	c, err := s.Lookup(ctx, ann)
	require.NoError(t, err)
	d, err := s.Decide(ctx, c, journey.Candidate{Name: "promo", Kind: journey.Promotion, Channel: timeline.Email, Purpose: "marketing", Priority: 1})
	require.NoError(t, err)
	require.NotNil(t, d.Chosen, "with NoRules nothing suppresses the promotion")
}

// TestInvalidOptions: every invalid option is a typed error naming the
// field, nothing panics, and nothing stays open (the directory opens
// again at once).
func TestInvalidOptions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	for _, tc := range []struct {
		name  string
		opts  threadline.Options
		field string
	}{
		{"identity clock", threadline.Options{Identity: identity.Options{Clock: time.Now}}, "Identity.Clock"},
		{"timeline clock", threadline.Options{Timeline: timeline.Options{Clock: time.Now}}, "Timeline.Clock"},
		{"handoff clock", threadline.Options{Handoff: handoff.Options{Clock: time.Now}}, "Handoff.Clock"},
		{"rules and no rules", threadline.Options{NoRules: true, Rules: journey.DefaultRules()}, "Rules"},
		{"triggers and no triggers", threadline.Options{NoTriggers: true, Triggers: []journey.Trigger{journey.MissedCall()}}, "Triggers"},
		{"drift policy", threadline.Options{Drift: threadline.DriftAccept + 1}, "Drift"},
		{"unnamed hook", threadline.Options{Hooks: map[string]timeline.Hook{"": hook{new(int)}}}, "Hooks"},
		{"nil hook", threadline.Options{Hooks: map[string]timeline.Hook{"x": nil}}, "Hooks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := threadline.Open(dir, &tc.opts)
			require.ErrorIs(t, err, threadline.ErrInvalidOptions)
			require.ErrorContains(t, err, tc.field)
		})
	}
	// A layer's invalid options wrap the layer's error too.
	for _, tc := range []struct {
		name  string
		opts  threadline.Options
		layer error
		field string
	}{
		{"unknown region", threadline.Options{Identity: identity.Options{DefaultRegion: "XX"}}, identity.ErrInvalidOptions, "Identity: identity: invalid options: DefaultRegion"},
		{"negative cache", threadline.Options{Store: store.Options{CacheSize: -1}}, store.ErrInvalidOptions, "CacheSize"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := threadline.Open(dir, &tc.opts)
			require.ErrorIs(t, err, threadline.ErrInvalidOptions)
			require.ErrorIs(t, err, tc.layer)
			require.ErrorContains(t, err, tc.field)
		})
	}
	// A layer's error past validation is the layer's, and the store Open
	// opened is closed again.
	_, err := threadline.Open(dir, &threadline.Options{Handoff: handoff.Options{NegativeAt: 2}})
	require.ErrorIs(t, err, handoff.ErrInvalidOptions)
	_, err = threadline.Open(dir, &threadline.Options{Triggers: []journey.Trigger{{Name: "nameless match"}}})
	require.ErrorIs(t, err, journey.ErrInvalidTrigger)
	s := open(t, dir, nil)
	require.NoError(t, s.Close())
}

// TestDriftRebuild: reopening with other journey options rebuilds the
// live state under the default policy, fails under DriftFail, and records
// the new options so that the next open with them is clean.
func TestDriftRebuild(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "db")
	now := t0.Add(30 * 24 * time.Hour)
	s := open(t, dir, &threadline.Options{Clock: clockAt(now)})
	_, err := s.Append(ctx, event("e1", t0, timeline.Email, timeline.EmailMsg, ann),
		event("e2", t0.Add(3*time.Hour), timeline.Chat, timeline.Message, ann))
	require.NoError(t, err)
	c, err := s.Lookup(ctx, ann)
	require.NoError(t, err)
	js, err := s.Journeys(ctx, c)
	require.NoError(t, err)
	require.Len(t, js, 1, "with the default 7-day gap, one journey")
	require.NoError(t, s.Close())

	hourGap := journey.Options{Gap: time.Hour}
	_, err = threadline.Open(dir, &threadline.Options{Clock: clockAt(now), Journey: hourGap, Drift: threadline.DriftFail})
	var de *threadline.DriftError
	require.ErrorAs(t, err, &de)
	require.ErrorIs(t, err, threadline.ErrDrift)
	require.Equal(t, []threadline.Difference{{Setting: "journey.gap", Stored: "default", Opened: "1h0m0s", Rebuildable: true}}, de.Differences)
	require.ErrorContains(t, err, `journey.gap: "default" in the store, "1h0m0s" now (rebuildable)`)

	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	s = open(t, dir, &threadline.Options{Clock: clockAt(now), Journey: hourGap, Logger: logger})
	require.Contains(t, logged.String(), `journey.gap: \"default\" -> \"1h0m0s\"`, "the change is logged")
	require.Contains(t, logged.String(), "live journey state rebuilt")
	js, err = s.Journeys(ctx, c)
	require.NoError(t, err)
	require.Len(t, js, 2, "with a one-hour gap, two journeys")
	page, err := s.Read(ctx, c, timeline.Query{})
	require.NoError(t, err)
	require.Equal(t, journey.Group(c, page.Events, &hourGap, now), js)
	require.NoError(t, s.Close())

	s = open(t, dir, &threadline.Options{Clock: clockAt(now), Journey: hourGap, Drift: threadline.DriftFail})
	require.NoError(t, s.Close())
}

// TestDriftFail: a change of what cannot be rebuilt (kind policies,
// triggers, hooks, matching) fails under the default policy, naming each
// setting, and opens under DriftAccept, which records it.
func TestDriftFail(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s := open(t, dir, nil)
	require.NoError(t, s.Close())

	changed := threadline.Options{
		Identity: identity.Options{DefaultRegion: "US", Kinds: []identity.KindPolicy{phoneBlocking("+14155550199")}},
		Triggers: []journey.Trigger{journey.MissedCall()},
		Hooks:    map[string]timeline.Hook{"count": hook{new(int)}},
	}
	_, err := threadline.Open(dir, &changed)
	var de *threadline.DriftError
	require.ErrorAs(t, err, &de)
	got := map[string]threadline.Difference{}
	for _, d := range de.Differences {
		require.False(t, d.Rebuildable, d.Setting)
		got[d.Setting] = d
	}
	require.Equal(t, threadline.Difference{Setting: "identity.default_region", Stored: "", Opened: "US"}, got["identity.default_region"])
	require.Equal(t, "none", got["identity.kind.phone.blocked"].Stored)
	require.Contains(t, got["identity.kind.phone.blocked"].Opened, "1 sha256:")
	require.Equal(t, threadline.Difference{Setting: "identity.kind.phone.normalize", Stored: "builtin", Opened: "custom"}, got["identity.kind.phone.normalize"])
	removed := got["journey.trigger.abandoned-chat.wait"]
	require.NotEmpty(t, removed.Stored, "a default trigger left out")
	require.Empty(t, removed.Opened)
	require.Equal(t, threadline.Difference{Setting: "timeline.hook.count", Opened: "attached"}, got["timeline.hook.count"])
	require.NotContains(t, err.Error(), "+14155550199", "blocked values are recorded as a digest")

	changed.Drift = threadline.DriftAccept
	s = open(t, dir, &changed)
	require.NoError(t, s.Close())
	changed.Drift = threadline.DriftFail
	s = open(t, dir, &changed)
	require.NoError(t, s.Close())

	_, err = threadline.Open(dir, &threadline.Options{Drift: threadline.DriftAccept, Identity: identity.Options{Clock: time.Now}})
	require.ErrorIs(t, err, threadline.ErrInvalidOptions, "options are validated before the fingerprint")
}

func phoneBlocking(blocked ...string) identity.KindPolicy {
	p := defaultPolicy(identity.Phone, "US")
	p.Blocked = blocked
	return p
}

func defaultPolicy(k identity.Kind, region string) identity.KindPolicy {
	for _, p := range identity.DefaultKinds(region, identity.EmailPolicy{}) {
		if p.Kind == k {
			return p
		}
	}
	panic("no default policy for " + string(k))
}

// TestDriftMatching: matching parameters are fingerprinted.
func TestDriftMatching(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s := open(t, dir, nil)
	require.NoError(t, s.Close())
	_, err := threadline.Open(dir, &threadline.Options{Identity: identity.Options{Matching: &identity.MatchOptions{Params: match.DefaultParams()}}})
	var de *threadline.DriftError
	require.ErrorAs(t, err, &de)
	require.Equal(t, threadline.Difference{Setting: "identity.matching", Stored: "off", Opened: "on"}, de.Differences[0])
	require.Greater(t, len(de.Differences), 4, "each parameter is a setting")
}

// TestCorruptFingerprint: a fingerprint record that does not decode is an
// error, not a fresh start.
func TestCorruptFingerprint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s := open(t, dir, nil)
	require.NoError(t, s.Store().Update(context.Background(), func(t *store.Txn) error {
		return t.Set(keys.New(keys.Meta).String(keys.MetaConfig), []byte{0x7f})
	}))
	require.NoError(t, s.Close())
	_, err := threadline.Open(dir, nil)
	require.Error(t, err)
	require.False(t, errors.Is(err, threadline.ErrDrift))
	require.ErrorContains(t, err, "corrupt configuration record")
}

// TestDriftMixed: under the default policy, a journey change that could be
// rebuilt does not carry a change that cannot.
func TestDriftMixed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	s := open(t, dir, nil)
	require.NoError(t, s.Close())
	_, err := threadline.Open(dir, &threadline.Options{Journey: journey.Options{SessionGap: time.Minute}, NoTriggers: true})
	var de *threadline.DriftError
	require.ErrorAs(t, err, &de)
	var rebuildable, other int
	for _, d := range de.Differences {
		if d.Rebuildable {
			rebuildable++
			require.Equal(t, "journey.session_gap", d.Setting)
		} else {
			other++
		}
	}
	require.Equal(t, 1, rebuildable)
	require.Equal(t, len(journey.DefaultTriggers()), other)
}
