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

// SetOnNode sends one info command per setting to a node, cmd(k) for each
// of keys in order, and returns the server's answer to each it refused
// (anything but ok). Some settings depend on others whatever order they
// are named in (a non-zero default-ttl is refused while nsup-period is 0),
// so refused ones are tried again as long as a round sets something. An
// error is a failure to ask, not a refusal.
func SetOnNode(info func(node string, commands ...string) (map[string]string, error), node string, keys []string, cmd func(key string) string) (map[string]string, error) {
	refused := map[string]string{}
	pending := keys
	for progress := true; progress && len(pending) > 0; {
		progress = false
		var still []string
		for _, k := range pending {
			c := cmd(k)
			res, err := info(node, c)
			if err != nil {
				return nil, err
			}
			if r := res[c]; r != "ok" {
				refused[k] = r
				still = append(still, k)
				continue
			}
			delete(refused, k)
			progress = true
		}
		pending = still
	}
	return refused, nil
}
