package timeline

import "github.com/threadline/threadline/internal/jsonlist"

// MarshalJSON encodes e with empty lists as [] (see internal/jsonlist).
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event
	return jsonlist.Marshal(plain(e))
}

// MarshalJSON encodes p with empty lists as [].
func (p Page) MarshalJSON() ([]byte, error) {
	type plain Page
	return jsonlist.Marshal(plain(p))
}
