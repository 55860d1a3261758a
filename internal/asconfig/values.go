package asconfig

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// number returns val exactly if it is a number. A configuration's numbers
// arrive as float64 or json.Number from JSON, or as Go integers from code;
// comparing them as rationals keeps 18446744073709551615 and 0.5 exact.
func number(val any) (*big.Rat, bool) {
	switch t := val.(type) {
	case int:
		return new(big.Rat).SetInt64(int64(t)), true
	case int8:
		return new(big.Rat).SetInt64(int64(t)), true
	case int16:
		return new(big.Rat).SetInt64(int64(t)), true
	case int32:
		return new(big.Rat).SetInt64(int64(t)), true
	case int64:
		return new(big.Rat).SetInt64(t), true
	case uint:
		return new(big.Rat).SetUint64(uint64(t)), true
	case uint8:
		return new(big.Rat).SetUint64(uint64(t)), true
	case uint16:
		return new(big.Rat).SetUint64(uint64(t)), true
	case uint32:
		return new(big.Rat).SetUint64(uint64(t)), true
	case uint64:
		return new(big.Rat).SetUint64(t), true
	case float32:
		return finite(float64(t))
	case float64:
		return finite(t)
	case json.Number:
		// big.Rat would parse "1e999999999" by allocating the digits;
		// no setting needs a number float64 cannot hold.
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, false
		}
		return new(big.Rat).SetString(string(t))
	}
	return nil, false
}

func finite(f float64) (*big.Rat, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	return new(big.Rat).SetFloat64(f), true
}

// integer returns val if it is a whole number, whatever its Go type: JSON
// gives 2 as float64(2).
func integer(val any) (*big.Int, bool) {
	r, ok := number(val)
	if !ok || !r.IsInt() {
		return nil, false
	}
	return new(big.Int).Set(r.Num()), true
}

// formatNumber writes a number as aerospike.conf needs it: whole numbers in
// decimal without exponent or fraction (the server parses 1e+09 as 1).
func formatNumber(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// jsonEqual compares values as JSON does: numbers by value, whatever their
// Go types; strings and booleans only with their own kind.
func jsonEqual(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x.Cmp(y) == 0
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

// describe makes a value fit an error message: an object or list by its kind
// rather than its contents, a whole number as an int64 (so 1073741824, not
// 1.073741824e+09), a larger one as its digits.
func describe(val any) any {
	switch val.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "list"
	case string, bool, nil:
		return val
	}
	if i, ok := integer(val); ok {
		if i.IsInt64() {
			return i.Int64()
		}
		return i.String()
	}
	if r, ok := number(val); ok {
		f, _ := r.Float64()
		return f
	}
	return val
}

// kind names the JSON type of val for messages.
func kind(val any) string {
	switch val.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	if _, ok := integer(val); ok {
		return "a whole number"
	}
	if _, ok := number(val); ok {
		return "a number"
	}
	return "a value of an unsupported type"
}

// unwritable returns what in s aerospike.conf cannot hold: a line break
// (which would end the setting and start another) or "#" (which starts a
// comment, silently cutting the value short; asd 8.1.2.0 read pidfile a#b
// as a).
func unwritable(s string) string {
	if strings.ContainsAny(s, "\n\r") {
		return "a line break"
	}
	if strings.Contains(s, "#") {
		return `"#" (it starts a comment)`
	}
	for _, r := range s {
		if r < ' ' && r != '\t' || r == 0x7f {
			return "a control character"
		}
	}
	return ""
}

// badName returns what in a section name aerospike.conf cannot hold: besides
// what no value can hold, the name is one word followed by "{".
func badName(s string) string {
	if s == "" {
		return "nothing"
	}
	if why := unwritable(s); why != "" {
		return why
	}
	if strings.ContainsAny(s, " \t{}") {
		return "a space or brace"
	}
	return ""
}
