package match_test

import (
	"context"
	"fmt"

	"github.com/threadline/threadline/identity/match"
)

// A pair scored with the default parameters: every field's level and
// weight. Agreeing on a name weighs little (many candidates share one);
// agreeing on a birth date weighs a lot.
func ExampleModel_Score() {
	m, err := match.NewModel(match.DefaultParams(), nil)
	if err != nil {
		panic(err)
	}
	a := match.Prepare(&match.Record{GivenName: "Zoë", FamilyName: "Müller", BirthDate: "1990-07-14", Email: "zoe.muller@example.com"})
	b := match.Prepare(&match.Record{FullName: "MULLER, Zoe", BirthDate: "14/07/1990", Phone: "+49 30 1234567"})
	s := m.Score(a, b)
	fmt.Println(s.Explain())
	fmt.Println(m.Decide(&s))
	// Output:
	// given_name exact +4.95
	// family_name exact +6.39
	// birth_date exact +13.09
	// location missing +0.00
	// email_local missing +0.00
	// phone missing +0.00
	// weight 10.78 p=0.9994
	// link
}

// Deduplicating a small table: the clusters and the scored pairs.
func ExampleDedupe() {
	recs := []match.Record{
		{ID: "crm-1", GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "97205"},
		{ID: "crm-2", GivenName: "Bob", FamilyName: "Ng", BirthDate: "1970-01-01", Postcode: "10001"},
		{ID: "web-7", FullName: "Anne Lee", BirthDate: "1985-03-02", Email: "ann.lee@example.com"},
	}
	p := match.DefaultParams() // too few records to estimate from
	res, err := match.Dedupe(context.Background(), recs, &match.Options{Params: &p})
	if err != nil {
		panic(err)
	}
	for _, pr := range res.Pairs {
		fmt.Printf("%s ~ %s: %s (p=%.3f)\n", recs[pr.A].ID, recs[pr.B].ID, pr.Decision, match.ProbabilityOf(pr.Weight))
	}
	fmt.Println(res.Clusters())
	// Output:
	// crm-1 ~ web-7: link (p=1.000)
	// [[0 2]]
}
