package jsonlist_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/jsonlist"
)

type inner struct {
	Tags []string `json:"tags"`
}

type outer struct {
	Names []string `json:"names"`
	Given []int    `json:"given"`
	Bytes []byte   `json:"bytes"`
	Inner inner    `json:"inner"`
}

func TestMarshal(t *testing.T) {
	v := outer{Given: []int{1}}
	b, err := jsonlist.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, `{"names":[],"given":[1],"bytes":null,"inner":{"tags":null}}`, string(b),
		"own nil lists become [], bytes and nested structs are left to their own encoding")
	require.Nil(t, v.Names, "the caller's value is not changed")
	b, err = jsonlist.Marshal([]string(nil))
	require.NoError(t, err)
	require.Equal(t, "null", string(b))
}
