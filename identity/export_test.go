package identity

// Keys for the floor benchmarks of package identity_test (bench_test.go),
// which do an Observe's unavoidable reads and writes on the store directly.

// IdentKey is the key of id's identifier record.
func IdentKey(id Identifier) []byte { return identKey(id) }

// AdjKey is the key of the adjacency entry of a link from a to b.
func AdjKey(a, b Identifier) []byte { return adjKey(a, b) }
