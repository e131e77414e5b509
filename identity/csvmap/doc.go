// Package csvmap reads a table of people from CSV into matcher records
// (package match), mapping the table's columns to matcher fields: what an
// importer needs to take any CRM export or labelled dataset as it is.
// The example programs examples/crm-import and examples/evaluate use it.
//
// A field's columns are chosen in this order, each column going to one
// field at most ([Reason] names each step):
//
//  1. an explicit [Mapping] ("-field given_name=Vorname"), which may join
//     columns ("-field address=street_number+address_1");
//  2. a header that is the field's name or one of its [Aliases], compared
//     by letters and digits only, case aside ("First Name", "FirstName",
//     "first_name"; "zip", "Post-Code"; "dob", "Date of Birth");
//  3. parts: a date given as three columns (year, month and day, alone or
//     with a prefix such as "birth_"), and a house-number column
//     ("street_number") put in front of the mapped address;
//  4. a word of the header among the field's [Words] ("postcode_fake",
//     "home_phone"), when no column is named for the field;
//  5. a stand-in of [Fallbacks] (a place of birth for the city) when the
//     table has no column for the field at all.
//
// Columns none of these take are listed in [Table].Unmapped, so that a
// program can say which data the matcher does not see; [Options].Keep
// returns some of them as they are (a truth column), and [Options].Ignore
// keeps columns from being mapped automatically. Identifiers such as a
// national insurance or social security number are never mapped
// automatically: map one to exclusive only if it truly is one per person.
//
// Functions here share no state and are safe for concurrent use; a
// [Mapping] is a map and is not, and Read only reads the package's alias
// tables, which a program may extend before it reads.
package csvmap
