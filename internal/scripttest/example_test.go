package scripttest_test

import (
	"fmt"

	"github.com/threadline/threadline/internal/scripttest"
)

// One line of a fixture script is one event; text= takes the rest of the
// line.
func ExampleParseEvent() {
	e, err := scripttest.ParseEvent("id=b3 at=2026-03-10T08:00:40Z ch=chat ids=visitor:v-2 fact=account_number:AC-5521 sent=-0.5 text=It is AC-5521.")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.ID, e.Time.Format("15:04:05"), e.Channel, e.Actor.Kind, e.Type, e.Identifiers[0], e.Facts[0].Value, *e.Sentiment, e.Text)
	// Output:
	// b3 08:00:40 chat customer message visitor:v-2 AC-5521 -0.5 It is AC-5521.
}
