package identity

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/store"
)

func TestNormCacheBounded(t *testing.T) {
	c := newNormCache()
	const n = 3 * normCacheShards * normCacheShardSize
	for i := range n {
		raw := fmt.Sprintf("+1415%07d", i)
		c.put(Phone, raw, raw)
		if v, ok := c.get(Phone, raw); assert.True(t, ok) {
			assert.Equal(t, raw, v)
		}
	}
	total := 0
	for i := range c.shards {
		s := &c.shards[i]
		assert.LessOrEqual(t, len(s.ents), normCacheShardSize)
		assert.Equal(t, len(s.ents), len(s.idx))
		for j := range s.ents {
			assert.Equal(t, int32(j), s.idx[s.ents[j].key])
		}
		total += len(s.idx)
	}
	assert.Equal(t, normCacheShards*normCacheShardSize, total)
	// Kinds are kept apart; long input is not cached.
	c.put(Email, "a@b.c", "a@b.c")
	_, ok := c.get(WhatsApp, "a@b.c")
	assert.False(t, ok)
	long := strings.Repeat("a", normCacheMaxInput+1)
	c.put(Visitor, long, long)
	_, ok = c.get(Visitor, long)
	assert.False(t, ok)
}

func TestNormCacheConcurrent(t *testing.T) {
	c := newNormCache()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 20_000 {
				raw := fmt.Sprint(i % 5000)
				if v, ok := c.get(Device, raw); ok && v != "v"+raw {
					t.Errorf("worker %d: %q -> %q", w, raw, v)
					return
				}
				c.put(Device, raw, "v"+raw)
			}
		})
	}
	wg.Wait()
}

// TestNormalizeCached checks that Graph.Normalize answers the same from the
// cache, and that policies the user supplied are never cached.
func TestNormalizeCached(t *testing.T) {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	calls := 0
	g, err := Open(db, &Options{DefaultRegion: "US", Kinds: []KindPolicy{{Kind: Visitor, Strength: Weak,
		Normalize: func(s string) (string, error) { calls++; return fmt.Sprint(s, calls), nil }}}})
	require.NoError(t, err)
	for range 2 {
		id, err := g.Normalize(New(Phone, "(415) 555-0100"))
		require.NoError(t, err)
		assert.Equal(t, New(Phone, "+14155550100"), id)
		_, err = g.Normalize(New(Phone, "555"))
		var ie *InvalidIdentifierError
		require.ErrorAs(t, err, &ie)
		_, err = g.Normalize(New(WhatsApp, "12"))
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, WhatsApp, ie.Kind)
	}
	_, ok := g.norm.get(Phone, "(415) 555-0100")
	assert.True(t, ok)
	_, ok = g.norm.get(Phone, "555")
	assert.False(t, ok, "errors are not cached")
	a, _ := g.Normalize(New(Visitor, "v"))
	b, _ := g.Normalize(New(Visitor, "v"))
	assert.Equal(t, "v1", a.Value)
	assert.Equal(t, "v2", b.Value)
}
