package notify_test

import (
	"fmt"

	"github.com/threadline/threadline/internal/notify"
)

// Items enqueued (from commit hooks) are delivered in order by the next
// Drain; a cancelled subscriber gets nothing more.
func ExampleQueue() {
	var q notify.Queue[string]
	cancel := q.Subscribe(func(s string) { fmt.Println("got", s) })
	q.Enqueue("merged c2 into c1")
	q.Enqueue("split c1")
	q.Drain()
	cancel()
	q.Enqueue("forgot c1")
	q.Drain()
	// Output:
	// got merged c2 into c1
	// got split c1
}
