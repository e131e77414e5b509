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
// A column name may join several columns with "+", whose values are then
// joined ("address=street_number+address_1", "birth_date=year+month+day";
// see [Read]). It is a [flag.Value]: each Set takes one FIELD=COLUMN.
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

// Options says how columns map to fields. The zero value maps columns
// automatically only (see the package comment).
type Options struct {
	// Fields maps fields to columns explicitly; they win over names.
	Fields Mapping
	// Ignore lists columns never mapped automatically (only by Fields).
	Ignore []string
	// Keep lists columns whose values Read returns as they are
	// ([Table].Kept), for instance a truth column. They are not mapped
	// automatically. A kept column that is missing is not an error: Kept has no
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
	fs.Func("ignore", "comma-separated columns never mapped automatically", func(s string) error {
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
	// Columns maps each mapped field to its column's header, or to its
	// columns' headers joined by "+" (the form [Mapping] takes) when the
	// value is read from several.
	Columns map[string]string
	// By says how each mapped field's columns were chosen.
	By map[string]Reason
	// Unmapped lists the columns that no field, [Options].Ignore or
	// [Options].Keep took, in file order: data the matcher does not see.
	Unmapped []string
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
// normalizes them). A field read from several columns gets their values
// joined with spaces, empty ones left out, except birth_date, whose parts
// are joined with "-" and which is missing when a part is. It fails with [ErrMapping] when an explicit mapping
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
	p, cols, err := plan(header, o)
	if err != nil {
		return nil, err
	}
	t := &Table{Columns: map[string]string{}, By: map[string]Reason{}, Kept: map[string][]string{}, Unmapped: cols.unmapped()}
	for f, src := range p {
		names := make([]string, len(src.cols))
		for i, c := range src.cols {
			names[i] = header[c]
		}
		t.Columns[f], t.By[f] = strings.Join(names, "+"), src.by
	}
	kept := map[string]int{}
	for _, k := range o.Keep {
		if i := slices.Index(header, k); i >= 0 {
			kept[k], t.Kept[k] = i, []string{}
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
		for f, src := range p {
			if err := rec.Set(f, src.value(f, row)); err != nil {
				return nil, err
			}
		}
		t.Records = append(t.Records, rec)
		for k, i := range kept {
			t.Kept[k] = append(t.Kept[k], row[i])
		}
	}
}
