package identity

import (
	"cmp"
	"slices"
)

// sortBy sorts s by the key f returns.
func sortBy[T any, K cmp.Ordered](s []T, f func(T) K) {
	slices.SortFunc(s, func(a, b T) int { return cmp.Compare(f(a), f(b)) })
}

func sortLinks(ls []Link) { sortBy(ls, func(l Link) LinkID { return l.ID }) }
