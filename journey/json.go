package journey

import "github.com/threadline/threadline/internal/jsonlist"

// MarshalJSON encodes j with empty lists as [] (see internal/jsonlist).
func (j Journey) MarshalJSON() ([]byte, error) {
	type plain Journey
	return jsonlist.Marshal(plain(j))
}

// MarshalJSON encodes d with empty lists as [].
func (d Decision) MarshalJSON() ([]byte, error) {
	type plain Decision
	return jsonlist.Marshal(plain(d))
}
