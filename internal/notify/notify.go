// Package notify delivers committed changes to in-process subscribers, in
// commit order, one at a time.
//
// Producers call [Queue.Enqueue] from store.Txn.OnCommit (which runs in
// commit order) and [Queue.Drain] after their Update returns. Whichever
// goroutine drains first delivers everything queued, including what other
// goroutines enqueue meanwhile, so deliveries never overlap and a
// subscriber may call back into the library: its own changes are delivered
// after it returns.
package notify

import (
	"slices"
	"sync"
)

// Queue holds subscribers and undelivered items. The zero value is ready to
// use; a Queue is safe for concurrent use.
type Queue[T any] struct {
	mu         sync.Mutex
	next       int
	subs       map[int]func(T)
	order      []int
	pending    []T
	delivering bool
}

// Subscribe registers fn and returns a function that cancels it.
func (q *Queue[T]) Subscribe(fn func(T)) (cancel func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.subs == nil {
		q.subs = map[int]func(T){}
	}
	id := q.next
	q.next++
	q.subs[id] = fn
	q.order = append(q.order, id)
	return func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		delete(q.subs, id)
		q.order = slices.DeleteFunc(q.order, func(i int) bool { return i == id })
	}
}

// Enqueue queues items for delivery; with no subscribers it drops them.
func (q *Queue[T]) Enqueue(items ...T) {
	q.mu.Lock()
	if len(q.subs) > 0 {
		q.pending = append(q.pending, items...)
	}
	q.mu.Unlock()
}

// Drain delivers queued items unless another goroutine already is.
func (q *Queue[T]) Drain() {
	q.mu.Lock()
	if q.delivering {
		q.mu.Unlock()
		return
	}
	q.delivering = true
	unlocked := false
	defer func() {
		if unlocked { // a subscriber panicked: let later drains deliver
			q.mu.Lock()
			q.delivering = false
			q.mu.Unlock()
		}
	}()
	for len(q.pending) > 0 {
		item := q.pending[0]
		q.pending = q.pending[1:]
		subs := make([]func(T), 0, len(q.order))
		for _, id := range q.order {
			subs = append(subs, q.subs[id])
		}
		q.mu.Unlock()
		unlocked = true
		for _, fn := range subs {
			fn(item)
		}
		unlocked = false
		q.mu.Lock()
	}
	q.delivering = false
	q.mu.Unlock()
}
