// Command crm-import imports a CSV of contacts into a Threadline store and
// shows which rows are one customer and why, and which pairs a person
// should look at.
//
//	go run ./examples/crm-import                    # the sample, testdata/crm-contacts.csv
//	go run ./examples/crm-import -csv contacts.csv -field given_name=Vorname \
//	    -field exclusive=kundennummer -region DE -dir ./crm-store
//
// Duplicates are found two ways. Rows sharing an email address, a phone
// number or an account ID (in any spelling the identity package
// normalizes: case, punctuation, national or international format) are
// one customer by the graph's deterministic rules. Rows that share none,
// but whose names, birth dates and addresses say they are one person, are
// found by the probabilistic matcher: a bulk deduplication of the whole
// table (package match) with parameters estimated from the table itself,
// no labels needed, loaded into the graph with [identity.Graph.LoadMatches].
// Pairs between the review and link bands become review items.
//
// Bulk, not real time, because the whole table is at hand: the matcher
// then estimates its parameters on this table instead of using generic
// ones, compares every candidate pair once, and clusters the links
// strongest first, so the result does not depend on the order of the rows.
// Observing rows one at a time with matching on would score each row only
// against the rows before it, with parameters fixed in advance.
//
// A bulk import sees what one observation cannot: an email or phone held
// by rows whose profiles name different people (given names and birth
// dates both differ), such as a household's landline. Such shared values
// are left out of the graph and of the matcher's comparisons, and listed;
// -keep-shared keeps them, and they then join those people.
//
// It prints the customers with more than one row, each with the evidence
// that joined its rows (the shared identifiers, or the match weight and
// every field's comparison), the shared values, the merges a guard
// refused (among them the matcher's links between rows that together hold
// more emails or phones than one customer may), and the review queue with each pair's weight and field
// comparisons. A progress bar is drawn on stderr when a stage runs longer
// than a second (LoadMatches reports its "observe" and "link" stages).
//
// Caveat: the graph is opened before the matcher's parameters are
// estimated, so without [identity.MatchOptions], and the store holds no
// blocking index of the imported profiles; a program that later opens it
// with matching on finds the imported customers by their identifiers, not
// by profile. (A graph opened with matching on before LoadMatches gets
// the index: LoadMatches indexes profiles without scoring them.)
//
// Each row is stored under an [identity.SourceRecord] identifier,
// "record:crm:" and its id column (or its row number), besides its email,
// phone and account ID: many records may be one customer, where an
// account ID allows one per customer. Email and
// phone values the identity package rejects (a phone number not valid for
// its country) are left out of both the graph and the matcher, and
// counted. Columns map to matcher fields by name or common alias
// (first_name, surname, dob, street, zip, state, account_id, ...) or by
// -field FIELD=COLUMN; fields: given_name, family_name, full_name,
// birth_date, address, city, postcode, region, email, phone, exclusive (an
// account ID: two rows with different values are never one customer), id.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/identity/csvmap"
	"github.com/threadline/threadline/identity/match"
)

// config is the command line.
type config struct {
	csv          string
	columns      csvmap.Options
	dir          string
	region       string
	source       string
	link, review *float64 // bands as match weights; nil: the defaults
	params       string
	saveParams   string
	show         int
	progress     bool
	keepShared   bool
}

func main() {
	var c config
	flag.StringVar(&c.csv, "csv", "testdata/crm-contacts.csv", "CSV of contacts, with a header row")
	c.columns.RegisterFlags(flag.CommandLine)
	flag.StringVar(&c.dir, "dir", "", "store directory, kept after the run (default: a temporary one, removed)")
	flag.StringVar(&c.region, "region", "US", "phone region (ISO 3166) of numbers without a country code")
	flag.StringVar(&c.source, "source", "crm-import", "source recorded as evidence on every link")
	flag.Func("link", "link band as a match weight (log2 odds; default: p=0.95, weight 4.25)", weightFlag(&c.link))
	flag.Func("review", "review band as a match weight (default: p=0.5, weight 0)", weightFlag(&c.review))
	flag.StringVar(&c.params, "params", "", "matcher parameters as JSON instead of estimating them from the table")
	flag.StringVar(&c.saveParams, "save-params", "", "write the parameters used as JSON (for identity.MatchOptions in real time)")
	flag.BoolVar(&c.keepShared, "keep-shared", false, "let emails and phones shared by different people (by name and birth date) join their rows")
	flag.IntVar(&c.show, "show", 10, "clusters and review items to print (0: all)")
	flag.BoolVar(&c.progress, "progress", true, "draw a progress bar on stderr when a stage takes more than a second")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, os.Stderr, c); err != nil {
		fmt.Fprintln(os.Stderr, "crm-import:", err)
		os.Exit(1)
	}
}

func weightFlag(dst **float64) func(string) error {
	return func(s string) error {
		w, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return errors.New("want a number (a match weight in log2 odds)")
		}
		*dst = &w
		return nil
	}
}

