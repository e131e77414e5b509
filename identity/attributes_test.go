package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
)

func TestSurvivorship(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	g, err := identity.Open(db, &identity.Options{
		Survivorship: map[string]identity.Survivorship{
			identity.AttrFamilyName: identity.MostTrusted,
			identity.AttrCity:       identity.MostFrequent,
		},
		SourceTrust: map[string]int{"kyc": 10, "crm": 5},
	})
	require.NoError(t, err)
	email := identity.New(identity.Email, "ann@example.com")
	phone := identity.New(identity.Phone, "+1 415 555 0100")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, o := range []struct {
		src   string
		id    identity.Identifier
		attrs map[string]string
	}{
		{"kyc", email, map[string]string{"family_name": "Lee", "city": "Oakland", "given_name": "Ann"}},
		{"chat", phone, map[string]string{"family_name": "Li", "city": "Oakland"}},
		{"crm", email, map[string]string{"family_name": "Leigh", "city": "Berkeley", "given_name": "Annie"}},
	} {
		_, err := g.Observe(ctx, identity.Observation{Source: o.src, Time: t0.Add(time.Duration(i) * time.Hour),
			Identifiers: []identity.Identifier{o.id}, Attributes: o.attrs})
		require.NoError(t, err)
	}
	res, err := g.Observe(ctx, identity.Observation{Source: "voice", Time: t0.Add(5 * time.Hour),
		Identifiers: []identity.Identifier{email, phone}})
	require.NoError(t, err)
	require.Equal(t, identity.OutcomeMerged, res.Outcome)

	c, err := g.Customer(ctx, res.Customer)
	require.NoError(t, err)
	require.Equal(t, "Lee", c.Attributes["family_name"].Value, "most trusted source (kyc) wins")
	require.Equal(t, "Oakland", c.Attributes["city"].Value, "most frequent value wins")
	require.Equal(t, "Annie", c.Attributes["given_name"].Value, "default: most recent wins")
	require.Equal(t, 3, c.Attributes["family_name"].Observed)
	require.Equal(t, "Annie Leigh", (&identity.Customer{Attributes: map[string]identity.Attribute{
		"given_name": {Value: "Annie"}, "family_name": {Value: "Leigh"}}}).DisplayName())

	// Splitting sends each attribute observation with its identifier.
	_, err = g.Unlink(ctx, identity.LinkSelector{Observation: res.Observation})
	require.NoError(t, err)
	pc, err := g.Lookup(ctx, phone)
	require.NoError(t, err)
	p, err := g.Customer(ctx, pc)
	require.NoError(t, err)
	require.Equal(t, "Li", p.Attributes["family_name"].Value)
	require.Equal(t, 1, p.Attributes["family_name"].Observed)
}

func TestAllows(t *testing.T) {
	cs := []identity.ConsentState{
		{Purpose: "marketing", Channel: "email", Granted: false},
		{Purpose: "marketing", Channel: "*", Granted: true},
		{Purpose: "service", Channel: "sms", Granted: true},
	}
	require.False(t, identity.Allows(cs, "marketing", "email"))
	require.True(t, identity.Allows(cs, "marketing", "sms"))
	require.True(t, identity.Allows(cs, "service", "sms"))
	require.False(t, identity.Allows(cs, "service", "email"))
	require.False(t, identity.Allows(nil, "survey", "email"))
}
