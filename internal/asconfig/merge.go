package asconfig

// Merge deep-merges override onto a copy of base and returns it; neither
// input is modified and the result shares no map or list with them, so a
// caller may reuse one base for every rack.
//
// Maps merge key by key. Lists of named objects (namespaces, sets, logging,
// tls, dcs: every entry an object with a string "name") merge entry by entry
// by name: base's entries in base's order, each merged with override's entry
// of the same name, then the names only override has, in its order (a name
// repeated in override merges into its first entry, so Validate the override
// on its own to catch duplicates). Other
// lists and scalars are replaced by override's. A null in override keeps
// base's value: JSON decodes an unset field as null.
func Merge(base, override Conf) Conf {
	out, _ := merge(base, override).(map[string]any)
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

// mergeNamed merges two lists of objects that each have a name.
func mergeNamed(base, override []any) []any {
	index := make(map[string]int, len(base))
	out := make([]any, 0, len(base)+len(override))
	for _, e := range base {
		if _, ok := index[nameOf(e)]; !ok {
			index[nameOf(e)] = len(out)
		}
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
// An empty list counts, so a named list merges onto an empty one.
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

// deepCopy copies the maps and lists of v; scalars are values already.
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
