package enc_test

import (
	"fmt"

	"github.com/threadline/threadline/internal/enc"
)

// A record is written field by field and read back in the same order;
// fields added later read as zero from older records.
func Example() {
	var w enc.Writer
	w.String("chat")
	w.Uint(3)
	w.Strings([]string{"order_id", "postcode"})
	old := append([]byte(nil), w.B...)
	w.Bool(true) // a field added later

	r := enc.NewReader(w.B)
	fmt.Println(r.String(), r.Uint(), r.Strings(), r.Bool(), r.Err())
	r = enc.NewSharedReader(old)
	fmt.Println(r.String(), r.Uint(), r.Strings(), r.Bool(), r.Err())
	// Output:
	// chat 3 [order_id postcode] true <nil>
	// chat 3 [order_id postcode] false <nil>
}
