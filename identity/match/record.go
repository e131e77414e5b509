package match

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Record is one person's profile as a CRM or an observation holds it. Every
// field may be empty: a missing field is neutral evidence, never evidence
// against a match. A Record is a plain value: the package only reads the
// records it is given, so they may be shared between goroutines that do
// not change them.
type Record struct {
	// ID is the caller's key for the record, carried to the output.
	ID string
	// GivenName and FamilyName are the parts of the name. When both are
	// empty, FullName is split: "Lee, Ann" and "Dr Ann B. Lee" both give
	// given name Ann and family name Lee.
	GivenName, FamilyName, FullName string
	// BirthDate is a date of birth as YYYY-MM-DD, YYYYMMDD, or DD/MM/YYYY
	// (also with "." or "-"). Calendar-invalid dates such as 1985-02-30 are
	// still compared component by component; text that is not a date is
	// treated as missing.
	BirthDate string
	// Address is the street address; City the city or suburb; Postcode the
	// postal code; Region the state, county or province.
	Address, City, Postcode, Region string
	// Email is an email address; only its local part (before "@", without
	// a "+tag" and dots) is compared, so a work and a home address of the
	// same person agree.
	Email string
	// Phone is a phone number in any format; its last nine digits are
	// compared, so national and international spellings agree.
	Phone string
	// Exclusive is a strong identifier that two records of one person
	// cannot differ on (a CRM account ID): records with different non-empty
	// values are never put in one cluster, whatever their score.
	Exclusive string
}

// fieldNames maps the names accepted by [Record.Set] to setters. They are
// the attribute names of the identity package.
var fieldNames = map[string]func(*Record) *string{
	"given_name":  func(r *Record) *string { return &r.GivenName },
	"family_name": func(r *Record) *string { return &r.FamilyName },
	"full_name":   func(r *Record) *string { return &r.FullName },
	"birth_date":  func(r *Record) *string { return &r.BirthDate },
	"address":     func(r *Record) *string { return &r.Address },
	"city":        func(r *Record) *string { return &r.City },
	"postcode":    func(r *Record) *string { return &r.Postcode },
	"region":      func(r *Record) *string { return &r.Region },
	"email":       func(r *Record) *string { return &r.Email },
	"phone":       func(r *Record) *string { return &r.Phone },
	"exclusive":   func(r *Record) *string { return &r.Exclusive },
	"id":          func(r *Record) *string { return &r.ID },
}

// FieldNames lists the names [Record.Set] accepts, sorted.
func FieldNames() []string {
	return []string{"address", "birth_date", "city", "email", "exclusive", "family_name",
		"full_name", "given_name", "id", "phone", "postcode", "region"}
}

// Set sets the field called name (given_name, family_name, full_name,
// birth_date, address, city, postcode, region, email, phone, exclusive or
// id) to value. An unknown name returns an error wrapping
// [ErrUnknownField] and changes nothing.
func (r *Record) Set(name, value string) error {
	f, ok := fieldNames[name]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownField, name)
	}
	*f(r) = value
	return nil
}

// Prepared is a record normalized for comparison: names folded to
// lowercase ASCII where Unicode allows (é → e, ß → ss), the full name split,
// the date parsed, the email reduced to its local part and the phone to its
// last digits. Prepare it once and compare it many times. Only
// [Prepared.UnmarshalBinary] changes a Prepared: one that is not being
// unmarshalled into is safe for concurrent use.
type Prepared struct {
	given, family string
	soundex       string
	dob           date
	address       string // words separated by one space
	city          string
	postcode      string
	region        string
	email         string
	phone         string
	exclusive     string
}

type date struct {
	y, m, d int16
	ok      bool // parsed into components
}

// honorifics are titles and suffixes that are not part of a name: "Sir
// John Smith Jr" and "John Smith" are one name. Ordinals ("1st", "3rd")
// are dropped too (see [honorific]).
var honorifics = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true, "sir": true,
	"dame": true, "lady": true, "lord": true, "rev": true, "fr": true, "capt": true, "col": true, "gen": true,
	"jr": true, "jnr": true, "sr": true, "snr": true, "junior": true, "senior": true,
	"ii": true, "iii": true, "iv": true, "phd": true, "md": true, "esq": true,
}

// honorific reports whether the folded word w is a title, a suffix or an
// ordinal.
func honorific(w string) bool {
	if honorifics[w] {
		return true
	}
	n := len(w)
	if n < 3 || w[0] < '0' || w[0] > '9' {
		return false
	}
	switch w[n-2:] {
	case "st", "nd", "rd", "th":
		for i := range n - 2 {
			if w[i] < '0' || w[i] > '9' {
				return false
			}
		}
		return true
	}
	return false
}

