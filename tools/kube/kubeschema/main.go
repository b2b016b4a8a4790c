// Command kubeschema converts the Kubernetes OpenAPI v2 spec (api/openapi-spec/swagger.json in
// the k8s.io/kubernetes module) into the stand-alone strict JSON schemas kubeconform reads, one
// file per kind named KIND-GROUP-VERSION.json (KIND-VERSION.json for the core group), so the chart
// can be validated offline.
//
// Usage:
//
//	kubeschema -in swagger.json -out DIR
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const refPrefix = "#/definitions/"

func main() {
	in := flag.String("in", "", "the Kubernetes swagger.json")
	out := flag.String("out", "", "directory to write the schemas to")
	flag.Parse()
	if *in == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	n, err := run(*in, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubeschema:", err)
		os.Exit(1)
	}
	fmt.Printf("kubeschema: wrote %d schemas to %s\n", n, *out)
}

func run(in, out string) (int, error) {
	data, err := os.ReadFile(in)
	if err != nil {
		return 0, err
	}
	var spec struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		return 0, fmt.Errorf("%s: %w", in, err)
	}
	if len(spec.Definitions) == 0 {
		return 0, fmt.Errorf("%s: no definitions", in)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	names := make([]string, 0, len(spec.Definitions))
	for name := range spec.Definitions {
		names = append(names, name)
	}
	sort.Strings(names)
	c := converter{defs: spec.Definitions}
	n := 0
	for _, name := range names {
		def := spec.Definitions[name]
		for _, gvk := range kinds(def) {
			schema, err := c.schema(name, gvk)
			if err != nil {
				return n, err
			}
			b, err := json.MarshalIndent(schema, "", "  ")
			if err != nil {
				return n, fmt.Errorf("%s: %w", name, err)
			}
			if err := os.WriteFile(filepath.Join(out, fileName(gvk)), b, 0o644); err != nil {
				return n, err
			}
			n++
		}
	}
	if n == 0 {
		return 0, errors.New("no definition names a kind (x-kubernetes-group-version-kind)")
	}
	return n, nil
}

type gvk struct{ group, version, kind string }

func (g gvk) apiVersion() string {
	if g.group == "" {
		return g.version
	}
	return g.group + "/" + g.version
}

// fileName is the name kubeconform looks for: the kind, the first label of the group and the
// version, lower-cased.
func fileName(g gvk) string {
	name := strings.ToLower(g.kind)
	if g.group != "" {
		name += "-" + strings.ToLower(strings.Split(g.group, ".")[0])
	}
	return name + "-" + strings.ToLower(g.version) + ".json"
}

func kinds(def map[string]any) []gvk {
	list, _ := def["x-kubernetes-group-version-kind"].([]any)
	var out []gvk
	for _, v := range list {
		m, _ := v.(map[string]any)
		g, _ := m["group"].(string)
		ver, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		if k != "" && ver != "" {
			out = append(out, gvk{g, ver, k})
		}
	}
	return out
}

type converter struct {
	defs map[string]map[string]any
}

// schema returns the definition with every reference inlined, objects closed to unknown fields,
// and kind and apiVersion pinned to the one kind the file is for.
func (c converter) schema(name string, g gvk) (map[string]any, error) {
	v, err := c.expand(c.defs[name], map[string]bool{name: true})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := v.(map[string]any)
	if props, ok := s["properties"].(map[string]any); ok {
		props["kind"] = map[string]any{"type": "string", "enum": []any{g.kind}}
		props["apiVersion"] = map[string]any{"type": "string", "enum": []any{g.apiVersion()}}
	}
	s["$schema"] = "http://json-schema.org/schema#"
	return s, nil
}

func (c converter) expand(v any, seen map[string]bool) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			e, err := c.expand(x, seen)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, refPrefix)
			def, ok := c.defs[name]
			if !ok {
				return nil, fmt.Errorf("unknown reference %s", ref)
			}
			if seen[name] {
				// A recursive type (JSONSchemaProps): accept anything below the cycle.
				return map[string]any{}, nil
			}
			seen[name] = true
			defer delete(seen, name)
			return c.expand(def, seen)
		}
		if f, _ := v["format"].(string); f == "int-or-string" {
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}, nil
		}
		out := make(map[string]any, len(v)+1)
		for k, x := range v {
			if k == "description" || strings.HasPrefix(k, "x-kubernetes-") {
				continue
			}
			e, err := c.expand(x, seen)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		if isQuantity(v) {
			return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}, nil
		}
		if _, ok := out["properties"]; ok {
			if _, ok := out["additionalProperties"]; !ok {
				out["additionalProperties"] = false
			}
		}
		return out, nil
	}
	return v, nil
}

// isQuantity recognises resource.Quantity, which YAML often writes as a bare number (cpu: 1).
func isQuantity(v map[string]any) bool {
	d, _ := v["description"].(string)
	return v["type"] == "string" && strings.HasPrefix(d, "Quantity is a fixed-point representation of a number.")
}
