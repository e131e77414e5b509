package timeline

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Options configures a [Timeline]. nil or the zero value means defaults.
// [Open] works on a copy: Clone, then EnsureDefaults, then Validate, so an
// option it cannot use is an [*OptionError] from Open.
type Options struct {
	// Channels registers channels beyond the built-in ones (voice, chat,
	// email, sms, whatsapp, web, app, social:<network>). A name is not
	// empty and has no white space.
	Channels []Channel
	// Types registers event types beyond the built-in ones, named as
	// channels are.
	Types []Type
	// Limits bounds events; zero fields take the documented defaults.
	Limits Limits
	// Clock returns the current time, used to refuse events from the far
	// future. Default: time.Now.
	Clock func() time.Time
}

// Limits bounds what one event may hold. Zero fields take the defaults;
// negative ones are invalid.
type Limits struct {
	Text        int // bytes of Text; default 64 KiB
	Field       int // bytes of ID, Intent, Case, actor ID, fact and action names; default 256
	Value       int // bytes of a fact value, action outcome or attribute; default 4 KiB
	Facts       int // facts, actions and attributes each; default 64
	Identifiers int // identifiers per event; default 16
	Batch       int // events per Append; default 10,000
}

// limitField is one field of a Limits, with its default.
type limitField struct {
	name string
	v    *int
	def  int
}

// limitFields lists the fields of l, for EnsureDefaults and Validate
// alike.
func (l *Limits) limitFields() []limitField {
	return []limitField{
		{"Text", &l.Text, 64 << 10},
		{"Field", &l.Field, 256},
		{"Value", &l.Value, 4 << 10},
		{"Facts", &l.Facts, 64},
		{"Identifiers", &l.Identifiers, 16},
		{"Batch", &l.Batch, 10_000},
	}
}

// Clone returns a copy of o whose slices are its own; a nil o gives the
// zero Options.
func (o *Options) Clone() *Options {
	var c Options
	if o == nil {
		return &c
	}
	c = *o
	c.Channels = slices.Clone(o.Channels)
	c.Types = slices.Clone(o.Types)
	return &c
}

// EnsureDefaults sets every zero field of o to its default and leaves the
// others, valid or not, as they are.
func (o *Options) EnsureDefaults() {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	for _, f := range o.Limits.limitFields() {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
}

// Validate reports the first field of o (with defaults ensured) that a
// Timeline cannot use, as an [*OptionError].
func (o *Options) Validate() error {
	for i, c := range o.Channels {
		if !validName(string(c)) {
			return &OptionError{Field: fmt.Sprintf("Channels[%d]", i), Value: fmt.Sprintf("%q", c), Reason: "empty or with white space"}
		}
	}
	for i, t := range o.Types {
		if !validName(string(t)) {
			return &OptionError{Field: fmt.Sprintf("Types[%d]", i), Value: fmt.Sprintf("%q", t), Reason: "empty or with white space"}
		}
	}
	for _, f := range o.Limits.limitFields() {
		if *f.v < 0 {
			return &OptionError{Field: "Limits." + f.name, Value: *f.v, Reason: "negative"}
		}
	}
	return nil
}

func validName(s string) bool { return s != "" && !strings.ContainsAny(s, " \t\n") }
