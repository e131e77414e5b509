package identity

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/keys"
	"github.com/threadline/threadline/store"
)

// TestAttributeRecords checks the attribute table's layout: an
// observation's attributes are one record under its anchor identifier,
// empty values left out, and a record whose fields and values do not pair
// up is reported as corrupt.
func TestAttributeRecords(t *testing.T) {
	ctx := t.Context()
	email := New(Email, "ann@example.com")
	g := matchingTestGraph(t)
	db := g.db
	res, err := g.Observe(ctx, Observation{Source: "t", Identifiers: []Identifier{email}})
	require.NoError(t, err)
	for _, attrs := range []map[string]string{
		{AttrGivenName: "Ann", AttrFamilyName: "Lee", AttrCity: "Oakland", AttrPostcode: ""},
		{AttrCity: "Berkeley"},
		{AttrPostcode: ""}, // nothing to store
	} {
		_, err := g.Observe(ctx, Observation{Source: "crm", Identifiers: []Identifier{email}, Attributes: attrs})
		require.NoError(t, err)
	}
	prefix := attrPrefix(email)
	var records [][]string
	require.NoError(t, db.View(ctx, func(tx *store.Txn) error {
		it := tx.NewIter(prefixRange(prefix))
		for ok := it.First(); ok; ok = it.Next() {
			records = append(records, enc.NewReader(it.Value()).Strings())
		}
		return it.Close()
	}))
	assert.Equal(t, [][]string{
		{AttrCity, "Oakland", AttrFamilyName, "Lee", AttrGivenName, "Ann"},
		{AttrCity, "Berkeley"},
	}, records)
	c, err := g.Customer(ctx, res.Customer)
	require.NoError(t, err)
	assert.Equal(t, "Berkeley", c.Attributes[AttrCity].Value)
	assert.Equal(t, 2, c.Attributes[AttrCity].Observed)
	assert.Equal(t, "Lee", c.Attributes[AttrFamilyName].Value)

	var w enc.Writer
	w.Strings([]string{AttrCity, "Oakland", AttrGivenName})
	w.String("crm")
	w.Bool(false)
	require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
		return tx.Set(keys.Key(attrPrefix(email)).Int(1).Uint(99), w.B)
	}))
	_, err = g.Customer(ctx, res.Customer)
	assert.ErrorContains(t, err, "corrupt attribute record")
}
