// Package jsonlist marshals structs with their empty lists as [] rather
// than null, so that a JSON reader can range over every list field without
// testing it first. A type opts in with a MarshalJSON method that hands
// Marshal a copy of itself under a type without methods:
//
//	func (c Customer) MarshalJSON() ([]byte, error) {
//		type plain Customer
//		return jsonlist.Marshal(plain(c))
//	}
//
// Only the struct's own exported slice fields are changed, in Marshal's copy;
// nested structs opt in with their own MarshalJSON.
package jsonlist

import (
	"encoding/json"
	"reflect"
)

// Marshal returns the JSON encoding of struct v with every nil exported
// slice field encoded as []. A v that is not a struct is marshalled as is.
func Marshal(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct {
		return json.Marshal(v)
	}
	cp := reflect.New(rv.Type()).Elem()
	cp.Set(rv)
	for i := range cp.NumField() {
		f := cp.Field(i)
		if f.Kind() == reflect.Slice && f.IsNil() && f.CanSet() && f.Type().Elem().Kind() != reflect.Uint8 {
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
	return json.Marshal(cp.Interface())
}
