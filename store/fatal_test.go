package store

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fatalBackend is a back end whose engine fails fatally in every call, as
// Pebble does through its logger.
type fatalBackend struct {
	log    engineLogger
	closed bool
}

func (b *fatalBackend) fail() { b.log.Fatalf("commit pipeline broken: %d", 7) }

func (b *fatalBackend) update(context.Context, func(*Txn) error) error { b.fail(); return nil }
func (b *fatalBackend) view(context.Context, func(kv) error) error     { return nil }
func (b *fatalBackend) get(context.Context, []byte) ([]byte, error)    { return nil, ErrNotFound }
func (b *fatalBackend) compact(context.Context) error                  { return nil }
func (b *fatalBackend) close() error                                   { b.closed = true; return nil }

// Where Pebble would exit the process, the DB returns a *FatalError to the
// caller, and to every later call: the engine cannot go on.
func TestFatalBecomesError(t *testing.T) {
	var logged strings.Builder
	be := &fatalBackend{log: engineLogger{slog.New(slog.NewTextHandler(&logged, nil))}}
	db := &DB{be: be}
	ctx := context.Background()

	err := db.Update(ctx, func(*Txn) error { return nil })
	var fe *FatalError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "commit pipeline broken: 7", fe.Message)
	assert.ErrorIs(t, err, ErrEngine)
	assert.Contains(t, logged.String(), "fatal=true")

	_, err = db.Get(ctx, []byte("k"))
	assert.ErrorIs(t, err, fe, "the DB is unusable after a fatal error")
	assert.ErrorIs(t, db.View(ctx, func(*Txn) error { return nil }), fe)
	assert.ErrorIs(t, db.Close(), fe)
	assert.True(t, be.closed, "Close still closes the engine")
	assert.ErrorIs(t, db.Close(), ErrClosed)
}

// A panic that is not the engine's goes on to the caller as it was.
func TestOtherPanicsContinue(t *testing.T) {
	db, err := Open("", &Options{InMemory: true})
	require.NoError(t, err)
	defer db.Close()
	assert.PanicsWithValue(t, "boom", func() {
		_ = db.Update(context.Background(), func(*Txn) error { panic("boom") })
	})
	require.NoError(t, db.Update(context.Background(), func(*Txn) error { return nil }))
}

// The library (every package but the example programs) never writes to
// the standard library's global logger and never exits the process.
func TestNoGlobalLogNoExit(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "examples" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "log" {
				t.Errorf("%s imports log", path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "os" && sel.Sel.Name == "Exit" {
					t.Errorf("%s calls os.Exit", fset.Position(sel.Pos()))
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
}
