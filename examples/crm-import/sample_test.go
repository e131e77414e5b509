package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/match/synth"
)

var update = flag.Bool("update", false, "rewrite "+samplePath+" from the generator")

// samplePath is the sample CSV, relative to this package.
const samplePath = "../../testdata/crm-contacts.csv"

// sampleOptions generate the sample's people.
var sampleOptions = synth.Options{Seed: 1, Records: 1000}

// sampleColumns are the sample's columns, as a CRM export names them.
var sampleColumns = []string{"id", "first_name", "last_name", "full_name", "email", "phone", "birth_date",
	"street", "city", "state", "postcode", "account_id"}

// samplePeople generates the sample: package synth's people (30%
// duplicates, households), with two changes. Phone area codes are moved
// to real US ones, because synth draws any three digits and the identity
// package rejects numbers not valid for their country; the same number
// always moves the same way, so copies stay copies. And a quarter of the
// people have an account number, which each of their rows carries with
// probability 3/4 (Record.Exclusive).
func samplePeople() []synth.Person { return generate(&sampleOptions) }

// generate makes people as the sample is made, with other options.
func generate(o *synth.Options) []synth.Person {
	ps := synth.Generate(o)
	rng := rand.New(rand.NewPCG(o.Seed, 2))
	for i := range ps {
		p := &ps[i]
		p.Phone = usPhone(p.Phone)
		if p.Truth%4 == 0 && rng.Float64() < 0.75 {
			p.Exclusive = fmt.Sprintf("AC%05d", 10000+p.Truth)
		}
	}
	return ps
}

// usAreas are area codes in service in the US.
var usAreas = []string{"201", "206", "212", "213", "215", "303", "305", "312", "313", "404", "408", "415", "503",
	"512", "602", "612", "617", "646", "702", "713", "718", "801", "808", "904", "917", "919", "971", "978"}

// usPhone replaces the area code of a ten-digit number (in any of synth's
// spellings) by one of usAreas, chosen by the number, so that it is valid.
func usPhone(s string) string {
	var pos []int // positions of the digits
	for i := range len(s) {
		if s[i] >= '0' && s[i] <= '9' {
			pos = append(pos, i)
		}
	}
	if len(pos) == 11 && s[pos[0]] == '1' {
		pos = pos[1:]
	}
	if len(pos) != 10 {
		return s
	}
	digits := make([]byte, 0, 10)
	for _, i := range pos {
		digits = append(digits, s[i])
	}
	var h uint32
	for _, d := range digits {
		h = h*31 + uint32(d)
	}
	b := []byte(s)
	for k := range usAreas {
		area := usAreas[(int(h)+k)%len(usAreas)]
		copy(b[pos[0]:], area[:1])
		b[pos[1]], b[pos[2]] = area[1], area[2]
		if _, err := identity.NormalizePhone(string(b), "US"); err == nil {
			return string(b)
		}
	}
	return s
}

// writeSample writes people as the sample CSV.
func writeSample(w io.Writer, ps []synth.Person) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(sampleColumns); err != nil {
		return err
	}
	for _, p := range ps {
		r := p.Record
		if err := cw.Write([]string{r.ID, r.GivenName, r.FamilyName, r.FullName, r.Email, r.Phone, r.BirthDate,
			r.Address, r.City, r.Region, r.Postcode, r.Exclusive}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// TestSample checks that the committed sample is what the generator makes,
// so that the tests' ground truth is the sample's; -update rewrites it.
func TestSample(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, writeSample(&buf, samplePeople()))
	if *update {
		require.NoError(t, os.WriteFile(samplePath, buf.Bytes(), 0o644))
	}
	got, err := os.ReadFile(samplePath)
	require.NoError(t, err)
	require.True(t, bytes.Equal(buf.Bytes(), got), "%s is not what the generator makes; rewrite it with -update", samplePath)
	require.Equal(t, strings.Join(sampleColumns, ","), strings.SplitN(string(got), "\n", 2)[0])
}
