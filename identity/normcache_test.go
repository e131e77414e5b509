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

// TestNormalizeStored checks that Tx.Normalize and Graph.NormalizeStored
// recognize a phone number the graph holds, given in canonical form,
// without calling the normalizer, and that every other input is
// normalized as Graph.Normalize does it.
func TestNormalizeStored(t *testing.T) {
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	g, err := Open(db, &Options{DefaultRegion: "US"})
	require.NoError(t, err)
	ctx := t.Context()
	_, err = g.Observe(ctx, Observation{Source: "t", Identifiers: []Identifier{New(Phone, "(415) 555-0100"), New(WhatsApp, "+44 20 7946 0958")}})
	require.NoError(t, err)

	inputs := []Identifier{
		New(Phone, "+14155550100"),     // stored, canonical: recognized
		New(WhatsApp, "+442079460958"), // stored, canonical: recognized
		New(Phone, "(415) 555-0100"),   // stored, not canonical: normalized
		New(Phone, "+442079460958"),    // canonical, stored as another kind: normalized
		New(Phone, "+14155550199"),     // canonical, not stored: normalized
		New(Phone, "+1415555"),         // canonical form, invalid number: refused
		New(Phone, "+0123"),            // not E.164: refused
		New(Email, "A@Example.com"),
	}
	var calls []string
	for _, k := range []Kind{Phone, WhatsApp} {
		p := g.kinds[k]
		norm := p.Normalize
		p.Normalize = func(s string) (string, error) { calls = append(calls, string(k)+":"+s); return norm(s) }
	}
	// In a transaction and outside one.
	ways := map[string]func(Identifier) (Identifier, error){
		"Tx.Normalize": func(id Identifier) (out Identifier, err error) {
			require.NoError(t, g.View(ctx, func(tx *Tx) error { out, err = tx.Normalize(id); return nil }))
			return out, err
		},
		"Graph.NormalizeStored": func(id Identifier) (Identifier, error) { return g.NormalizeStored(ctx, id) },
	}
	for name, normalize := range ways {
		for _, id := range inputs {
			want, wantErr := g.Normalize(id)
			g.norm = newNormCache() // every input misses the cache
			calls = calls[:0]
			got, err := normalize(id)
			assert.Equal(t, want, got, "%s: %s", name, id)
			assert.Equal(t, wantErr, err, "%s: %s", name, id)
			switch id {
			case inputs[0], inputs[1]:
				assert.Empty(t, calls, "%s: %s is stored in canonical form", name, id)
				v, ok := g.norm.get(id.Kind, id.Value)
				assert.True(t, ok && v == id.Value, "%s: %s is cached as itself", name, id)
			case inputs[len(inputs)-1]:
				assert.Empty(t, calls)
			default:
				assert.Equal(t, []string{id.String()}, calls, "%s: %s is normalized", name, id)
			}
		}
	}
	// The canonical form test agrees with NormalizePhone's results.
	for _, s := range []string{"+1 (415) 555-0100", "+44 20 7946 0958 ext. 12", "+39 06 1234 5678", "+225 07 1234 5678", "+54 9 11 1234-5678"} {
		v, err := NormalizePhone(s, "")
		require.NoError(t, err)
		assert.True(t, e164Form(v), v)
	}
	for _, s := range []string{"", "+", "14155550100", "+0155", "+1415555010012345", "+1 415", "+1415a"} {
		assert.False(t, e164Form(s), s)
	}

	// An unknown default region, which would refuse every number, stored
	// ones too, is refused by Open.
	_, err = Open(db, &Options{DefaultRegion: "XX"})
	var oe *OptionError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "DefaultRegion", oe.Field)
	// A store error is the store's.
	require.NoError(t, db.Close())
	g.norm = newNormCache()
	_, err = g.NormalizeStored(ctx, New(Phone, "+14155550100"))
	assert.ErrorIs(t, err, store.ErrClosed)
}
