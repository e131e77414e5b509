package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/threadline/threadline/identity/match"
)

// Options configures [Generate]. A nil *Options or the zero value means
// all defaults.
type Options struct {
	// Seed makes the output reproducible: the same options give the same
	// records. Default: 0.
	Seed uint64
	// Records is the number of records. Default: 10,000.
	Records int
	// Duplicates is the share of records that are corrupted copies of
	// another record's person. Default: 0.3.
	Duplicates float64
	// Households is the share of originals that live with another
	// original: same family name, address and often landline, but a
	// different person. They are the usual false matches. Default: 0.1;
	// negative means none.
	Households float64
}

// Person is one generated record and its ground truth.
type Person struct {
	match.Record
	// Truth numbers the real person: records with equal Truth are one
	// person.
	Truth int
}

type gen struct {
	rng *rand.Rand
	o   Options
	// cumulative weights for Zipf draws
	givenCum, familyCum, cityCum []float64
}

// Generate returns generated records, originals and duplicates shuffled,
// with IDs "r000001"…. Each duplicate copies an original and applies one to
// three corruptions like those in real CRM data: typos, transposed
// letters, nicknames, initials, swapped given and family names, a full name
// in one field, dropped diacritics, missing fields, a moved address, a new
// phone or email, reformatted phone numbers, email case and domain changes,
// day and month transposed, a date component off, invalid dates,
// abbreviated street names and postcode typos.
func Generate(opts *Options) []Person {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Records <= 0 {
		o.Records = 10_000
	}
	if o.Duplicates <= 0 || o.Duplicates >= 1 {
		o.Duplicates = 0.3
	}
	if o.Households == 0 {
		o.Households = 0.1
	}
	g := &gen{rng: rand.New(rand.NewPCG(o.Seed, 0x7e57)), o: o,
		givenCum: zipf(len(givenNames)), familyCum: zipf(len(familyNames)), cityCum: zipf(len(cities))}
	nDup := int(math.Round(float64(o.Records) * o.Duplicates))
	nOrig := o.Records - nDup
	people := make([]Person, 0, o.Records)
	for i := range nOrig {
		var p match.Record
		if i > 0 && g.rng.Float64() < o.Households {
			p = g.housemate(&people[g.rng.IntN(len(people))].Record)
		} else {
			p = g.original()
		}
		people = append(people, Person{Record: p, Truth: i})
	}
	for range nDup {
		src := people[g.rng.IntN(nOrig)]
		d := src
		for range 1 + g.pick([]float64{0.45, 0.35, 0.2}) {
			g.corrupt(&d.Record)
		}
		people = append(people, d)
	}
	g.rng.Shuffle(len(people), func(i, j int) { people[i], people[j] = people[j], people[i] })
	for i := range people {
		people[i].ID = fmt.Sprintf("r%06d", i+1)
	}
	return people
}

func zipf(n int) []float64 {
	cum := make([]float64, n)
	s := 0.0
	for i := range n {
		s += 1 / math.Pow(float64(i+1), 0.8)
		cum[i] = s
	}
	return cum
}

