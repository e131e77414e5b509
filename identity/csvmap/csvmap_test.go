package csvmap_test

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/csvmap"
	"github.com/threadline/threadline/identity/match"
)

func TestRead(t *testing.T) {
	in := "\ufeffContact ID,First Name,Surname,DOB,zip,Notes,given_name,truth\n" +
		"c1,Ann,Lee,1985-03-02,97205,vip,ANN,7\n" +
		"c2,Bob,Ray,,10001,,BOB,8\n"
	tests := []struct {
		name string
		opts *csvmap.Options
		want map[string]string // field → column
		ann  match.Record
	}{
		{name: "field names win over aliases", opts: nil,
			want: map[string]string{"id": "Contact ID", "given_name": "given_name", "family_name": "Surname", "birth_date": "DOB", "postcode": "zip"},
			ann:  match.Record{ID: "c1", GivenName: "ANN", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "97205"}},
		{name: "ignored column falls back to an alias", opts: &csvmap.Options{Ignore: []string{"given_name"}},
			want: map[string]string{"id": "Contact ID", "given_name": "First Name", "family_name": "Surname", "birth_date": "DOB", "postcode": "zip"},
			ann:  match.Record{ID: "c1", GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "97205"}},
		{name: "explicit mapping, column used once", opts: &csvmap.Options{Fields: csvmap.Mapping{"full_name": "given_name", "region": "Notes"}},
			want: map[string]string{"id": "Contact ID", "given_name": "First Name", "full_name": "given_name", "family_name": "Surname",
				"birth_date": "DOB", "postcode": "zip", "region": "Notes"},
			ann: match.Record{ID: "c1", GivenName: "Ann", FullName: "ANN", FamilyName: "Lee", BirthDate: "1985-03-02", Postcode: "97205", Region: "vip"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := csvmap.Read(strings.NewReader(in), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.want, tb.Columns)
			require.Len(t, tb.Records, 2)
			assert.Equal(t, tc.ann, tb.Records[0])
			assert.Empty(t, tb.Kept)
		})
	}
}

func TestReadKeep(t *testing.T) {
	tb, err := csvmap.Read(strings.NewReader("id,email,truth\na,x@example.com,1\nb,,1\n"), &csvmap.Options{Keep: []string{"truth", "missing", "id"}})
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"truth": {"1", "1"}, "id": {"a", "b"}}, tb.Kept)
	assert.Equal(t, map[string]string{"email": "email"}, tb.Columns, "a kept column is not mapped by name")
}

func TestReadErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		opts *csvmap.Options
		want error
	}{
		"empty":          {in: "", want: nil},
		"no field":       {in: "a,b\n1,2\n", want: csvmap.ErrMapping},
		"missing column": {in: "email\nx@example.com\n", opts: &csvmap.Options{Fields: csvmap.Mapping{"phone": "tel"}}, want: csvmap.ErrMapping},
		"ragged row":     {in: "email,phone\nx@example.com\n", want: nil},
	} {
		t.Run(name, func(t *testing.T) {
			tb, err := csvmap.Read(strings.NewReader(tc.in), tc.opts)
			require.Error(t, err)
			assert.Nil(t, tb)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
	_, err := csvmap.ReadFile("no/such/file.csv", nil)
	assert.Error(t, err)
}

func TestMappingFlag(t *testing.T) {
	m := csvmap.Mapping{}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.Var(m, "field", "")
	require.NoError(t, fs.Parse([]string{"-field", "given_name=Vorname", "-field", "birth_date=geb"}))
	assert.Equal(t, csvmap.Mapping{"given_name": "Vorname", "birth_date": "geb"}, m)
	for _, bad := range []string{"given_name", "nickname=x", "phone="} {
		err := m.Set(bad)
		assert.True(t, errors.Is(err, csvmap.ErrMapping), "%q: %v", bad, err)
	}
	assert.Len(t, m, 2, "a bad entry changes nothing")
}

// FuzzRead: any input gives records or an error, never a panic, and every
// record has exactly the mapped fields' values.
func FuzzRead(f *testing.F) {
	f.Add("first_name,email\nAnn,ann@example.com\n")
	f.Add("\ufeffid,\"last name\",zip\n1,\"Lee, Jr\",97205\n")
	f.Add("a,b\n1\n")
	f.Add("Birth Day,Birth Month,Birth Year,street_number,address_1\n2,,1985,14,x\n")
	f.Add("postcode_fake,birth_place,home_phone,phone_type\n1,x,2,y\n")
	f.Fuzz(func(t *testing.T, in string) {
		tb, err := csvmap.Read(strings.NewReader(in), nil)
		if err != nil {
			return
		}
		require.NotEmpty(t, tb.Columns)
		for _, col := range tb.Columns {
			require.NotEmpty(t, strings.TrimSpace(col), "only named columns are mapped")
		}
		require.Len(t, tb.By, len(tb.Columns), "every mapped field says how")
	})
}

// Example reads a CRM export whose columns are named its own way: the
// birth date in three columns, the account ID mapped explicitly, and a
// notes column the matcher does not see.
func Example() {
	in := "Contact ID,First Name,Last Name,Birth Year,Birth Month,Birth Day,Zip,Acct,Notes\n" +
		"C-1,Ann,Lee,1985,3,2,97205,A17,prefers email\n"
	tb, err := csvmap.Read(strings.NewReader(in), &csvmap.Options{Fields: csvmap.Mapping{"exclusive": "Acct"}})
	if err != nil {
		panic(err)
	}
	for _, f := range match.FieldNames() {
		if col, ok := tb.Columns[f]; ok {
			fmt.Printf("%s ← %s (%s)\n", f, col, tb.By[f])
		}
	}
	fmt.Println("unmapped:", tb.Unmapped)
	fmt.Printf("%+v\n", tb.Records[0])
	// Output:
	// birth_date ← Birth Year+Birth Month+Birth Day (parts)
	// exclusive ← Acct (mapping)
	// family_name ← Last Name (name)
	// given_name ← First Name (name)
	// id ← Contact ID (name)
	// postcode ← Zip (name)
	// unmapped: [Notes]
	// {ID:C-1 GivenName:Ann FamilyName:Lee FullName: BirthDate:1985-3-2 Address: City: Postcode:97205 Region: Email: Phone: Exclusive:A17}
}

func TestRegisterFlags(t *testing.T) {
	var o csvmap.Options
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	o.RegisterFlags(fs)
	require.NoError(t, fs.Parse([]string{"-field", "email=Mail", "-ignore", "notes, given_name,", "-ignore", "x"}))
	assert.Equal(t, csvmap.Mapping{"email": "Mail"}, o.Fields)
	assert.Equal(t, []string{"notes", "given_name", "x"}, o.Ignore)
	assert.Error(t, fs.Parse([]string{"-field", "nickname=x"}))
}
