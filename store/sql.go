package store

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"

	"github.com/jackc/pgx/v5"
)

// Every SQL statement the PostgreSQL back end sends is in this file. They
// keep to a small subset that CockroachDB and YugabyteDB accept as well
// (bytea keys compared bytewise, INSERT ... ON CONFLICT, unnest of arrays,
// native sequences); those engines are untested (see the README). The
// exceptions, PostgreSQL only and said so where they are used: VACUUM FULL
// (Compact) and synchronous_commit (Options.NoSync).

// pgSQL holds the statements for one schema, with its names quoted.
type pgSQL struct {
	schema string // quoted

	createSchema, createTable string
	dropSchema                string

	begin, beginNoSync, beginView string
	commit, rollback              string

	get string
	// put replaces the values of the keys in $2 with those in $3 and
	// deletes the keys in $1, in one statement: the keys of both lists
	// are distinct, so no row is touched twice.
	put         string
	deleteRange string
	// scan* read one page of an iteration, in key order (bytea compares as
	// memcmp, the store's key order) or its reverse; the Open variants have
	// no upper bound.
	scanFwd, scanFwdOpen, scanBack, scanBackOpen string

	vacuum string
}

func newPgSQL(schema string) *pgSQL {
	s := pgx.Identifier{schema}.Sanitize()
	kv := s + ".kv"
	return &pgSQL{
		schema:       s,
		createSchema: "CREATE SCHEMA IF NOT EXISTS " + s,
		createTable:  "CREATE TABLE IF NOT EXISTS " + kv + " (k bytea PRIMARY KEY, v bytea NOT NULL)",
		dropSchema:   "DROP SCHEMA IF EXISTS " + s + " CASCADE",

		begin:       "BEGIN ISOLATION LEVEL SERIALIZABLE",
		beginNoSync: "BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL synchronous_commit TO OFF",
		beginView:   "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		commit:      "COMMIT",
		rollback:    "ROLLBACK",

		get: "SELECT v FROM " + kv + " WHERE k = $1",
		put: "WITH d AS (DELETE FROM " + kv + " WHERE k = ANY($1::bytea[])) " +
			"INSERT INTO " + kv + " (k, v) SELECT * FROM unnest($2::bytea[], $3::bytea[]) " +
			"ON CONFLICT (k) DO UPDATE SET v = excluded.v",
		deleteRange: "DELETE FROM " + kv + " WHERE k >= $1 AND k < $2",

		scanFwd:      "SELECT k, v FROM " + kv + " WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3",
		scanFwdOpen:  "SELECT k, v FROM " + kv + " WHERE k >= $1 ORDER BY k LIMIT $2",
		scanBack:     "SELECT k, v FROM " + kv + " WHERE k >= $1 AND k < $2 ORDER BY k DESC LIMIT $3",
		scanBackOpen: "SELECT k, v FROM " + kv + " WHERE k >= $1 ORDER BY k DESC LIMIT $2",

		vacuum: "VACUUM FULL " + kv,
	}
}

// plainSeqName matches counter names used as they are in a sequence's
// name; any other name is hashed (identifiers are at most 63 bytes).
var plainSeqName = regexp.MustCompile(`^[a-z0-9_.]{1,50}$`)

// seqName returns the quoted, schema-qualified name of the sequence behind
// the counter called name: "seq_" and the name when it is short and plain,
// else "seqh_" and 32 hex digits of its SHA-256.
func (q *pgSQL) seqName(name string) string {
	n := "seq_" + name
	if !plainSeqName.MatchString(name) {
		h := sha256.Sum256([]byte(name))
		n = "seqh_" + hex.EncodeToString(h[:16])
	}
	return q.schema + "." + pgx.Identifier{n}.Sanitize()
}

// nextval returns the statement that draws the next number of a sequence.
func nextval(seq string) string { return "SELECT nextval('" + quoteLiteral(seq) + "')" }

// createSeq returns the statement that creates a counter's sequence.
func createSeq(seq string) string { return "CREATE SEQUENCE IF NOT EXISTS " + seq }

// quoteLiteral doubles single quotes, for a name inside a string literal
// (nextval takes the sequence's name as text).
func quoteLiteral(s string) string {
	out := make([]byte, 0, len(s)+2)
	for i := range len(s) {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(out)
}
