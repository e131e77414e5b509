package handoff

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/timeline"
)

// ComputeDigest returns what [Packet].Digest holds: the hex SHA-256 of a
// canonical binary encoding of every field of the packet except Summary,
// SummaryError, HandoffID and Digest (the summary is words a model may
// choose differently for the same content). Use it to check that a
// packet, for example one decoded from JSON, is the one a handoff event
// names.
func (p *Packet) ComputeDigest() string {
	buf := digestBufs.Get().(*[]byte)
	w := digestWriter{enc.Writer{B: (*buf)[:0]}}
	defer func() {
		if cap(w.B) <= maxPooledDigest {
			*buf = w.B
			digestBufs.Put(buf)
		}
	}()
	w.Uint(uint64(p.Customer))
	w.String(p.Name)
	each(&w, p.Verified, func(v VerifiedID) { w.strings(v.Identifier, v.Kind, v.Source); w.time(v.At) })
	each(&w, p.Consent, func(c Consent) { w.strings(c.Purpose, c.Channel); w.Bool(c.Granted) })
	w.Bool(p.Issue != nil)
	if is := p.Issue; is != nil {
		w.strings(is.Journey, is.Intent, is.Summary, is.Case)
		w.time(is.Started)
		w.Int(int64(is.Elapsed))
		each(&w, is.Channels, func(c timeline.Channel) { w.String(string(c)) })
		w.Int(int64(is.Contacts))
		each(&w, is.Handoffs, func(h Past) {
			w.String(h.ID)
			w.time(h.At)
			w.strings(string(h.From), string(h.To), h.Reason, string(h.State))
		})
	}
	each(&w, p.Provided, func(f Fact) {
		w.strings(f.Key, f.Value, string(f.Channel))
		w.time(f.At)
		w.Bool(f.Verified)
		w.Bool(f.Current)
	})
	each(&w, p.Tried, func(a Attempt) {
		w.strings(a.Action, string(a.Outcome), string(a.By), a.ByID, string(a.Channel))
		w.time(a.At)
	})
	s := p.Sentiment
	w.Bool(s.Known)
	w.Float(s.Start)
	w.Float(s.Now)
	w.String(s.Trend)
	each(&w, s.Moments, func(m Moment) { w.String(m.Kind); w.time(m.At); w.strings(string(m.Channel), m.Text) })
	each(&w, p.Promises, func(pr Promise) {
		w.strings(pr.Action, string(pr.By), pr.ByID, string(pr.Channel))
		w.time(pr.At)
		w.time(pr.Due)
	})
	w.String(p.Why.Reason)
	w.endpoint(p.Why.From)
	w.endpoint(p.Why.To)
	each(&w, p.Recent, func(t Turn) { w.time(t.At); w.strings(string(t.Channel), string(t.By), t.ByID, t.Text) })
	r := p.Routing
	w.strings(string(r.PreferredChannel), r.PreferenceSource)
	each(&w, r.Agents, func(a AgentHistory) {
		w.String(a.Agent)
		each(&w, a.Channels, func(c timeline.Channel) { w.String(string(c)) })
		w.time(a.First)
		w.time(a.Last)
		w.String(a.Outcome)
		w.Bool(a.Sentiment != nil)
		if a.Sentiment != nil {
			w.Float(*a.Sentiment)
		}
	})
	w.Int(int64(r.Contacts))
	w.Int(int64(r.Elapsed))
	w.Bool(r.Negative)
	w.Int(int64(r.RepeatAsks))
	w.Int(int64(r.LostHandoffs))
	w.Bool(r.Verified)
	w.time(p.Built)
	sum := sha256.Sum256(w.B)
	return hex.EncodeToString(sum[:])
}

// digestBufs holds the buffers packets are encoded in to be hashed, so
// that a packet's digest does not allocate its encoding each time.
var digestBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 8<<10)
	return &b
}}

// maxPooledDigest bounds the buffers kept for reuse: an outsized packet's
// buffer is left to the collector.
const maxPooledDigest = 1 << 20

// digestWriter is an [enc.Writer] with the shapes the digest needs. Every
// string is length-prefixed and every list counted, so no two packets
// encode alike.
type digestWriter struct{ enc.Writer }

func (w *digestWriter) strings(ss ...string) {
	for _, s := range ss {
		w.String(s)
	}
}

// time writes seconds and nanoseconds apart: UnixNano is undefined for
// the zero time a missing due date is.
func (w *digestWriter) time(t time.Time) {
	w.Int(t.Unix())
	w.Uint(uint64(t.Nanosecond()))
}

func (w *digestWriter) endpoint(e Endpoint) { w.strings(string(e.Channel), string(e.Kind), e.ID) }

// each writes a counted list.
func each[T any](w *digestWriter, xs []T, write func(T)) {
	w.Uint(uint64(len(xs)))
	for _, x := range xs {
		write(x)
	}
}
