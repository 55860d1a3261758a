package asconfig

// Merge deep-merges override onto a copy of base and returns it; neither
// input is modified. Maps merge key by key. Lists of named objects
// (namespaces, sets, logging, tls, dcs, …) merge entry by entry by name: base
// order first, then names only override has. Other lists and scalars are
// replaced by override's.
func Merge(base, override Conf) Conf {
	out, _ := merge(map[string]any(base), map[string]any(override)).(map[string]any)
	return out
}

func merge(base, override any) any {
	switch o := override.(type) {
	case map[string]any:
		b, ok := base.(map[string]any)
		if !ok {
			return deepCopy(o)
		}
		out := make(map[string]any, len(b)+len(o))
		for k, v := range b {
			out[k] = deepCopy(v)
		}
		for k, v := range o {
			if bv, ok := out[k]; ok {
				out[k] = merge(bv, v)
			} else {
				out[k] = deepCopy(v)
			}
		}
		return out
	case []any:
		b, ok := base.([]any)
		if !ok || !named(b) || !named(o) {
			return deepCopy(o)
		}
		return mergeNamed(b, o)
	case nil:
		return deepCopy(base)
	default:
		return o
	}
}

// mergeNamed merges two lists of objects that each have a "name".
func mergeNamed(base, override []any) []any {
	index := make(map[string]int, len(base))
	out := make([]any, 0, len(base)+len(override))
	for _, e := range base {
		index[nameOf(e)] = len(out)
		out = append(out, deepCopy(e))
	}
	for _, e := range override {
		if i, ok := index[nameOf(e)]; ok {
			out[i] = merge(out[i], e)
			continue
		}
		index[nameOf(e)] = len(out)
		out = append(out, deepCopy(e))
	}
	return out
}

// named reports whether every entry of l is an object with a string name.
// An empty list counts, so an empty override of a named list merges.
func named(l []any) bool {
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["name"].(string); !ok {
			return false
		}
	}
	return true
}

func nameOf(e any) string {
	n, _ := e.(map[string]any)["name"].(string)
	return n
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return t
	}
}
