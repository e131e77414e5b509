package faulttest

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/identity"
	"github.com/threadline/threadline/store"
	"github.com/threadline/threadline/timeline"
)

// erasureSecrets are the raw values of the customer the erasure test
// forgets (identifiers, names, a fact, message text, an event ID), each by
// a token of it that no other data shares. Tokens, because tables store a
// key without the prefix it shares with the key before it (an identifier's
// "visitor-", an event ID's "ev-") and compress their blocks, which splits
// ordinary words wherever a few letters repeat earlier ones: a scan for
// whole values, or for common words, would miss data that is there. Each
// token is rare letters or digits in no other record, and the erasure
// test shows that its scan finds each one in the tables before the Forget.
var erasureSecrets = []string{
	"qjxzvkwpty", "9075550199", "7f3a9c2e", "qz81x7ann",
	"Qwyzandra", "Vrkthjolme", "XJQWZK7Y3V", "PZKQVWXJBM",
}

// erasureLoad gives the doomed customer and bystanders (2n operations of
// the workload, before and after the customer's event) a history: an
// observation with names, events with facts and text, a merge through a
// conflict-free shared visitor.
func erasureLoad(t *testing.T, w *world, n int) identity.CustomerID {
	ctx := context.Background()
	email, phone := identity.New(identity.Email, "Annabel.QJXZVKWPTY@example.com"), identity.New(identity.Phone, "+1 (907) 555-0199")
	visitor := identity.New(identity.Visitor, "visitor-7f3a9c2e")
	_, err := w.g.Observe(ctx, identity.Observation{Identifiers: []identity.Identifier{email, visitor}, Source: "web", Time: workBase,
		Attributes: map[string]string{identity.AttrGivenName: "Qwyzandra", identity.AttrFamilyName: "Vrkthjolme"}})
	require.NoError(t, err)
	for i := range n {
		_, err := w.apply(ctx, genOp(7, i))
		require.NoError(t, err)
	}
	ev := workEvent(n, []identity.Identifier{phone, email})
	ev.ID, ev.Text = "ev-qz81x7ann", "my card ending 9876 was charged twice, ref PZKQVWXJBM"
	ev.Facts = []timeline.Fact{{Key: "order", Value: "ORDER-XJQWZK7Y3V"}}
	res, err := w.tl.Append(ctx, ev)
	require.NoError(t, err)
	for i := n + 1; i < 2*n; i++ {
		_, err := w.apply(ctx, genOp(7, i))
		require.NoError(t, err)
	}
	return res[0].Customer
}

// erasureKeys are the secrets that keys hold (identifiers, the event ID);
// the others (names, facts, text) are only ever in values.
var erasureKeys = map[string]bool{"qjxzvkwpty": true, "9075550199": true, "7f3a9c2e": true, "qz81x7ann": true}

// TestErasure forgets a customer, compacts, and searches every key and
// value of the store, then every byte of its files (tables, write-ahead
// logs, MANIFEST) for the customer's raw values. Tables and logs must hold
// none. Pebble's MANIFEST may still hold erased keys that were the first
// or last key of a table (the residue store.DB.Compact documents); two
// reopens must clear it.
func TestErasure(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		dir := t.TempDir()
		w := forgetAnnabel(t, dir, nil, erasureOps(200), true, false)
		checkErased(t, w, dir)
	})
	// Forgotten before anything reached a table: the flush writes the
	// deletions' tombstones (holding the erased keys) into a table that
	// nothing below overlaps, which a compaction would move down whole.
	t.Run("never flushed", func(t *testing.T) {
		dir := t.TempDir()
		w := forgetAnnabel(t, dir, nil, erasureOps(200), false, false)
		checkErased(t, w, dir)
	})
	// Forgotten with suppression: the graph keeps keyed hashes of the
	// identifiers, which refuse them later, and nothing readable.
	t.Run("suppressed", func(t *testing.T) {
		ctx := context.Background()
		dir := t.TempDir()
		w := forgetAnnabel(t, dir, nil, erasureOps(200), false, true)
		res, err := w.g.Observe(ctx, identity.Observation{Source: "web", Time: workBase,
			Identifiers: []identity.Identifier{identity.New(identity.Email, "annabel.qjxzvkwpty@example.com")}})
		require.NoError(t, err)
		require.Equal(t, identity.OutcomeRefused, res.Outcome, "a suppressed value observed again")
		require.NoError(t, w.db.Compact(ctx))
		checkErased(t, w, dir)
	})
	// Small memtables: many flushes and compactions before the Forget.
	t.Run("many files", func(t *testing.T) {
		dir := t.TempDir()
		w := forgetAnnabel(t, dir, &store.Options{MemTableSize: 64 << 10, NoSync: true}, erasureOps(1000), false, false)
		checkErased(t, w, dir)
	})
}

