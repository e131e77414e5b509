package geco

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/threadline/threadline/identity/match"
)

// Kind is a kind of corruption, as GeCo and FEBRL's generator name them.
type Kind string

// The kinds of corruption.
const (
	// Keyboard: a character replaced by a neighbouring key on a QWERTY
	// keyboard, or such a key typed after it.
	Keyboard Kind = "keyboard"
	// OCR: characters read as look-alikes (m ↔ rn, l ↔ 1, o ↔ 0, cl ↔ d).
	OCR Kind = "ocr"
	// Phonetic: spelled as it sounds (ph ↔ f, ck → k, ie ↔ y, mac ↔ mc).
	Phonetic Kind = "phonetic"
	// Edit: a character inserted, deleted or replaced, or two swapped.
	Edit Kind = "edit"
	// Nickname: a given name replaced by a short form (Frederick → Freddie).
	Nickname Kind = "nickname"
	// Initial: a given name cut to its initial.
	Initial Kind = "initial"
	// Missing: a value left out.
	Missing Kind = "missing"
	// Swap: given and family names exchanged, or a date's day and month.
	Swap Kind = "swap"
	// Offset: a date moved by days or years.
	Offset Kind = "offset"
	// Format: the same value written another way: a date's layout, a phone
	// number's, an email in capitals, a state spelled out, a street type
	// abbreviated.
	Format Kind = "format"
	// Replace: a new value: a new family name (marriage), a move (address,
	// city, postcode and state together), a new phone number or email
	// domain.
	Replace Kind = "replace"
	// Space: a space, hyphen or apostrophe of a family name removed or
	// added (van der Berg → Vanderberg, MacLeod → Mac Leod).
	Space Kind = "space"
)

// corruptor changes a record and returns the fields it changed, or nil
// when it does not apply to the record (it then changes nothing).
type corruptor func(g *gen, r *match.Record, done map[string]bool) []string

type kindRule struct {
	kind   Kind
	weight float64
	apply  corruptor
}

type fieldRule struct {
	field  string
	weight float64
	kinds  []kindRule
}

// rules are the corruptions and their weights: a modification picks a
// field with its weight among the duplicate's fields that are not empty
// and not yet modified, then a kind with its weight among those that apply
// to the value. The package comment states the resulting rates.
var rules = []fieldRule{
	{"given_name", 20, []kindRule{
		{Keyboard, 3, text("given_name", keyboard)}, {OCR, 2, text("given_name", ocr)}, {Phonetic, 3, text("given_name", phonetic)},
		{Edit, 4, text("given_name", edit)}, {Nickname, 5, nickname}, {Initial, 2, initial},
		{Missing, 1, missing("given_name")}, {Swap, 2, swapNames}}},
	{"family_name", 20, []kindRule{
		{Keyboard, 3, text("family_name", keyboard)}, {OCR, 2, text("family_name", ocr)}, {Phonetic, 4, text("family_name", phonetic)},
		{Edit, 5, text("family_name", edit)}, {Space, 2, text("family_name", spacing)}, {Replace, 1, newFamilyName},
		{Missing, 1, missing("family_name")}}},
	{"birth_date", 14, []kindRule{
		{Keyboard, 3, text("birth_date", keyboard)}, {Swap, 2, swapDayMonth}, {Offset, 4, offsetDate},
		{Format, 3, formatDate}, {Missing, 2, missing("birth_date")}}},
	{"address", 14, []kindRule{
		{Keyboard, 2, text("address", keyboard)}, {OCR, 1, text("address", ocr)}, {Phonetic, 1, text("address", phonetic)},
		{Edit, 2, text("address", edit)}, {Format, 3, text("address", abbreviate)}, {Missing, 2, missing("address")},
		{Replace, 3, move}}},
	{"city", 6, []kindRule{
		{Keyboard, 2, text("city", keyboard)}, {OCR, 1, text("city", ocr)}, {Phonetic, 2, text("city", phonetic)},
		{Edit, 2, text("city", edit)}, {Missing, 3, missing("city")}}},
	{"postcode", 6, []kindRule{
		{Keyboard, 4, text("postcode", keyboard)}, {Edit, 2, text("postcode", transpose)}, {Missing, 2, missing("postcode")}}},
	{"region", 3, []kindRule{
		{Format, 3, text("region", spellState)}, {Missing, 2, missing("region")}}},
	{"phone", 9, []kindRule{
		{Keyboard, 3, text("phone", keyboard)}, {Edit, 1, text("phone", transpose)}, {Format, 3, text("phone", formatPhone)},
		{Missing, 2, missing("phone")}, {Replace, 2, newPhone}}},
	{"email", 8, []kindRule{
		{Keyboard, 2, text("email", keyboard)}, {Edit, 2, text("email", edit)}, {Format, 2, text("email", upper)},
		{Missing, 2, missing("email")}, {Replace, 2, text("email", newDomain)}}},
}

