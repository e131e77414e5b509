package main

import (
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpShapeIsExact(t *testing.T) {
	for y := opKey + 2; y < 20_000; y++ {
		kl, vl := opShape(y)
		require.GreaterOrEqual(t, kl, opKey)
		require.Less(t, kl, 128, "one length byte")
		require.Equal(t, y, 1+kl+uvarintLen(vl)+vl, "y=%d", y)
	}
}

// TestReplayMatchesBatches replays random batch shapes and checks that
// each replayed batch has the recorded size and operation count.
func TestReplayMatchesBatches(t *testing.T) {
	rp, err := openReplayer(t.TempDir(), false)
	require.NoError(t, err)
	defer rp.close()
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		ops := 1 + r.IntN(100)
		size := batchHeader + ops*(11+r.IntN(400)) + r.IntN(50)
		b := rp.db.NewBatch()
		exact, err := rp.fill(b, batch{bytes: uint32(size), ops: uint32(ops)})
		require.NoError(t, err)
		require.True(t, exact)
		require.Equal(t, size, b.Len())
		require.Equal(t, uint32(ops), b.Count())
		require.NoError(t, b.Commit(pebble.NoSync))
		require.NoError(t, b.Close())
	}
	// Operations too small to hold a key: the bytes are kept, not the count.
	b := rp.db.NewBatch()
	exact, err := rp.fill(b, batch{bytes: batchHeader + 30, ops: 10})
	require.NoError(t, err)
	assert.False(t, exact)
	assert.Equal(t, batchHeader+30, b.Len())
	require.NoError(t, b.Close())

	took, inexact, err := rp.replay([]batch{{bytes: 100, ops: 2}, {bytes: batchHeader + 5, ops: 3}}, nil)
	require.NoError(t, err)
	assert.Positive(t, took)
	assert.Equal(t, 1, inexact)
}
