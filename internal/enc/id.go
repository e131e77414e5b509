package enc

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ContentID derives a stable ID from content: prefix followed by the first
// 8 bytes (16 hex digits) of the SHA-256 of parts joined by 0x00. Records
// written more than once with the same content (a retried decision, a
// trigger firing re-run after a crash) get the same ID, which makes writing
// them idempotent.
func ContentID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + hex.EncodeToString(sum[:8])
}
