package csvmap

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/threadline/threadline/identity/match"
)

// Aliases are the header names, besides the field's own name, that map to
// a matcher field without a [Mapping]: English names first, then common
// German, French, Spanish and Dutch ones. A header matches an alias when
// both are equal once lowered and stripped of everything but letters and
// digits ("First Name", "first-name", "FirstName" and "first_name" all
// match "first_name"). Earlier aliases win when several columns match.
// Read only reads Aliases; change it before reading, never during.
var Aliases = map[string][]string{
	"given_name": {"first_name", "forename", "given", "first", "fname", "christian_name",
		"vorname", "prénom", "prenom", "nombre", "voornaam"},
	"family_name": {"last_name", "surname", "family", "last", "lname", "sname",
		"nachname", "familienname", "nom", "nom_de_famille", "apellido", "apellidos", "achternaam"},
	"full_name": {"name", "display_name", "person_name", "contact_name", "customer_name", "first_and_surname",
		"nom_complet", "nombre_completo", "volledige_naam"},
	"birth_date": {"dob", "date_of_birth", "birthdate", "birthday", "born",
		"geburtsdatum", "geburtstag", "date_de_naissance", "fecha_de_nacimiento", "geboortedatum"},
	"address": {"street", "street_address", "address_1", "address_line_1", "addr", "addr_1", "address_line", "line_1",
		"strasse", "straße", "anschrift", "adresse", "rue", "direccion", "dirección", "calle", "straat", "adres"},
	"city": {"town", "suburb", "locality", "municipality", "city_name",
		"ort", "wohnort", "stadt", "ville", "commune", "ciudad", "localidad", "woonplaats", "plaats"},
	"postcode": {"zip", "zip_code", "postal_code", "post_code", "postal",
		"plz", "postleitzahl", "code_postal", "codigo_postal", "código_postal"},
	"region": {"state", "province", "county", "state_code", "bundesland", "département", "departement", "provincia", "provincie"},
	"email":  {"email_address", "e_mail", "mail", "courriel", "correo", "correo_electronico"},
	"phone": {"phone_number", "telephone", "tel", "mobile", "cell", "mobile_phone", "cell_phone", "telephone_number",
		"telefon", "handy", "téléphone", "portable", "teléfono", "telefono", "movil", "móvil", "telefoon"},
	"exclusive": {"account_id", "account_number", "customer_number"},
	"id":        {"contact_id", "record_id", "rec_id", "unique_id", "row_id"},
}

// Words are the words that, found among a header's words, map the column
// to a field when no column is named for the field ("postcode_fake",
// "home_phone", "email_work"). A header's words are split at anything that
// is not a letter or digit, at lower-to-upper case changes and between
// letters and digits. A column is not mapped by a word when its words
// name two fields ("email_address"), when its whole name is an alias of a
// field already mapped, or when a word says it describes another value
// ("phone_type", "email_verified"; see stopWords).
var Words = map[string][]string{
	"given_name":  {"forename", "firstname"},
	"family_name": {"surname", "lastname"},
	"birth_date":  {"dob", "birthdate"},
	"city":        {"city", "town", "suburb"},
	"postcode":    {"postcode", "zip", "zipcode", "postal"},
	"email":       {"email"},
	"phone":       {"phone", "telephone", "mobile"},
}

// Fallbacks are columns that stand in for a field when no column is
// named for it, not even by a word: a place of birth is compared as the
// city when a table has no city (historical records often give where a
// person was born, not where they live). When the table has a city, the
// place of birth stays unmapped, and is reported so.
var Fallbacks = map[string][]string{
	"city": {"birth_place", "place_of_birth", "birthplace", "birth_city", "city_of_birth", "hometown",
		"geburtsort", "lieu_de_naissance", "lugar_de_nacimiento", "geboorteplaats"},
}

// stopWords mark a column that describes a value rather than holding it.
var stopWords = []string{"type", "kind", "status", "flag", "verified", "valid", "count", "source", "format", "consent", "optin", "opt"}

