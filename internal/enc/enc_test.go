package enc

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
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

// FuzzReaders: on any input, both readers read the same values, never
// panic, and a reader that failed reads zero values from then on.
func FuzzReaders(f *testing.F) {
	var w Writer
	w.String("chat")
	w.Int(-7)
	w.Bytes([]byte{1, 2})
	w.Float(0.25)
	w.Strings([]string{"x"})
	f.Add(w.B)
	f.Add([]byte{0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		read := func(r *Reader) []any {
			out := []any{r.String(), r.Int(), r.Bytes(), math.Float64bits(r.Float()), r.Strings(), r.Count(), r.Bool(), r.Uint(), r.String()}
			if r.Err() != nil {
				out = append(out, r.Err(), r.String(), r.Uint(), r.Bool())
				require.Equal(t, []any{"", uint64(0), false}, out[len(out)-3:], "reads after a failure")
			}
			return out
		}
		require.Equal(t, read(NewReader(b)), read(NewSharedReader(b)))
	})
}

// TestArena: readers from an arena read what shared readers read, and the
// strings of earlier records stay as they were while later records fill
// and overflow blocks (including records larger than a block).
func TestArena(t *testing.T) {
	var a Arena
	var got, want []string
	for i := range 500 {
		var w Writer
		w.String(string(rune('a' + i%26)))
		w.String(strings.Repeat("x", i*i%(3*arenaBlock)))
		w.Uint(uint64(i))
		r, s := a.NewReader(w.B), NewSharedReader(w.B)
		got = append(got, r.String(), r.String())
		want = append(want, s.String(), s.String())
		require.Equal(t, s.Uint(), r.Uint())
		require.NoError(t, r.Err())
		clear(w.B) // the arena keeps a copy
	}
	require.Equal(t, want, got)
	r := a.NewReader(nil)
	require.Equal(t, []any{"", uint64(0), nil}, []any{r.String(), r.Uint(), r.Err()})
}

func TestContentID(t *testing.T) {
	a := ContentID("x-", "trigger", "event")
	sum := sha256.Sum256([]byte("trigger\x00event"))
	assert.Equal(t, "x-"+hex.EncodeToString(sum[:8]), a)
	assert.Equal(t, a, ContentID("x-", "trigger", "event"), "stable")
	assert.NotEqual(t, a, ContentID("x-", "trigge", "revent"), "parts are delimited")
}
