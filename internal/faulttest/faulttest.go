package faulttest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/threadline/threadline/store"
)

// Digest is a fingerprint of a store's whole logical contents: every key
// and value, in order. Digests are comparable values, safe to copy and
// share between goroutines.
type Digest struct {
	Sum  [sha256.Size]byte // SHA-256 over each key and value, length-prefixed
	Keys int               // how many keys the store held
}

// String shows the first bytes of the sum and the key count.
func (d Digest) String() string { return fmt.Sprintf("%x (%d keys)", d.Sum[:8], d.Keys) }

// StoreDigest hashes every key and value of db in one consistent
// snapshot. Two stores with equal digests hold the same keys and values.
func StoreDigest(ctx context.Context, db *store.DB) (Digest, error) {
	var d Digest
	h := sha256.New()
	err := db.View(ctx, func(txn *store.Txn) error {
		it := txn.NewIter(nil)
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			for _, b := range [][]byte{it.Key(), it.Value()} {
				h.Write(binary.AppendUvarint(nil, uint64(len(b))))
				h.Write(b)
			}
			d.Keys++
		}
		return it.Error()
	})
	h.Sum(d.Sum[:0])
	return d, err
}

// Hit is one place where a searched-for byte string was found. Hits are
// plain values, safe to copy and share between goroutines.
type Hit struct {
	Where  string // a formatted key, or a file path relative to the scanned directory
	Needle string
	Offset int // within the key or value, or the file
}

// String says what was found where.
func (h Hit) String() string { return fmt.Sprintf("%q in %s at %d", h.Needle, h.Where, h.Offset) }

// ScanStore searches every key and value of db, in one consistent
// snapshot, for the needles. It reports the first occurrence of each
// needle in each key and each value.
func ScanStore(ctx context.Context, db *store.DB, needles ...string) ([]Hit, error) {
	var hits []Hit
	err := db.View(ctx, func(txn *store.Txn) error {
		it := txn.NewIter(nil)
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			k := store.FormatKey(it.Key())
			hits = append(hits, find("key "+k, it.Key(), needles)...)
			hits = append(hits, find("value of "+k, it.Value(), needles)...)
		}
		return it.Error()
	})
	return hits, err
}

// ScanFiles searches the raw bytes of every regular file under dir for the
// needles: what a reader of the store's files (sstables, write-ahead logs,
// manifests) could find. It reports the first occurrence of each needle in
// each file. Compressed and prefix-compressed bytes can hide a needle
// that is there: search for tokens no other data shares, and show that
// the scan finds them before concluding from their absence.
func ScanFiles(dir string, needles ...string) ([]Hit, error) {
	var hits []Hit
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		hits = append(hits, find(rel, b, needles)...)
		return nil
	})
	return hits, err
}

// find reports the first occurrence of each needle in b.
func find(where string, b []byte, needles []string) []Hit {
	var hits []Hit
	for _, n := range needles {
		if i := bytes.Index(b, []byte(n)); i >= 0 {
			hits = append(hits, Hit{Where: where, Needle: n, Offset: i})
		}
	}
	return hits
}

// Partition is a union-find over string elements: the model of a
// partition into customers, built from the sets of identifiers seen
// together. The zero value is an empty partition. A Partition is not safe
// for concurrent use.
type Partition struct {
	parent map[string]string
}

func (p *Partition) find(x string) string {
	if p.parent == nil {
		p.parent = map[string]string{}
	}
	r, ok := p.parent[x]
	if !ok {
		p.parent[x] = x
		return x
	}
	if r == x {
		return x
	}
	root := p.find(r)
	p.parent[x] = root
	return root
}

// Union puts all the elements in one set (a single element is added on its
// own).
func (p *Partition) Union(elems ...string) {
	if len(elems) == 0 {
		return
	}
	a := p.find(elems[0])
	for _, e := range elems[1:] {
		if b := p.find(e); b != a {
			// The smaller root wins, so the result does not depend on the
			// order of the unions.
			if b < a {
				a, b = b, a
			}
			p.parent[b] = a
		}
	}
}

// Sets returns the sets, each sorted, in order of their smallest element.
func (p *Partition) Sets() [][]string {
	by := map[string][]string{}
	for x := range p.parent {
		r := p.find(x)
		by[r] = append(by[r], x)
	}
	out := make([][]string, 0, len(by))
	for _, s := range by {
		slices.Sort(s)
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}
