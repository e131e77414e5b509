package enc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReaders: both readers return what was written, and agree on every
// truncation of the input (a corrupt record never reads out of bounds).
func TestReaders(t *testing.T) {
	var w Writer
	w.String("chat")
	w.Uint(300)
	w.String("")
	w.Strings([]string{"a", "bé", "ç"})
	w.Float(-0.5)
	w.Bool(true)
	w.String("last")
	read := func(r *Reader) []any {
		return []any{r.String(), r.Uint(), r.String(), r.Strings(), r.Float(), r.Bool(), r.String(), r.Err()}
	}
	want := []any{"chat", uint64(300), "", []string{"a", "bé", "ç"}, -0.5, true, "last", nil}
	require.Equal(t, want, read(NewReader(w.B)))
	require.Equal(t, want, read(NewSharedReader(w.B)))
	for n := range len(w.B) {
		b := w.B[:n]
		assert.Equal(t, read(NewReader(b)), read(NewSharedReader(b)), "truncated to %d bytes", n)
	}
}
