// Package benchkeep keeps the stores that benchmarks build, which take
// many minutes at full size, so that later runs reuse them instead of
// building them again. A benchmark with a -bench.keep=DIR flag builds its
// store once, closes it and moves it under DIR with [Keep]; a later run
// finds it with [Find] and opens it in place when it only reads, or works
// on a [Copy] when it writes, so that every run starts from the same
// store.
package benchkeep

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Find returns the path of the store called name kept under dir, and
// whether there is one. A store is only there once complete: Keep moves
// it in whole.
func Find(dir, name string) (string, bool) {
	p := filepath.Join(dir, name)
	st, err := os.Stat(p)
	return p, err == nil && st.IsDir()
}

// Keep moves the closed store in directory from under dir as name and
// returns its new path.
func Keep(from, dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	if err := os.Rename(from, p); err != nil {
		if !errors.Is(err, syscall.EXDEV) {
			return "", err
		}
		// Another file system: copy, then remove the original.
		if err := Copy(from, p); err != nil {
			os.RemoveAll(p)
			return "", err
		}
		return p, os.RemoveAll(from)
	}
	return p, nil
}

// Copy copies the store in directory from, which must not be open for
// writing, into directory to, which it creates.
func Copy(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return copyFile(path, target)
	})
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
