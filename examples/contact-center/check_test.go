package main

import (
	"bytes"
	"flag"
	"net/http/httptest"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/check.golden")

const checkGolden = "testdata/check.golden"

// TestCheckGolden is the golden test of what -check prints: every
// endpoint's JSON answer on a stopped clock. Its keys are snake_case, its
// customer IDs read "c1" as in URLs, its empty lists are [] and its unset
// times absent. Rewrite with -update and review the diff.
func TestCheckGolden(t *testing.T) {
	now = func() time.Time { return time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC) }
	defer func() { now = time.Now }()
	s, closeDB, err := open(t.TempDir())
	require.NoError(t, err)
	defer closeDB()
	ts := httptest.NewServer(s.routes())
	defer ts.Close()
	var out bytes.Buffer
	c := &client{base: ts.URL, out: &out}
	require.NoError(t, seed(c))
	require.NoError(t, desk(c))

	for _, m := range regexp.MustCompile(`"([^"]*)":`).FindAllStringSubmatch(out.String(), -1) {
		require.Regexp(t, `^[a-z][a-z0-9_]*$`, m[1], "JSON keys are snake_case")
	}
	require.NotContains(t, out.String(), "null", "empty lists are [], unset values absent")
	require.NotContains(t, out.String(), "0001-01-01", "unset times are omitted")
	require.Contains(t, out.String(), `"customer": "c1"`)
	if *update {
		require.NoError(t, os.WriteFile(checkGolden, out.Bytes(), 0o644))
	}
	want, err := os.ReadFile(checkGolden)
	require.NoError(t, err)
	require.Equal(t, string(want), out.String())
}
