// Package geco generates labelled person records with the corruption
// model of the published record-linkage generators, FEBRL's dsgen
// (Christen, 2005) and GeCo (Christen and Vatsalan, 2013), for measuring
// the matcher (package match) on data that package synth did not make.
// The two generators share no code and no vocabulary (names, places,
// streets, domains; only the state code WA appears in both, as two
// different states), so a matcher tuned to one generator's quirks is
// caught by the other: test on both.
//
// Originals are Australian-style person records (given and family names
// drawn from frequency-ranked lists with a long tail of compound family
// names, a birth date written YYYYMMDD, a street address with unit
// numbers, suburb, 4-digit postcode and state, a mobile or landline
// phone, an email), some living in one household (same address, often
// the same family name and landline: the usual false matches). Some
// originals get duplicates: k of them with probability proportional to
// k^-1.5, k from 1 to [Options].MaxPerEntity, so most entities have one
// duplicate and a few have many, as FEBRL's Zipf option draws them.
//
// A duplicate is its original with 1 to [Options].MaxModifications
// corruptions (uniformly), each on another field. A corruption picks a
// field with these weights among the duplicate's non-empty fields not yet
// modified, then a kind with these weights among those that change the
// value (a nickname needs a name that has one; a day and month swap needs
// a day of 12 or less):
//
//	field        weight  kinds (weight)
//	given_name   20      keyboard 3, ocr 2, phonetic 3, edit 4, nickname 5, initial 2, missing 1, swap with family name 2
//	family_name  20      keyboard 3, ocr 2, phonetic 4, edit 5, space 2, replace 1, missing 1
//	birth_date   14      keyboard 3, swap day and month 2, offset 4, format 3, missing 2
//	address      14      keyboard 2, ocr 1, phonetic 1, edit 2, format 3, missing 2, replace (a move) 3
//	city          6      keyboard 2, ocr 1, phonetic 2, edit 2, missing 3
//	postcode      6      keyboard 4, edit (transposed digits) 2, missing 2
//	region        3      format (spelled out) 3, missing 2
//	phone         9      keyboard 3, edit (transposed digits) 1, format 3, missing 2, replace 2
//	email         8      keyboard 2, edit 2, format (capitals) 2, missing 2, replace (domain) 2
//
// A swap of names and a move change several fields at once, and count as
// the modification of each. [Dataset] records every corruption, so tests
// can check these rates and that nothing else changed. A date offset is 1
// to 30 days (60%), one year (30%) or ten (10%), either way.
//
// The output depends only on the options: the same seed gives the same
// dataset on every platform. The records are written and read as CSV by
// package synth ([synth.WriteCSV], [synth.ReadCSV]), so examples/evaluate
// and the tests read both generators' files alike.
//
// Caveats: the rates are this package's choice in the style of the
// published generators' defaults, not measured from real data; the
// vocabularies are small (about 150 given names, 150 family names plus
// 480 compounds, 40 suburbs).
//
// Generate is safe for concurrent use; it shares no state between calls.
package geco
