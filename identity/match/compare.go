package match

import (
	"math/bits"
	"strings"

	"github.com/agnivade/levenshtein"
)

// Field is one compared part of a record.
type Field uint8

// The compared fields, in the order of a [Comparison].
const (
	GivenName Field = iota
	FamilyName
	BirthDate
	Location
	Email
	Phone
	NumFields int = iota
)

// Missing is level 0 of every field: one side or both have no value. It is
// neutral: its weight is always 0.
const Missing = 0

// fieldSpec defines a field: its name, its comparison levels (level 0 is
// always missing) and, for fields with term-frequency adjustment, the
// value whose frequency adjusts the exact level.
type fieldSpec struct {
	name    string
	levels  []string
	compare func(a, b *Prepared) uint8
	// tf returns the value counted for term-frequency adjustment; nil
	// means the field is not adjusted.
	tf func(p *Prepared) string
}

// Name levels: the order matters, the first that applies wins.
const (
	nameExact uint8 = 1 + iota
	nameSwapped
	nameClose
	nameVariant
	nameInitial
	nameSimilar
	nameDifferent
)

var specs = [NumFields]fieldSpec{
	GivenName: {
		name: "given_name",
		levels: []string{"missing", "exact", "swapped", "jaro-winkler>=0.92", "variant", "initial-or-prefix",
			"jaro-winkler>=0.80", "different"},
		compare: func(a, b *Prepared) uint8 { return compareName(a.given, b.given, a.family, b.family, true) },
		tf:      func(p *Prepared) string { return p.given },
	},
	FamilyName: {
		name:    "family_name",
		levels:  []string{"missing", "exact", "jaro-winkler>=0.92", "jaro-winkler>=0.80", "different"},
		compare: compareFamily,
		tf:      func(p *Prepared) string { return p.family },
	},
	BirthDate: {
		name: "birth_date",
		levels: []string{"missing", "exact", "day-month-transposed", "one-digit-off",
			"within-30-days", "within-5-years", "different"},
		compare: compareDate,
	},
	Location: {
		name: "location",
		levels: []string{"missing", "same-address", "similar-address", "same-postcode", "near-postcode",
			"same-city", "different"},
		compare: compareLocation,
	},
	Email: {
		name:    "email_local",
		levels:  []string{"missing", "exact", "levenshtein<=1", "jaro-winkler>=0.88", "different"},
		compare: compareEmail,
		tf:      func(p *Prepared) string { return p.email },
	},
	Phone: {
		name:    "phone",
		levels:  []string{"missing", "exact", "levenshtein<=2", "different"},
		compare: comparePhone,
	},
}

// String returns the field's name, e.g. "given_name".
func (f Field) String() string {
	if int(f) < NumFields {
		return specs[f].name
	}
	return "field?"
}

// Levels returns the names of the field's comparison levels; index 0 is
// [Missing].
func (f Field) Levels() []string { return append([]string(nil), specs[f].levels...) }

// Comparison is the comparison vector of a pair: one level per field,
// indexed by [Field].
type Comparison [NumFields]uint8

// Compare returns the comparison vector of a and b.
func Compare(a, b *Prepared) Comparison {
	var c Comparison
	for f := range specs {
		c[f] = specs[f].compare(a, b)
	}
	return c
}

// pack packs a comparison into 4 bits a field.
func (c *Comparison) pack() uint64 {
	var k uint64
	for f := NumFields - 1; f >= 0; f-- {
		k = k<<4 | uint64(c[f])
	}
	return k
}

func unpack(k uint64) Comparison {
	var c Comparison
	for f := range NumFields {
		c[f] = uint8(k & 15)
		k >>= 4
	}
	return c
}

// compareName grades names a and b; aOther and bOther are the other name
// of each record (the family name of a given name), for swapped names.
// Given names (given) also have the variant and initial levels.
func compareName(a, b, aOther, bOther string, given bool) uint8 {
	switch {
	case a == "" || b == "":
		return Missing
	case a == b:
		return nameExact
	case swapped(a, b, aOther, bOther):
		return nameSwapped
	}
	jw := JaroWinkler(a, b)
	switch {
	case jw >= 0.92:
		return nameClose
	case given && variants(a, b):
		return nameVariant
	case given && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)):
		return nameInitial
	case jw >= 0.80:
		return nameSimilar
	}
	return nameDifferent
}

