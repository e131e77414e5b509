package keys_test

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/internal/keys"
)

// component is one decoded tuple element: exactly one of its kinds.
type component struct {
	kind byte // 'b' bytes, 'u' uint, 'i' int
	b    []byte
	u    uint64
	i    int64
}

func (c component) String() string {
	switch c.kind {
	case 'b':
		return fmt.Sprintf("b%q", c.b)
	case 'u':
		return fmt.Sprintf("u%d", c.u)
	}
	return fmt.Sprintf("i%d", c.i)
}

// kindRank orders components of different kinds as their tags do: bytes,
// then uint, then int.
var kindRank = map[byte]int{'b': 0, 'u': 1, 'i': 2}

func compareComponent(a, b component) int {
	if a.kind != b.kind {
		return cmp.Compare(kindRank[a.kind], kindRank[b.kind])
	}
	switch a.kind {
	case 'b':
		return bytes.Compare(a.b, b.b)
	case 'u':
		return cmp.Compare(a.u, b.u)
	}
	return cmp.Compare(a.i, b.i)
}

// compareTuples is the logical order keys must keep: component by
// component, a proper prefix first.
func compareTuples(a, b []component) int {
	for i := range min(len(a), len(b)) {
		if c := compareComponent(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

func encode(t keys.Table, tuple []component) keys.Key {
	k := keys.New(t)
	for _, c := range tuple {
		switch c.kind {
		case 'b':
			k = k.Bytes(c.b)
		case 'u':
			k = k.Uint(c.u)
		default:
			k = k.Int(c.i)
		}
	}
	return k
}

// parseTuple turns fuzzer bytes into a tuple: each component is a selector
// byte (mod 3: bytes, uint, int) then, for bytes, a length byte (mod 16)
// and that many bytes; for numbers, up to 8 bytes big-endian. Short input
// yields short components, so every input is some tuple.
func parseTuple(data []byte) []component {
	var out []component
	take := func(n int) []byte {
		n = min(n, len(data))
		b := data[:n]
		data = data[n:]
		return b
	}
	num := func() uint64 {
		var buf [8]byte
		copy(buf[:], take(8))
		return binary.BigEndian.Uint64(buf[:])
	}
	for len(data) > 0 && len(out) < 8 {
		sel := take(1)[0]
		switch sel % 3 {
		case 0:
			n := 0
			if len(data) > 0 {
				n = int(take(1)[0] % 16)
			}
			out = append(out, component{kind: 'b', b: append([]byte{}, take(n)...)})
		case 1:
			out = append(out, component{kind: 'u', u: num()})
		default:
			out = append(out, component{kind: 'i', i: int64(num())})
		}
	}
	return out
}

func decode(t *testing.T, key []byte, like []component) []component {
	t.Helper()
	d := keys.NewDecoder(key)
	out := make([]component, 0, len(like))
	for _, c := range like {
		switch c.kind {
		case 'b':
			out = append(out, component{kind: 'b', b: d.Bytes()})
		case 'u':
			out = append(out, component{kind: 'u', u: d.Uint()})
		default:
			out = append(out, component{kind: 'i', i: d.Int()})
		}
	}
	require.NoError(t, d.Err())
	require.True(t, d.Done(), "bytes left after decoding: %x", d.Rest())
	return out
}

// FuzzKeyOrder checks the two promises of the encoding: byte order of the
// encodings is the logical order of the tuples, and decoding gives the
// tuple back. Both tuples share a fuzzed prefix so that the interesting
// comparisons (equal up to some component, one a prefix of the other)
// happen often.
func FuzzKeyOrder(f *testing.F) {
	b := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	str := func(s string) []byte { return append([]byte{0, byte(len(s))}, s...) }
	u := func(v uint64) []byte { return binary.BigEndian.AppendUint64([]byte{1}, v) }
	i := func(v int64) []byte { return binary.BigEndian.AppendUint64([]byte{2}, uint64(v)) }

	f.Add([]byte{}, []byte{}, []byte{})
	f.Add(str("ab"), str(""), str("\x00"))
	f.Add(str("a"), str("b"), b(str(""), str("b")))            // ("a","b") vs ("a","","b")
	f.Add([]byte{}, str("ab"), str("ab\x00"))                  // "ab" < "ab\x00"
	f.Add([]byte{}, str("ab\x00"), str("abc"))                 // "ab\x00" < "abc"
	f.Add([]byte{}, b(str("a"), str("b")), str("ab"))          // ("a","b") < ("ab")
	f.Add([]byte{}, str("a\xff"), str("a\x00\xff"))            // 0xFF bytes next to escapes
	f.Add([]byte{}, str("\x00\x01"), str("\x00"))              // an escaped terminator lookalike
	f.Add([]byte{}, str("\xff\xff"), str("\x00\x00"))          // all 0xFF vs all 0x00
	f.Add(u(7), u(0), u(math.MaxUint64))                       // uint extremes
	f.Add(u(1), i(-1), i(0))                                   // sign flip
	f.Add(str("t"), i(math.MinInt64), i(math.MaxInt64))        // int extremes
	f.Add([]byte{}, str("zzz"), u(0))                          // kinds differ: bytes < uint
	f.Add([]byte{}, u(math.MaxUint64), i(math.MinInt64))       // uint < int
	f.Add(b(str("email"), u(3)), i(-5), b(i(-5), str("\x00"))) // prefix tuple sorts first
	f.Add(str("x/y"), b(u(256), str("\x00\xff\x00")), b(u(256), str("\x00\xff")))

	f.Fuzz(func(t *testing.T, shared, a, b []byte) {
		p := parseTuple(shared)
		ta := append(append([]component{}, p...), parseTuple(a)...)
		tb := append(append([]component{}, p...), parseTuple(b)...)
		ka, kb := encode(keys.Ident, ta), encode(keys.Ident, tb)

		want := compareTuples(ta, tb)
		got := bytes.Compare(ka, kb)
		require.Equal(t, want, got, "order of %v and %v: keys %x and %x", ta, tb, ka, kb)

		assertSameTuple(t, ta, decode(t, ka, ta))
		assertSameTuple(t, tb, decode(t, kb, tb))

		// A key with a proper prefix of the components falls inside the
		// prefix's range [prefix, PrefixEnd(prefix)).
		pk := encode(keys.Ident, p)
		if end := keys.PrefixEnd(pk); end != nil {
			require.Negative(t, bytes.Compare(ka, end))
		}
		require.True(t, bytes.HasPrefix(ka, pk))
	})
}

func assertSameTuple(t *testing.T, want, got []component) {
	t.Helper()
	require.Equal(t, len(want), len(got))
	for i := range want {
		require.Zero(t, compareComponent(want[i], got[i]), "component %d: want %v, got %v", i, want[i], got[i])
	}
}

func TestRoundTrip(t *testing.T) {
	k := keys.New(keys.Attribute).
		String("phone:+14155550100").
		Bytes([]byte{0, 0xff, 0, 1}).
		Int(-1).
		Uint(math.MaxUint64).
		String("")
	assert.Equal(t, keys.Attribute, keys.TableOf(k))
	d := keys.NewDecoder(k)
	assert.Equal(t, "phone:+14155550100", d.String())
	assert.Equal(t, []byte{0, 0xff, 0, 1}, d.Bytes())
	assert.Equal(t, int64(-1), d.Int())
	assert.Equal(t, uint64(math.MaxUint64), d.Uint())
	assert.Equal(t, "", d.String())
	assert.True(t, d.Done())
	require.NoError(t, d.Err())

	// String and Bytes encode alike.
	assert.Equal(t, keys.New(keys.Meta).Bytes([]byte("a\x00b")), keys.New(keys.Meta).String("a\x00b"))

	// NewCap only reserves room.
	assert.Equal(t, keys.New(keys.Seq).Uint(9), keys.NewCap(keys.Seq, 9).Uint(9))

	// A suffix decoder starts at a component boundary.
	prefix := keys.New(keys.Member).Uint(12)
	full := prefix.String("email").String("ann@example.com")
	sd := keys.NewSuffixDecoder(full[len(prefix):])
	assert.Equal(t, "email", sd.String())
	assert.Equal(t, "ann@example.com", sd.String())
	assert.True(t, sd.Done())
}

func TestPrefixEnd(t *testing.T) {
	cases := []struct {
		in, want []byte
	}{
		{[]byte("ab"), []byte("ac")},
		{[]byte{0x01, 0xff}, []byte{0x02}},
		{[]byte{0x01, 0xfe, 0xff, 0xff}, []byte{0x01, 0xff}},
		{[]byte{0x00}, []byte{0x01}},
		{[]byte{0xff, 0xff}, nil},
		{[]byte{}, nil},
		{nil, nil},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, keys.PrefixEnd(c.in), "PrefixEnd(%x)", c.in)
	}

	// Every key under a prefix sorts below PrefixEnd, and PrefixEnd does
	// not alias its argument.
	p := keys.New(keys.Member).Uint(5)
	end := keys.PrefixEnd(p)
	for _, k := range []keys.Key{p, p.String(""), p.String("\xff\xff"), p.Uint(math.MaxUint64)} {
		assert.Negative(t, bytes.Compare(k, end), "%x", k)
	}
	assert.Equal(t, []byte(keys.New(keys.Member).Uint(6)), end, "the next customer starts where the range ends")
	assert.Equal(t, keys.New(keys.Member).Uint(5), p, "PrefixEnd changed its argument")
}

func TestFormat(t *testing.T) {
	cases := []struct {
		key  []byte
		want string
	}{
		{nil, "/"},
		{keys.New(keys.Meta), "/meta"},
		{keys.New(keys.Meta).String("version"), "/meta/version"},
		{keys.New(keys.Ident).String("email").String("ann@example.com"), "/ident/email/ann@example.com"},
		{keys.New(keys.History).Uint(3).Uint(0), "/history/3/0"},
		{keys.New(keys.Attribute).String("x").String("dob").Int(-42).Uint(1), "/attr/x/dob/-42/1"},
		{keys.New(keys.Meta).String("a/b"), `/meta/"a/b"`},
		{keys.New(keys.Meta).String(`say "hi"`), `/meta/"say \"hi\""`},
		{keys.New(keys.Meta).Bytes([]byte{0, 0xff}), `/meta/"\x00\xff"`},
		{keys.New(keys.Meta).String(""), "/meta/"},
		{keys.New(0x7e).Uint(1), "/0x7e/1"},
		{[]byte{byte(keys.Meta), 0x99, 1, 2}, "/meta/0x990102"},
		{[]byte{byte(keys.Meta), 0x12, 'a', 'b'}, "/meta/!corrupt"},
		{[]byte{byte(keys.Meta), 0x16, 0x80}, "/meta/0!corrupt"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, keys.Format(c.key), "Format(%x)", c.key)
	}
	for _, tab := range keys.Tables {
		assert.Equal(t, tab.Name, tab.Table.String())
	}
}

func TestTablesUnique(t *testing.T) {
	seenTable := map[keys.Table]bool{}
	seenName := map[string]bool{}
	for _, tab := range keys.Tables {
		assert.False(t, seenTable[tab.Table], "table 0x%02x listed twice", byte(tab.Table))
		assert.False(t, seenName[tab.Name], "name %q used twice", tab.Name)
		seenTable[tab.Table], seenName[tab.Name] = true, true
		assert.NotEmpty(t, tab.Owner, tab.Name)
		assert.NotEmpty(t, tab.Layout, tab.Name)
	}
}

func TestDecoderErrors(t *testing.T) {
	cases := []struct {
		name string
		key  []byte
		read func(*keys.Decoder)
	}{
		{"empty key", nil, func(d *keys.Decoder) { d.Uint() }},
		{"missing component", []byte{1}, func(d *keys.Decoder) { d.Bytes() }},
		{"wrong tag", keys.New(keys.Meta).Uint(1), func(d *keys.Decoder) { d.Bytes() }},
		{"int read as uint", keys.New(keys.Meta).Int(1), func(d *keys.Decoder) { d.Uint() }},
		{"unterminated bytes", []byte{1, 0x12, 'a', 'b'}, func(d *keys.Decoder) { d.Bytes() }},
		{"trailing escape", []byte{1, 0x12, 'a', 0x00}, func(d *keys.Decoder) { d.Bytes() }},
		{"bad escape", []byte{1, 0x12, 'a', 0x00, 0x02, 0x00, 0x01}, func(d *keys.Decoder) { d.Bytes() }},
		{"short uint", []byte{1, 0x15, 1, 2, 3}, func(d *keys.Decoder) { d.Uint() }},
		{"short int", []byte{1, 0x16, 0x80}, func(d *keys.Decoder) { d.Int() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := keys.NewDecoder(c.key)
			c.read(d)
			require.ErrorIs(t, d.Err(), keys.ErrCorrupt)
			assert.False(t, d.Done())

			// Errors are sticky: later reads return zero values.
			err := d.Err()
			assert.Nil(t, d.Bytes())
			assert.Equal(t, "", d.String())
			assert.Zero(t, d.Uint())
			assert.Zero(t, d.Int())
			assert.Equal(t, err, d.Err(), "the first error is kept")
		})
	}
}

// FuzzDecode feeds arbitrary bytes to the decoder and Format: they must
// never panic, and whatever decodes cleanly must re-encode to the same
// bytes (the encoding is canonical).
func FuzzDecode(f *testing.F) {
	f.Add([]byte{1, 0x12, 'a', 0, 0xff, 0, 1, 0x15, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{1, 0x16, 0x80})
	f.Add([]byte{1, 0x12, 0, 0})
	f.Fuzz(func(t *testing.T, key []byte) {
		_ = keys.Format(key)
		if len(key) == 0 {
			return
		}
		d := keys.NewDecoder(key)
		re := keys.New(keys.TableOf(key))
		for !d.Done() && d.Err() == nil {
			switch d.Rest()[0] {
			case 0x12:
				alt := *d // String, with its fast path, must agree with Bytes
				str := alt.String()
				b := d.Bytes()
				require.Equal(t, d.Err() == nil, alt.Err() == nil)
				if d.Err() == nil {
					require.Equal(t, string(b), str)
					require.Equal(t, d.Rest(), alt.Rest())
					re = re.Bytes(b)
				}
			case 0x15:
				re = re.Uint(d.Uint())
			case 0x16:
				re = re.Int(d.Int())
			default:
				return
			}
		}
		if d.Err() == nil {
			require.Equal(t, []byte(key), []byte(re))
		}
	})
}

// TestComponentSizes checks the constants callers size keys with.
func TestComponentSizes(t *testing.T) {
	for _, s := range []string{"", "a", "email:ann@example.com"} {
		assert.Len(t, keys.New(keys.Seq).String(s), 1+len(s)+keys.StringOverhead, "%q", s)
	}
	assert.Len(t, keys.New(keys.Seq).Uint(1<<40), 1+keys.IntSize)
	assert.Len(t, keys.New(keys.Seq).Int(-5), 1+keys.IntSize)
}
