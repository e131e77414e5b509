package csvmap

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/threadline/threadline/identity/match"
)

// ErrMapping is returned (wrapped) for a mapping that names an unknown
// field or a missing column, or when no column maps to a field.
var ErrMapping = errors.New("csvmap: bad column mapping")

// Mapping maps matcher field names ([match.FieldNames]) to column names.
// It is a [flag.Value]: each Set takes one FIELD=COLUMN.
type Mapping map[string]string

// String returns the mapping in the form of a Go map.
func (m Mapping) String() string { return fmt.Sprint(map[string]string(m)) }

// Set adds one FIELD=COLUMN entry.
func (m Mapping) Set(s string) error {
	f, col, ok := strings.Cut(s, "=")
	if !ok || col == "" || !slices.Contains(match.FieldNames(), f) {
		return fmt.Errorf("%w: want FIELD=COLUMN with FIELD one of %s", ErrMapping, strings.Join(match.FieldNames(), ", "))
	}
	m[f] = col
	return nil
}

// Aliases are the header names, besides the field's own name, that map to
// a matcher field without a [Mapping]. Headers are compared lowered, with
// spaces and hyphens as underscores.
var Aliases = map[string][]string{
	"given_name":  {"first_name", "firstname", "given", "forename"},
	"family_name": {"last_name", "lastname", "surname", "family"},
	"full_name":   {"name", "fullname", "display_name"},
	"birth_date":  {"dob", "date_of_birth", "birthdate", "birthday"},
	"address":     {"street", "street_address", "address1", "address_line1", "address_line_1"},
	"city":        {"town", "suburb"},
	"postcode":    {"zip", "zipcode", "zip_code", "postal_code", "post_code"},
	"region":      {"state", "province", "county"},
	"email":       {"email_address", "e_mail", "mail"},
	"phone":       {"phone_number", "telephone", "tel", "mobile"},
	"exclusive":   {"account_id", "account_number", "customer_number"},
	"id":          {"contact_id", "record_id"},
}

// Options says how columns map to fields. The zero value maps by name and
// alias only.
type Options struct {
	// Fields maps fields to columns explicitly; they win over names.
	Fields Mapping
	// Ignore lists columns never mapped by name or alias.
	Ignore []string
	// Keep lists columns whose values Read returns as they are
	// ([Table].Kept), for instance a truth column. They are not mapped by
	// name. A kept column that is missing is not an error: Kept has no
	// entry for it.
	Keep []string
}

// RegisterFlags defines the flags that fill o on fs: -field FIELD=COLUMN
// (repeatable) into Fields and -ignore COL,COL,... into Ignore.
func (o *Options) RegisterFlags(fs *flag.FlagSet) {
	if o.Fields == nil {
		o.Fields = Mapping{}
	}
	fs.Var(o.Fields, "field", "FIELD=COLUMN: read matcher FIELD from COLUMN (repeatable)")
	fs.Func("ignore", "comma-separated columns never mapped by name", func(s string) error {
		for _, col := range strings.Split(s, ",") {
			if col = strings.TrimSpace(col); col != "" {
				o.Ignore = append(o.Ignore, col)
			}
		}
		return nil
	})
}

// Table is what Read returns.
type Table struct {
	// Records has one record per data row, in file order.
	Records []match.Record
	// Columns maps each mapped field to its column's header.
	Columns map[string]string
	// Kept holds, for each kept column present, its value in every row.
	Kept map[string][]string
}

// ReadFile reads the CSV file at path; see [Read].
func ReadFile(path string, o *Options) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := Read(f, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Read reads a CSV table with a header row. Every data row becomes one
// record holding the mapped columns' values as they are (the matcher
// normalizes them). It fails with [ErrMapping] when an explicit mapping
// names a missing column or no column maps to a field, and with the CSV
// reader's error (line included) on malformed input.
func Read(r io.Reader, o *Options) (*Table, error) {
	if o == nil {
		o = &Options{}
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	header = slices.Clone(header)
	header[0] = strings.TrimPrefix(header[0], "\ufeff") // a byte-order mark, as spreadsheets write
	idx, err := mapColumns(header, o)
	if err != nil {
		return nil, err
	}
	t := &Table{Columns: map[string]string{}, Kept: map[string][]string{}}
	for f, i := range idx {
		t.Columns[f] = header[i]
	}
	kept := map[string]int{}
	for _, k := range o.Keep {
		if i := slices.Index(header, k); i >= 0 {
			kept[k] = i
		}
	}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			return nil, err
		}
		var rec match.Record
		for f, i := range idx {
			if err := rec.Set(f, row[i]); err != nil {
				return nil, err
			}
		}
		t.Records = append(t.Records, rec)
		for k, i := range kept {
			t.Kept[k] = append(t.Kept[k], row[i])
		}
	}
}

// mapColumns returns the column index of every mapped field: explicit
// mappings first, then headers named like a field, then aliases. A column
// is mapped to one field at most.
func mapColumns(header []string, o *Options) (map[string]int, error) {
	idx := map[string]int{}
	used := map[int]bool{}
	for _, f := range match.FieldNames() {
		if col, ok := o.Fields[f]; ok {
			i := slices.Index(header, col)
			if i < 0 {
				return nil, fmt.Errorf("%w: no column %q for field %s", ErrMapping, col, f)
			}
			idx[f], used[i] = i, true
		}
	}
	byName := map[string]int{}
	for i, h := range header {
		if used[i] || slices.Contains(o.Ignore, h) || slices.Contains(o.Keep, h) {
			continue
		}
		if _, dup := byName[canonical(h)]; !dup {
			byName[canonical(h)] = i
		}
	}
	for _, f := range match.FieldNames() {
		if _, ok := idx[f]; ok {
			continue
		}
		for _, name := range append([]string{f}, Aliases[f]...) {
			if i, ok := byName[name]; ok && !used[i] {
				idx[f], used[i] = i, true
				break
			}
		}
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: no column maps to a matcher field (columns: %s)", ErrMapping, strings.Join(header, ", "))
	}
	return idx, nil
}

func canonical(h string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
}