// swapped reports that each record's name is the other's other name,
// exactly or but for a typo in each (Jaro–Winkler 0.92).
func swapped(a, b, aOther, bOther string) bool {
	if aOther == "" || bOther == "" {
		return false
	}
	if a == bOther && b == aOther {
		return true
	}
	// A typo rarely hits the first letter: other pairs are not worth the
	// two similarities.
	return a[0] == bOther[0] && b[0] == aOther[0] &&
		JaroWinkler(a, bOther) >= 0.92 && JaroWinkler(b, aOther) >= 0.92
}

// compareFamily grades family names like given names, without the
// initial level. Swapped names count once, on the given name: the family
// name is then neutral.
func compareFamily(a, b *Prepared) uint8 {
	switch l := compareName(a.family, b.family, a.given, b.given, false); l {
	case nameSwapped:
		return Missing
	case nameExact, Missing:
		return l
	case nameClose:
		return 2
	case nameSimilar:
		return 3
	}
	return 4 // different (a family name has no variant or initial level)
}

// Date levels: the first that applies wins.
const (
	dateExact uint8 = 1 + iota
	dateTransposed
	dateTypo
	dateDays
	dateYears
	dateDifferent
)

// Date tolerances: two valid dates at most closeDays apart are a close
// date (a day mistyped across a month end, a registration date for a
// birth date); birth years at most closeYears apart are weak evidence
// (an age given instead of a date, a historical record's estimate).
const (
	closeDays  = 30
	closeYears = 5
)

func compareDate(a, b *Prepared) uint8 {
	x, y := a.dob, b.dob
	switch {
	case !x.ok || !y.ok:
		return Missing
	case x == y:
		return dateExact
	case x.y == y.y && x.m == y.d && x.d == y.m:
		return dateTransposed
	}
	diff := 0
	typo := true
	for _, c := range [...][3]int{{int(x.y), int(y.y), 4}, {int(x.m), int(y.m), 2}, {int(x.d), int(y.d), 2}} {
		if c[0] != c[1] {
			diff++
			typo = typo && digitTypo(c[0], c[1], c[2])
		}
	}
	switch {
	case diff == 1 && typo:
		return dateTypo
	case x.valid() && y.valid() && abs(x.days()-y.days()) <= closeDays:
		return dateDays
	case abs(int(x.y)-int(y.y)) <= closeYears:
		return dateYears
	}
	return dateDifferent
}

// digitTypo reports whether a and b, written with width digits, differ by
// one digit or by two adjacent digits swapped (1985, 1958).
func digitTypo(a, b, width int) bool {
	var da, db [4]int
	for k := width - 1; k >= 0; k-- {
		da[k], db[k] = a%10, b%10
		a, b = a/10, b/10
	}
	if a != b { // more digits than width
		return false
	}
	var at []int
	for k := range width {
		if da[k] != db[k] {
			at = append(at, k)
		}
	}
	switch len(at) {
	case 1:
		return true
	case 2:
		return at[1] == at[0]+1 && da[at[0]] == db[at[1]] && da[at[1]] == db[at[0]]
	}
	return false
}

// compareLocation compares address, postcode, city and region as one
// field: they say the same thing (where someone lives) at different
// precision, and comparing them apart would count one move, or one shared
// home, several times.
func compareLocation(a, b *Prepared) uint8 {
	if !a.located() || !b.located() {
		return Missing
	}
	samePostcode := a.postcode != "" && a.postcode == b.postcode
	// Equal street addresses are one home only in one area.
	area := samePostcode || (a.postcode == "" || b.postcode == "") &&
		(a.city == "" || b.city == "" || a.city == b.city)
	if a.address != "" && b.address != "" && area {
		if a.address == b.address {
			return 1
		}
		if similarAddress(a, b) {
			return 2
		}
	}
	switch {
	case samePostcode:
		return 3
	case a.postcode != "" && b.postcode != "" && nearPostcode(a.postcode, b.postcode):
		return 4
	case sameCity(a.city, b.city) && (a.region == "" || b.region == "" || a.region == b.region):
		return 5
	}
	return 6
}

// sameCity reports equal cities, or cities of four letters or more but for
// a typo (Jaro–Winkler 0.92: "pittsburg", "pittsburgh").
func sameCity(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return a == b || min(len(a), len(b)) >= 4 && JaroWinkler(a, b) >= 0.92
}

func (p *Prepared) located() bool { return p.address != "" || p.postcode != "" || p.city != "" }

func similarAddress(a, b *Prepared) bool {
	if JaroWinkler(a.address, b.address) >= 0.90 {
		return true
	}
	// Words are counted in place rather than kept split in Prepared: a
	// record decoded from a store then needs no slice.
	common, na, nb := 0, 0, 0
	for t := range strings.FieldsSeq(a.address) {
		na++
		for u := range strings.FieldsSeq(b.address) {
			if t == u {
				common++
				break
			}
		}
	}
	for range strings.FieldsSeq(b.address) {
		nb++
	}
	return 2*common >= max(na, nb)
}

