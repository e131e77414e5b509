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
	l.update(name, func(list []Entry[T]) []Entry[T] {
		list = append(list, Entry[T]{name, v})
		slices.SortFunc(list, func(a, b Entry[T]) int { return strings.Compare(a.Name, b.Name) })
		return list
	})
}

// Delete removes the value registered under name, if any.
func (l *List[T]) Delete(name string) {
	l.update(name, func(list []Entry[T]) []Entry[T] { return list })
}

// update stores fn applied to a copy of the list without name.
func (l *List[T]) update(name string, fn func([]Entry[T]) []Entry[T]) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var list []Entry[T]
	if p := l.list.Load(); p != nil {
		list = slices.DeleteFunc(slices.Clone(*p), func(e Entry[T]) bool { return e.Name == name })
	}
	list = fn(list)
	l.list.Store(&list)
}

// All returns the entries in name order. The caller must not modify it: a
// later Set or Delete stores a new list and leaves this one as it was.
func (l *List[T]) All() []Entry[T] {
	if p := l.list.Load(); p != nil {
		return *p
	}
	return nil
}
