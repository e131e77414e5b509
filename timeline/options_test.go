package timeline_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/timeline"
)

func TestOpenInvalidOptions(t *testing.T) {
	tl, _ := testTimeline(t)
	g := tl.Graph()
	for _, tc := range []struct {
		name  string
		opts  timeline.Options
		field string
	}{
		{"empty channel", timeline.Options{Channels: []timeline.Channel{""}}, "Channels[0]"},
		{"channel with a space", timeline.Options{Channels: []timeline.Channel{"fax", "carrier pigeon"}}, "Channels[1]"},
		{"empty type", timeline.Options{Types: []timeline.Type{""}}, "Types[0]"},
		{"type with a tab", timeline.Options{Types: []timeline.Type{"a\tb"}}, "Types[0]"},
		{"negative Text", timeline.Options{Limits: timeline.Limits{Text: -1}}, "Limits.Text"},
		{"negative Field", timeline.Options{Limits: timeline.Limits{Field: -1}}, "Limits.Field"},
		{"negative Value", timeline.Options{Limits: timeline.Limits{Value: -1}}, "Limits.Value"},
		{"negative Facts", timeline.Options{Limits: timeline.Limits{Facts: -1}}, "Limits.Facts"},
		{"negative Identifiers", timeline.Options{Limits: timeline.Limits{Identifiers: -1}}, "Limits.Identifiers"},
		{"negative Batch", timeline.Options{Limits: timeline.Limits{Batch: -1}}, "Limits.Batch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := timeline.Open(g, &tc.opts)
			require.Nil(t, got)
			require.ErrorIs(t, err, timeline.ErrInvalidOptions)
			var oe *timeline.OptionError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tc.field, oe.Field)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	var nilOpts *timeline.Options
	o := nilOpts.Clone()
	o.EnsureDefaults()
	require.NoError(t, o.Validate())
	assert.Equal(t, timeline.Limits{Text: 64 << 10, Field: 256, Value: 4 << 10, Facts: 64, Identifiers: 16, Batch: 10_000}, o.Limits)
	assert.NotNil(t, o.Clock)

	in := &timeline.Options{Channels: []timeline.Channel{"fax"}, Limits: timeline.Limits{Batch: 5}}
	c := in.Clone()
	c.EnsureDefaults()
	c.Channels[0] = "telex"
	assert.Equal(t, 5, c.Limits.Batch, "a set limit is kept")
	assert.Equal(t, timeline.Channel("fax"), in.Channels[0], "the clone's slices are its own")
	assert.Zero(t, in.Limits.Text, "EnsureDefaults works on the clone")
}
