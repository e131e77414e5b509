package timeline

import (
	"fmt"

	"github.com/threadline/threadline/identity"
)

// Hook keeps state derived from the timeline in the store, in step with
// the events: it runs inside the transaction of every [Timeline.Append] of
// the Timeline it is attached to, so the derived state commits or rolls
// back with the events. An error from a hook aborts that Append: nothing
// of it is written. To erase the derived state on Forget, register an
// [identity.Eraser] with the graph, and require it (see
// [identity.Tx.RequireEraser]) in Appended.
//
// A transaction may run more than once, so a hook must keep its effects
// inside tx (anything else goes in tx.Store().OnCommit) and must not call
// the Timeline or the Graph outside tx. Hooks see every write of the
// Timeline value they are attached to, not writes by other Timelines or
// other processes sharing the store: every writer must attach the same
// hooks.
type Hook interface {
	// Appended is called once per Append that stored new events, after
	// they are written, with them in batch order (duplicates are left
	// out). A Notice's Customer is the customer the event joined when it
	// was placed; a later event of the same batch may have merged that
	// customer into another, so resolve it with tx.Resolve. The notices
	// go to subscribers after the commit: read them, do not modify them.
	Appended(tx *identity.Tx, events []Notice) error
}

// Attach registers h under name: from now on every Append of tl calls it
// inside its transaction. Hooks run in name order. A name already in use
// is refused with [ErrHookExists] (detach the hook first to replace it),
// as are an empty name and a nil h, with [ErrInvalidHook]. Attach is safe
// to call concurrently with appends: an Append in progress runs with the
// hooks it started with.
func (tl *Timeline) Attach(name string, h Hook) error {
	if name == "" || h == nil {
		return fmt.Errorf("%w: name %q, hook %v", ErrInvalidHook, name, h)
	}
	if !tl.hooks.Add(name, h) {
		return fmt.Errorf("%w: %q", ErrHookExists, name)
	}
	return nil
}

// Detach removes the hook attached under name, if any, and reports
// whether there was one. Like Attach, it is safe to call concurrently with
// appends.
func (tl *Timeline) Detach(name string) bool { return tl.hooks.Delete(name) }
