package geco

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
)

// Options configures [Generate]. A nil *Options or the zero value means
// all defaults.
type Options struct {
	// Seed makes the output reproducible: the same options give the same
	// dataset. Default: 0.
	Seed uint64
	// Records is the number of records, originals and duplicates.
	// Default: 10,000.
	Records int
	// Duplicates is the share of records that are duplicates of an
	// original. Default: 0.4.
	Duplicates float64
	// MaxPerEntity is the most duplicates one original gets. An original
	// chosen to have duplicates gets k of them with probability
	// proportional to k^-1.5, k from 1 to MaxPerEntity: most get one, a
	// few get many. Default: 9.
	MaxPerEntity int
	// MaxModifications is the most corruptions one duplicate gets; each
	// gets 1 to MaxModifications, uniformly. Default: 3.
	MaxModifications int
	// NoContacts leaves phone numbers and email addresses out, as FEBRL's
	// records have none: names, birth date and address must carry the
	// matching. Default: false.
	NoContacts bool
	// Households is the share of originals who live with an earlier
	// original: same address and often the same family name and landline,
	// another person. Default: 0.08; negative means none.
	Households float64
}

func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.Records <= 0 {
		out.Records = 10_000
	}
	if out.Duplicates <= 0 || out.Duplicates >= 1 {
		out.Duplicates = 0.4
	}
	if out.MaxPerEntity <= 0 {
		out.MaxPerEntity = 9
	}
	if out.MaxModifications <= 0 {
		out.MaxModifications = 3
	}
	if out.Households == 0 {
		out.Households = 0.08
	}
	return out
}

// Dataset is what [Generate] returns: the records and, for each, where it
// came from.
type Dataset struct {
	// People are the records, shuffled, with IDs "g000001"…, in the form
	// package synth writes and reads as CSV ([synth.WriteCSV]).
	People []synth.Person
	// OriginalOf[i] is the index in People of record i's original, or -1
	// when record i is an original.
	OriginalOf []int
	// Corruptions[i] lists what was done to record i's original to make
	// it, in order; nil for an original.
	Corruptions [][]Corruption
}

// Corruption is one modification of a duplicate.
type Corruption struct {
	// Kind is what was done.
	Kind Kind
	// Fields are the fields it changed, by their names in
	// [match.FieldNames]: one, or two for a name swap, or the four of an
	// address for a move.
	Fields []string
}

// String shows the corruption as "kind(field+field)".
func (c Corruption) String() string { return string(c.Kind) + "(" + strings.Join(c.Fields, "+") + ")" }

type gen struct {
	rng                                              *rand.Rand
	o                                                Options
	givenCum, familyCum, placeCum, streetCum, dupCum []float64
}

// Generate returns a generated dataset. Originals are complete but for
// email (missing in 25%) and phone (15%); duplicates are corrupted copies
// of originals, each field modified at most once (see the package
// comment for the corruptions and their rates).
func Generate(opts *Options) *Dataset {
	o := opts.withDefaults()
	g := &gen{rng: rand.New(rand.NewPCG(o.Seed, 0x9ec0)), o: o,
		givenCum: powerCum(len(givenNames), 0.6), familyCum: powerCum(len(familyNames), 0.5),
		placeCum: powerCum(len(places), 0.7), streetCum: powerCum(len(streetNames), 0.5),
		dupCum: powerCum(o.MaxPerEntity, 1.5)}
	nDup := int(math.Round(float64(o.Records) * o.Duplicates))
	nOrig := o.Records - nDup
	recs := make([]match.Record, 0, o.Records)
	truth := make([]int, 0, o.Records)
	origin := make([]int, 0, o.Records)
	mods := make([][]Corruption, 0, o.Records)
	for i := range nOrig {
		var r match.Record
		if i > 0 && g.rng.Float64() < o.Households {
			r = g.housemate(&recs[g.rng.IntN(i)])
		} else {
			r = g.original()
		}
		recs, truth, origin, mods = append(recs, r), append(truth, i), append(origin, -1), append(mods, nil)
	}
	for _, src := range g.rng.Perm(nOrig) {
		if len(recs) == o.Records {
			break
		}
		for range min(1+g.draw(g.dupCum), o.Records-len(recs)) {
			d, cs := g.duplicate(recs[src])
			recs, truth, origin, mods = append(recs, d), append(truth, src), append(origin, src), append(mods, cs)
		}
	}
	return g.shuffle(recs, truth, origin, mods)
}

