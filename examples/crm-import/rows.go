package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/csvmap"
	"github.com/threadline/threadline/identity/match"
)

// rows is the imported table: one record and one observation per row, in
// file order, and what was left out.
type rows struct {
	recs    []match.Record // what the matcher compares (rejected email/phone left out)
	obs     []identity.Observation
	ids     []identity.Identifier // each row's source record identifier
	byID    map[string]int        // source record value ("crm:" and row id) → index
	counts  map[identity.Kind]int // identifiers kept, by kind
	dropped map[identity.Kind]int // values rejected by the kind's normalizer
	// shared are the email addresses and phone numbers held by rows whose
	// profiles say they are different people, with those rows.
	shared map[identity.Identifier][]int
}

// prepareRows builds the observations: each row's id, email, phone and
// account ID, and its profile attributes. A row id that repeats is an
// error; an email or phone that does not normalize is left out and
// counted; so are shared values (see sharedValues) unless keepShared.
func prepareRows(t *csvmap.Table, region, source string, keepShared bool) (*rows, error) {
	kinds := identity.DefaultKinds(region, identity.EmailPolicy{})
	normalize := func(k identity.Kind, v string) (identity.Identifier, error) {
		i := slices.IndexFunc(kinds, func(p identity.KindPolicy) bool { return p.Kind == k })
		c, err := kinds[i].Normalize(v)
		return identity.New(k, c), err
	}
	r := &rows{byID: map[string]int{}, counts: map[identity.Kind]int{}, dropped: map[identity.Kind]int{}}
	holders := map[identity.Identifier][]int{}
	for i := range t.Records {
		rec := t.Records[i]
		if strings.TrimSpace(rec.ID) == "" {
			rec.ID = "row" + strconv.Itoa(i+1)
		}
		row, err := normalize(identity.SourceRecord, rowNamespace+":"+rec.ID)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		rec.ID = strings.TrimPrefix(row.Value, rowNamespace+":")
		if j, dup := r.byID[row.Value]; dup {
			return nil, fmt.Errorf("row %d: id %q repeats row %d", i+1, rec.ID, j+1)
		}
		r.byID[row.Value] = i
		ids := []identity.Identifier{row}
		for _, f := range []struct {
			kind  identity.Kind
			value *string
		}{{identity.Email, &rec.Email}, {identity.Phone, &rec.Phone}} {
			if *f.value == "" {
				continue
			}
			id, err := normalize(f.kind, *f.value)
			if err != nil {
				r.dropped[f.kind]++
				*f.value = ""
				continue
			}
			ids = append(ids, id)
			holders[id] = append(holders[id], i)
		}
		if rec.Exclusive != "" {
			ids = append(ids, identity.New(identity.Account, "crm:"+rec.Exclusive))
		}
		for _, id := range ids {
			r.counts[id.Kind]++
		}
		r.recs = append(r.recs, rec)
		r.ids = append(r.ids, row)
		r.obs = append(r.obs, identity.Observation{Source: source, Identifiers: ids, Attributes: attributes(&rec)})
	}
	r.shared = r.sharedValues(holders)
	if !keepShared {
		r.dropShared()
	}
	return r, nil
}

// dropShared leaves the shared values out of the rows' identifiers and
// out of what the matcher compares: they say nothing about who a row is.
func (r *rows) dropShared() {
	for id, rs := range r.shared {
		for _, i := range rs {
			r.obs[i].Identifiers = slices.DeleteFunc(r.obs[i].Identifiers, func(x identity.Identifier) bool { return x == id })
			r.counts[id.Kind]--
			switch id.Kind {
			case identity.Email:
				r.recs[i].Email = ""
			case identity.Phone:
				r.recs[i].Phone = ""
			}
		}
	}
}

// sharedValues returns the identifiers held by two rows whose profiles
// contradict each other (given names and birth dates both known and both
// different, see [match.Comparison.Contradicts]): a household's landline
// or a family inbox. One observation at a time cannot see this; a bulk
// import can.
func (r *rows) sharedValues(holders map[identity.Identifier][]int) map[identity.Identifier][]int {
	prepared := map[int]*match.Prepared{}
	prep := func(i int) *match.Prepared {
		if prepared[i] == nil {
			prepared[i] = match.Prepare(&r.recs[i])
		}
		return prepared[i]
	}
	shared := map[identity.Identifier][]int{}
	for id, rs := range holders {
		if len(rs) > 64 { // not one person's, and too many to compare
			shared[id] = rs
			continue
		}
	pairs:
		for x, a := range rs {
			for _, b := range rs[x+1:] {
				if c := match.Compare(prep(a), prep(b)); c.Contradicts() {
					shared[id] = rs
					break pairs
				}
			}
		}
	}
	return shared
}

