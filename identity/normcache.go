package identity

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// normCache remembers the canonical value of raw identifiers, so that a
// value seen again (a returning caller's phone number, a lookup right after
// an observation) skips its normalizer: phone parsing and validation costs
// 15-20 µs, a cache hit well under one.
//
// What it caches, and why that cannot change a result:
//
//   - Only kinds whose policy is the built-in one from [DefaultKinds] for
//     the graph's own DefaultRegion and Email options. Those normalizers are
//     pure functions of the input (see normalize.go), so the cached answer
//     is the answer. A policy supplied in Options.Kinds is never cached: its
//     Normalize is the user's, and nothing promises it is pure.
//   - Only successes. An error carries the raw input and a reason and is
//     returned as a fresh value each time; invalid input is rare in steady
//     state, and caching it would let a stream of garbage evict the values
//     that are worth keeping. Failures therefore pay the full cost.
//   - Only inputs of at most normCacheMaxInput bytes, so that the cache's
//     memory stays bounded by its entry count.
//
// It is bounded (normCacheShards shards of normCacheShardSize entries,
// about 8 MiB when full) and evicts with the clock algorithm: a hit sets an
// entry's reference bit, and the hand clears bits until it finds an entry
// not used since its last pass. Shards keep concurrent callers from
// contending on one lock. Safe for concurrent use.
type normCache struct {
	seed   maphash.Seed
	shards [normCacheShards]normShard
}

const (
	normCacheShards    = 16
	normCacheShardSize = 4096 // entries per shard: 64k in all
	normCacheMaxInput  = 128  // longer raw input is not cached
)

type normKey struct {
	kind Kind
	raw  string
}

type normEntry struct {
	key normKey
	val string
	ref atomic.Bool
}

type normShard struct {
	mu   sync.RWMutex
	idx  map[normKey]int32 // key -> position in ents
	ents []normEntry       // grows to normCacheShardSize, then recycled by the hand
	hand int
}

func newNormCache() *normCache {
	c := &normCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].idx = make(map[normKey]int32)
	}
	return c
}

func (c *normCache) shard(k Kind, raw string) *normShard {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(raw)
	h.WriteByte(0)
	h.WriteString(string(k))
	return &c.shards[h.Sum64()%normCacheShards]
}

// get returns the cached canonical value of raw for kind k.
func (c *normCache) get(k Kind, raw string) (string, bool) {
	if len(raw) > normCacheMaxInput {
		return "", false
	}
	s := c.shard(k, raw)
	s.mu.RLock()
	i, ok := s.idx[normKey{k, raw}]
	var v string
	if ok {
		e := &s.ents[i]
		v = e.val
		if !e.ref.Load() {
			e.ref.Store(true)
		}
	}
	s.mu.RUnlock()
	return v, ok
}

// put records that raw of kind k normalizes to val.
func (c *normCache) put(k Kind, raw, val string) {
	if len(raw) > normCacheMaxInput {
		return
	}
	s := c.shard(k, raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	key := normKey{k, raw}
	if _, ok := s.idx[key]; ok {
		return
	}
	// Copy the strings: raw may be a slice of a much larger buffer the
	// caller would rather see collected. Canonical input (the common case)
	// shares one copy.
	if raw == val {
		key.raw = strings.Clone(raw)
		val = key.raw
	} else {
		key.raw, val = strings.Clone(raw), strings.Clone(val)
	}
	var i int
	if len(s.ents) < normCacheShardSize {
		i = len(s.ents)
		s.ents = append(s.ents, normEntry{})
	} else {
		for {
			e := &s.ents[s.hand]
			if !e.ref.Load() {
				break
			}
			e.ref.Store(false)
			s.hand = (s.hand + 1) % len(s.ents)
		}
		i = s.hand
		s.hand = (s.hand + 1) % len(s.ents)
		delete(s.idx, s.ents[i].key)
	}
	e := &s.ents[i]
	e.key, e.val = key, val
	e.ref.Store(false)
	s.idx[key] = int32(i)
}
