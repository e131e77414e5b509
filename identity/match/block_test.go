package match

import (
	"fmt"
	"testing"
)

// TestBlockingPairsOnce checks that blocking hands out every pair at most
// once, also when blocks are too big and compared within a window, and
// that it hands out the pairs of small blocks.
func TestBlockingPairsOnce(t *testing.T) {
	var recs []*Prepared
	for i := range 400 {
		// Few distinct values, so that every rule has big blocks.
		r := Record{
			GivenName:  []string{"ann", "bob", "cy"}[i%3],
			FamilyName: []string{"lee", "ng"}[i%2],
			BirthDate:  fmt.Sprintf("19%02d-0%d-0%d", 80+i%3, 1+i%5, 1+i%7),
			Postcode:   fmt.Sprint(1000 + i%4),
			Email:      fmt.Sprintf("u%d@x.com", i%9),
			Phone:      fmt.Sprintf("555%07d", i%11),
		}
		recs = append(recs, Prepare(&r))
	}
	rules, err := parseRules(nil, DefaultBlockingRules)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{2, 8, 1000} {
		b := newBlocker(recs, nil, rules, 5, limit)
		seen := map[[2]int32]bool{}
		b.pairs(func(i, j int32, _ int) bool {
			if i >= j {
				t.Fatalf("pair (%d,%d) not ordered", i, j)
			}
			if seen[[2]int32{i, j}] {
				t.Fatalf("limit %d: pair (%d,%d) handed out twice", limit, i, j)
			}
			seen[[2]int32{i, j}] = true
			return true
		})
		if limit == 1000 {
			// All-pairs blocks: every pair sharing an email is there.
			for i := range recs {
				for j := i + 1; j < len(recs); j++ {
					if recs[i].email == recs[j].email && !seen[[2]int32{int32(i), int32(j)}] {
						t.Fatalf("pair (%d,%d) shares an email but was not handed out", i, j)
					}
				}
			}
		}
	}
}

// TestRuleKeys checks the keys rules make of one record, and that a
// record missing a part has none.
func TestRuleKeys(t *testing.T) {
	p := Prepare(&Record{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "SW1A 1AA",
		Phone: "+44 20 7946 0018", Email: "ann.lee@example.com"})
	for spec, want := range map[string]string{
		"given+family":              "ann\x1flee",
		"family:soundex+birth_year": "l000\x1f1985",
		"postcode:4+given:1":        "sw1a\x1fa",
		"phone:7":                   "9460018",
		"birth_date+initials":       "1985-3-2\x1fal",
		"email":                     "annlee",
		"city":                      "",
		"given:5":                   "",
	} {
		r, err := ParseBlockingRule(spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(r.appendKey(nil, p)); got != want {
			t.Errorf("%s: key %q, want %q", spec, got, want)
		}
	}
}
