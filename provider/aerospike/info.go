package aerospike

import "strings"

// ParseStats reads an info answer of the form k1=v1;k2=v2, such as the
// answers to "statistics" and "namespace/<name>".
func ParseStats(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k != "" {
			out[k] = v
		}
	}
	return out
}

// ParseList reads an info answer of the form a;b;c, such as the answer to
// "namespaces". An empty answer is an empty list.
func ParseList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}
