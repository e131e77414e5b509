package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/timeline"
)

func newTestServer(t *testing.T) *client {
	s, closeDB, err := open(t.TempDir())
	require.NoError(t, err)
	ts := httptest.NewServer(s.routes())
	t.Cleanup(func() {
		ts.Close()
		closeDB()
	})
	return &client{base: ts.URL, out: io.Discard}
}

// TestDesk drives the endpoints as the demo and the desktop page do: the
// packet carries what the email and chat gave, and the handoff is
// acknowledged.
func TestDesk(t *testing.T) {
	c := newTestServer(t)
	require.NoError(t, seed(c))
	require.NoError(t, desk(c))

	var p handoff.Packet
	require.NoError(t, c.call("GET", "/api/customers/c1/packet?to_channel=voice&to_kind=agent", nil, &p))
	require.NotNil(t, p.Issue)
	assert.Equal(t, []timeline.Channel{timeline.Email, timeline.Chat}, p.Issue.Channels)
	assert.Equal(t, "invoice", p.Provided[0].Key)
	assert.Equal(t, "auto_refund", p.Tried[0].Action)
	var rs []handoff.Record
	require.NoError(t, c.call("GET", "/api/customers/c1/handoffs", nil, &rs))
	require.Len(t, rs, 1)
	assert.Equal(t, handoff.StateAcknowledged, rs[0].State)
	assert.Equal(t, "raj", rs[0].AckedBy.ID)

	resp, err := http.Get(c.base + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, string(page), "Already provided")
}

// TestErrors: the library's typed errors become the right statuses, with
// a JSON error body.
func TestErrors(t *testing.T) {
	c := newTestServer(t)
	require.NoError(t, seed(c))
	var rs []handoff.Record
	require.NoError(t, c.call("GET", "/api/customers/c1/handoffs", nil, &rs))
	require.NoError(t, c.call("POST", "/api/customers/c1/handoffs/"+rs[0].ID+"/ack", timeline.Actor{Kind: timeline.Agent, ID: "raj"}, nil))
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/api/observe", `{"identifiers": [{"kind": "email", "value": "not an email"}], "source": "web"}`, 400},
		{"POST", "/api/observe", `{"identifiers": [{"kind": "fax", "value": "1"}], "source": "web"}`, 400},
		{"POST", "/api/observe", `{"identifiers": [], "source": "web"}`, 400},
		{"POST", "/api/observe", `{"unknown": 1}`, 400},
		{"POST", "/api/observe", `{`, 400},
		{"POST", "/api/events", `[{"id": "x"}]`, 400},
		{"POST", "/api/events", `[{"id": "seed-e1", "time": "2026-01-01T00:00:00Z", "channel": "email", "direction": "inbound",
			"actor": {"kind": "customer"}, "type": "email", "identifiers": [{"kind": "email", "value": "ann.lee@example.com"}]}]`, 409},
		{"GET", "/api/lookup?id=email:nobody@example.com", "", 404},
		{"GET", "/api/lookup?id=nokind", "", 400},
		{"GET", "/api/customers/c99", "", 404},
		{"GET", "/api/customers/c1/timeline?limit=-1", "", 400},
		{"GET", "/api/customers/c1/timeline?cursor=zzz", "", 400},
		{"GET", "/api/customers/c1/packet?journey=nope", "", 404},
		{"GET", "/api/customers/c1/packet?to_kind=robot", "", 400},
		{"GET", "/api/customers/c1/packet?to_channel=fax", "", 400},
		{"POST", "/api/customers/c1/handoffs", `{"from": {"channel": "chat", "kind": "bot"}, "to": {"channel": "fax", "kind": "agent"}, "reason": "r"}`, 400},
		{"POST", "/api/customers/c1/handoffs", `{"to": {"channel": "voice", "kind": "agent"}}`, 400},
		{"POST", "/api/customers/c1/handoffs/handoff-none/ack", `{"kind": "agent", "id": "a"}`, 404},
		{"POST", "/api/customers/c1/handoffs/" + rs[0].ID + "/ack", `{"kind": "agent", "id": "zoe"}`, 409},
		{"GET", "/api/metrics?segment=planet", "", 400},
		{"GET", "/api/metrics?from=yesterday", "", 400},
	} {
		req, err := http.NewRequest(tc.method, c.base+tc.path, strings.NewReader(tc.body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, tc.status, resp.StatusCode, "%s %s: %s", tc.method, tc.path, body)
		assert.Contains(t, string(body), `"error":`, "%s %s", tc.method, tc.path)
	}
}
