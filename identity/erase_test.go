package identity_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
)

// TestErasers: Forget runs the registered erasers in name order, inside
// its transaction, with the live customer and its identifiers; a name
// registered again replaces, nil removes. Once a layer requires its
// eraser, a graph without it refuses to forget and erases nothing.
func TestErasers(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	g, err := identity.Open(db, nil)
	require.NoError(t, err)
	ann, bo := identity.New(identity.Email, "ann@example.com"), identity.New(identity.Email, "bo@example.com")
	for _, id := range []identity.Identifier{ann, bo} {
		_, err := g.Observe(ctx, identity.Observation{Source: "web", Identifiers: []identity.Identifier{id}})
		require.NoError(t, err)
	}
	_, err = g.Observe(ctx, identity.Observation{Source: "web", Identifiers: []identity.Identifier{ann, bo}}) // c2 into c1
	require.NoError(t, err)

	var log []string
	eraser := func(name string) identity.Eraser {
		return identity.EraserFunc(func(tx *identity.Tx, c identity.CustomerID, ids []identity.Identifier) error {
			// Logged on commit: the transaction may run more than once.
			tx.Store().OnCommit(func() { log = append(log, name+"@"+c.String()) })
			assert.ElementsMatch(t, []identity.Identifier{ann, bo}, ids)
			return nil
		})
	}
	g.RegisterEraser("b", eraser("b"))
	g.RegisterEraser("a", eraser("wrong"))
	g.RegisterEraser("a", eraser("a"))
	g.RegisterEraser("c", eraser("c"))
	g.RegisterEraser("c", nil)
	require.NoError(t, g.Update(ctx, func(tx *identity.Tx) error { return tx.RequireEraser("b") }))

	other, err := identity.Open(db, nil)
	require.NoError(t, err)
	other.RegisterEraser("a", eraser("a"))
	_, err = other.Forget(ctx, 2, identity.ForgetOptions{})
	var incomplete *identity.IncompleteErasureError
	require.ErrorAs(t, err, &incomplete)
	assert.ErrorIs(t, err, identity.ErrIncompleteErasure)
	assert.Equal(t, []string{"b"}, incomplete.Missing)
	assert.Contains(t, err.Error(), "erased by b, not registered")
	assert.Empty(t, log, "no eraser ran")
	c, err := g.Lookup(ctx, ann)
	require.NoError(t, err, "nothing erased")

	_, err = g.Forget(ctx, 2, identity.ForgetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a@" + c.String(), "b@" + c.String()}, log)
	_, err = g.Lookup(ctx, ann)
	assert.ErrorIs(t, err, identity.ErrNotFound)
}
