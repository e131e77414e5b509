// Package synth generates people as a contact-center CRM holds them, with
// duplicates and ground truth, for measuring the matcher (package match)
// where no labelled data is at hand.
//
// [Generate] makes originals (names drawn with a realistic skew, so that
// common names are common; a long tail of rare family names; birth dates,
// addresses, emails and phones, some missing) and households (people
// sharing a home, a family name and often a landline: the usual false
// matches), then duplicates: copies of originals with one to three
// corruptions (see [Generate]). [Person].Truth numbers the real person.
// The output depends only on the options: the same seed gives the same
// records, on every platform.
//
// Caveats: the corruptions are modelled on common CRM errors, not
// measured from a real CRM; a matcher tuned on this data alone can
// over-fit it. Nicknames come from a small English list.
//
// Generate is safe for concurrent use; it shares no state between calls.
package synth