// streetNumbers name a column holding the house number of the address
// column ("street_number" beside "address_1", as FEBRL writes it): Read
// puts it in front of the address.
var streetNumbers = []string{"street_number", "street_no", "street_num", "house_number", "house_no", "house_num"}

// dateParts are the words for a date's components, year first (the order
// the parts are joined in), and datePrefixes the words that may come with
// them: "birth_year", "year_of_birth", "dob_yyyy", "Geburtsjahr" and
// plain "year".
var (
	dateParts    = [3][]string{{"year", "yyyy", "yr", "jahr"}, {"month", "mm", "mon", "monat"}, {"day", "dd", "tag"}}
	datePrefixes = []string{"", "birth", "ofbirth", "dob", "dateofbirth", "born", "b", "geburts"}
)

// Reason says how [Read] chose a field's columns.
type Reason string

// The reasons, in the order Read tries them.
const (
	// ByMapping: the field is named in [Options].Fields.
	ByMapping Reason = "mapping"
	// ByName: a header is the field's name or one of its [Aliases].
	ByName Reason = "name"
	// ByParts: several columns hold parts of the value: a date in three
	// columns (year, month, day), or a house number beside a street.
	ByParts Reason = "parts"
	// ByWord: a word of the header is one of the field's [Words].
	ByWord Reason = "word"
	// ByFallback: a column of [Fallbacks] stands in for the field.
	ByFallback Reason = "fallback"
)

// source is where one field's value comes from: one column, or several
// joined.
type source struct {
	cols []int
	by   Reason
}

// value reads the field's value from a row. One column is returned as it
// is. Several are joined with spaces, leaving empty ones out; a date's
// parts are joined with "-" (year first: the form match reads), and a
// date missing a part is missing.
func (s source) value(field string, row []string) string {
	if len(s.cols) == 1 {
		return row[s.cols[0]]
	}
	parts := make([]string, 0, len(s.cols))
	for _, c := range s.cols {
		v := strings.TrimSpace(row[c])
		if v == "" {
			if field == "birth_date" {
				return ""
			}
			continue
		}
		parts = append(parts, v)
	}
	if field == "birth_date" {
		return strings.Join(parts, "-")
	}
	return strings.Join(parts, " ")
}

// columns is a header row with each column's compact name and words.
type columns struct {
	header  []string
	compact []string
	words   [][]string
	used    []bool
}

func newColumns(header []string, o *Options) *columns {
	c := &columns{header: header, used: make([]bool, len(header))}
	for i, h := range header {
		c.words = append(c.words, words(h))
		c.compact = append(c.compact, strings.Join(c.words[i], ""))
		if slices.Contains(o.Ignore, h) || slices.Contains(o.Keep, h) {
			c.used[i] = true // never mapped; not reported as unmapped either
		}
	}
	return c
}