// nearPostcode reports a one-character typo or a shared district: the
// first half of the code ("sw1a" of "sw1a1aa", "941" of "94110").
func nearPostcode(x, y string) bool {
	if withinEdits(x, y, 1) {
		return true
	}
	n := max(len(x), len(y))/2 + 1
	return len(x) >= n && len(y) >= n && x[:n] == y[:n]
}

func compareEmail(a, b *Prepared) uint8 {
	x, y := a.email, b.email
	switch {
	case x == "" || y == "":
		return Missing
	case x == y:
		return 1
	case withinEdits(x, y, 1):
		return 2
	case JaroWinkler(x, y) >= 0.88:
		return 3
	}
	return 4
}

func comparePhone(a, b *Prepared) uint8 {
	x, y := a.phone, b.phone
	switch {
	case x == "" || y == "":
		return Missing
	case x == y:
		return 1
	case withinEdits(x, y, 2):
		return 2
	}
	return 3
}

// JaroWinkler returns the Jaro–Winkler similarity of a and b, from 0
// (nothing in common) to 1 (equal), with the usual prefix scale 0.1 over at
// most four characters. It compares bytes: fold text first (as [Prepare]
// does) so that letters are single bytes.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b) > 64 {
		return jaroWinklerLong(a, b)
	}
	// Strings compared here are short names: 64 bits of flags cover them
	// without allocating.
	window := max(len(b)/2-1, 0)
	var aBits, bBits uint64
	matches := 0
	for i := 0; i < len(a); i++ {
		c := a[i]
		for j := max(i-window, 0); j < min(i+window+1, len(b)); j++ {
			if b[j] == c && bBits&(1<<j) == 0 {
				aBits |= 1 << i
				bBits |= 1 << j
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	// The k-th matched byte of a against the k-th of b.
	transpositions := 0
	for x, y := aBits, bBits; x != 0; x, y = x&(x-1), y&(y-1) {
		if a[bits.TrailingZeros64(x)] != b[bits.TrailingZeros64(y)] {
			transpositions++
		}
	}
	return winkler(a, b, matches, transpositions)
}

// jaroWinklerLong is JaroWinkler for strings longer than 64 bytes, with
// the flags in slices.
func jaroWinklerLong(a, b string) float64 {
	window := max(len(b)/2-1, 0)
	aFlag, bFlag := make([]bool, len(a)), make([]bool, len(b))
	matches := 0
	for i := 0; i < len(a); i++ {
		for j := max(i-window, 0); j < min(i+window+1, len(b)); j++ {
			if a[i] == b[j] && !bFlag[j] {
				aFlag[i], bFlag[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, j := 0, 0
	for i := 0; i < len(a); i++ {
		if !aFlag[i] {
			continue
		}
		for !bFlag[j] {
			j++
		}
		if a[i] != b[j] {
			transpositions++
		}
		j++
	}
	return winkler(a, b, matches, transpositions)
}

// winkler computes the Jaro similarity from the matches and
// transpositions of a (the shorter) and b, and adds the prefix bonus.
func winkler(a, b string, matches, transpositions int) float64 {
	m := float64(matches)
	jaro := (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transpositions/2))/m) / 3
	prefix := 0
	for prefix < min(4, len(a)) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// withinEdits reports whether a and b are at most k insertions, deletions
// or substitutions apart (Levenshtein distance). Short strings, the usual
// case, are checked without allocating; long ones by
// github.com/agnivade/levenshtein.
func withinEdits(a, b string, k int) bool {
	if abs(len(a)-len(b)) > k {
		return false
	}
	if len(b) > 31 {
		return levenshtein.ComputeDistance(a, b) <= k
	}
	if k == 1 {
		return withinOneEdit(a, b)
	}
	var prev, cur [32]int
	for j := range len(b) + 1 {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c = 1 + min(c, prev[j], cur[j-1])
			}
			cur[j] = c
			best = min(best, c)
		}
		if best > k {
			return false
		}
		prev = cur
	}
	return prev[len(b)] <= k
}

// withinOneEdit is withinEdits for k = 1, in one pass: after the common
// prefix, the rest must agree but for one substituted, inserted or deleted
// byte.
func withinOneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch {
	case len(b)-len(a) > 1:
		return false
	case len(a) < len(b):
		return a[i:] == b[i+1:]
	case i == len(a):
		return true // equal
	}
	return a[i+1:] == b[i+1:]
}
