package identity

import (
	"cmp"
	"slices"
)

// sortedKeys returns m's keys in ascending order, for deterministic output.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// sortBy sorts s by the key f returns.
func sortBy[T any, K cmp.Ordered](s []T, f func(T) K) {
	slices.SortFunc(s, func(a, b T) int { return cmp.Compare(f(a), f(b)) })
}

func sortLinks(ls []Link) { sortBy(ls, func(l Link) LinkID { return l.ID }) }
