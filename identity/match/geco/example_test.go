package geco_test

import (
	"fmt"

	"github.com/threadline/threadline/identity/match/geco"
)

// ExampleGenerate shows an original and its duplicates, with what was
// done to each.
func ExampleGenerate() {
	ds := geco.Generate(&geco.Options{Seed: 1, Records: 40})
	orig := ds.OriginalOf[16]
	p := ds.People[orig]
	fmt.Printf("%s: %s %s, born %s, %s %s\n", p.ID, p.GivenName, p.FamilyName, p.BirthDate, p.Postcode, p.Phone)
	for i, o := range ds.OriginalOf {
		if o == orig {
			d := ds.People[i]
			fmt.Printf("%s: %s %s, born %s, %s %s %v\n", d.ID, d.GivenName, d.FamilyName, d.BirthDate, d.Postcode, d.Phone, ds.Corruptions[i])
		}
	}
	// Output:
	// g000013: Marguerite Dunstan, born 19740609, 2750 0458 397 850
	// g000015: Marguerite Dunstan, born 19740609, 2750 0458 937 850 [edit(phone)]
	// g000017: Marguerite Clunstan, born 19740609, 2650 0458 397 840 [keyboard(postcode) keyboard(phone) ocr(family_name)]
	// g000027: Marguerite Dunstan, born 1974-06-09, 2750 0458 397 850 [format(email) format(birth_date)]
}
