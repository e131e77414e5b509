package journey

import "context"

// EvaluateDue evaluates and records every due trigger evaluation without
// noting any done: what a Run interrupted between the two steps leaves.
func (ts *Triggers) EvaluateDue(ctx context.Context) (int, error) {
	now := ts.arb.tr.now().UTC()
	ds, err := ts.dueBy(ctx, now)
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
