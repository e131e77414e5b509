package keys_test

import (
	"bytes"
	"fmt"

	"github.com/threadline/threadline/internal/keys"
)

// Keys are built component by component; their byte order is the order of
// the tuples, so a timeline sorted by time is a key range.
func Example() {
	at := func(t int64) keys.Key {
		return keys.New(keys.Event).String("email:ann@example.com").Int(t).String("evt-1")
	}
	early, late := at(-100), at(1_700_000_000)
	fmt.Println(keys.Format(early))
	fmt.Println(bytes.Compare(early, late) < 0)

	// Every event key of one identifier lies in one range.
	prefix := keys.New(keys.Event).String("email:ann@example.com")
	end := keys.PrefixEnd(prefix)
	fmt.Println(bytes.HasPrefix(late, prefix), bytes.Compare(late, end) < 0)

	d := keys.NewDecoder(late)
	fmt.Println(d.String(), d.Int(), d.String(), d.Done())
	// Output:
	// /event/email:ann@example.com/-100/evt-1
	// true
	// true true
	// email:ann@example.com 1700000000 evt-1 true
}

func ExampleFormat() {
	fmt.Println(keys.Format(keys.New(keys.Member).Uint(7).String("phone").String("+14155550100")))
	fmt.Println(keys.Format(keys.New(keys.Meta).String("a/b\x00")))
	fmt.Println(keys.Format([]byte{byte(keys.Meta), 0x12, 'x'}))
	// Output:
	// /member/7/phone/+14155550100
	// /meta/"a/b\x00"
	// /meta/!corrupt
}

func ExamplePrefixEnd() {
	fmt.Printf("%q\n", keys.PrefixEnd([]byte("ab\xff")))
	fmt.Println(keys.PrefixEnd([]byte{0xff}) == nil)
	// Output:
	// "ac"
	// true
}
