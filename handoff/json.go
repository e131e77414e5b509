package handoff

import "github.com/threadline/threadline/internal/jsonlist"

// MarshalJSON encodes p with empty lists as [] (see internal/jsonlist).
func (p Packet) MarshalJSON() ([]byte, error) {
	type plain Packet
	return jsonlist.Marshal(plain(p))
}

// MarshalJSON encodes i with empty lists as [].
func (i Issue) MarshalJSON() ([]byte, error) {
	type plain Issue
	return jsonlist.Marshal(plain(i))
}

// MarshalJSON encodes s with empty lists as [].
func (s Sentiment) MarshalJSON() ([]byte, error) {
	type plain Sentiment
	return jsonlist.Marshal(plain(s))
}

// MarshalJSON encodes r with empty lists as [].
func (r Routing) MarshalJSON() ([]byte, error) {
	type plain Routing
	return jsonlist.Marshal(plain(r))
}

// MarshalJSON encodes a with empty lists as [].
func (a AgentHistory) MarshalJSON() ([]byte, error) {
	type plain AgentHistory
	return jsonlist.Marshal(plain(a))
}
