package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/handoff"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/journey"
	"github.com/threadline/threadline/timeline"
)

// server exposes the library over JSON. It is safe for concurrent use, as
// every library type it holds is.
type server struct {
	st *threadline.Stack
}

//go:embed desk.html
var deskPage []byte

// maxBody bounds request bodies; the library bounds everything inside.
const maxBody = 4 << 20

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(deskPage)
	})
	mux.HandleFunc("POST /api/observe", s.observe)
	mux.HandleFunc("POST /api/events", s.appendEvents)
	mux.HandleFunc("GET /api/lookup", s.lookup)
	mux.HandleFunc("GET /api/customers/{id}", s.customer)
	mux.HandleFunc("GET /api/customers/{id}/timeline", s.timeline)
	mux.HandleFunc("GET /api/customers/{id}/journeys", s.journeys)
	mux.HandleFunc("GET /api/customers/{id}/packet", s.packet)
	mux.HandleFunc("POST /api/customers/{id}/handoffs", s.handoff)
	mux.HandleFunc("GET /api/customers/{id}/handoffs", s.handoffs)
	mux.HandleFunc("POST /api/customers/{id}/handoffs/{handoff}/ack", s.ack)
	mux.HandleFunc("GET /api/metrics", s.metrics)
	return mux
}

// observeRequest is the JSON body of POST /api/observe.
type observeRequest struct {
	Identifiers []identity.Identifier `json:"identifiers"`
	Source      string                `json:"source"`
	Time        time.Time             `json:"time"`
	Verified    bool                  `json:"verified"`
	Attributes  map[string]string     `json:"attributes"`
	Consent     []struct {
		Purpose string `json:"purpose"`
		Channel string `json:"channel"`
		Granted bool   `json:"granted"`
	} `json:"consent"`
}

func (s *server) observe(w http.ResponseWriter, r *http.Request) {
	var req observeRequest
	if !decode(w, r, &req) {
		return
	}
	obs := identity.Observation{Identifiers: req.Identifiers, Source: req.Source, Time: req.Time, Verified: req.Verified,
		Attributes: req.Attributes}
	for _, c := range req.Consent {
		obs.Consent = append(obs.Consent, identity.ConsentChange{Purpose: c.Purpose, Channel: c.Channel, Granted: c.Granted})
	}
	res, err := s.st.Observe(r.Context(), obs)
	reply(w, res, err)
}

func (s *server) appendEvents(w http.ResponseWriter, r *http.Request) {
	var events []timeline.Event
	if !decode(w, r, &events) {
		return
	}
	res, err := s.st.Append(r.Context(), events...)
	reply(w, res, err)
}

func (s *server) lookup(w http.ResponseWriter, r *http.Request) {
	id, err := identity.Parse(r.URL.Query().Get("id"))
	if err != nil {
		fail(w, err)
		return
	}
	c, err := s.st.Lookup(r.Context(), id)
	reply(w, map[string]string{"customer": c.String()}, err)
}

func (s *server) customer(w http.ResponseWriter, r *http.Request) {
	c, ok := customerID(w, r)
	if !ok {
		return
	}
	cust, err := s.st.Graph().Customer(r.Context(), c)
	reply(w, cust, err)
}

func (s *server) timeline(w http.ResponseWriter, r *http.Request) {
	c, ok := customerID(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	query := timeline.Query{Newest: q.Get("newest") == "true", Cursor: q.Get("cursor"), Case: q.Get("case"), Intent: q.Get("intent")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fail(w, badRequest("limit %q: want a non-negative number", v))
			return
		}
		query.Limit = n
	}
	for _, ch := range q["channel"] {
		query.Channels = append(query.Channels, timeline.Channel(ch))
	}
	page, err := s.st.Read(r.Context(), c, query)
	reply(w, page, err)
}

func (s *server) journeys(w http.ResponseWriter, r *http.Request) {
	c, ok := customerID(w, r)
	if !ok {
		return
	}
	js, err := s.st.Journeys(r.Context(), c)
	reply(w, js, err)
}

