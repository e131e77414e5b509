package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/internal/faulttest"
	"github.com/threadline/threadline/store"
)

// digest hashes every key and value in the store.
func digest(t *testing.T, db *store.DB) faulttest.Digest {
	d, err := faulttest.StoreDigest(context.Background(), db)
	require.NoError(t, err)
	return d
}

// TestBadInputChangesNothing checks invariant 5: every invalid call returns
// a typed error and leaves the store byte-for-byte unchanged.
func TestBadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open("", &store.Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	g, err := identity.Open(db, &identity.Options{Clock: func() time.Time { return now }})
	require.NoError(t, err)
	ann := identity.New(identity.Email, "ann@example.com")
	_, err = g.Observe(ctx, identity.Observation{Source: "chat", Identifiers: []identity.Identifier{ann}})
	require.NoError(t, err)

	many := make([]identity.Identifier, 10_000)
	for i := range many {
		many[i] = identity.New(identity.Visitor, strings.Repeat("v", i%50+1))
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	obs := func(ids ...identity.Identifier) identity.Observation {
		return identity.Observation{Source: "web", Identifiers: ids}
	}
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"no identifiers", func() error { _, err := g.Observe(ctx, obs()); return err }, identity.ErrInvalidObservation},
		{"empty value", func() error { _, err := g.Observe(ctx, obs(identity.New(identity.Email, ""))); return err }, identity.ErrInvalidIdentifier},
		{"unknown kind", func() error { _, err := g.Observe(ctx, obs(identity.New("fax", "1"))); return err }, identity.ErrUnknownKind},
		{"invalid utf-8", func() error { _, err := g.Observe(ctx, obs(identity.New(identity.Visitor, "v\xff"))); return err }, identity.ErrInvalidIdentifier},
		{"10 MB identifier", func() error {
			_, err := g.Observe(ctx, obs(ann, identity.New(identity.Device, strings.Repeat("d", 10<<20))))
			return err
		}, identity.ErrInvalidIdentifier},
		{"10k identifiers", func() error { _, err := g.Observe(ctx, obs(many...)); return err }, identity.ErrInvalidObservation},
		{"one bad among good", func() error {
			_, err := g.Observe(ctx, obs(identity.New(identity.Email, "new@example.com"), identity.New(identity.Phone, "12")))
			return err
		}, identity.ErrInvalidIdentifier},
		{"before 1970", func() error {
			o := obs(ann)
			o.Time = time.Date(1969, 7, 20, 0, 0, 0, 0, time.UTC)
			_, err := g.Observe(ctx, o)
			return err
		}, identity.ErrInvalidObservation},
		{"far future", func() error {
			o := obs(ann)
			o.Time = now.AddDate(10, 0, 0)
			_, err := g.Observe(ctx, o)
			return err
		}, identity.ErrInvalidObservation},
		{"bad attribute name", func() error {
			o := obs(ann)
			o.Attributes = map[string]string{"Given Name": "Ann"}
			_, err := g.Observe(ctx, o)
			return err
		}, identity.ErrInvalidObservation},
		{"oversized source", func() error {
			o := obs(ann)
			o.Source = strings.Repeat("s", 1000)
			_, err := g.Observe(ctx, o)
			return err
		}, identity.ErrInvalidObservation},
		{"NUL in source", func() error {
			o := obs(ann)
			o.Source = "web\x00admin"
			_, err := g.Observe(ctx, o)
			return err
		}, identity.ErrInvalidObservation},
		{"bidi override in consent purpose", func() error {
			o := obs(ann)
			o.Consent = []identity.ConsentChange{{Purpose: "\u202egnitekram", Channel: "email", Granted: true}}
			_, err := g.Observe(ctx, o)
			return err
		}, identity.ErrInvalidObservation},
		{"control character in consent channel", func() error {
			o := obs(ann)
			o.Consent = []identity.ConsentChange{{Purpose: "marketing", Channel: "email\n", Granted: true}}
			_, err := g.Observe(ctx, o)
			return err
		}, identity.ErrInvalidObservation},
		{"cancelled context", func() error { _, err := g.Observe(cancelled, obs(ann)); return err }, context.Canceled},
		{"unknown customer", func() error { _, err := g.Customer(ctx, 99); return err }, identity.ErrNotFound},
		{"forget unknown", func() error { _, err := g.Forget(ctx, 99, identity.ForgetOptions{}); return err }, identity.ErrNotFound},
		{"unlink unknown link", func() error { _, err := g.Unlink(ctx, identity.LinkSelector{Link: 42}); return err }, identity.ErrNotFound},
		{"unlink empty selector", func() error { _, err := g.Unlink(ctx, identity.LinkSelector{}); return err }, identity.ErrNotFound},
		{"decide unknown conflict", func() error { _, err := g.Decide(ctx, 7, identity.Decision{}); return err }, identity.ErrNotFound},
		{"explain unrelated", func() error {
			_, err := g.Explain(ctx, ann, identity.New(identity.Email, "nobody@example.com"))
			return err
		}, identity.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := digest(t, db)
			err := c.call()
			require.Error(t, err)
			require.True(t, errors.Is(err, c.want), "got %v, want %v", err, c.want)
			require.Equal(t, before, digest(t, db), "store changed")
		})
	}
	var ie *identity.InvalidIdentifierError
	_, err = g.Observe(ctx, obs(identity.New(identity.WhatsApp, "not a number")))
	require.ErrorAs(t, err, &ie)
	require.Equal(t, identity.WhatsApp, ie.Kind)
}
