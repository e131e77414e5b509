package match

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzPrepare feeds arbitrary text to every field: no panic, folding is
// idempotent, and a record compared with itself is never "different" and
// never scores below zero on a field.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{"José Núñez", "LEE, Ann", "1985-02-30", "12/03/1984", "ann.lee+x@ex.com",
		"+1 (415) 555-0100", "Straße 5", "ǅemal", "\xff\xfe", "Dr. Ø", "\xf0ӭ", ""} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if g := fold(a); fold(g) != g {
			t.Fatalf("fold not idempotent: %q → %q → %q", a, g, fold(g))
		}
		r := Record{GivenName: a, FamilyName: b, FullName: a + " " + b, BirthDate: a, Address: b, City: a,
			Postcode: b, Region: a, Email: a + "@" + b, Phone: b}
		p := Prepare(&r)
		m, err := NewModel(DefaultParams(), nil)
		if err != nil {
			t.Fatal(err)
		}
		s := m.Score(p, p)
		for f, l := range s.Comparison {
			if int(l) == len(specs[f].levels)-1 || s.Fields[f] < 0 {
				t.Fatalf("%s of a record with itself is level %d (%+.2f): %s", Field(f), l, s.Fields[f], p)
			}
		}
		_ = BlockingKeys(p)
		_ = p.String()
		enc, err := p.AppendBinary([]byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		var q Prepared
		if err := q.UnmarshalBinary(enc[1:]); err != nil {
			t.Fatalf("encoding of %s does not decode: %v", p, err)
		}
		if q != *p {
			t.Fatalf("round trip: %s became %s", p, &q)
		}
	})
}

// FuzzUnmarshalPrepared: arbitrary bytes never panic, and what decodes
// encodes back to the same bytes' record.
func FuzzUnmarshalPrepared(f *testing.F) {
	b, _ := Prepare(&Record{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02", Address: "12 Main St",
		Email: "ann@example.com", Phone: "+1 415 555 0100"}).AppendBinary(nil)
	f.Add(b)
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Prepared
		if err := p.UnmarshalBinary(b); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, _ := p.AppendBinary(nil)
		var q Prepared
		if err := q.UnmarshalBinary(again); err != nil || q != p {
			t.Fatalf("re-encoding does not round-trip: %v", err)
		}
	})
}

// FuzzLoadParams: arbitrary JSON never panics, and what loads validates
// and saves back to something that loads the same.
func FuzzLoadParams(f *testing.F) {
	var buf bytes.Buffer
	p := DefaultParams()
	if err := p.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(`{"prior":0.5}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := LoadParams(strings.NewReader(s))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := p.Save(&out); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadParams(&out); err != nil {
			t.Fatalf("saved params do not load: %v", err)
		}
	})
}

// FuzzSimilarity checks the fast paths of JaroWinkler and withinEdits
// against plain implementations: the slice-flag Jaro–Winkler that long
// strings use, and a byte-wise Levenshtein distance.
func FuzzSimilarity(f *testing.F) {
	for _, s := range [][2]string{{"martha", "marhta"}, {"dixon", "dicksonx"}, {"annlee", "anlee"},
		{"5035550100", "5035550109"}, {"", "a"}, {"abc", "abc"}, {"ab", "ba"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := a, b
		if len(x) > len(y) {
			x, y = y, x
		}
		want := 0.0
		switch {
		case a == b:
			want = 1
		case len(x) > 0:
			want = jaroWinklerLong(x, y)
		}
		if got := JaroWinkler(a, b); got != want {
			t.Fatalf("JaroWinkler(%q, %q) = %v, want %v", a, b, got, want)
		}
		if len(b) > 31 {
			return // github.com/agnivade/levenshtein's
		}
		d := byteDistance(a, b)
		for k := 1; k <= 2; k++ {
			if got := withinEdits(a, b, k); got != (d <= k) {
				t.Fatalf("withinEdits(%q, %q, %d) = %v, distance %d", a, b, k, got, d)
			}
		}
	})
}

// byteDistance is the Levenshtein distance of a and b as bytes, by the
// textbook table.
func byteDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := d[i-1][j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			d[i][j] = min(c, d[i-1][j]+1, d[i][j-1]+1)
		}
	}
	return d[len(a)][len(b)]
}
