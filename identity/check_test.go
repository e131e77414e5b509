package identity_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
)

// TestCheckKindLimit checks that Check reports a customer holding more
// identifiers of a limited kind than its limit when no accepted conflict
// explains it: two CRM accounts linked past the guard.
func TestCheckKindLimit(t *testing.T) {
	ctx := context.Background()
	g := plainGraph(t)
	crm1, crm2 := identity.New(identity.Account, "crm:1"), identity.New(identity.Account, "crm:2")
	for _, id := range []identity.Identifier{crm1, crm2} {
		_, err := g.Observe(ctx, identity.Observation{Source: "crm", Identifiers: []identity.Identifier{id}})
		require.NoError(t, err)
	}
	vs, err := g.Check(ctx)
	require.NoError(t, err)
	require.Empty(t, vs)

	require.NoError(t, g.ForceLink(ctx, crm1, crm2))
	vs, err = g.Check(ctx)
	require.NoError(t, err)
	require.Len(t, vs, 1)
	require.Contains(t, vs[0].String(), "over the kind limit (account:crm 2 > 1) with no accepted conflict")
}
