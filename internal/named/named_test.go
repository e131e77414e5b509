package named

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestList: entries come in name order; Set replaces, Delete removes, and
// a list read before a change stays as it was.
func TestList(t *testing.T) {
	var l List[int]
	assert.Empty(t, l.All())
	l.Set("b", 1)
	l.Set("a", 2)
	l.Set("c", 3)
	before := l.All()
	l.Set("a", 4)
	l.Delete("c")
	l.Delete("missing")
	assert.Equal(t, []Entry[int]{{"a", 4}, {"b", 1}}, l.All())
	assert.Equal(t, []Entry[int]{{"a", 2}, {"b", 1}, {"c", 3}}, before)
}