// nameWords folds a name and drops its titles, suffixes and ordinals,
// unless that leaves nothing.
func nameWords(s string) []string {
	words := strings.Fields(fold(s))
	kept := words[:0:0]
	for _, w := range words {
		if !honorific(w) {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return words
	}
	return kept
}

// onlyHonorifics reports whether s has words and all are titles,
// suffixes or ordinals.
func onlyHonorifics(s string) bool {
	words := strings.Fields(fold(s))
	for _, w := range words {
		if !honorific(w) {
			return false
		}
	}
	return len(words) > 0
}

// foldName is a name as compared: folded, without titles and suffixes.
func foldName(s string) string {
	if s == "" {
		return ""
	}
	return strings.Join(nameWords(s), " ")
}

// Prepare normalizes r for comparison.
func Prepare(r *Record) *Prepared {
	p := &Prepared{
		given:     foldName(r.GivenName),
		family:    foldName(r.FamilyName),
		dob:       parseDate(r.BirthDate),
		address:   foldAddress(r.Address),
		city:      fold(r.City),
		postcode:  strings.ReplaceAll(fold(r.Postcode), " ", ""),
		region:    fold(r.Region),
		email:     emailLocal(r.Email),
		phone:     lastDigits(digits(r.Phone), 9),
		exclusive: strings.TrimSpace(r.Exclusive),
	}
	if p.given == "" && p.family == "" && r.FullName != "" {
		p.given, p.family = splitName(r.FullName)
	}
	p.soundex = soundex(p.family)
	return p
}

// splitName splits a full name: "Family, Given" or "Given [Middle] Family",
// dropping titles, suffixes, ordinals and middle names.
func splitName(full string) (given, family string) {
	if f, g, ok := strings.Cut(full, ","); ok {
		if !onlyHonorifics(g) {
			given, _, _ = strings.Cut(foldName(g), " ")
			return given, foldName(f)
		}
		full = f // "Ann Lee, PhD"
	}
	words := nameWords(full)
	switch len(words) {
	case 0:
		return "", ""
	case 1:
		return words[0], ""
	}
	return words[0], words[len(words)-1]
}

var addrAbbrev = map[string]string{
	"street": "st", "road": "rd", "avenue": "ave", "av": "ave", "drive": "dr", "lane": "ln",
	"place": "pl", "court": "ct", "crescent": "cres", "terrace": "tce", "boulevard": "blvd",
	"highway": "hwy", "square": "sq", "apartment": "apt", "flat": "apt", "unit": "apt",
	"north": "n", "south": "s", "east": "e", "west": "w",
}

// foldAddress folds an address and abbreviates common street words, so
// "12 Main Street" and "12 main st." agree.
func foldAddress(s string) string {
	words := strings.Fields(fold(s))
	for i, w := range words {
		if a, ok := addrAbbrev[w]; ok {
			words[i] = a
		}
	}
	return strings.Join(words, " ")
}

func emailLocal(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	local, _, ok := strings.Cut(s, "@")
	if !ok {
		return ""
	}
	local, _, _ = strings.Cut(local, "+")
	return strings.ReplaceAll(local, ".", "")
}

func lastDigits(d string, n int) string {
	if len(d) < 6 { // too short to be a phone number
		return ""
	}
	if len(d) > n {
		return d[len(d)-n:]
	}
	return d
}

// parseDate reads YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY into components
// without checking the calendar.
func parseDate(s string) date {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	var y, m, d string
	switch {
	case len(parts) == 1 && len(parts[0]) == 8:
		y, m, d = parts[0][:4], parts[0][4:6], parts[0][6:]
	case len(parts) == 3 && len(parts[0]) == 4:
		y, m, d = parts[0], parts[1], parts[2]
	case len(parts) == 3 && len(parts[2]) == 4:
		d, m, y = parts[0], parts[1], parts[2]
	default:
		return date{}
	}
	yi, e1 := strconv.Atoi(y)
	mi, e2 := strconv.Atoi(m)
	di, e3 := strconv.Atoi(d)
	if e1 != nil || e2 != nil || e3 != nil || len(m) > 2 || len(d) > 2 || yi < 1000 {
		return date{}
	}
	return date{int16(yi), int16(mi), int16(di), true}
}

// valid reports whether the date exists in the calendar.
func (d date) valid() bool {
	if !d.ok || d.m < 1 || d.m > 12 || d.d < 1 {
		return false
	}
	t := time.Date(int(d.y), time.Month(d.m), int(d.d), 0, 0, 0, 0, time.UTC)
	return t.Day() == int(d.d)
}

// days returns the day number of a valid date.
func (d date) days() int {
	return int(time.Date(int(d.y), time.Month(d.m), int(d.d), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// soundex returns the American Soundex code of a folded name ("robert" →
// "r163"), or "" for an empty or non-Latin name.
func soundex(s string) string {
	const codes = "01230120022455012623010202" // a..z
	out := make([]byte, 0, 4)
	var last byte
	for i := 0; i < len(s) && len(out) < 4; i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			continue
		}
		code := codes[c-'a']
		if len(out) == 0 {
			out = append(out, c)
			last = code
			continue
		}
		switch {
		case c == 'h' || c == 'w': // do not separate equal codes
		case code == '0':
			last = 0
		case code != last:
			out = append(out, code)
			last = code
		}
	}
	if len(out) == 0 {
		return ""
	}
	for len(out) < 4 {
		out = append(out, '0')
	}
	return string(out)
}

// String shows the normalized fields, for tests and debugging:
// "given=ann family=lee dob=1985-03-02 ...". Empty fields are left out.
func (p *Prepared) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("given", p.given)
	add("family", p.family)
	if p.dob.ok {
		s := fmt.Sprintf("%04d-%02d-%02d", p.dob.y, p.dob.m, p.dob.d)
		if !p.dob.valid() {
			s += "(invalid)"
		}
		add("dob", s)
	}
	add("address", p.address)
	add("city", p.city)
	add("postcode", p.postcode)
	add("region", p.region)
	add("email", p.email)
	add("phone", p.phone)
	add("exclusive", p.exclusive)
	return strings.Join(parts, " ")
}
