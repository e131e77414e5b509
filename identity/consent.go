package identity

import (
	"cmp"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/threadline/threadline/internal/enc"
	"github.com/threadline/threadline/internal/ident"
	"github.com/threadline/threadline/internal/keys"
)

// ConsentChange is a consent the customer gave or withdrew in an
// observation, for one purpose ("marketing", "service", "survey") on one
// channel ("sms", "email", "voice", "whatsapp", or "*" for all channels).
type ConsentChange struct {
	Purpose string `json:"purpose"`
	Channel string `json:"channel"`
	Granted bool   `json:"granted"`
}

// ConsentState is a customer's consent for one purpose and channel, as
// combined across its identifiers: the latest statement per identifier,
// then the most restrictive across identifiers (one "no" outweighs any
// "yes": consents survive merges, and a merge must never widen them).
type ConsentState struct {
	Purpose string    `json:"purpose"`
	Channel string    `json:"channel"`
	Granted bool      `json:"granted"`
	Time    time.Time `json:"time,omitzero"` // of the statement that decided
	Source  string    `json:"source"`
}

// Allows reports whether the consents allow contact for purpose on channel:
// an explicit state for the channel decides, else one for channel "*";
// without either, contact is not allowed.
func Allows(cs []ConsentState, purpose, channel string) bool {
	wild := -1
	for i, c := range cs {
		if c.Purpose != purpose {
			continue
		}
		if c.Channel == channel {
			return c.Granted
		}
		if c.Channel == "*" {
			wild = i
		}
	}
	return wild >= 0 && cs[wild].Granted
}

func checkConsent(cs []ConsentChange) error {
	if len(cs) > 64 {
		return fmt.Errorf("%w: %d consent changes, at most 64", ErrInvalidObservation, len(cs))
	}
	for _, c := range cs {
		if c.Purpose == "" || c.Channel == "" || len(c.Purpose) > 64 || len(c.Channel) > 64 ||
			!utf8.ValidString(c.Purpose) || !utf8.ValidString(c.Channel) {
			return fmt.Errorf("%w: consent needs a purpose and a channel of at most 64 bytes", ErrInvalidObservation)
		}
		for _, v := range []string{c.Purpose, c.Channel} {
			if err := ident.Check(v); err != nil {
				return fmt.Errorf("%w: consent %q: %v", ErrInvalidObservation, v, err)
			}
		}
	}
	return nil
}

type consentRec struct {
	Granted bool
	Time    int64
	Source  string
}

func decodeConsent(b []byte) (consentRec, error) {
	r := enc.NewReader(b)
	v := consentRec{Granted: r.Bool(), Time: r.Int(), Source: r.String()}
	return v, corrupt("consent", r.Err())
}

// writeConsent stores consent changes under the anchor identifier, keeping
// per identifier only the latest statement for each purpose and channel.
func (tx *Tx) writeConsent(anchor *cand, cs []ConsentChange, src string, at int64) error {
	for _, c := range cs {
		k := keys.Key(consentPrefix(anchor.id)).String(c.Purpose).String(c.Channel)
		old, found, err := getRec(tx.txn, k, decodeConsent)
		if err != nil {
			return err
		}
		if found && old.Time > at {
			continue
		}
		var w enc.Writer
		w.Bool(c.Granted)
		w.Int(at)
		w.String(src)
		if err := tx.txn.Set(k, w.B); err != nil {
			return err
		}
	}
	return nil
}

// consent combines the consent records of ids, most restrictive first.
func (tx *Tx) consent(ids []Identifier) ([]ConsentState, error) {
	type pc struct{ p, c string }
	states := map[pc]ConsentState{}
	for _, id := range ids {
		prefix := consentPrefix(id)
		it := tx.txn.NewIter(prefixRange(prefix))
		for ok := it.First(); ok; ok = it.Next() {
			d := keys.NewSuffixDecoder(it.Key()[len(prefix):])
			k := pc{d.String(), d.String()}
			r, err := decodeConsent(it.Value())
			if err = firstErr(d.Err(), err); err != nil {
				it.Close()
				return nil, corrupt("consent", err)
			}
			s := ConsentState{Purpose: k.p, Channel: k.c, Granted: r.Granted, Time: fromNano(r.Time), Source: r.Source}
			old, seen := states[k]
			if !seen || (old.Granted && !s.Granted) || (old.Granted == s.Granted && s.Time.After(old.Time)) {
				states[k] = s
			}
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
	}
	out := make([]ConsentState, 0, len(states))
	for _, s := range states {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b ConsentState) int {
		return cmp.Or(cmp.Compare(a.Purpose, b.Purpose), cmp.Compare(a.Channel, b.Channel))
	})
	return out, nil
}
