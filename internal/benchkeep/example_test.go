package benchkeep_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/threadline/threadline/internal/benchkeep"
)

// A benchmark keeps the store it built, and a later run finds it and
// works on a copy.
func Example() {
	root, _ := os.MkdirTemp("", "benchkeep-example-")
	defer os.RemoveAll(root)
	keep := filepath.Join(root, "kept")

	if _, ok := benchkeep.Find(keep, "1M"); !ok {
		built := filepath.Join(root, "build")
		os.MkdirAll(built, 0o755)
		os.WriteFile(filepath.Join(built, "MANIFEST"), []byte("a store"), 0o644)
		if _, err := benchkeep.Keep(built, keep, "1M"); err != nil {
			fmt.Println(err)
		}
	}
	kept, ok := benchkeep.Find(keep, "1M")
	fmt.Println("kept:", ok)
	work := filepath.Join(root, "run")
	if err := benchkeep.Copy(kept, work); err != nil {
		fmt.Println(err)
	}
	b, _ := os.ReadFile(filepath.Join(work, "MANIFEST"))
	fmt.Println("copy holds:", string(b))
	// Output:
	// kept: true
	// copy holds: a store
}
