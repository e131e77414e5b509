// Package csvmap reads a table of people from CSV into matcher records
// (package match), with a mapping from matcher fields to the table's
// columns: the part of the example programs (examples/evaluate,
// examples/crm-import) that lets any CSV be used.
//
// A column is mapped to a matcher field when a [Mapping] names it
// ("-field given_name=first_name"), or else when its header, lowered and
// with spaces and hyphens as underscores, is the field's name or one of
// the field's common aliases ("First Name" → given_name, "zip" →
// postcode, "dob" → birth_date; see [Aliases]). Columns that are neither
// are ignored; [Options].Keep returns some of them as they are (a truth
// column), and [Options].Ignore keeps columns from being mapped by name.
//
// Functions here share no state and are safe for concurrent use; a
// [Mapping] is a map and is not.
package csvmap
