package csvmap_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity/csvmap"
	"github.com/threadline/threadline/identity/match"
)

// TestAutomaticMapping maps the headers of published record-linkage
// datasets and CRM exports without a mapping.
func TestAutomaticMapping(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     map[string]string
		by       map[string]csvmap.Reason
		unmapped []string
		first    match.Record
	}{
		{name: "FEBRL: street number, address_1, suburb, state",
			in: "rec_id,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id\n" +
				"rec-1-org,ann,lee,14,miller place,rosetta village,kingston,2600,act,19850302,5304218\n",
			want: map[string]string{"id": "rec_id", "given_name": "given_name", "family_name": "surname",
				"address": "street_number+address_1", "city": "suburb", "postcode": "postcode", "region": "state",
				"birth_date": "date_of_birth"},
			by:       map[string]csvmap.Reason{"address": csvmap.ByParts, "family_name": csvmap.ByName},
			unmapped: []string{"address_2", "soc_sec_id"},
			first: match.Record{ID: "rec-1-org", GivenName: "ann", FamilyName: "lee", Address: "14 miller place",
				City: "kingston", Postcode: "2600", Region: "act", BirthDate: "19850302"}},
		{name: "historical: postcode by word, birth place for the missing city",
			in: "unique_id,cluster,full_name,first_and_surname,first_name,surname,dob,birth_place,postcode_fake,gender,occupation\n" +
				"1,Q1,john william smith,john smith,john,smith,1850-01-01,london,SW1A 1AA,male,poet\n",
			want: map[string]string{"id": "unique_id", "full_name": "full_name", "given_name": "first_name",
				"family_name": "surname", "birth_date": "dob", "city": "birth_place", "postcode": "postcode_fake"},
			by:       map[string]csvmap.Reason{"city": csvmap.ByFallback, "postcode": csvmap.ByWord},
			unmapped: []string{"cluster", "first_and_surname", "gender", "occupation"},
			first: match.Record{ID: "1", FullName: "john william smith", GivenName: "john", FamilyName: "smith",
				BirthDate: "1850-01-01", City: "london", Postcode: "SW1A 1AA"}},
		{name: "date in three columns, camel case, spaced headers",
			in: "FirstName,LastName,Birth Day,Birth Month,Birth Year,Address 1,Post-Code,E-Mail,Home Phone,Phone Type,City,Place of Birth\n" +
				"Ann,Lee,2,3,1985,12 Main St,97205,ann@example.com,555 0100,landline,Portland,Leeds\n",
			want: map[string]string{"given_name": "FirstName", "family_name": "LastName", "birth_date": "Birth Year+Birth Month+Birth Day",
				"address": "Address 1", "postcode": "Post-Code", "email": "E-Mail", "phone": "Home Phone", "city": "City"},
			by:       map[string]csvmap.Reason{"birth_date": csvmap.ByParts, "phone": csvmap.ByWord, "city": csvmap.ByName},
			unmapped: []string{"Phone Type", "Place of Birth"},
			first: match.Record{GivenName: "Ann", FamilyName: "Lee", BirthDate: "1985-3-2", Address: "12 Main St",
				Postcode: "97205", Email: "ann@example.com", Phone: "555 0100", City: "Portland"}},
		{name: "a column naming two fields is left alone",
			in:       "email,email_address_old,home_address,zip\nx@example.com,y@example.com,1 High St,1000\n",
			want:     map[string]string{"email": "email", "postcode": "zip"},
			unmapped: []string{"email_address_old", "home_address"},
			first:    match.Record{Email: "x@example.com", Postcode: "1000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := csvmap.Read(strings.NewReader(tc.in), nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, tb.Columns)
			for f, by := range tc.by {
				assert.Equal(t, by, tb.By[f], f)
			}
			assert.Equal(t, tc.unmapped, tb.Unmapped)
			require.Len(t, tb.Records, 1)
			assert.Equal(t, tc.first, tb.Records[0])
		})
	}
}

// TestJoinedColumns: values joined from several columns leave empty parts
// out, and a date missing a part is missing rather than a wrong date.
func TestJoinedColumns(t *testing.T) {
	in := "day,month,year,no,street,unit\n" +
		"2,3,1985,,High St,\n" +
		",3,1985,7, Low Rd ,Flat 2\n"
	tb, err := csvmap.Read(strings.NewReader(in), &csvmap.Options{Fields: csvmap.Mapping{"address": "no+street+unit"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"birth_date": "year+month+day", "address": "no+street+unit"}, tb.Columns)
	assert.Equal(t, csvmap.ByMapping, tb.By["address"])
	require.Len(t, tb.Records, 2)
	assert.Equal(t, match.Record{BirthDate: "1985-3-2", Address: "High St"}, tb.Records[0])
	assert.Equal(t, match.Record{Address: "7 Low Rd Flat 2"}, tb.Records[1])

	_, err = csvmap.Read(strings.NewReader(in), &csvmap.Options{Fields: csvmap.Mapping{"address": "no+road"}})
	assert.ErrorIs(t, err, csvmap.ErrMapping)
	assert.ErrorContains(t, err, `no column "road" for field address`)

	tb, err = csvmap.Read(strings.NewReader("a+b,email\n1,x@example.com\n"), &csvmap.Options{Fields: csvmap.Mapping{"id": "a+b"}})
	require.NoError(t, err)
	assert.Equal(t, "1", tb.Records[0].ID, "a header containing + is found as it is")
}

// TestIgnoreAndKeepAreNotUnmapped: columns the caller set aside are not
// reported as unmapped, and an ignored column can still be mapped
// explicitly.
func TestIgnoreAndKeepAreNotUnmapped(t *testing.T) {
	in := "email,notes,truth,phone\nx@example.com,vip,1,555\n"
	tb, err := csvmap.Read(strings.NewReader(in), &csvmap.Options{Ignore: []string{"notes", "phone"}, Keep: []string{"truth"},
		Fields: csvmap.Mapping{"region": "phone"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"email": "email", "region": "phone"}, tb.Columns)
	assert.Empty(t, tb.Unmapped)
}

// TestOtherLanguages maps German exports: a place of birth beside a town
// stays unmapped, and a date in three columns is found by its German
// words.
func TestOtherLanguages(t *testing.T) {
	in := "Kundennummer,Vorname,Nachname,Geburtsdatum,Straße,PLZ,Ort,Geburtsort,Telefon\n" +
		"K1,Jürgen,Groß,02.03.1985,Hauptstraße 5,10115,Berlin,Köln,030 1234567\n"
	tb, err := csvmap.Read(strings.NewReader(in), nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"given_name": "Vorname", "family_name": "Nachname", "birth_date": "Geburtsdatum",
		"address": "Straße", "postcode": "PLZ", "city": "Ort", "phone": "Telefon"}, tb.Columns)
	assert.Equal(t, []string{"Kundennummer", "Geburtsort"}, tb.Unmapped)

	in = "Vorname,Nachname,Geburtstag,Geburtsmonat,Geburtsjahr,Ort\nJürgen,Groß,2,3,1985,Berlin\n"
	tb, err = csvmap.Read(strings.NewReader(in), nil)
	require.NoError(t, err)
	assert.Equal(t, "Geburtsjahr+Geburtsmonat+Geburtstag", tb.Columns["birth_date"], "Geburtstag is a day beside Geburtsmonat")
	assert.Equal(t, "1985-3-2", tb.Records[0].BirthDate)
	assert.Empty(t, tb.Unmapped)
}
