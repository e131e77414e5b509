package identity

import "errors"

// SourceRecord is the kind of a row's ID in a source system, with the
// system as namespace: "crm:0031x00000AbCdE", "shop:row-17". Use it for
// what a bulk import calls a record ID, not [Account]: a customer has one
// account per namespace (the Account limit), but an imported table holds
// many duplicate rows of one person, and each row is kept. Its default
// policy is weak with no limit and the smallest priority: a record ID
// attaches a later observation of the same row to the customer the row
// belongs to, but never merges two customers by itself (two rows are
// joined by their shared strong identifiers or by the matcher); it is
// never the identifier a guard holds back, and it anchors the row's
// profile (see [Graph.LoadMatches]).
const SourceRecord Kind = "record"

// NormalizeSourceRecord returns the canonical form of a source record ID:
// "system:id" with the system lower-cased and the id trimmed, under the
// rules of [NormalizeAccount].
func NormalizeSourceRecord(s string) (string, error) {
	v, err := NormalizeAccount(s)
	var ie *InvalidIdentifierError
	if errors.As(err, &ie) {
		cp := *ie
		cp.Kind = SourceRecord
		return "", &cp
	}
	return v, err
}
