package render

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// credentialName matches the names under which a credential would sit: an
// environment variable, a Secret key, an aerospike.conf setting.
var credentialName = regexp.MustCompile(`(?i)pass(word|phrase)|secret|token|private[-_]?key`)

// TestNoCredentialInRenderedOutput renders every example and requires that
// no credential appears in what the function composes: every environment
// variable named like one comes from a Secret (valueFrom), no composed
// Secret holds a password, and no aerospike.conf line sets one. The
// function never reads a Secret, so a credential could only get in by a
// builder copying one inline; this is the check that none does.
func TestNoCredentialInRenderedOutput(t *testing.T) {
	e := newEnv(t)
	e.eachRun(t, func(t *testing.T, r run) {
		docs, err := parseDocuments(e.render(t, r))
		if err != nil {
			t.Fatal(err)
		}
		fromSecrets := 0
		for _, doc := range docs {
			for _, f := range credentials(doc) {
				t.Errorf("%s %s: %s", str(doc, "kind"), str(doc, "metadata", "name"), f)
			}
			walk(doc, "", func(path string, m map[string]any) {
				if name, _ := m["name"].(string); strings.HasSuffix(path, ".env[]") && credentialName.MatchString(name) && m["valueFrom"] != nil {
					fromSecrets++
				}
			})
		}
		// The production example's exporter logs in: the check must have
		// walked past its password.
		if strings.HasPrefix(r.name, "production-enterprise") && fromSecrets == 0 {
			t.Error("no password from a Secret seen in the production example: the check walks past the pod spec")
		}
	})
}

// TestCredentialsCheckSees: the check above must see each way a credential
// could leak, or it proves nothing.
func TestCredentialsCheckSees(t *testing.T) {
	leaks := map[string]map[string]any{
		"inline env": {"kind": "StatefulSet", "spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "exporter", "env": []any{map[string]any{"name": "AS_AUTH_PASSWORD", "value": "hunter2"}}}},
		}}}},
		"Secret key": {"kind": "Secret", "data": map[string]any{"AEROSPIKE_PASSWORD": "aHVudGVyMg=="}},
		"conf line":  {"kind": "ConfigMap", "data": map[string]any{"rack-0.conf": "network {\n\ttls t {\n\t\tkey-file-password hunter2\n\t}\n}\n"}},
	}
	for name, doc := range leaks {
		if len(credentials(doc)) == 0 {
			t.Errorf("%s: not seen", name)
		}
	}
	clean := map[string]any{"kind": "StatefulSet", "spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "exporter", "env": []any{
			map[string]any{"name": "AS_AUTH_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "pw", "key": "password"}}},
			map[string]any{"name": "AS_AUTH_USER", "value": "metrics"},
		}}},
	}}}}
	if f := credentials(clean); len(f) > 0 {
		t.Errorf("a password from a Secret is flagged: %v", f)
	}
}

// credentials returns where doc holds a credential inline.
func credentials(doc map[string]any) []string {
	var out []string
	walk(doc, "", func(path string, m map[string]any) {
		if strings.HasSuffix(path, ".env[]") {
			name, _ := m["name"].(string)
			if v, _ := m["value"].(string); credentialName.MatchString(name) && v != "" {
				out = append(out, fmt.Sprintf("%s: environment variable %s is set inline", path, name))
			}
		}
	})
	switch str(doc, "kind") {
	case "Secret":
		for _, field := range []string{"data", "stringData"} {
			data, _ := doc[field].(map[string]any)
			for k := range data {
				if credentialName.MatchString(k) {
					out = append(out, fmt.Sprintf("%s holds %s", field, k))
				}
			}
		}
	case "ConfigMap":
		data, _ := doc["data"].(map[string]any)
		for k, v := range data {
			s, _ := v.(string)
			if !strings.HasSuffix(k, ".conf") {
				continue
			}
			for line := range strings.Lines(s) {
				if w := strings.Fields(line); len(w) > 1 && credentialName.MatchString(w[0]) && !strings.HasPrefix(w[1], "file:") && !strings.HasPrefix(w[1], "env") {
					out = append(out, fmt.Sprintf("%s sets %s inline", k, w[0]))
				}
			}
		}
	}
	return out
}

// walk calls fn with every map in v and its path.
func walk(v any, path string, fn func(string, map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		fn(path, t)
		for k, e := range t {
			walk(e, path+"."+k, fn)
		}
	case []any:
		for _, e := range t {
			walk(e, path+"[]", fn)
		}
	}
}