// rowNamespace is the system every row's [identity.SourceRecord] names:
// row "1042" is stored as record:crm:1042.
const rowNamespace = "crm"

// graphOptions are the identity options of the import: the default kinds.
func graphOptions(region string) *threadline.Options {
	return &threadline.Options{Identity: identity.Options{DefaultRegion: region}}
}

func run(ctx context.Context, stdout, stderr io.Writer, c config) error {
	if c.link != nil && c.review != nil && *c.review > *c.link {
		return fmt.Errorf("%w: review band %.2f above link band %.2f", match.ErrInvalidParams, *c.review, *c.link)
	}
	bar := newProgress(stderr, c.progress)
	t, err := csvmap.ReadFile(c.csv, &c.columns)
	if err != nil {
		return err
	}
	imp, err := prepareRows(t, c.region, c.source, c.keepShared)
	if err != nil {
		return err
	}
	dir, cleanup, err := storeDir(c.dir)
	if err != nil {
		return err
	}
	defer cleanup()
	// Durable: LoadMatches writes in transactions of 1,000 rows, so
	// syncing each costs little.
	st, err := threadline.Open(dir, graphOptions(c.region))
	if err != nil {
		return err
	}
	defer st.Close()
	g := st.Graph()
	imp.printHeader(stdout, c.csv, t, c.keepShared)

	res, err := dedupe(ctx, imp.recs, c, bar)
	if err != nil {
		return err
	}
	printMatcher(stdout, res)
	if c.saveParams != "" {
		if err := saveParams(c.saveParams, &res.Params); err != nil {
			return err
		}
	}
	lr, err := g.LoadMatches(ctx, imp.obs, res, &identity.LoadOptions{Progress: func(p match.Progress) {
		bar.update(p.Stage, p.Done, p.Total)
	}})
	bar.done()
	// A guard refuses a link between rows that together hold more emails
	// or phones than one customer may: the report lists them
	// (lr.Refusals).
	var refused *identity.RefusedLinksError
	if errors.As(err, &refused) {
		err = nil
	}
	if err != nil {
		return err
	}
	where := dir + " (kept)"
	if c.dir == "" {
		where = "a temporary directory, removed at exit (-dir keeps it)"
	}
	fmt.Fprintf(stdout, "store: %s\n", where)
	fmt.Fprintf(stdout, "loaded: %d rows observed; the matcher's links merged %d pairs of customers, found %d already one by shared identifiers, %d refused by a guard; %d review items\n",
		lr.Observed, lr.Linked, lr.Already, lr.Refused, lr.Reviews)
	return imp.report(ctx, stdout, g, &lr, c.show)
}

// storeDir returns the store directory: dir, or a new temporary one that
// cleanup removes.
func storeDir(dir string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, os.MkdirAll(dir, 0o755)
	}
	tmp, err := os.MkdirTemp("", "threadline-crm-import-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// dedupe runs the bulk matcher with the bands of the command line.
func dedupe(ctx context.Context, recs []match.Record, c config, bar *progress) (*match.Result, error) {
	opts := &match.Options{Progress: func(p match.Progress) { bar.update(p.Stage, p.Done, p.Total) }}
	if c.params != "" {
		p, err := loadParams(c.params)
		if err != nil {
			return nil, err
		}
		opts.Params = &p
	}
	if c.link != nil || c.review != nil {
		if opts.Params == nil {
			p, _, err := match.Estimate(ctx, recs, opts)
			if err != nil {
				return nil, err
			}
			opts.Params = &p
		}
		if c.link != nil {
			opts.Params.Link = *c.link
		}
		if c.review != nil {
			opts.Params.Review = *c.review
		}
		if err := opts.Params.Validate(); err != nil {
			return nil, err
		}
	}
	res, err := match.Dedupe(ctx, recs, opts)
	bar.done()
	return res, err
}

func printMatcher(w io.Writer, res *match.Result) {
	var n [match.Link + 1]int // pairs by decision
	for _, p := range res.Pairs {
		n[p.Decision]++
	}
	fmt.Fprintf(w, "matcher: %d candidate pairs compared; %d above the link band, %d between the bands\n",
		res.Compared, n[match.Link], n[match.Review])
	how := "given with -params"
	if res.EMIterations > 0 {
		how = fmt.Sprintf("estimated from this table without labels (%d EM iterations in %d sessions)", res.EMIterations, len(res.Estimation.Sessions))
	}
	fmt.Fprintf(w, "parameters %s: prior %.3g; link at weight %.2f (p=%.3f), review at %.2f (p=%.3f)\n", how, res.Params.Prior,
		res.Params.Link, match.ProbabilityOf(res.Params.Link), res.Params.Review, match.ProbabilityOf(res.Params.Review))
}

func loadParams(path string) (match.Params, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return match.Params{}, err
	}
	return match.LoadParams(bytes.NewReader(b))
}

func saveParams(path string, p *match.Params) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := p.Save(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
