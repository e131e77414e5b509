package match

import "testing"

// TestClustersLinkage checks the average-linkage bound on a chain of four
// records, each linked to the next only: the third join would make a
// cluster whose records are mostly unlinked, and is refused unless the
// bound is off or another pair between the two clusters is likely.
func TestClustersLinkage(t *testing.T) {
	recs := make([]*Prepared, 4)
	for i := range recs {
		recs[i] = &Prepared{}
	}
	chain := func(linkage float64, extra bool) []bool {
		c := newClusters(len(recs), recs, nil)
		for i := range int32(3) {
			c.adjacent(i, i+1, 1)
		}
		if extra {
			c.adjacent(0, 3, 0.9)
		}
		var out []bool
		for i := range int32(3) {
			out = append(out, c.join(i, i+1, linkage, 0))
		}
		return out
	}
	for _, tc := range []struct {
		linkage float64
		extra   bool
		want    [3]bool
	}{
		{0.5, false, [3]bool{true, true, false}},
		{-1, false, [3]bool{true, true, true}},
		{0.5, true, [3]bool{true, true, true}},
		{0.9, false, [3]bool{true, false, true}}, // two single records always join
	} {
		got := chain(tc.linkage, tc.extra)
		if [3]bool(got) != tc.want {
			t.Errorf("linkage %v extra %v: joins %v, want %v", tc.linkage, tc.extra, got, tc.want)
		}
	}
	// The size bound and exclusive values refuse too.
	c := newClusters(len(recs), recs, nil)
	c.adjacent(0, 1, 1)
	if c.join(0, 1, -1, 1) {
		t.Error("a join past MaxClusterSize 1 was made")
	}
	recs[2].exclusive, recs[3].exclusive = "crm:1", "crm:2"
	c = newClusters(len(recs), recs, nil)
	c.adjacent(2, 3, 1)
	if c.join(2, 3, -1, 0) {
		t.Error("two exclusive values were joined")
	}
}
