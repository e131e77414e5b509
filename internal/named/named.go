// Package named keeps values by name, in name order, for registries that
// are written rarely and read on every call: a layer's hooks
// (timeline.Timeline.Attach) and the graph's erasers
// (identity.Graph.RegisterEraser).
package named

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Entry is one registered value.
type Entry[T any] struct {
	Name  string
	Value T
}

// List is a set of values by name. The zero value is empty and ready. Set
// and Delete are safe for concurrent use with each other and with All,
// which reads without locking.
type List[T any] struct {
	mu   sync.Mutex // serializes Set and Delete
	list atomic.Pointer[[]Entry[T]]
}

// Set registers v under name, replacing the value registered under it.
func (l *List[T]) Set(name string, v T) {
	l.update(name, func(list []Entry[T], _ bool) ([]Entry[T], bool) { return insert(list, name, v), true })
}

// Add registers v under name unless a value is registered under it, and
// reports whether it did.
func (l *List[T]) Add(name string, v T) bool {
	return l.update(name, func(list []Entry[T], had bool) ([]Entry[T], bool) {
		if had {
			return nil, false
		}
		return insert(list, name, v), true
	})
}

// Delete removes the value registered under name, if any, and reports
// whether there was one.
func (l *List[T]) Delete(name string) bool {
	return l.update(name, func(list []Entry[T], had bool) ([]Entry[T], bool) { return list, had })
}

func insert[T any](list []Entry[T], name string, v T) []Entry[T] {
	list = append(list, Entry[T]{name, v})
	slices.SortFunc(list, func(a, b Entry[T]) int { return strings.Compare(a.Name, b.Name) })
	return list
}

// update applies fn to a copy of the list without name (had: whether name
// was in it) and stores the result when fn reports a change.
func (l *List[T]) update(name string, fn func(list []Entry[T], had bool) ([]Entry[T], bool)) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	var list []Entry[T]
	had := false
	if p := l.list.Load(); p != nil {
		list = slices.DeleteFunc(slices.Clone(*p), func(e Entry[T]) bool { return e.Name == name })
		had = len(list) < len(*p)
	}
	list, changed := fn(list, had)
	if changed {
		l.list.Store(&list)
	}
	return changed
}

// All returns the entries in name order. The caller must not modify it: a
// later Set or Delete stores a new list and leaves this one as it was.
func (l *List[T]) All() []Entry[T] {
	if p := l.list.Load(); p != nil {
		return *p
	}
	return nil
}
