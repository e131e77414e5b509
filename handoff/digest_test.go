package handoff_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/threadline/threadline/handoff"
)

// TestDigestCoversEveryField changes every leaf field of a packet, one at
// a time (giving every slice an element first), and checks the digest
// changes, except for the four fields it leaves out. A field added to
// Packet without a place in ComputeDigest fails here.
func TestDigestCoversEveryField(t *testing.T) {
	w := newWorld(t, nil)
	p, err := w.b.Build(context.Background(), annStory(t, w), toVoice)
	require.NoError(t, err)
	require.Equal(t, p.Digest, p.ComputeDigest())
	excluded := map[string]bool{"Summary": true, "SummaryError": true, "HandoffID": true, "Digest": true}

	var paths []string
	leaves(reflect.TypeOf(*p), "", &paths)
	require.Greater(t, len(paths), 60, "the walk found too few fields: %v", paths)
	for _, path := range paths {
		q := clonePacket(p)
		base := q.ComputeDigest()
		mutate(reflect.ValueOf(q).Elem(), path)
		top := path
		if i := strings.IndexByte(path, '.'); i >= 0 {
			top = path[:i]
		}
		if excluded[top] {
			require.Equal(t, base, q.ComputeDigest(), "changing %s changed the digest", path)
		} else {
			require.NotEqual(t, base, q.ComputeDigest(), "changing %s left the digest as it was", path)
		}
	}
}

var timeType = reflect.TypeOf(time.Time{})

// leaves lists the dotted paths of t's leaf fields; "[]" steps into a
// slice's first element, "*" through a pointer.
func leaves(t reflect.Type, prefix string, out *[]string) {
	switch {
	case t == timeType:
		*out = append(*out, prefix)
	case t.Kind() == reflect.Pointer:
		leaves(t.Elem(), prefix+".*", out)
	case t.Kind() == reflect.Slice:
		leaves(t.Elem(), prefix+".[]", out)
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if f.IsExported() {
				leaves(f.Type, joinPath(prefix, f.Name), out)
			}
		}
	default:
		*out = append(*out, prefix)
	}
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// mutate changes the leaf at path in v, creating slice elements and
// pointer targets on the way.
func mutate(v reflect.Value, path string) {
	for path != "" {
		step := path
		rest := ""
		if i := strings.IndexByte(path, '.'); i >= 0 {
			step, rest = path[:i], path[i+1:]
		}
		switch step {
		case "*":
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		case "[]":
			if v.Len() == 0 {
				v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
			}
			v = v.Index(0)
		default:
			v = v.FieldByName(step)
		}
		path = rest
	}
	switch {
	case v.Type() == timeType:
		v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Second)))
	case v.Kind() == reflect.String:
		v.SetString(v.String() + "x")
	case v.Kind() == reflect.Bool:
		v.SetBool(!v.Bool())
	case v.CanInt():
		v.SetInt(v.Int() + 1)
	case v.CanUint():
		v.SetUint(v.Uint() + 1)
	case v.CanFloat():
		v.SetFloat(v.Float() + 0.5)
	default:
		panic("no mutation for " + v.Type().String())
	}
}

// clonePacket deep-copies a packet through its own fields.
func clonePacket(p *handoff.Packet) *handoff.Packet {
	q := *p
	deep(reflect.ValueOf(&q).Elem())
	return &q
}

// deep replaces every slice and pointer under v by a copy, so mutating the
// copy leaves the original alone.
func deep(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			c := reflect.New(v.Type().Elem())
			c.Elem().Set(v.Elem())
			deep(c.Elem())
			v.Set(c)
		}
	case reflect.Slice:
		if !v.IsNil() {
			c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(c, v)
			for i := range c.Len() {
				deep(c.Index(i))
			}
			v.Set(c)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				deep(v.Field(i))
			}
		}
	}
}

// TestDigestReusesNothing: digests computed one after another, of a large
// packet and then a small one, concurrently too, each equal the digest of
// that packet computed alone (encoding buffers are reused).
func TestDigestReusesNothing(t *testing.T) {
	w := newWorld(t, nil)
	small, err := w.b.Build(context.Background(), annStory(t, w), toVoice)
	require.NoError(t, err)
	large := clonePacket(small)
	for range 2000 {
		large.Provided = append(large.Provided, handoff.Fact{Key: "k", Value: strings.Repeat("v", 100)})
	}
	wantSmall, wantLarge := small.ComputeDigest(), large.ComputeDigest()
	require.NotEqual(t, wantSmall, wantLarge)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 50 {
				if (g+i)%2 == 0 {
					assert.Equal(t, wantLarge, large.ComputeDigest())
				} else {
					assert.Equal(t, wantSmall, small.ComputeDigest())
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