// attributes are a record's profile fields as observation attributes.
func attributes(r *match.Record) map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{identity.AttrGivenName: r.GivenName, identity.AttrFamilyName: r.FamilyName,
		identity.AttrFullName: r.FullName, identity.AttrBirthDate: r.BirthDate, identity.AttrAddress: r.Address,
		identity.AttrCity: r.City, identity.AttrPostcode: r.Postcode, identity.AttrRegion: r.Region} {
		if v = strings.TrimSpace(v); v != "" {
			m[k] = v
		}
	}
	return m
}

func (r *rows) printHeader(w io.Writer, path string, t *csvmap.Table, keepShared bool) {
	fmt.Fprintf(w, "read %d rows from %s\n", len(r.recs), path)
	var cols []string
	for _, f := range match.FieldNames() {
		if c, ok := t.Columns[f]; ok {
			cols = append(cols, f+"←"+c)
		}
	}
	fmt.Fprintf(w, "columns: %s\n", strings.Join(cols, " "))
	fmt.Fprintf(w, "identifiers: %d emails, %d phones, %d account IDs", r.counts[identity.Email], r.counts[identity.Phone], r.counts[identity.Account])
	if n := r.dropped[identity.Email] + r.dropped[identity.Phone]; n > 0 {
		fmt.Fprintf(w, "; left out as invalid: %d emails, %d phones", r.dropped[identity.Email], r.dropped[identity.Phone])
	}
	fmt.Fprintln(w)
	if len(r.shared) > 0 {
		n := map[identity.Kind]int{}
		for id := range r.shared {
			n[id.Kind]++
		}
		what := "left out: they say nothing about who a row is (-keep-shared keeps them)"
		if keepShared {
			what = "kept (-keep-shared): they join their rows"
		}
		fmt.Fprintf(w, "shared values: %d emails and %d phones are held by rows that name different people (given name and birth date differ): %s\n",
			n[identity.Email], n[identity.Phone], what)
	}
}

// printShared lists the shared values with the rows holding them.
func (r *rows) printShared(w io.Writer, show int) {
	ids := slices.SortedFunc(maps.Keys(r.shared), func(a, b identity.Identifier) int { return cmp.Compare(a.String(), b.String()) })
	if len(ids) == 0 {
		return
	}
	fmt.Fprintf(w, "\nShared values, held by different people%s:\n", shown(show, len(ids)))
	for _, id := range ids[:cut(show, len(ids))] {
		fmt.Fprintf(w, "  %s  %s\n", id, strings.Join(r.names(r.shared[id]), ", "))
	}
}

// names returns the ids of rows.
func (r *rows) names(rows []int) []string {
	out := make([]string, len(rows))
	for i, j := range rows {
		out[i] = r.recs[j].ID
	}
	return out
}

// line shows one row: id, name, birth date, email, phone, address,
// account.
func (r *rows) line(i int) string {
	rec := &r.recs[i]
	name := strings.TrimSpace(rec.GivenName + " " + rec.FamilyName)
	if name == "" {
		name = rec.FullName
	}
	addr := strings.Join(slices.DeleteFunc([]string{rec.Address, rec.City, rec.Region, rec.Postcode},
		func(s string) bool { return s == "" }), ", ")
	s := fmt.Sprintf("%-9s %-24s %-10s %-32s %-16s %s", rec.ID, name, rec.BirthDate, rec.Email, rec.Phone, addr)
	if rec.Exclusive != "" {
		s += "  account " + rec.Exclusive
	}
	return strings.TrimRight(s, " ")
}

// rowOf returns the row index of a source record identifier, or -1.
func (r *rows) rowOf(id identity.Identifier) int {
	if id.Kind != identity.SourceRecord {
		return -1
	}
	if i, ok := r.byID[id.Value]; ok {
		return i
	}
	return -1
}

// name returns the row id of a source record identifier, or the
// identifier.
func (r *rows) name(id identity.Identifier) string {
	if i := r.rowOf(id); i >= 0 {
		return r.recs[i].ID
	}
	return id.String()
}
