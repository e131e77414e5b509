package journey

import (
	"context"

	"github.com/threadline/threadline/identity"
)

// EvaluateDue evaluates and records every due trigger evaluation without
// noting any done: what a Run interrupted between the two steps leaves.
func (ts *Triggers) EvaluateDue(ctx context.Context) (int, error) {
	now := ts.arb.tr.now().UTC()
	var ds []due
	err := ts.arb.tr.tl.Graph().View(ctx, func(tx *identity.Tx) error {
		var err error
		ds, err = scanDue(tx.Store(), now, 0)
		return err
	})
	fired := 0
	for _, d := range ds {
		if err != nil {
			break
		}
		var ok bool
		if _, ok, err = ts.evaluate(ctx, d, now); ok {
			fired++
		}
	}
	return fired, err
}
