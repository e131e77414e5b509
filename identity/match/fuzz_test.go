package match

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzPrepare feeds arbitrary text to every field: no panic, folding is
// idempotent, and a record compared with itself is never "different" and
// never scores below zero on a field.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{"José Núñez", "LEE, Ann", "1985-02-30", "12/03/1984", "ann.lee+x@ex.com",
		"+1 (415) 555-0100", "Straße 5", "ǅemal", "\xff\xfe", "Dr. Ø", ""} {
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
