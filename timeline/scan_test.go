package timeline_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/timeline"
)

// scanAll returns the events Scan passes to fn: equal to what Read returns
// only if no event's contents are reused for the next.
func scanAll(t testing.TB, tl *timeline.Timeline, c identity.CustomerID, q timeline.Query) ([]timeline.Event, error) {
	t.Helper()
	var out []timeline.Event
	err := tl.Scan(context.Background(), c, q, func(e timeline.Event) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// TestScanMatchesRead scans a customer whose events carry every field,
// under two identifiers merged together, with each kind of query: the
// events kept equal the events Read returns.
func TestScanMatchesRead(t *testing.T) {
	tl, _ := testTimeline(t)
	ctx := context.Background()
	ann, phone := email("ann"), identity.New(identity.Phone, "+1 415 555 0100")
	var evs []timeline.Event
	for i := range 12 {
		id := ann
		if i%3 == 1 {
			id = phone
		}
		e := testEvent(fmt.Sprintf("s%02d", i), i/2, id) // pairs share a time: order by ID
		e.Channel = []timeline.Channel{timeline.Chat, timeline.Voice, timeline.Email}[i%3]
		e.Intent, e.Case = "billing", fmt.Sprintf("CS-%d", i%2)
		e.Sentiment = timeline.Sentiment(float64(i%5)/5 - 0.4)
		e.Facts = []timeline.Fact{{Key: "order", Value: fmt.Sprint(i)}, {Key: "step", Value: fmt.Sprint(i % 4)}}
		if i%2 == 1 {
			e.Actor, e.Type = timeline.Actor{Kind: timeline.Bot, ID: "helpbot"}, timeline.Note
			e.Actions = []timeline.Action{{Name: "refund", Outcome: "failed"}}
			e.Attrs = map[string]string{"due": testNow.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), "moment": "complaint"}
		}
		evs = append(evs, e)
	}
	res := mustAppend(t, tl, append(evs, testEvent("link", 20, ann, phone))...)
	c := res[len(res)-1].Customer

	first, err := tl.Read(ctx, c, timeline.Query{Limit: 3})
	require.NoError(t, err)
	require.NotEmpty(t, first.Next)
	newestFirst, err := tl.Read(ctx, c, timeline.Query{Limit: 4, Newest: true})
	require.NoError(t, err)
	from := testNow.Add(-time.Hour)
	for _, q := range []timeline.Query{
		{},
		{Newest: true},
		{Channels: []timeline.Channel{timeline.Voice, timeline.Email}},
		{Types: []timeline.Type{timeline.Note}},
		{Case: "CS-1"},
		{Intent: "billing", Limit: 5},
		{Limit: 3},
		{Limit: 100},
		{Cursor: first.Next},
		{Cursor: first.Next, Limit: 2, Types: []timeline.Type{timeline.Message}},
		{Cursor: newestFirst.Next, Newest: true},
		{From: from.Add(2 * time.Minute), To: from.Add(4 * time.Minute)},
		{Intent: "none"},
	} {
		page, err := tl.Read(ctx, c, q)
		require.NoError(t, err, "Read(%+v)", q)
		got, err := scanAll(t, tl, c, q)
		require.NoError(t, err, "Scan(%+v)", q)
		require.Equal(t, page.Events, got, "Scan(%+v) differs from Read", q)
	}
}

// TestScanStops: an error from fn ends the scan and is returned as is.
func TestScanStops(t *testing.T) {
	tl, _ := testTimeline(t)
	ann := email("ann")
	res := mustAppend(t, tl, testEvent("a1", 0, ann), testEvent("a2", 1, ann), testEvent("a3", 2, ann))
	errEnough := errors.New("enough")
	var seen []string
	err := tl.Scan(context.Background(), res[0].Customer, timeline.Query{}, func(e timeline.Event) error {
		if seen = append(seen, e.ID); len(seen) == 2 {
			return errEnough
		}
		return nil
	})
	require.ErrorIs(t, err, errEnough)
	require.Equal(t, []string{"a1", "a2"}, seen)
}

// TestScanBadInput: Scan refuses what Read refuses, with the same errors,
// before calling fn.
func TestScanBadInput(t *testing.T) {
	tl, _ := testTimeline(t)
	ctx := context.Background()
	ann := email("ann")
	res := mustAppend(t, tl, testEvent("a1", 0, ann), testEvent("a2", 1, ann))
	c := res[0].Customer
	oldest, err := tl.Read(ctx, c, timeline.Query{Limit: 1})
	require.NoError(t, err)
	cancelled, stop := context.WithCancel(ctx)
	stop()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		c    identity.CustomerID
		q    timeline.Query
		want error
	}{
		{"negative limit", ctx, c, timeline.Query{Limit: -1}, timeline.ErrInvalidQuery},
		{"garbage cursor", ctx, c, timeline.Query{Cursor: "!!"}, timeline.ErrInvalidCursor},
		{"cursor of the other order", ctx, c, timeline.Query{Cursor: oldest.Next, Newest: true}, timeline.ErrInvalidCursor},
		{"unknown customer", ctx, c + 100, timeline.Query{}, identity.ErrNotFound},
		{"cancelled", cancelled, c, timeline.Query{}, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, readErr := tl.Read(tc.ctx, tc.c, tc.q)
			require.ErrorIs(t, readErr, tc.want)
			err := tl.Scan(tc.ctx, tc.c, tc.q, func(e timeline.Event) error {
				t.Errorf("fn called with %s", e.ID)
				return nil
			})
			require.ErrorIs(t, err, tc.want)
		})
	}
}
