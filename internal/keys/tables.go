package keys

import "fmt"

// Table is the first byte of every key: it names the table the key belongs
// to. Tables are listed, with their layouts and owners, in the store
// package's key-schema document; [Tables] is the same list in code.
type Table byte

// The tables. Values are part of the on-disk format: never renumber.
const (
	// Meta holds store-wide records such as the format version.
	Meta Table = 0x01
	// Seq holds named counters (see store.NextSequence).
	Seq Table = 0x02
	// Erasure lists the layers whose data Forget must erase too (see
	// identity.Tx.RequireEraser).
	Erasure Table = 0x03

	// Identity tables: the customer graph.
	Ident       Table = 0x10
	Customer    Table = 0x11
	Member      Table = 0x12
	Alias       Table = 0x13
	AliasRev    Table = 0x14
	Link        Table = 0x15
	Adjacency   Table = 0x16
	ObsLink     Table = 0x17
	SourceLink  Table = 0x18
	Conflict    Table = 0x19
	ConflictKey Table = 0x1A
	ConflictRef Table = 0x1B
	History     Table = 0x1C
	Attribute   Table = 0x1D
	Consent     Table = 0x1E
	Suppression Table = 0x1F

	// Probabilistic matching tables (identity): profiles, blocking index,
	// term frequencies and the review queue.
	MatchProfile Table = 0x50
	MatchBlock   Table = 0x51
	MatchTerm    Table = 0x53
	MatchReview  Table = 0x54
	MatchPair    Table = 0x55
	MatchRef     Table = 0x56

	// Timeline tables: events per identifier.
	Event   Table = 0x20
	EventID Table = 0x21

	// Journey tables: live journey state per customer.
	JourneyState Table = 0x30
	JourneyClaim Table = 0x31
	// Trigger tables: evaluations due and last firings.
	TriggerDue  Table = 0x32
	TriggerLast Table = 0x33
)

// Records of the [Meta] table, by the name that is their key's one
// component. Names are part of the on-disk format.
const (
	// MetaVersion holds the store's format version, uint64 big-endian
	// (written by package store).
	MetaVersion = "version"
	// MetaConfig holds the fingerprint of the configuration the stored
	// state depends on (written by package threadline's Open): a format
	// number, then (setting, value) string pairs in setting order, all in
	// package enc's encoding.
	MetaConfig = "config"
)

// TableSpec describes one table for the key-schema document and for
// [Format].
type TableSpec struct {
	Table  Table
	Name   string // short name printed by Format
	Owner  string // package that reads and writes it
	Layout string // components after the table byte
	Value  string // what the value holds
}

// Tables lists every table. The store package's schema test checks that its
// key-schema document mentions each one.
var Tables = []TableSpec{
	{Meta, "meta", "store", "name:bytes", "record named by the key: \"version\" (the format version, uint64 big-endian), \"config\" (the configuration fingerprint, written by package threadline)"},
	{Seq, "seq", "store", "name:bytes", "last value handed out, uint64 big-endian"},
	{Erasure, "erasure", "identity", "eraser:bytes", "empty; the store holds data that the eraser of this name erases, so Forget requires it"},
	{Ident, "ident", "identity", "kind:bytes value:bytes", "identifier record: customer, first-seen sequence, times, verification"},
	{Customer, "cust", "identity", "customer:uint", "customer record: times, per-kind counts"},
	{Member, "member", "identity", "customer:uint kind:bytes value:bytes", "empty; lists a customer's identifiers"},
	{Alias, "alias", "identity", "absorbed:uint", "surviving customer ID, uvarint"},
	{AliasRev, "aliasrev", "identity", "survivor:uint absorbed:uint", "empty; lists a survivor's aliases"},
	{Link, "link", "identity", "link:uint", "link record: both identifiers and the evidence"},
	{Adjacency, "adj", "identity", "identifier:bytes identifier:bytes", "link ID, uvarint; written in both directions"},
	{ObsLink, "obslink", "identity", "observation:uint link:uint", "empty; links made by an observation"},
	{SourceLink, "srclink", "identity", "source:bytes link:uint", "empty; links made by a source"},
	{Conflict, "conflict", "identity", "conflict:uint", "conflict record: guard, values, customers, decision"},
	{ConflictKey, "conflictkey", "identity", "guard:bytes identifier:bytes identifier:bytes", "conflict ID, uvarint; deduplicates repeated refusals"},
	{ConflictRef, "conflictref", "identity", "identifier:bytes conflict:uint", "empty; conflicts naming an identifier (for Forget)"},
	{History, "history", "identity", "customer:uint seq:uint", "history entry: merge, split, refusal, decision"},
	{Attribute, "attr", "identity", "identifier:bytes time:int observation:uint", "the observation's attributes (field, value pairs in field order), source, verified"},
	{Consent, "consent", "identity", "identifier:bytes purpose:bytes channel:bytes", "granted, time, source"},
	{Suppression, "suppress", "identity", "hmac:bytes", "time of the Forget that asked for suppression"},
	{MatchProfile, "mprofile", "identity", "identifier:bytes", "match profile: the latest value of each matcher field seen with the identifier, and its mblock entries"},
	{MatchBlock, "mblock", "identity", "block:bytes sort:bytes identifier:bytes", "the prepared profile; blocking index (rule:key, and name: for the sorted neighbourhood), in name order within a block"},
	{MatchTerm, "mterm", "identity", "field:uint hash:bytes", "profiles holding the value, uvarint; hash is SHA-256 of the value, truncated; the key with no components holds the statistics: the profile count and each field's sum of squared counts"},
	{MatchReview, "mreview", "identity", "review:uint", "review item: both identifiers, weight, field comparisons, status, reviewer"},
	{MatchPair, "mpair", "identity", "identifier:bytes identifier:bytes", "review ID, uvarint; one review per pair, ever (a rejected pair is never suggested again)"},
	{MatchRef, "mref", "identity", "identifier:bytes review:uint", "empty; reviews naming an identifier, so Forget can find them"},
	{Event, "event", "timeline", "identifier:bytes time:int event:bytes", "the event record"},
	{EventID, "eventid", "timeline", "event:bytes", "the event's identifier and time, and its content hash"},
	{JourneyState, "jstate", "journey", "customer:uint [index:uint]", "live journey state: header (generation, options, identifier count, last event, journey summaries); one journey per index"},
	{JourneyClaim, "jclaim", "journey", "identifier:bytes", "customer and generation of the live state holding the identifier's events"},
	{TriggerDue, "trigdue", "journey", "due:int trigger:bytes event:bytes", "customer when noted, event time"},
	{TriggerLast, "triglast", "journey", "trigger:bytes", "last firing: decision ID, event, customer, time, chosen action"},
}

var names = func() map[Table]string {
	m := make(map[Table]string, len(Tables))
	for _, t := range Tables {
		m[t.Table] = t.Name
	}
	return m
}()

// String returns the table's short name, or its hex value if unknown.
func (t Table) String() string {
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("0x%02x", byte(t))
}
