package match

import (
	"fmt"
	"strconv"
	"strings"
)

// BlockingRule makes two records a candidate pair when both have its key
// and the keys are equal. A rule is data: it is parsed from a spec such as
// "family:soundex+birth_year", parts joined by "+", each an attribute with
// an optional transform after ":". A record missing any part has no key
// for the rule.
//
// Attributes and transforms:
//
//	given, family     the folded name; :soundex its Soundex code, :N its
//	                  first N letters (given:1 is the initial)
//	initials          both initials, in either order (survives swapped names)
//	birth_date        the date as parsed; birth_year its year
//	address, city, postcode, region
//	                  the folded value; postcode:N its first N characters
//	email             the email local part
//	phone             the last nine digits; phone:N the last N
//
// A BlockingRule is a plain value, safe for concurrent use.
type BlockingRule struct {
	spec   string
	parts  []keyPart
	fields uint32 // bit per Field whose comparison the key constrains
}

type keyPart struct {
	attr    string
	soundex bool
	n       int // prefix (names, postcode) or suffix (phone) length; 0: whole value
}

// partField is the Field that an attribute's key constrains.
var partField = map[string]Field{
	"given": GivenName, "family": FamilyName, "birth_date": BirthDate, "birth_year": BirthDate,
	"address": Location, "city": Location, "postcode": Location, "region": Location,
	"email": Email, "phone": Phone,
}

// ParseBlockingRule parses a rule spec (see [BlockingRule]). A spec that
// does not parse returns an error wrapping [ErrInvalidRule].
func ParseBlockingRule(spec string) (BlockingRule, error) {
	r := BlockingRule{spec: spec}
	for s := range strings.SplitSeq(spec, "+") {
		attr, arg, hasArg := strings.Cut(strings.TrimSpace(s), ":")
		p := keyPart{attr: attr}
		f, known := partField[attr]
		switch {
		case attr == "initials":
			r.fields |= 1<<GivenName | 1<<FamilyName
		case !known:
			return BlockingRule{}, fmt.Errorf("%w: %q: unknown attribute %q", ErrInvalidRule, spec, attr)
		default:
			r.fields |= 1 << f
		}
		if hasArg {
			n, err := strconv.Atoi(arg)
			switch {
			case arg == "soundex" && (attr == "given" || attr == "family"):
				p.soundex = true
			case err == nil && n > 0 && (attr == "given" || attr == "family" || attr == "postcode" || attr == "phone"):
				p.n = n
			default:
				return BlockingRule{}, fmt.Errorf("%w: %q: transform %q does not apply to %s", ErrInvalidRule, spec, arg, attr)
			}
		}
		r.parts = append(r.parts, p)
	}
	return r, nil
}

// String returns the rule's spec.
func (r BlockingRule) String() string { return r.spec }

// DefaultBlockingRules are the rules bulk runs use unless told otherwise:
// single fields that identify a person nearly alone (the email, the
// phone), the full name, the home (address and postcode), then the
// combinations that find the rest: a sound-alike family name with the
// birth year, the postcode with the initial, the birth date with either
// initial (a changed family name, a nickname) or both in either order
// (swapped names). The sorted neighbourhood on names comes after all of
// them. A birth date alone is left out: at a million records its blocks
// hold some 800 pairs each, tripling the pairs compared.
func DefaultBlockingRules() []string {
	return []string{
		"email", "phone:7", "given+family", "address+postcode",
		"family:soundex+birth_year", "postcode+given:1", "birth_date+given:1", "birth_date+family:1",
		"birth_date+initials",
	}
}

// parseRules parses specs, or the defaults when specs is nil.
func parseRules(specs []string, defaults func() []string) ([]BlockingRule, error) {
	if specs == nil {
		specs = defaults()
	}
	rules := make([]BlockingRule, 0, len(specs))
	for _, s := range specs {
		r, err := ParseBlockingRule(s)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// appendKey appends p's key under r to b, returning b unchanged when p
// lacks a part. Parts are separated by 0x1f, which folded text never holds.
func (r *BlockingRule) appendKey(b []byte, p *Prepared) []byte {
	start := len(b)
	for k, part := range r.parts {
		if k > 0 {
			b = append(b, 0x1f)
		}
		n := len(b)
		b = part.append(b, p)
		if len(b) == n {
			return b[:start]
		}
	}
	return b
}

// plainAttrs give the value of the attributes keyed by their value.
var plainAttrs = map[string]func(*Prepared) string{
	"given":    func(p *Prepared) string { return p.given },
	"family":   func(p *Prepared) string { return p.family },
	"address":  func(p *Prepared) string { return p.address },
	"city":     func(p *Prepared) string { return p.city },
	"postcode": func(p *Prepared) string { return p.postcode },
	"region":   func(p *Prepared) string { return p.region },
	"email":    func(p *Prepared) string { return p.email },
	"phone":    func(p *Prepared) string { return p.phone },
}

func (k *keyPart) append(b []byte, p *Prepared) []byte {
	switch k.attr {
	case "initials":
		if p.given == "" || p.family == "" {
			return b
		}
		x, y := p.given[0], p.family[0]
		return append(b, min(x, y), max(x, y))
	case "birth_date", "birth_year":
		if !p.dob.ok {
			return b
		}
		b = strconv.AppendInt(b, int64(p.dob.y), 10)
		if k.attr == "birth_date" {
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(p.dob.m), 10)
			b = append(b, '-')
			b = strconv.AppendInt(b, int64(p.dob.d), 10)
		}
		return b
	}
	v := plainAttrs[k.attr](p)
	if k.soundex {
		v = soundex(v)
	}
	switch {
	case k.n == 0:
	case len(v) < k.n:
		return b
	case k.attr == "phone": // the last digits
		v = v[len(v)-k.n:]
	default: // a prefix
		v = v[:k.n]
	}
	return append(b, v...)
}
