package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const spec = `{"definitions": {
  "io.k8s.api.apps.v1.Deployment": {
    "x-kubernetes-group-version-kind": [{"group": "apps", "kind": "Deployment", "version": "v1"}],
    "properties": {
      "apiVersion": {"type": "string"}, "kind": {"type": "string"},
      "spec": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"}
    }
  },
  "io.k8s.api.apps.v1.DeploymentSpec": {
    "properties": {
      "replicas": {"type": "integer"},
      "maxSurge": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
      "cpu": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"},
      "labels": {"type": "object", "additionalProperties": {"type": "string"}},
      "self": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"}
    }
  },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
  "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string", "description": "Quantity is a fixed-point representation of a number. More."},
  "io.k8s.api.core.v1.ConfigMap": {
    "x-kubernetes-group-version-kind": [{"group": "", "kind": "ConfigMap", "version": "v1"}],
    "properties": {"data": {"type": "object", "additionalProperties": {"type": "string"}}}
  }
}}`

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "swagger.json")
	if err := os.WriteFile(in, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	n, err := run(in, out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("wrote %d schemas, want 2", n)
	}
	var got struct {
		AdditionalProperties *bool `json:"additionalProperties"`
		Properties           struct {
			Kind struct{ Enum []string } `json:"kind"`
			Spec struct {
				AdditionalProperties *bool `json:"additionalProperties"`
				Properties           map[string]json.RawMessage
			} `json:"spec"`
		} `json:"properties"`
	}
	b, err := os.ReadFile(filepath.Join(out, "deployment-apps-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.AdditionalProperties == nil || *got.AdditionalProperties {
		t.Error("the object is not closed to unknown fields")
	}
	if got.Properties.Spec.AdditionalProperties == nil || *got.Properties.Spec.AdditionalProperties {
		t.Error("the inlined spec is not closed to unknown fields")
	}
	if len(got.Properties.Kind.Enum) != 1 || got.Properties.Kind.Enum[0] != "Deployment" {
		t.Errorf("kind enum = %v", got.Properties.Kind.Enum)
	}
	for name, want := range map[string]string{
		"maxSurge": `{"oneOf":[{"type":"string"},{"type":"integer"}]}`,
		"cpu":      `{"oneOf":[{"type":"string"},{"type":"number"}]}`,
		"self":     `{}`,
		"labels":   `{"additionalProperties":{"type":"string"},"type":"object"}`,
	} {
		if got := compact(t, got.Properties.Spec.Properties[name]); got != want {
			t.Errorf("spec.%s = %s, want %s", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "configmap-v1.json")); err != nil {
		t.Errorf("core kind: %v", err)
	}
}

func TestRunRejectsBadSpecs(t *testing.T) {
	for name, body := range map[string]string{
		"not json":      `{"definitions":`,
		"empty":         `{}`,
		"no kinds":      `{"definitions": {"a": {"type": "string"}}}`,
		"dangling $ref": `{"definitions": {"a": {"x-kubernetes-group-version-kind": [{"group": "", "kind": "A", "version": "v1"}], "properties": {"b": {"$ref": "#/definitions/missing"}}}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "swagger.json")
			os.WriteFile(in, []byte(body), 0o644)
			if _, err := run(in, filepath.Join(dir, "out")); err == nil {
				t.Error("no error")
			}
		})
	}
}

// FuzzExpand: any definitions terminate, and the result holds no reference.
func FuzzExpand(f *testing.F) {
	f.Add(spec)
	f.Add(`{"definitions": {"a": {"$ref": "#/definitions/a"}}}`)
	f.Add(`{"definitions": {"a": {"items": [{"$ref": "#/definitions/b"}]}, "b": {"properties": {"c": {"$ref": "#/definitions/a"}}}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var s struct {
			Definitions map[string]map[string]any `json:"definitions"`
		}
		if json.Unmarshal([]byte(body), &s) != nil {
			return
		}
		c := converter{defs: s.Definitions}
		for name, def := range s.Definitions {
			v, err := c.expand(def, map[string]bool{name: true})
			if err != nil {
				continue
			}
			b, _ := json.Marshal(v)
			if strings.Contains(string(b), `"$ref":"#/definitions/`) {
				t.Errorf("%s still holds a reference: %s", name, b)
			}
		}
	})
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