// field returns the named field of r.
func field(r *match.Record, name string) *string {
	switch name {
	case "given_name":
		return &r.GivenName
	case "family_name":
		return &r.FamilyName
	case "birth_date":
		return &r.BirthDate
	case "address":
		return &r.Address
	case "city":
		return &r.City
	case "postcode":
		return &r.Postcode
	case "region":
		return &r.Region
	case "phone":
		return &r.Phone
	case "email":
		return &r.Email
	}
	panic("geco: no field " + name) // rules name fields only from the list above
}

// duplicate returns a corrupted copy of orig and what was done to it.
func (g *gen) duplicate(orig match.Record) (match.Record, []Corruption) {
	r := orig
	done := map[string]bool{}
	n := 1 + g.rng.IntN(g.o.MaxModifications)
	var cs []Corruption
	for len(cs) < n {
		c, ok := g.modify(&r, done)
		if !ok {
			break
		}
		cs = append(cs, c)
	}
	return r, cs
}

// modify applies one corruption to a field not yet modified, and reports
// whether one applied.
func (g *gen) modify(r *match.Record, done map[string]bool) (Corruption, bool) {
	fields := make([]int, 0, len(rules))
	for i, fr := range rules {
		if !done[fr.field] && *field(r, fr.field) != "" {
			fields = append(fields, i)
		}
	}
	for len(fields) > 0 {
		fi := g.pick(len(fields), func(i int) float64 { return rules[fields[i]].weight })
		fr := rules[fields[fi]]
		kinds := make([]int, len(fr.kinds))
		for i := range kinds {
			kinds[i] = i
		}
		for len(kinds) > 0 {
			ki := g.pick(len(kinds), func(i int) float64 { return fr.kinds[kinds[i]].weight })
			kr := fr.kinds[kinds[ki]]
			before := *r
			if changed := kr.apply(g, r, done); changed != nil && differs(&before, r, changed) {
				for _, f := range changed {
					done[f] = true
				}
				return Corruption{Kind: kr.kind, Fields: changed}, true
			}
			*r = before
			kinds = append(kinds[:ki], kinds[ki+1:]...)
		}
		fields = append(fields[:fi], fields[fi+1:]...)
	}
	return Corruption{}, false
}

// differs reports whether every changed field of r differs from before.
func differs(before, r *match.Record, changed []string) bool {
	for _, f := range changed {
		if *field(before, f) == *field(r, f) {
			return false
		}
	}
	return true
}

// pick returns an index below n with probability proportional to
// weight(index).
func (g *gen) pick(n int, weight func(int) float64) int {
	total := 0.0
	for i := range n {
		total += weight(i)
	}
	x := g.rng.Float64() * total
	for i := range n {
		if x -= weight(i); x < 0 {
			return i
		}
	}
	return n - 1
}

