package identity_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
)

// TestCustomKind registers a kind of the user's own with its normalizer,
// limit and blocked values, and overrides a built-in policy.
func TestCustomKind(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	loyalty := identity.Kind("loyalty")
	card := func(s string) (string, error) {
		s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
		if !regexp.MustCompile(`^LC\d{6}$`).MatchString(s) {
			return "", &identity.InvalidIdentifierError{Kind: loyalty, Input: s, Reason: "want LC and six digits"}
		}
		return s, nil
	}
	g, err := identity.Open(db, &identity.Options{Kinds: []identity.KindPolicy{
		{Kind: loyalty, Normalize: card, Limit: 1, Priority: 1, Blocked: []string{"LC000000"}},
		{Kind: identity.Device, Normalize: func(s string) (string, error) { return identity.NormalizeOpaque(identity.Device, s) }, Strength: identity.Strong, Priority: 9},
	}})
	require.NoError(t, err)
	p, ok := g.Policy(identity.Device)
	require.True(t, ok)
	require.Equal(t, identity.Strong, p.Strength)

	a, err := g.Observe(ctx, identity.Observation{Source: "pos", Identifiers: []identity.Identifier{
		identity.New(loyalty, "lc 123 456"), identity.New(identity.Email, "ann@example.com")}})
	require.NoError(t, err)
	require.Equal(t, identity.OutcomeNew, a.Outcome)
	c, err := g.Lookup(ctx, identity.New(loyalty, "LC123456"))
	require.NoError(t, err)
	require.Equal(t, a.Customer, c)

	b, err := g.Observe(ctx, identity.Observation{Source: "pos", Identifiers: []identity.Identifier{
		identity.New(loyalty, "LC654321"), identity.New(identity.Email, "ann@example.com")}})
	require.NoError(t, err)
	require.Len(t, b.Refusals, 1)
	require.Equal(t, identity.GuardLimit, b.Refusals[0].Guard)

	blocked, err := g.Observe(ctx, identity.Observation{Source: "pos", Identifiers: []identity.Identifier{identity.New(loyalty, "LC000000")}})
	require.NoError(t, err)
	require.Equal(t, identity.OutcomeRefused, blocked.Outcome)

	_, err = g.Observe(ctx, identity.Observation{Source: "pos", Identifiers: []identity.Identifier{identity.New(loyalty, "12")}})
	var ie *identity.InvalidIdentifierError
	require.True(t, errors.As(err, &ie))
	require.Equal(t, loyalty, ie.Kind)

	// Strong devices merge (the default is weak).
	d1, _ := g.Observe(ctx, identity.Observation{Source: "app", Identifiers: []identity.Identifier{identity.New(identity.Device, "D1"), identity.New(identity.Email, "x@example.com")}})
	d2, _ := g.Observe(ctx, identity.Observation{Source: "app", Identifiers: []identity.Identifier{identity.New(identity.Device, "D1"), identity.New(identity.Email, "y@example.com")}})
	require.Equal(t, d1.Customer, d2.Customer)

	_, err = identity.Open(db, &identity.Options{Kinds: []identity.KindPolicy{{Kind: "Bad:Kind", Normalize: card}}})
	require.ErrorIs(t, err, identity.ErrInvalidOptions)
	_, err = identity.Open(db, &identity.Options{Kinds: []identity.KindPolicy{{Kind: "nonorm"}}})
	require.ErrorIs(t, err, identity.ErrInvalidOptions)
}

// TestSameValueKinds registers an SMS sender-ID kind that shares values
// with phone (and so, through phone, with WhatsApp): the three kinds of one
// E.164 number meet, whichever arrives first. A SameValue naming no
// registered kind is refused at Open.
func TestSameValueKinds(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	sms := identity.Kind("sms")
	phone := func(s string) (string, error) { return identity.NormalizePhone(s, "US") }
	opts := &identity.Options{DefaultRegion: "US", Kinds: []identity.KindPolicy{
		{Kind: sms, Normalize: phone, Limit: 5, Priority: 4, SameValue: []identity.Kind{identity.Phone, identity.WhatsApp}}}}
	g, err := identity.Open(db, opts)
	require.NoError(t, err)
	first, err := g.Observe(ctx, identity.Observation{Source: "sms", Identifiers: []identity.Identifier{identity.New(sms, "(415) 555-0142")}})
	require.NoError(t, err)
	for _, id := range []identity.Identifier{identity.New(identity.WhatsApp, "+14155550142"), identity.New(identity.Phone, "415 555 0142")} {
		res, err := g.Observe(ctx, identity.Observation{Source: string(id.Kind), Identifiers: []identity.Identifier{id}})
		require.NoError(t, err)
		require.Equal(t, first.Customer, res.Customer, "%s meets the SMS sender", id)
		require.Equal(t, identity.OutcomeAttached, res.Outcome)
	}
	path, err := g.Explain(ctx, identity.New(sms, "+14155550142"), identity.New(identity.WhatsApp, "+14155550142"))
	require.NoError(t, err)
	require.Len(t, path, 1)
	require.Equal(t, identity.RuleSameValue, path[0].Rule)
	vs, err := g.Check(ctx)
	require.NoError(t, err)
	require.Empty(t, vs)

	opts.Kinds[0].SameValue = []identity.Kind{"fax"}
	_, err = identity.Open(db, opts)
	var oe *identity.OptionError
	require.ErrorAs(t, err, &oe)
	require.ErrorIs(t, err, identity.ErrInvalidOptions)
	require.Equal(t, "Kinds[sms].SameValue", oe.Field)
}