func (g *gen) draw(cum []float64) int {
	x := g.rng.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// pick returns an index with the given probabilities.
func (g *gen) pick(p []float64) int {
	x := g.rng.Float64()
	for i, q := range p {
		if x < q {
			return i
		}
		x -= q
	}
	return len(p) - 1
}

func (g *gen) family() string {
	if g.rng.Float64() < 0.6 {
		return familyNames[g.draw(g.familyCum)]
	}
	var b strings.Builder
	for range 2 + g.rng.IntN(2) {
		b.WriteString(syllables[g.rng.IntN(len(syllables))])
	}
	b.WriteString(suffixes[g.rng.IntN(len(suffixes))])
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

func (g *gen) dob(lo, hi int) string {
	y := lo + g.rng.IntN(hi-lo+1)
	m := 1 + g.rng.IntN(12)
	d := 1 + g.rng.IntN(28)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

func (g *gen) address() (addr string, c city, postcode string) {
	c = cities[g.draw(g.cityCum)]
	addr = fmt.Sprintf("%d %s %s", 1+g.rng.IntN(400), streets[g.rng.IntN(len(streets))], streetTypes[g.rng.IntN(len(streetTypes))])
	if g.rng.Float64() < 0.15 {
		addr = fmt.Sprintf("Apt %d, %s", 1+g.rng.IntN(40), addr)
	}
	return addr, c, fmt.Sprintf("%s%02d", c.zip, g.rng.IntN(100))
}

func (g *gen) phone() string {
	return fmt.Sprintf("(%03d) %03d-%04d", 200+g.rng.IntN(800), 200+g.rng.IntN(800), g.rng.IntN(10000))
}

func (g *gen) email(given, family string) string {
	gv, fm := asciiLower(given), asciiLower(family)
	var local string
	switch g.rng.IntN(5) {
	case 0:
		local = gv + "." + fm
	case 1:
		local = gv + fm + strconv.Itoa(g.rng.IntN(100))
	case 2:
		local = gv[:1] + fm
	case 3:
		local = fm + "." + gv + strconv.Itoa(1950+g.rng.IntN(60))
	default:
		local = gv + "_" + fm[:min(3, len(fm))] + strconv.Itoa(g.rng.IntN(1000))
	}
	return local + "@" + domains[g.rng.IntN(len(domains))]
}

func (g *gen) original() match.Record {
	given, family := givenNames[g.draw(g.givenCum)], g.family()
	addr, c, pc := g.address()
	r := match.Record{GivenName: given, FamilyName: family, BirthDate: g.dob(1940, 2006),
		Address: addr, City: c.name, Postcode: pc, Region: c.region}
	if g.rng.Float64() < 0.8 {
		r.Email = g.email(given, family)
	}
	if g.rng.Float64() < 0.85 {
		r.Phone = g.phone()
	}
	return r
}

// housemate is another person at r's address: same family name and
// address, sometimes the same landline.
func (g *gen) housemate(r *match.Record) match.Record {
	h := g.original()
	h.FamilyName, h.Address, h.City, h.Postcode, h.Region = r.FamilyName, r.Address, r.City, r.Postcode, r.Region
	if g.rng.Float64() < 0.4 {
		h.Phone = r.Phone
	}
	if h.Email != "" {
		h.Email = g.email(h.GivenName, h.FamilyName)
	}
	return h
}

// corruptions, with their relative frequencies.
var corruptions = []struct {
	weight float64
	apply  func(g *gen, r *match.Record)
}{
	{8, func(g *gen, r *match.Record) { r.GivenName = g.typo(r.GivenName) }},
	{8, func(g *gen, r *match.Record) { r.FamilyName = g.typo(r.FamilyName) }},
	{4, func(g *gen, r *match.Record) {
		if n := nicknames[r.GivenName]; len(n) > 0 {
			r.GivenName = n[g.rng.IntN(len(n))]
		}
	}},
	{2, func(g *gen, r *match.Record) {
		if r.GivenName != "" {
			r.GivenName = string([]rune(r.GivenName)[:1])
		}
	}},
	{3, func(g *gen, r *match.Record) { r.GivenName, r.FamilyName = r.FamilyName, r.GivenName }},
	{4, func(g *gen, r *match.Record) {
		if g.rng.IntN(2) == 0 {
			r.FullName = r.GivenName + " " + r.FamilyName
		} else {
			r.FullName = strings.ToUpper(r.FamilyName) + ", " + r.GivenName
		}
		r.GivenName, r.FamilyName = "", ""
	}},
	{3, func(g *gen, r *match.Record) {
		r.GivenName, r.FamilyName = stripMarks(r.GivenName), stripMarks(r.FamilyName)
	}},
	{12, func(g *gen, r *match.Record) {
		fields := []*string{&r.BirthDate, &r.Address, &r.Email, &r.Phone, &r.Postcode, &r.City, &r.Region}
		*fields[g.rng.IntN(len(fields))] = ""
	}},
	{6, func(g *gen, r *match.Record) {
		addr, c, pc := g.address()
		r.Address, r.City, r.Postcode, r.Region = addr, c.name, pc, c.region
	}},
	{4, func(g *gen, r *match.Record) { r.Phone = g.phone() }},
	{5, func(g *gen, r *match.Record) {
		if d := onlyDigits(r.Phone); len(d) == 10 {
			r.Phone = [...]string{"+1 " + d[:3] + " " + d[3:6] + " " + d[6:], d, "1-" + d[:3] + "-" + d[3:6] + "-" + d[6:]}[g.rng.IntN(3)]
		}
	}},
	{5, func(g *gen, r *match.Record) {
		switch {
		case r.Email == "":
		case g.rng.IntN(3) == 0:
			r.Email = strings.ToUpper(r.Email)
		case g.rng.IntN(2) == 0:
			local, _, _ := strings.Cut(r.Email, "@")
			r.Email = local + "@" + domains[g.rng.IntN(len(domains))]
		default:
			r.Email = g.email(r.GivenName, r.FamilyName)
		}
	}},
	{3, func(g *gen, r *match.Record) {
		if y, m, d, ok := ymd(r.BirthDate); ok && d <= 12 {
			r.BirthDate = fmt.Sprintf("%04d-%02d-%02d", y, d, m)
		}
	}},
	{4, func(g *gen, r *match.Record) {
		if y, m, d, ok := ymd(r.BirthDate); ok {
			switch g.rng.IntN(3) {
			case 0:
				y += 1 - 2*g.rng.IntN(2)
			case 1:
				m = 1 + g.rng.IntN(12)
			default:
				d = 1 + g.rng.IntN(28)
			}
			r.BirthDate = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		}
	}},
	{2, func(g *gen, r *match.Record) {
		if y, _, _, ok := ymd(r.BirthDate); ok {
			r.BirthDate = [...]string{fmt.Sprintf("%04d-%02d-31", y, 2+2*g.rng.IntN(2)), "00/00/0000", "unknown"}[g.rng.IntN(3)]
		}
	}},
	{3, func(g *gen, r *match.Record) {
		if y, m, d, ok := ymd(r.BirthDate); ok {
			r.BirthDate = fmt.Sprintf("%02d/%02d/%04d", d, m, y)
		}
	}},
	{4, func(g *gen, r *match.Record) {
		r.Address = strings.NewReplacer("Street", "St.", "Avenue", "Ave", "Road", "Rd", "Drive", "Dr", "Apt", "Unit").Replace(r.Address)
		if g.rng.IntN(2) == 0 {
			r.Address = strings.ToUpper(r.Address)
		}
	}},
	{3, func(g *gen, r *match.Record) { r.Postcode = g.typo(r.Postcode) }},
	{1, func(g *gen, r *match.Record) { r.FamilyName = g.family() }},
}

var corruptionCum = func() []float64 {
	c := make([]float64, len(corruptions))
	s := 0.0
	for i, x := range corruptions {
		s += x.weight
		c[i] = s
	}
	return c
}()

func (g *gen) corrupt(r *match.Record) { corruptions[g.draw(corruptionCum)].apply(g, r) }

// typo inserts, deletes, substitutes or transposes one letter.
func (g *gen) typo(s string) string {
	r := []rune(s)
	if len(r) < 2 {
		return s
	}
	i := g.rng.IntN(len(r) - 1)
	letter := rune('a' + g.rng.IntN(26))
	if unicode.IsDigit(r[i]) {
		letter = rune('0' + g.rng.IntN(10))
	}
	switch g.rng.IntN(4) {
	case 0:
		r = append(r[:i+1], append([]rune{letter}, r[i+1:]...)...)
	case 1:
		r = append(r[:i+1], r[i+2:]...)
	case 2:
		r[i+1] = letter
	default:
		r[i], r[i+1] = r[i+1], r[i]
	}
	return string(r)
}

func stripMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func asciiLower(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(stripMarks(s)) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func ymd(s string) (y, m, d int, ok bool) {
	if _, err := fmt.Sscanf(s, "%4d-%2d-%2d", &y, &m, &d); err != nil {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// Columns are the CSV columns [WriteCSV] writes and [ReadCSV] reads.
var Columns = []string{"id", "truth", "given_name", "family_name", "full_name", "birth_date",
	"address", "city", "postcode", "region", "email", "phone"}

// WriteCSV writes people as CSV with a header of [Columns].
func WriteCSV(w io.Writer, people []Person) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for _, p := range people {
		r := p.Record
		if err := cw.Write([]string{r.ID, strconv.Itoa(p.Truth), r.GivenName, r.FamilyName, r.FullName,
			r.BirthDate, r.Address, r.City, r.Postcode, r.Region, r.Email, r.Phone}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads what [WriteCSV] wrote.
func ReadCSV(rd io.Reader) ([]Person, error) {
	rows, err := csv.NewReader(rd).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(Columns, ",") {
		return nil, fmt.Errorf("synth: header is not %v", Columns)
	}
	out := make([]Person, 0, len(rows)-1)
	for _, row := range rows[1:] {
		t, err := strconv.Atoi(row[1])
		if err != nil {
			return nil, fmt.Errorf("synth: truth %q: %w", row[1], err)
		}
		p := Person{Truth: t}
		for c, name := range Columns {
			if name != "truth" {
				if err := p.Set(name, row[c]); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}
