// Package render holds the golden tests of `crossplane render`: every example
// under examples/ is rendered by the real crossplane CLI through the real
// function binary, served locally without TLS, and the output is compared
// with testdata/<example>.yaml (and testdata/<example>-observed.yaml when the
// example has an observed.yaml).
//
// Run the tests with the CLI that `make tools` builds:
//
//	make tools && go test ./test/render
//
// and rewrite the golden files after an intended change with
//
//	go test ./test/render -update
//
// which first regenerates every examples/*/observed.yaml that carries the
// generated header (the observed state in which every pod is ready), then
// writes the golden files and removes those whose example is gone. Review
// the diff before committing it.
//
// Each example renders with the Composition under package/ that composes its
// XR's type. XPA_EXAMPLES_DIR, XPA_COMPOSITION and XPA_GOLDEN_DIR point the
// tests at other examples, Composition and golden files than the
// repository's, for work on the harness or on a new example outside the
// tree.
//
// The tests compare parsed and sorted documents rather than bytes, so that
// only a change of content fails them; a separate test renders each example
// several times and requires byte-identical output, because Crossplane
// applies the function's output on every reconcile and any churn shows up
// as spurious updates.
package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

const (
	annotationRuntime           = "render.crossplane.io/runtime"
	annotationDevelopmentTarget = "render.crossplane.io/runtime-development-target"
	annotationResourceName      = "crossplane.io/composition-resource-name"

	runtimeDevelopment = "Development"
)

// splitDocuments splits a multi-document YAML stream at its `---` lines. A
// separator always sits at the start of a line, outside any block scalar, in
// what the crossplane CLI and sigs.k8s.io/yaml write.
func splitDocuments(b []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	for line := range bytes.Lines(b) {
		if strings.TrimRight(string(line), " \t\r\n") == "---" {
			docs = append(docs, bytes.Clone(cur.Bytes()))
			cur.Reset()
			continue
		}
		cur.Write(line)
	}
	return append(docs, cur.Bytes())
}

// parseDocuments parses a multi-document YAML stream. Documents that hold
// nothing but comments or whitespace are dropped.
func parseDocuments(b []byte) ([]map[string]any, error) {
	var out []map[string]any
	for i, doc := range splitDocuments(b) {
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return nil, fmt.Errorf("cannot parse YAML document %d: %w", i, err)
		}
		if obj == nil {
			continue
		}
		out = append(out, obj)
	}
	return out, nil
}

// sortDocuments orders documents by apiVersion, kind, metadata.name and
// composition resource name, then by their whole JSON encoding, so that the
// order is total and independent of the order the CLI prints them in.
func sortDocuments(docs []map[string]any) {
	type keyed struct {
		key []string
		doc map[string]any
	}
	ks := make([]keyed, len(docs))
	for i, d := range docs {
		// encoding/json sorts map keys, so equal documents encode equally.
		j, _ := json.Marshal(d)
		ks[i] = keyed{doc: d, key: []string{
			str(d, "apiVersion"),
			str(d, "kind"),
			str(d, "metadata", "name"),
			str(d, "metadata", "annotations", annotationResourceName),
			string(j),
		}}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		for n := range ks[i].key {
			if ks[i].key[n] != ks[j].key[n] {
				return ks[i].key[n] < ks[j].key[n]
			}
		}
		return false
	})
	for i := range ks {
		docs[i] = ks[i].doc
	}
}

// str returns the string at path in obj, or "" when there is none.
func str(obj map[string]any, path ...string) string {
	var v any = obj
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

// typeOf returns the apiVersion and kind at path in obj (obj's own when path
// is empty), such as "aerospike.xp-aerospike.io/v1alpha1 AerospikeDatabase".
func typeOf(obj map[string]any, path ...string) string {
	return str(obj, append(path, "apiVersion")...) + " " + str(obj, append(path, "kind")...)
}

// marshalDocuments writes documents as one YAML stream, each preceded by
// `---` as the crossplane CLI does, after a header of comment lines.
func marshalDocuments(header string, docs []map[string]any) ([]byte, error) {
	var b bytes.Buffer
	for line := range strings.Lines(header) {
		b.WriteString("# " + strings.TrimRight(line, "\n") + "\n")
	}
	for i, d := range docs {
		y, err := yaml.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("cannot marshal YAML document %d: %w", i, err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.Bytes(), nil
}

// setDevelopmentTarget points every Function in a functions.yaml stream that
// runs in the Development runtime at addr, so that tests can serve the
// function on a free port instead of the one the example names. It fails
// when no Function runs in the Development runtime, because the CLI would
// then try to run the function with Docker, which is not there.
func setDevelopmentTarget(functions []byte, addr string) ([]byte, error) {
	docs, err := parseDocuments(functions)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, d := range docs {
		md, _ := d["metadata"].(map[string]any)
		ann, _ := md["annotations"].(map[string]any)
		if ann[annotationRuntime] != runtimeDevelopment {
			continue
		}
		ann[annotationDevelopmentTarget] = addr
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("no Function has the annotation %s: %s", annotationRuntime, runtimeDevelopment)
	}
	return marshalDocuments("", docs)
}
