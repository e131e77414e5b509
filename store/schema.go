package store

import "github.com/threadline/threadline/internal/keys"

// Key schema
//
// Every key starts with one table byte; the components after it are encoded
// by package internal/keys, each with a tag byte:
//
//	bytes   0x12 <bytes, 0x00 escaped as 0x00 0xFF> 0x00 0x01
//	uint    0x15 <8 bytes big-endian>
//	int     0x16 <8 bytes big-endian, sign bit flipped>
//
// so byte order equals the order of the tuples (strings compare bytewise,
// integers numerically) and a prefix of components is a key range. Times are
// int components holding Unix nanoseconds. Values are owned by the package
// named: the store only sees bytes.
//
// The tables (keep this list in step with internal/keys.Tables; a test
// checks that every table appears here):
//
//	0x01 meta         owner store
//	     key:   0x01 name:bytes
//	     value: per record; "version" holds the format version, uint64 BE;
//	            "config" the configuration fingerprint (package threadline):
//	            format, then (setting, value) string pairs in setting order
//	0x02 seq          owner store (counters used by every package)
//	     key:   0x02 name:bytes                 e.g. "identity.customer"
//	     value: top of the numbers handed out or reserved, uint64 BE (NextSequence);
//	            Pebble only: on PostgreSQL a counter is a sequence (see below)
//	0x03 erasure      owner identity
//	     key:   0x03 eraser:bytes               e.g. "timeline", "journey"
//	     value: empty; the store holds that layer's data about customers, so
//	            Forget refuses unless an eraser of that name is registered
//
//	0x10 ident        owner identity
//	     key:   0x10 kind:bytes value:bytes      canonical identifier
//	     value: customer, first-seen sequence, first/last seen, count, verification
//	0x11 cust         owner identity
//	     key:   0x11 customer:uint
//	     value: created, updated, strong/total identifier counts, per-limit-group counts
//	0x12 member       owner identity
//	     key:   0x12 customer:uint kind:bytes value:bytes
//	     value: empty; lists a customer's identifiers
//	0x13 alias        owner identity
//	     key:   0x13 absorbed:uint
//	     value: surviving customer ID, uvarint (always one hop)
//	0x14 aliasrev     owner identity
//	     key:   0x14 survivor:uint absorbed:uint
//	     value: empty
//	0x15 link         owner identity
//	     key:   0x15 link:uint
//	     value: both identifiers and the evidence (rule, source, observation, time, score)
//	0x16 adj          owner identity
//	     key:   0x16 identifier:bytes identifier:bytes   "kind:value" strings
//	     value: link ID, uvarint; written in both directions
//	0x17 obslink      owner identity
//	     key:   0x17 observation:uint link:uint
//	     value: empty
//	0x18 srclink      owner identity
//	     key:   0x18 source:bytes link:uint
//	     value: empty
//	0x19 conflict     owner identity
//	     key:   0x19 conflict:uint
//	     value: guard, held identifier, conflicting values, customer, status, decision
//	0x1a conflictkey  owner identity
//	     key:   0x1a guard:bytes identifier:bytes other:bytes
//	     value: conflict ID, uvarint; deduplicates repeated refusals
//	0x1b conflictref  owner identity
//	     key:   0x1b identifier:bytes conflict:uint
//	     value: empty; conflicts naming an identifier, so Forget can find them
//	0x1c history      owner identity
//	     key:   0x1c customer:uint seq:uint
//	     value: type, time, observation, other customers, links, guard (no raw values)
//	0x1d attr         owner identity
//	     key:   0x1d identifier:bytes time:int observation:uint
//	     value: the observation's attributes as field, value pairs in field
//	            order, then source, verified
//	0x1e consent      owner identity
//	     key:   0x1e identifier:bytes purpose:bytes channel:bytes
//	     value: granted, time, source (latest statement per identifier)
//	0x1f suppress     owner identity
//	     key:   0x1f hmac:bytes                  HMAC-SHA256 of "kind:value"
//	     value: time of the Forget, uvarint
//
//	0x20 event        owner timeline
//	     key:   0x20 identifier:bytes time:int event:bytes   "kind:value", Unix ns, event ID
//	     value: the event record (channel, actor, type, text, facts, actions, ...)
//	0x21 eventid      owner timeline
//	     key:   0x21 event:bytes
//	     value: identifier, time and SHA-256 of the event's content (idempotent appends)
//
//	0x30 jstate       owner journey
//	     key:   0x30 customer:uint                   live customer ID: the header
//	     value: format, generation, grouping options, identifier count, (time, event
//	            ID) of the last event grouped, a summary of each journey (case,
//	            intent, state, end, last event time)
//	     key:   0x30 customer:uint index:uint        one journey under construction
//	     value: the journey and its grouping state (see journey/state.go)
//	0x31 jclaim       owner journey
//	     key:   0x31 identifier:bytes                "kind:value"
//	     value: customer uvarint, generation uvarint: the live state that holds this
//	            identifier's events; a state is valid only while every identifier
//	            of its customer is claimed by it
//	0x32 trigdue      owner journey
//	     key:   0x32 due:int trigger:bytes event:bytes   evaluation time (Unix ns), trigger name, event ID
//	     value: customer uvarint (when noted), event time varint: a trigger evaluation
//	            noted by the append that stored the event, deleted when evaluated
//	0x33 triglast     owner journey
//	     key:   0x33 trigger:bytes
//	     value: the trigger's last firing: decision ID, event ID, customer, time,
//	            chosen action name
//	0x50 mprofile     owner identity (probabilistic matching)
//	     key:   0x50 identifier:bytes            the anchor identifier of observations with attributes
//	     value: latest value of each matcher field (names, birth date, address, city, postcode, region, email, phone),
//	            then the profile's mblock entries (blocks and sort key), so changes and Forget remove exactly them
//	0x51 mblock       owner identity
//	     key:   0x51 block:bytes sort:bytes identifier:bytes   "rule:key" blocking keys, and "name:" (every named
//	            profile: the sorted neighbourhood); sort is "family given YYYYMMDD", the order read around a profile
//	     value: the profile prepared for comparison (match.Prepared.AppendBinary), so candidates are scored
//	            from the index without reading their profiles
//	0x53 mterm        owner identity
//	     key:   0x53 field:uint hash:bytes       hash: first 16 bytes of SHA-256 of the value (no raw value)
//	     value: number of profiles holding the value, uvarint
//	     key:   0x53                             (no components) the statistics: profile count, then each
//	                                             field's sum of squared counts, uvarints
//	0x54 mreview      owner identity
//	     key:   0x54 review:uint
//	     value: review item: both identifiers, weight, field comparisons, observation, status, reviewer
//	0x55 mpair        owner identity
//	     key:   0x55 identifier:bytes identifier:bytes   the pair, smaller first
//	     value: review ID, uvarint; a pair is reviewed at most once, a rejected one never again
//	0x56 mref         owner identity
//	     key:   0x56 identifier:bytes review:uint
//	     value: empty; reviews naming an identifier, so Forget can find them
//
// New tables are added here, in internal/keys, and nowhere else.
//
// On PostgreSQL (OpenPostgres) the store is kept in one schema
// (Options.Schema, default "threadline") of the database:
//
//	kv                  table (k bytea PRIMARY KEY, v bytea NOT NULL): every key
//	                    above, with its value, byte for byte as on Pebble (bytea
//	                    compares as memcmp, so ranges scan in key order)
//	seq_<name>          one sequence per counter of NextSequence, for a name of
//	                    at most 50 bytes of a-z, 0-9, '_' and '.'
//	seqh_<hex>          the same for any other name: 32 hex digits of its SHA-256

// FormatKey renders an encoded key for humans, e.g. in test output:
// "/meta/version". Keys that do not decode print their undecodable tail as
// hex.
func FormatKey(key []byte) string { return keys.Format(key) }