// shuffle puts the records in random order, numbers them, and maps
// OriginalOf to the new positions.
func (g *gen) shuffle(recs []match.Record, truth, origin []int, mods [][]Corruption) *Dataset {
	perm := g.rng.Perm(len(recs)) // record i goes to position perm[i]
	ds := &Dataset{People: make([]synth.Person, len(recs)), OriginalOf: make([]int, len(recs)), Corruptions: make([][]Corruption, len(recs))}
	for i, at := range perm {
		ds.People[at] = synth.Person{Record: recs[i], Truth: truth[i]}
		ds.People[at].ID = fmt.Sprintf("g%06d", at+1)
		ds.OriginalOf[at] = -1
		if origin[i] >= 0 {
			ds.OriginalOf[at] = perm[origin[i]]
		}
		ds.Corruptions[at] = mods[i]
	}
	return ds
}

// powerCum returns cumulative weights 1/rank^s for ranks 1..n.
func powerCum(n int, s float64) []float64 {
	cum := make([]float64, n)
	total := 0.0
	for i := range n {
		total += math.Pow(float64(i+1), -s)
		cum[i] = total
	}
	return cum
}

// draw returns an index with probability proportional to its weight,
// given cumulative weights.
func (g *gen) draw(cum []float64) int {
	x := g.rng.Float64() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

func (g *gen) givenName() string { return givenNames[g.draw(g.givenCum)].name }

func (g *gen) familyName() string {
	if g.rng.Float64() < 0.75 {
		return familyNames[g.draw(g.familyCum)]
	}
	return stems[g.rng.IntN(len(stems))] + endings[g.rng.IntN(len(endings))]
}

// birthDate is a day from 1935 to 2007, written YYYYMMDD as FEBRL writes
// dates.
func (g *gen) birthDate() string {
	start := time.Date(1935, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
	return start.AddDate(0, 0, g.rng.IntN(days)).Format("20060102")
}

func (g *gen) home() (address string, p place) {
	street := fmt.Sprintf("%d %s %s", 1+g.rng.IntN(250), streetNames[g.draw(g.streetCum)], streetTypes[g.rng.IntN(len(streetTypes))])
	if g.rng.Float64() < 0.2 {
		street = fmt.Sprintf("%d/%s", 1+g.rng.IntN(30), street) // a unit, Australian style: 4/12 Wattle Crescent
	}
	return street, places[g.draw(g.placeCum)]
}

func (g *gen) phone(state string) string {
	if g.rng.Float64() < 0.6 {
		return fmt.Sprintf("04%02d %03d %03d", g.rng.IntN(100), g.rng.IntN(1000), g.rng.IntN(1000))
	}
	return fmt.Sprintf("(%s) %04d %04d", areaCodes[state], 1000+g.rng.IntN(9000), g.rng.IntN(10000))
}

func (g *gen) email(given, family string) string {
	gv, fm := ascii(given), ascii(family)
	var local string
	switch g.rng.IntN(4) {
	case 0:
		local = gv + "." + fm
	case 1:
		local = gv[:1] + fm
	case 2:
		local = fm + fmt.Sprintf("%02d", g.rng.IntN(100))
	default:
		local = gv + "_" + fm + fmt.Sprint(1+g.rng.IntN(9))
	}
	return local + "@" + domains[g.rng.IntN(len(domains))]
}

func (g *gen) original() match.Record {
	given, family := g.givenName(), g.familyName()
	addr, p := g.home()
	r := match.Record{GivenName: given, FamilyName: family, BirthDate: g.birthDate(),
		Address: addr, City: p.suburb, Postcode: p.postcode, Region: p.state}
	if g.rng.Float64() < 0.85 {
		r.Phone = g.phone(p.state)
	}
	if g.rng.Float64() < 0.75 {
		r.Email = g.email(given, family)
	}
	if g.o.NoContacts {
		r.Phone, r.Email = "", ""
	}
	return r
}

// housemate is another person at r's home: a new original moved in, who
// shares the family name in 70% of households and a landline in half of
// those that have one.
func (g *gen) housemate(r *match.Record) match.Record {
	h := g.original()
	h.Address, h.City, h.Postcode, h.Region = r.Address, r.City, r.Postcode, r.Region
	if g.rng.Float64() < 0.7 {
		h.FamilyName = r.FamilyName
	}
	if strings.HasPrefix(r.Phone, "(") && g.rng.Float64() < 0.5 {
		h.Phone = r.Phone
	}
	if h.Email != "" {
		h.Email = g.email(h.GivenName, h.FamilyName)
	}
	return h
}