// text makes a corruptor of a string function that reports whether it
// applies.
func text(name string, fn func(g *gen, s string) (string, bool)) corruptor {
	return func(g *gen, r *match.Record, _ map[string]bool) []string {
		p := field(r, name)
		s, ok := fn(g, *p)
		if !ok {
			return nil
		}
		*p = s
		return []string{name}
	}
}

func missing(name string) corruptor {
	return func(_ *gen, r *match.Record, _ map[string]bool) []string {
		*field(r, name) = ""
		return []string{name}
	}
}

// QWERTY rows; a letter's neighbours are the letters beside, above and
// below it, a digit's the digits beside it.
var keyRows = []string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

func neighbours(c byte) string {
	for row, keys := range keyRows {
		col := strings.IndexByte(keys, c)
		if col < 0 {
			continue
		}
		var out []byte
		add := func(r, c int) {
			digits := row == 0
			if r >= 0 && r < len(keyRows) && c >= 0 && c < len(keyRows[r]) && digits == (r == 0) {
				out = append(out, keyRows[r][c])
			}
		}
		add(row, col-1)
		add(row, col+1)
		add(row-1, col)
		add(row-1, col+1)
		add(row+1, col)
		add(row+1, col-1)
		return string(out)
	}
	return ""
}

// keyboard replaces a letter or digit by a neighbouring key (or, one time
// in five, types the neighbour after it), keeping its case.
func keyboard(g *gen, s string) (string, bool) {
	var at []int
	for i := 0; i < len(s); i++ {
		if neighbours(lowerByte(s[i])) != "" {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s, false
	}
	i := at[g.rng.IntN(len(at))]
	ns := neighbours(lowerByte(s[i]))
	k := ns[g.rng.IntN(len(ns))]
	if s[i] >= 'A' && s[i] <= 'Z' {
		k -= 'a' - 'A'
	}
	if g.rng.IntN(5) == 0 {
		return s[:i+1] + string(k) + s[i+1:], true
	}
	return s[:i] + string(k) + s[i+1:], true
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// ocrPairs are look-alike character sequences, read either way.
var ocrPairs = [][2]string{{"m", "rn"}, {"w", "vv"}, {"d", "cl"}, {"l", "1"}, {"o", "0"}, {"i", "l"}, {"e", "c"},
	{"h", "b"}, {"s", "5"}, {"g", "9"}, {"b", "6"}, {"z", "2"}, {"u", "v"}, {"n", "ri"}, {"1", "7"}, {"3", "8"}, {"5", "6"}}

// ocrRules are ocrPairs both ways.
var ocrRules = func() [][2]string {
	var rs [][2]string
	for _, p := range ocrPairs {
		rs = append(rs, p, [2]string{p[1], p[0]})
	}
	return rs
}()

func ocr(g *gen, s string) (string, bool) { return rewrite(g, s, ocrRules) }

// phoneticRules are spellings of one sound, from GeCo's and FEBRL's rule
// sets, simplified: a match anywhere in a word may be rewritten.
var phoneticRules = [][2]string{
	{"ph", "f"}, {"f", "ph"}, {"ck", "k"}, {"ca", "ka"}, {"co", "ko"}, {"k", "c"}, {"ie", "y"}, {"y", "ie"},
	{"ou", "ow"}, {"ow", "ou"}, {"sch", "sh"}, {"sh", "sch"}, {"mac", "mc"}, {"mc", "mac"}, {"ae", "e"},
	{"tt", "t"}, {"ll", "l"}, {"l", "ll"}, {"ee", "ea"}, {"ea", "ee"}, {"x", "ks"}, {"gh", ""}, {"wr", "r"},
	{"kn", "n"}, {"th", "t"}, {"ei", "ie"}, {"ie", "ei"}, {"oo", "u"}, {"z", "s"}, {"s", "z"}, {"v", "w"},
	{"w", "v"}, {"ai", "ay"}, {"ay", "ai"}, {"er", "a"}, {"or", "aw"}, {"dg", "j"}, {"qu", "kw"},
}

func phonetic(g *gen, s string) (string, bool) { return rewrite(g, s, phoneticRules) }

// rewrite applies one of the rules at one place where it matches (case
// aside), keeping the case of the first letter it replaces.
func rewrite(g *gen, s string, rules [][2]string) (string, bool) {
	lower := strings.ToLower(s)
	if len(lower) != len(s) {
		return s, false // a letter changed width: positions would not line up
	}
	type hit struct{ at, rule int }
	var hits []hit
	for ri, r := range rules {
		for i := 0; ; {
			j := strings.Index(lower[i:], r[0])
			if j < 0 {
				break
			}
			hits = append(hits, hit{i + j, ri})
			i += j + 1
		}
	}
	if len(hits) == 0 {
		return s, false
	}
	h := hits[g.rng.IntN(len(hits))]
	from, to := rules[h.rule][0], rules[h.rule][1]
	if c := s[h.at]; c >= 'A' && c <= 'Z' && to != "" {
		to = strings.ToUpper(to[:1]) + to[1:]
	}
	return s[:h.at] + to + s[h.at+len(from):], true
}

// edit inserts, deletes or replaces a letter, or swaps two neighbours.
func edit(g *gen, s string) (string, bool) {
	r := []rune(s)
	if len(r) < 3 {
		return s, false
	}
	i := 1 + g.rng.IntN(len(r)-2) // keep the first letter, as typists mostly do
	c := rune('a' + g.rng.IntN(26))
	switch g.rng.IntN(4) {
	case 0:
		return string(r[:i]) + string(c) + string(r[i:]), true
	case 1:
		return string(r[:i]) + string(r[i+1:]), true
	case 2:
		return string(r[:i]) + string(c) + string(r[i+1:]), true
	}
	r[i], r[i+1] = r[i+1], r[i]
	return string(r), true
}

// transpose swaps two neighbouring digits.
func transpose(g *gen, s string) (string, bool) {
	var at []int
	for i := 0; i+1 < len(s); i++ {
		if isDigit(s[i]) && isDigit(s[i+1]) && s[i] != s[i+1] {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s, false
	}
	i := at[g.rng.IntN(len(at))]
	b := []byte(s)
	b[i], b[i+1] = b[i+1], b[i]
	return string(b), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func nickname(g *gen, r *match.Record, _ map[string]bool) []string {
	for _, n := range givenNames {
		if n.name == r.GivenName && len(n.short) > 0 {
			r.GivenName = n.short[g.rng.IntN(len(n.short))]
			return []string{"given_name"}
		}
	}
	return nil
}

func initial(g *gen, r *match.Record, _ map[string]bool) []string {
	rs := []rune(r.GivenName)
	if len(rs) < 2 {
		return nil
	}
	r.GivenName = string(rs[0]) + [...]string{"", "."}[g.rng.IntN(2)]
	return []string{"given_name"}
}

func swapNames(_ *gen, r *match.Record, done map[string]bool) []string {
	if done["family_name"] || r.FamilyName == "" {
		return nil
	}
	r.GivenName, r.FamilyName = r.FamilyName, r.GivenName
	return []string{"given_name", "family_name"}
}

func newFamilyName(g *gen, r *match.Record, _ map[string]bool) []string {
	r.FamilyName = g.familyName()
	return []string{"family_name"}
}

// spacing removes a family name's spaces, hyphens and apostrophes, or
// splits a Mac, Mc or O' prefix off.
func spacing(g *gen, s string) (string, bool) {
	if strings.ContainsAny(s, " -'") {
		if strings.Contains(s, "-") && g.rng.IntN(2) == 0 {
			return strings.ReplaceAll(s, "-", " "), true
		}
		out := strings.NewReplacer(" ", "", "-", "", "'", "").Replace(s)
		return strings.ToUpper(out[:1]) + strings.ToLower(out[1:]), true
	}
	for _, pre := range []string{"Mac", "Mc"} {
		if strings.HasPrefix(s, pre) && len(s) > len(pre) {
			return pre + " " + s[len(pre):], true
		}
	}
	return s, false
}

// dateOf parses an original's date (YYYYMMDD).
func dateOf(s string) (time.Time, bool) {
	t, err := time.Parse("20060102", s)
	return t, err == nil
}

func swapDayMonth(_ *gen, r *match.Record, _ map[string]bool) []string {
	t, ok := dateOf(r.BirthDate)
	if !ok || t.Day() > 12 || t.Day() == int(t.Month()) {
		return nil
	}
	r.BirthDate = fmt.Sprintf("%04d%02d%02d", t.Year(), t.Day(), t.Month())
	return []string{"birth_date"}
}

// offsetDate moves a date by 1 to 30 days (60%), one year (30%) or ten
// (10%), either way.
func offsetDate(g *gen, r *match.Record, _ map[string]bool) []string {
	t, ok := dateOf(r.BirthDate)
	if !ok {
		return nil
	}
	sign := 1 - 2*g.rng.IntN(2)
	switch x := g.rng.Float64(); {
	case x < 0.6:
		t = t.AddDate(0, 0, sign*(1+g.rng.IntN(30)))
	case x < 0.9:
		t = t.AddDate(sign, 0, 0)
	default:
		t = t.AddDate(10*sign, 0, 0)
	}
	r.BirthDate = t.Format("20060102")
	return []string{"birth_date"}
}

func formatDate(g *gen, r *match.Record, _ map[string]bool) []string {
	t, ok := dateOf(r.BirthDate)
	if !ok {
		return nil
	}
	r.BirthDate = t.Format([...]string{"02/01/2006", "2006-01-02", "02.01.2006"}[g.rng.IntN(3)])
	return []string{"birth_date"}
}

// abbreviate shortens the street type, or writes the address in capitals.
func abbreviate(g *gen, s string) (string, bool) {
	words := strings.Fields(s)
	if short, ok := abbreviations[words[len(words)-1]]; ok && g.rng.IntN(3) > 0 {
		words[len(words)-1] = short
		return strings.Join(words, " "), true
	}
	return strings.ToUpper(s), strings.ToUpper(s) != s
}

// move gives the duplicate a new home: address, suburb, postcode, state.
func move(g *gen, r *match.Record, done map[string]bool) []string {
	if done["city"] || done["postcode"] || done["region"] || r.City == "" || r.Postcode == "" || r.Region == "" {
		return nil
	}
	addr, p := g.home()
	if p.suburb == r.City {
		return nil
	}
	r.Address, r.City, r.Postcode, r.Region = addr, p.suburb, p.postcode, p.state
	return []string{"address", "city", "postcode", "region"}
}

func spellState(_ *gen, s string) (string, bool) {
	full, ok := stateNames[s]
	return full, ok
}

// formatPhone writes a number internationally or without spaces.
func formatPhone(g *gen, s string) (string, bool) {
	var d []byte
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			d = append(d, s[i])
		}
	}
	if len(d) != 10 || d[0] != '0' {
		return s, false
	}
	if g.rng.IntN(2) == 0 {
		return string(d), true
	}
	return "+61 " + string(d[1:2]) + " " + string(d[2:6]) + " " + string(d[6:]), true
}

func newPhone(g *gen, r *match.Record, _ map[string]bool) []string {
	state := r.Region
	if _, ok := areaCodes[state]; !ok {
		state = "NSW"
	}
	r.Phone = g.phone(state)
	return []string{"phone"}
}

func upper(_ *gen, s string) (string, bool) { return strings.ToUpper(s), strings.ToUpper(s) != s }

func newDomain(g *gen, s string) (string, bool) {
	local, _, ok := strings.Cut(s, "@")
	if !ok {
		return s, false
	}
	return local + "@" + domains[g.rng.IntN(len(domains))], true
}

// ascii lowers a name to the letters an email address would keep.
func ascii(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		} else if r == 'ł' {
			b.WriteRune('l')
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}
