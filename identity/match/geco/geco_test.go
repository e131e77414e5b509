package geco

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/match"
	"github.com/threadline/threadline/identity/match/synth"
)

func TestDeterministic(t *testing.T) {
	o := &Options{Seed: 7, Records: 3000}
	a, b := Generate(o), Generate(o)
	require.Equal(t, a, b, "same options, same dataset")
	assert.NotEqual(t, a.People, Generate(&Options{Seed: 8, Records: 3000}).People, "another seed, other records")

	var buf bytes.Buffer
	require.NoError(t, synth.WriteCSV(&buf, a.People))
	back, err := synth.ReadCSV(&buf)
	require.NoError(t, err)
	assert.Equal(t, a.People, back, "CSV round trip")
}

// TestDuplicatesPerEntity: the share of duplicates is exact, and the
// number of duplicates per entity follows k^-1.5 up to MaxPerEntity.
func TestDuplicatesPerEntity(t *testing.T) {
	const n, share, most = 20_000, 0.4, 9
	ds := Generate(&Options{Seed: 3, Records: n, Duplicates: share, MaxPerEntity: most})
	require.Len(t, ds.People, n)
	dups := map[int]int{} // original index → duplicates
	ids := map[string]bool{}
	for i, p := range ds.People {
		ids[p.ID] = true
		o := ds.OriginalOf[i]
		if o < 0 {
			assert.Nil(t, ds.Corruptions[i])
			continue
		}
		require.Equal(t, -1, ds.OriginalOf[o], "a duplicate is made from an original")
		require.Equal(t, ds.People[o].Truth, p.Truth, "a duplicate is its original's person")
		dups[o]++
	}
	assert.Len(t, ids, n, "IDs are unique")
	total, byK := 0, make([]int, most+1)
	for _, k := range dups {
		require.LessOrEqual(t, k, most)
		byK[k]++
		total += k
	}
	assert.Equal(t, int(math.Round(n*share)), total)
	norm := 0.0
	for k := 1; k <= most; k++ {
		norm += math.Pow(float64(k), -1.5)
	}
	t.Logf("entities with k duplicates, k=1..%d: %v", most, byK[1:])
	for k := 1; k <= 3; k++ {
		want := math.Pow(float64(k), -1.5) / norm
		got := float64(byK[k]) / float64(len(dups))
		assert.InDelta(t, want, got, 4*math.Sqrt(want*(1-want)/float64(len(dups))), "share of entities with %d duplicates", k)
	}
	assert.Positive(t, byK[most], "some entity has the most duplicates")
}

// TestCorruptionsAreWhatTheLogSays: every duplicate has 1 to
// MaxModifications corruptions on distinct fields; each logged field
// differs from the original and every other field is the original's.
func TestCorruptionsAreWhatTheLogSays(t *testing.T) {
	ds := Generate(&Options{Seed: 4, Records: 10_000, MaxModifications: 3})
	perCount := make([]int, 4)
	kinds := map[Kind]int{}
	for i, p := range ds.People {
		o := ds.OriginalOf[i]
		if o < 0 {
			continue
		}
		orig := ds.People[o].Record
		cs := ds.Corruptions[i]
		require.NotEmpty(t, cs, "record %d", i)
		require.LessOrEqual(t, len(cs), 3)
		perCount[len(cs)]++
		changed := map[string]bool{}
		for _, c := range cs {
			kinds[c.Kind]++
			for _, f := range c.Fields {
				require.False(t, changed[f], "record %d: %s modified twice", i, f)
				changed[f] = true
			}
		}
		got := p.Record
		for _, fr := range rules {
			a, b := *field(&orig, fr.field), *field(&got, fr.field)
			if changed[fr.field] {
				assert.NotEqual(t, a, b, "record %d: %s logged as changed", i, fr.field)
			} else {
				assert.Equal(t, a, b, "record %d: %s not logged, yet changed", i, fr.field)
			}
		}
		assert.Equal(t, orig.FullName, got.FullName)
	}
	t.Logf("duplicates with 1, 2, 3 corruptions: %v; corruptions by kind: %v", perCount[1:], kinds)
	dups := perCount[1] + perCount[2] + perCount[3]
	for k := 1; k <= 3; k++ {
		assert.InDelta(t, 1.0/3, float64(perCount[k])/float64(dups), 0.03, "share with %d corruptions", k)
	}
	for _, fr := range rules {
		for _, kr := range fr.kinds {
			assert.Positive(t, kinds[kr.kind], "kind %s occurs", kr.kind)
		}
	}
}

