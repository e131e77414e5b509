package benchkeep_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/benchkeep"
)

func TestKeepFindCopy(t *testing.T) {
	root := t.TempDir()
	keep := filepath.Join(root, "keep")
	_, ok := benchkeep.Find(keep, "s")
	assert.False(t, ok, "nothing kept yet")

	built := filepath.Join(root, "built")
	require.NoError(t, os.MkdirAll(filepath.Join(built, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(built, "a"), []byte("A"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(built, "sub", "b"), []byte("B"), 0o644))
	p, err := benchkeep.Keep(built, keep, "s")
	require.NoError(t, err)
	_, err = os.Stat(built)
	assert.True(t, os.IsNotExist(err), "Keep moves the store")
	found, ok := benchkeep.Find(keep, "s")
	assert.True(t, ok)
	assert.Equal(t, p, found)

	work := filepath.Join(root, "work")
	require.NoError(t, benchkeep.Copy(found, work))
	for name, want := range map[string]string{"a": "A", filepath.Join("sub", "b"): "B"} {
		b, err := os.ReadFile(filepath.Join(work, name))
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
	}
	// The copy is separate: writing it leaves the kept store alone.
	require.NoError(t, os.WriteFile(filepath.Join(work, "a"), []byte("changed"), 0o644))
	b, err := os.ReadFile(filepath.Join(found, "a"))
	require.NoError(t, err)
	assert.Equal(t, "A", string(b))
	// A file in the way of a store is not a kept store.
	require.NoError(t, os.WriteFile(filepath.Join(keep, "f"), nil, 0o644))
	_, ok = benchkeep.Find(keep, "f")
	assert.False(t, ok)
}