// packet previews the packet for a receiving endpoint given as query
// parameters: to_channel, to_kind, to_id.
func (s *server) packet(w http.ResponseWriter, r *http.Request) {
	c, ok := customerID(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	p, err := s.st.Packet(r.Context(), c, handoff.Request{Journey: q.Get("journey"),
		To: handoff.Endpoint{Channel: timeline.Channel(q.Get("to_channel")), Kind: handoff.EndpointKind(q.Get("to_kind")), ID: q.Get("to_id")}})
	reply(w, p, err)
}

// handoffRequest is the JSON body of POST /api/customers/{id}/handoffs.
type handoffRequest struct {
	From    handoff.Endpoint `json:"from"`
	To      handoff.Endpoint `json:"to"`
	Reason  string           `json:"reason"`
	Journey string           `json:"journey"`
}

func (s *server) handoff(w http.ResponseWriter, r *http.Request) {
	c, ok := customerID(w, r)
	if !ok {
		return
	}
	var req handoffRequest
	if !decode(w, r, &req) {
		return
	}
	p, err := s.st.Handoff(r.Context(), c, handoff.Request{From: req.From, To: req.To, Reason: req.Reason, Journey: req.Journey})
	reply(w, p, err)
}

func (s *server) handoffs(w http.ResponseWriter, r *http.Request) {
	c, ok := customerID(w, r)
	if !ok {
		return
	}
	rs, err := s.st.Builder().Handoffs(r.Context(), c)
	reply(w, rs, err)
}

func (s *server) ack(w http.ResponseWriter, r *http.Request) {
	c, ok := customerID(w, r)
	if !ok {
		return
	}
	var by timeline.Actor
	if !decode(w, r, &by) {
		return
	}
	err := s.st.Builder().Acknowledge(r.Context(), c, r.PathValue("handoff"), by)
	reply(w, map[string]string{"acknowledged": r.PathValue("handoff")}, err)
}

// metrics computes journey metrics; from and to (RFC 3339) bound the
// window, segment is "", "first_channel" or "intent".
func (s *server) metrics(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var win journey.Window
	for _, b := range []struct {
		name string
		t    *time.Time
	}{{"from", &win.From}, {"to", &win.To}} {
		if v := q.Get(b.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fail(w, badRequest("%s %q: want RFC 3339", b.name, v))
				return
			}
			*b.t = t
		}
	}
	seg := journey.Segment(q.Get("segment"))
	if seg != journey.AllJourneys && seg != journey.FirstChannel && seg != journey.ByIntent {
		fail(w, badRequest("segment %q: want first_channel or intent", seg))
		return
	}
	rows, err := s.st.Tracker().Compute(r.Context(), win, seg)
	reply(w, rows, err)
}

// errBadRequest marks errors of the HTTP layer itself.
var errBadRequest = errors.New("bad request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errBadRequest}, args...)...)
}

func customerID(w http.ResponseWriter, r *http.Request) (identity.CustomerID, bool) {
	c, err := identity.ParseCustomerID(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return 0, false
	}
	return c, true
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		fail(w, badRequest("body: %v", err))
		return false
	}
	return true
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// status maps the library's typed errors to HTTP statuses.
func status(err error) int {
	switch {
	case errors.Is(err, identity.ErrNotFound), errors.Is(err, handoff.ErrUnknownHandoff), errors.Is(err, handoff.ErrUnknownJourney):
		return http.StatusNotFound
	case errors.Is(err, errBadRequest), errors.Is(err, identity.ErrInvalidIdentifier), errors.Is(err, identity.ErrUnknownKind),
		errors.Is(err, identity.ErrInvalidObservation), errors.Is(err, timeline.ErrInvalidEvent),
		errors.Is(err, handoff.ErrInvalidRequest), errors.Is(err, timeline.ErrInvalidCursor), errors.Is(err, timeline.ErrInvalidQuery):
		return http.StatusBadRequest
	case errors.Is(err, timeline.ErrEventConflict), errors.Is(err, handoff.ErrAlreadyAcknowledged):
		return http.StatusConflict
	default:
		return http.StatusInternalServerError
	}
}

func fail(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status(err))
	json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}
