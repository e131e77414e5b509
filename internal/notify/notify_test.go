package notify_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/threadline/threadline/internal/notify"
)

// A panicking subscriber is reported to the logger, and the item still
// reaches the subscribers after it; so do the items after it.
func TestPanickingSubscriberIsIsolated(t *testing.T) {
	var buf bytes.Buffer
	q := notify.Queue[string]{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	var got []string
	q.Subscribe(func(s string) {
		if s == "bad" {
			panic("boom")
		}
	})
	q.Subscribe(func(s string) { got = append(got, s) })
	q.Enqueue("bad", "next")
	require.NotPanics(t, q.Drain)
	require.Equal(t, []string{"bad", "next"}, got)
	require.Contains(t, buf.String(), "subscriber panicked")
	require.Contains(t, buf.String(), "boom")

	q.Enqueue("later")
	q.Drain()
	require.Equal(t, []string{"bad", "next", "later"}, got)
}
