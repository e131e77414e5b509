package match_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/internal/scripttest"
)

// TestScripts runs the matcher scripts in testdata/ (files without an
// extension). Records are one a line, fields "name=value" separated by
// ";". Commands: prepare (normalized fields and blocking keys), compare
// (two records, every field's level and weight with the default
// parameters), dedupe (clusters and scored pairs with the default
// parameters; link= and review= set the bands as probabilities).
// Rewrite expected output with -rewrite and review the diff.
func TestScripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		if strings.Contains(path, ".") {
			return // data files
		}
		datadriven.RunTest(t, path, runScript)
	})
}

func parseRecords(input string) ([]match.Record, error) {
	var out []match.Record
	for _, line := range strings.Split(strings.TrimSpace(input), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r match.Record
		for _, f := range strings.Split(line, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
			if err := r.Set(k, v); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func runScript(t *testing.T, d *datadriven.TestData) string {
	recs, err := parseRecords(d.Input)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	switch d.Cmd {
	case "prepare":
		for _, r := range recs {
			p := match.Prepare(&r)
			fmt.Fprintf(&b, "%s\n  keys: %s\n", p, strings.Join(match.BlockingKeys(p), " "))
		}
	case "compare":
		if len(recs) != 2 {
			return "error: compare wants two records\n"
		}
		m, err := match.NewModel(match.DefaultParams(), nil)
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		s := m.Score(match.Prepare(&recs[0]), match.Prepare(&recs[1]))
		fmt.Fprintf(&b, "%s\ndecision %s\n", s.Explain(), m.Decide(&s))
	case "dedupe":
		p := match.DefaultParams()
		if v := scripttest.Arg(d, "link"); v != "" {
			fmt.Sscan(v, &p.Link)
			p.Link = match.WeightOf(p.Link)
		}
		if v := scripttest.Arg(d, "review"); v != "" {
			fmt.Sscan(v, &p.Review)
			p.Review = match.WeightOf(p.Review)
		}
		res, err := match.Dedupe(context.Background(), recs, &match.Options{Params: &p})
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		name := func(i int) string {
			if recs[i].ID != "" {
				return recs[i].ID
			}
			return fmt.Sprint(i)
		}
		for _, pr := range res.Pairs {
			kept := ""
			if pr.Decision == match.Link && !pr.Clustered {
				kept = " (refused by a cluster guard)"
			}
			fmt.Fprintf(&b, "%s %s %s weight=%.2f%s\n", name(pr.A), name(pr.B), pr.Decision, pr.Weight, kept)
		}
		for _, c := range res.Clusters() {
			var ids []string
			for _, i := range c {
				ids = append(ids, name(i))
			}
			fmt.Fprintf(&b, "cluster %s\n", strings.Join(ids, " "))
		}
	default:
		return "error: unknown command " + d.Cmd + "\n"
	}
	return b.String()
}