// checkErased scans dir after forgetAnnabel, then closes w and reopens the
// store twice, and scans again.
func checkErased(t *testing.T, w *world, dir string) {
	ctx := context.Background()
	hits, err := ScanFiles(dir, erasureSecrets...)
	require.NoError(t, err)
	manifestOnly(t, hits)
	require.NoError(t, w.close())
	// Pebble starts a new MANIFEST at open and keeps one previous
	// MANIFEST: after two reopens none holds the erased keys.
	for range 2 {
		w, err := openWorld(dir, nil, nil)
		require.NoError(t, err)
		require.NoError(t, w.db.Compact(ctx))
		require.NoError(t, w.close())
	}
	hits, err = ScanFiles(dir, erasureSecrets...)
	require.NoError(t, err)
	require.Empty(t, hits, "in the store's files after two reopens")
}

// forgetAnnabel loads a world in dir, forgets the customer of the secrets,
// checks that no key or value still holds them, and compacts.
// With control, it first compacts and checks that a scan of the files
// finds every secret; with suppress, the graph has a suppression key and
// forgets with suppression.
func forgetAnnabel(t *testing.T, dir string, opts *store.Options, n int, control, suppress bool) *world {
	ctx := context.Background()
	var gopts *identity.Options
	if suppress {
		gopts = &identity.Options{DefaultRegion: "US", SuppressionKey: []byte("erasure-test-key")}
	}
	w, err := openWorld(dir, opts, gopts)
	require.NoError(t, err)
	c := erasureLoad(t, w, n)
	hits, err := ScanStore(ctx, w.db, erasureSecrets...)
	require.NoError(t, err)
	found := map[string]bool{}
	for _, h := range hits {
		found[h.Needle] = true
	}
	require.Len(t, found, len(erasureSecrets), "the secrets are not all stored: the test would prove nothing")
	if control {
		// The tables compress their blocks: a secret could be there
		// without its bytes in a row. Show that the scan finds each one in
		// the tables before the Forget, so that not finding it after means
		// something.
		require.NoError(t, w.db.Compact(ctx))
		hits, err := ScanFiles(dir, erasureSecrets...)
		require.NoError(t, err)
		inTables := map[string]bool{}
		for _, h := range hits {
			if strings.HasSuffix(h.Where, ".sst") {
				inTables[h.Needle] = true
			}
		}
		require.Len(t, inTables, len(erasureSecrets), "secrets found in the tables before Forget: %v", hits)
	}
	_, err = w.g.Forget(ctx, c, identity.ForgetOptions{Suppress: suppress}) // the identity call erases the events too
	require.NoError(t, err)
	hits, err = ScanStore(ctx, w.db, erasureSecrets...)
	require.NoError(t, err)
	require.Empty(t, hits, "readable through the store after Forget")
	require.NoError(t, w.db.Compact(ctx))
	return w
}

// manifestOnly fails on hits anywhere but in a MANIFEST, or of secrets
// that no key holds; it logs the rest (the documented residue).
func manifestOnly(t *testing.T, hits []Hit) {
	t.Helper()
	for _, h := range hits {
		if !strings.HasPrefix(h.Where, "MANIFEST-") || !erasureKeys[h.Needle] {
			t.Errorf("after Forget and Compact: %s", h)
			continue
		}
		t.Logf("residue: %s (a file boundary key in Pebble's MANIFEST)", h)
	}
}

// erasureOps scales the erasure test's load down under the race detector.
func erasureOps(n int) int {
	if raceEnabled || testing.Short() {
		return n / 4
	}
	return n
}
