// Package notify delivers committed changes to in-process subscribers, in
// commit order, one at a time.
//
// Producers call [Queue.Enqueue] from store.Txn.OnCommit (which runs in
// commit order) and [Queue.Drain] after their Update returns. Whichever
// goroutine drains first delivers everything queued, including what other
// goroutines enqueue meanwhile, so deliveries never overlap and a
// subscriber may call back into the library: its own changes are delivered
// after it returns.
//
// Subscribers are isolated from each other: one that panics is reported to
// the queue's logger and the item still goes to the subscribers after it.
package notify

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
)

// Queue holds subscribers and undelivered items. The zero value is ready to
// use; a Queue is safe for concurrent use.
type Queue[T any] struct {
	// Logger receives a record for every subscriber that panics. Set it
	// before the first Subscribe; nil means [slog.Default].
	Logger *slog.Logger

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
	for len(q.pending) > 0 {
		item := q.pending[0]
		q.pending = q.pending[1:]
		subs := make([]func(T), 0, len(q.order))
		for _, id := range q.order {
			subs = append(subs, q.subs[id])
		}
		q.mu.Unlock()
		for _, fn := range subs {
			q.deliver(fn, item)
		}
		q.mu.Lock()
	}
	q.delivering = false
	q.mu.Unlock()
}

// deliver calls one subscriber, recovering and reporting a panic so that
// neither the other subscribers nor the committing caller see it.
func (q *Queue[T]) deliver(fn func(T), item T) {
	defer func() {
		if r := recover(); r != nil {
			q.logger().Error("notify: subscriber panicked; delivery continues with the next subscriber",
				slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
		}
	}()
	fn(item)
}

func (q *Queue[T]) logger() *slog.Logger {
	if q.Logger != nil {
		return q.Logger
	}
	return slog.Default()
}