// words splits a header into lowered words: at anything that is not a
// letter or digit, where lower case turns upper ("FirstName"), and
// between letters and digits ("address1").
func words(h string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range h {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case len(cur) > 0 && (unicode.IsUpper(r) && unicode.IsLower(prev) ||
			unicode.IsDigit(r) != unicode.IsDigit(prev)):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return out
}

func compact(name string) string { return strings.Join(words(name), "") }

// named returns the first unused column whose compact name is one of
// names (earlier names first), or -1.
func (c *columns) named(names []string) int {
	for _, n := range names {
		n = compact(n)
		for i, h := range c.compact {
			if !c.used[i] && h == n {
				return i
			}
		}
	}
	return -1
}

// plan maps every field it can to its source: explicit mappings first,
// then names and aliases, parts, words and fallbacks, each column used by
// one field at most.
func plan(header []string, o *Options) (map[string]source, *columns, error) {
	c := newColumns(header, o)
	p := map[string]source{}
	take := func(f string, by Reason, cols ...int) {
		p[f] = source{cols: cols, by: by}
		for _, i := range cols {
			c.used[i] = true
		}
	}
	for _, f := range match.FieldNames() {
		if spec, ok := o.Fields[f]; ok {
			cols, err := c.explicit(f, spec)
			if err != nil {
				return nil, nil, err
			}
			take(f, ByMapping, cols...)
		}
	}
	// A date's parts are set aside while names are matched, so that
	// "Birth Day" is read as a day, not as a birthday.
	var dateCols []int
	if _, ok := p["birth_date"]; !ok {
		dateCols = c.dateParts()
	}
	c.set(dateCols, true)
	for _, f := range match.FieldNames() {
		if _, ok := p[f]; !ok {
			if i := c.named(append([]string{f}, Aliases[f]...)); i >= 0 {
				take(f, ByName, i)
			}
		}
	}
	c.set(dateCols, false)
	if s, ok := p["address"]; ok && s.by == ByName {
		if n := c.named(streetNumbers); n >= 0 {
			take("address", ByParts, n, s.cols[0])
		}
	}
	if _, ok := p["birth_date"]; !ok && dateCols != nil {
		take("birth_date", ByParts, dateCols...)
	}
	for _, f := range match.FieldNames() {
		if _, ok := p[f]; !ok {
			if i := c.byWord(f); i >= 0 {
				take(f, ByWord, i)
			}
		}
	}
	for _, f := range match.FieldNames() {
		if _, ok := p[f]; !ok && Fallbacks[f] != nil {
			if i := c.named(Fallbacks[f]); i >= 0 {
				take(f, ByFallback, i)
			}
		}
	}
	if len(p) == 0 {
		return nil, nil, fmt.Errorf("%w: no column maps to a matcher field (columns: %s)", ErrMapping, strings.Join(header, ", "))
	}
	return p, c, nil
}

func (c *columns) set(cols []int, used bool) {
	for _, i := range cols {
		c.used[i] = used
	}
}

// explicit finds the columns of an explicit mapping: a header, or headers
// joined by "+" ("street_number+address_1"). A header that contains "+"
// itself is found as it is.
func (c *columns) explicit(f, spec string) ([]int, error) {
	if i := slices.Index(c.header, spec); i >= 0 {
		return []int{i}, nil
	}
	var cols []int
	for _, col := range strings.Split(spec, "+") {
		i := slices.Index(c.header, col)
		if i < 0 {
			return nil, fmt.Errorf("%w: no column %q for field %s", ErrMapping, col, f)
		}
		cols = append(cols, i)
	}
	return cols, nil
}

// dateParts finds a year, a month and a day column sharing one prefix
// ("birth_year", "birth_month", "birth_day"), or nil.
func (c *columns) dateParts() []int {
	for _, pre := range datePrefixes {
		var cols []int
		for _, part := range dateParts {
			var names []string
			for _, w := range part {
				names = append(names, pre+w)
				if pre != "" {
					names = append(names, w+pre)
				}
			}
			if i := c.named(names); i >= 0 {
				cols = append(cols, i)
			}
		}
		if len(cols) == 3 {
			return cols
		}
	}
	return nil
}

// byWord returns the first unused column one of whose words is one of the
// field's [Words], under the rules Words states, or -1.
func (c *columns) byWord(f string) int {
	for i, ws := range c.words {
		if c.used[i] || !containsAny(ws, Words[f]) || containsAny(ws, stopWords) || c.namesField(i) {
			continue
		}
		others := 0
		for g, gw := range Words {
			if g != f && containsAny(ws, gw) {
				others++
			}
		}
		if others == 0 {
			return i
		}
	}
	return -1
}

// namesField reports whether column i's whole name is a field's name or
// alias, so that it is that field's column even when the field is mapped
// elsewhere.
func (c *columns) namesField(i int) bool {
	for _, f := range match.FieldNames() {
		for _, n := range append([]string{f}, Aliases[f]...) {
			if compact(n) == c.compact[i] {
				return true
			}
		}
	}
	return false
}

func containsAny(ws, of []string) bool {
	for _, w := range of {
		if slices.Contains(ws, w) {
			return true
		}
	}
	return false
}

// unmapped lists the columns no field, Ignore or Keep took, in file order.
func (c *columns) unmapped() []string {
	var out []string
	for i, h := range c.header {
		if !c.used[i] {
			out = append(out, h)
		}
	}
	return out
}
