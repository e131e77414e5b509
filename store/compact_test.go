package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/faulttest"
	"github.com/threadline/threadline/store"
)

// TestCompactErases deletes records and compacts: no table or write-ahead
// log in the directory may still hold their keys or values. Regression
// test of three ways the bytes survived Compact: a recycled write-ahead
// log keeps its old records behind the new ones; a flushed table that
// nothing below overlaps is moved to the last level whole, with the
// tombstones that hold the deleted keys; and Pebble deletes obsolete files
// in the background, after Compact returned.
func TestCompactErases(t *testing.T) {
	for _, flushed := range []bool{false, true} {
		t.Run(fmt.Sprintf("flushed=%v", flushed), func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			db, err := store.Open(dir, nil)
			require.NoError(t, err)
			defer db.Close()
			key := func(i int) []byte { return fmt.Appendf(nil, "\x10erase-key-%03d-QXZJ", i) }
			val := func(i int) []byte { return fmt.Appendf(nil, "erase-value-%03d-WVKP", i) }
			for i := range 200 {
				require.NoError(t, db.Update(ctx, func(tx *store.Txn) error { return tx.Set(key(i), val(i)) }))
			}
			if flushed {
				require.NoError(t, db.Compact(ctx)) // the records at rest in a table
			}
			require.NoError(t, db.Update(ctx, func(tx *store.Txn) error {
				for i := range 200 {
					if err := tx.Delete(key(i)); err != nil {
						return err
					}
				}
				return nil
			}))
			require.NoError(t, db.Compact(ctx))
			hits, err := faulttest.ScanFiles(dir, "QXZJ", "WVKP")
			require.NoError(t, err)
			for _, h := range hits {
				// Pebble's MANIFEST records each table's first and last key
				// (see DB.Compact); tables and logs must hold nothing.
				if h.Needle != "QXZJ" || !strings.HasPrefix(h.Where, "MANIFEST-") {
					t.Errorf("after delete and Compact: %s", h)
				}
			}
		})
	}
}
