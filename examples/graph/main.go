// Command graph draws one customer's identity graph as Graphviz DOT: a
// picture of why these identifiers are one customer.
//
// Identifiers are nodes (kind, value, whether and how verified); accepted
// links are edges labelled with their evidence (rule, source, observation,
// time); refused merges are dashed red edges labelled with the guard that
// refused them, to other customers' identifiers drawn in grey; absorbed
// customer IDs (aliases) are listed in the title.
//
// With no flags it plays a short story on a fresh in-memory store (Ann, who
// chats anonymously, emails, calls, is imported from the CRM, and calls from
// her office switchboard, which the CRM files under a colleague) and writes
// Ann's graph to standard output; the story is narrated on standard error.
//
//	go run ./examples/graph > ann.dot
//	go run ./examples/graph -o ann.dot -svg ann.svg    # needs Graphviz's dot
//	go run ./examples/graph -dir /path/to/store -id email:someone@example.com
//
// -svg renders with the dot program when it is on PATH and says so when it
// is not (the DOT is still written).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/threadline/threadline"
	"github.com/threadline/threadline/identity"
)

// config is the command line.
type config struct {
	dir      string // existing store; "" plays the story on a fresh one
	id       string // identifier naming the customer: "kind:value"
	customer string // or a customer ID: "c7"
	region   string // default phone region, as the store was written with
	out      string // DOT file; "" means standard output
	svg      string // SVG file to render with dot; "" means none
}

func main() {
	var cfg config
	flag.StringVar(&cfg.dir, "dir", "", "open the store in this directory instead of playing the story on a fresh one")
	flag.StringVar(&cfg.id, "id", "", `draw the customer of this identifier, "kind:value" (default: the story's Ann)`)
	flag.StringVar(&cfg.customer, "customer", "", `draw this customer ID ("c7") instead of looking up -id`)
	flag.StringVar(&cfg.region, "region", "US", "default phone region of the graph (must match how the store was written)")
	flag.StringVar(&cfg.out, "o", "", "write the DOT to this file instead of standard output")
	flag.StringVar(&cfg.svg, "svg", "", "also render an SVG to this file with Graphviz's dot")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "graph: unexpected arguments %q\n", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "graph:", err)
		os.Exit(1)
	}
}

// errNoDot is returned when -svg is asked for and dot is not installed.
var errNoDot = errors.New("-svg needs Graphviz's dot program, which is not on PATH " +
	"(install Graphviz, e.g. apt-get install graphviz, or render the DOT elsewhere)")

// run draws the customer cfg names, writing the DOT to cfg.out or stdout
// and notes for people to stderr.
func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if cfg.id == "" && cfg.customer == "" {
		if cfg.dir != "" {
			return errors.New("with -dir, name the customer with -id kind:value or -customer cN")
		}
		cfg.id = storyStart.String()
	}
	g, closeDB, err := openGraph(cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	if cfg.dir == "" {
		fmt.Fprintln(stderr, "Playing the story on a fresh in-memory store:")
		if err := playStory(ctx, g, stderr); err != nil {
			return err
		}
	}
	c, err := pick(ctx, g, cfg)
	if err != nil {
		return err
	}
	p, err := gather(ctx, g, c)
	if err != nil {
		return err
	}
	var dot bytes.Buffer
	if err := writeDOT(&dot, p); err != nil {
		return err
	}
	if err := output(cfg.out, stdout, dot.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Customer %s: identifiers %d, links %d, refused merges %d, aliases %d; DOT written to %s.\n",
		p.Customer, len(p.Identifiers), len(p.Links), len(p.Refused), len(p.Aliases), orStdout(cfg.out))
	if err := explainFar(ctx, g, p, stderr); err != nil {
		return err
	}
	if cfg.svg == "" {
		return nil
	}
	if err := render(ctx, dot.Bytes(), cfg.svg); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "SVG written to %s.\n", cfg.svg)
	return nil
}

// openGraph opens the store of cfg.dir (which must exist: opening would
// otherwise create an empty store) or a fresh in-memory one. It only
// draws, so a store recorded with another configuration is refused rather
// than rebuilt (threadline.DriftFail): the error names the settings.
func openGraph(cfg config) (*identity.Graph, func(), error) {
	opts := &threadline.Options{Identity: identity.Options{DefaultRegion: cfg.region}, Drift: threadline.DriftFail}
	dir := cfg.dir
	if dir == "" {
		opts.Clock = func() time.Time { return storyEnd }
		opts.Store.InMemory = true
	} else if _, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("-dir: %w", err)
	}
	s, err := threadline.Open(dir, opts)
	if err != nil {
		return nil, nil, err
	}
	return s.Graph(), func() { s.Close() }, nil
}

// pick resolves -customer or -id to a live customer.
func pick(ctx context.Context, g *identity.Graph, cfg config) (identity.CustomerID, error) {
	if cfg.customer != "" {
		c, err := identity.ParseCustomerID(cfg.customer)
		if err != nil {
			return 0, err
		}
		return g.Resolve(ctx, c)
	}
	id, err := identity.Parse(cfg.id)
	if err != nil {
		return 0, err
	}
	return g.Lookup(ctx, id)
}

func output(path string, stdout io.Writer, b []byte) error {
	if path == "" {
		_, err := stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func orStdout(path string) string {
	if path == "" {
		return "standard output"
	}
	return path
}

// render runs dot -Tsvg on the DOT source.
func render(ctx context.Context, dot []byte, svg string) error {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return errNoDot
	}
	cmd := exec.CommandContext(ctx, bin, "-Tsvg", "-o", svg)
	cmd.Stdin = bytes.NewReader(dot)
	var msg bytes.Buffer
	cmd.Stderr = &msg
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dot: %w: %s", err, bytes.TrimSpace(msg.Bytes()))
	}
	return nil
}