// TestRates checks the rates the package comment promises: the field of
// a duplicate's first corruption, when its original is complete, follows
// the field weights; within fields whose kinds all apply to every value,
// the kinds follow their weights.
func TestRates(t *testing.T) {
	ds := Generate(&Options{Seed: 5, Records: 40_000})
	fieldN := map[string]int{}
	kindN := map[string]map[Kind]int{}
	first := 0
	for i := range ds.People {
		o := ds.OriginalOf[i]
		if o < 0 || !complete(&ds.People[o].Record) {
			continue
		}
		first++
		fieldN[ds.Corruptions[i][0].Fields[0]]++
		for _, c := range ds.Corruptions[i] {
			f := c.Fields[0]
			if kindN[f] == nil {
				kindN[f] = map[Kind]int{}
			}
			kindN[f][c.Kind]++
		}
	}
	total := 0.0
	for _, fr := range rules {
		total += fr.weight
	}
	within := func(want float64, got, n int, what string) {
		tol := 4 * math.Sqrt(want*(1-want)/float64(n))
		assert.InDelta(t, want, float64(got)/float64(n), tol, "%s: %d of %d", what, got, n)
	}
	for _, fr := range rules {
		within(fr.weight/total, fieldN[fr.field], first, "share of first corruptions on "+fr.field)
	}
	for _, f := range []string{"postcode", "region", "phone"} {
		fr := rules[indexOf(f)]
		sum, n := 0.0, 0
		for _, kr := range fr.kinds {
			sum += kr.weight
			n += kindN[f][kr.kind]
		}
		for _, kr := range fr.kinds {
			within(kr.weight/sum, kindN[f][kr.kind], n, f+" "+string(kr.kind))
		}
	}
	t.Logf("first corruptions by field (of %d): %v", first, fieldN)
}

func complete(r *match.Record) bool {
	for _, fr := range rules {
		if *field(r, fr.field) == "" {
			return false
		}
	}
	return true
}

func indexOf(f string) int {
	for i, fr := range rules {
		if fr.field == f {
			return i
		}
	}
	return -1
}

// TestCorruptors pins the string corruptions on inputs they must and must
// not apply to.
func TestCorruptors(t *testing.T) {
	g := &gen{rng: rand.New(rand.NewPCG(1, 2))}
	for range 200 {
		s, ok := keyboard(g, "Kerr")
		require.True(t, ok)
		require.NotEqual(t, "Kerr", s)
		s, ok = keyboard(g, "2042")
		require.True(t, ok)
		for _, c := range []byte(s) {
			require.True(t, isDigit(c), "a digit's neighbours are digits: %q", s)
		}
		s, ok = phonetic(g, "Phillip")
		require.True(t, ok)
		require.NotEqual(t, "Phillip", s)
		require.Contains(t, []byte{'P', 'F'}, s[0], "case of the first letter is kept: %q", s)
	}
	_, ok := keyboard(g, "Ødegård")
	assert.True(t, ok, "ASCII letters of a name with marks can still be mistyped")
	_, ok = keyboard(g, "—")
	assert.False(t, ok)
	_, ok = transpose(g, "2222")
	assert.False(t, ok, "no two different digits to swap")
	_, ok = spacing(g, "Ashworth")
	assert.False(t, ok)
	s, _ := spacing(g, "van der Berg")
	assert.Equal(t, "Vanderberg", s)
	s, _ = spacing(g, "MacLeod")
	assert.Equal(t, "Mac Leod", s)
	r := match.Record{BirthDate: "19850313"}
	assert.Nil(t, swapDayMonth(g, &r, nil), "day 13 cannot be a month")
	r.BirthDate = "19850302"
	require.NotNil(t, swapDayMonth(g, &r, nil))
	assert.Equal(t, "19850203", r.BirthDate)
	s, ok = formatPhone(g, "(02) 9876 5432")
	require.True(t, ok)
	assert.Contains(t, []string{"0298765432", "+61 2 9876 5432"}, s)
	assert.Equal(t, "rygf", neighbours('t'))
	assert.Equal(t, "46", neighbours('5'))
	assert.Empty(t, neighbours('-'))
}

func BenchmarkGenerate(b *testing.B) {
	b.Run("records=100k", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Generate(&Options{Records: 100_000})
		}
	})
}
