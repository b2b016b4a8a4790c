package azure

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// pipelineSchema is the Azure Pipelines YAML schema (MIT, from microsoft/azure-pipelines-vscode),
// vendored as test data; testdata/azure-pipelines/README.md says where it comes from.
const pipelineSchema = "testdata/azure-pipelines/service-schema.json"

func compilePipelineSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(pipelineSchema)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", pipelineSchema, err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://docpipe.invalid/azure-pipelines.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", pipelineSchema, err)
	}
	return s
}

// validatePipeline validates pipeline YAML. Azure Pipelines YAML is untyped: the schema types every
// scalar as a string, so numbers and booleans are validated as the text they are written as.
func validatePipeline(t *testing.T, s *jsonschema.Schema, src []byte) error {
	t.Helper()
	j, err := yaml.YAMLToJSON(src)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return s.Validate(scalarsAsStrings(v))
}

func scalarsAsStrings(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = scalarsAsStrings(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = scalarsAsStrings(e)
		}
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	}
	return v
}

func TestPipelineSchema(t *testing.T) {
	s := compilePipelineSchema(t)
	src, err := os.ReadFile("pipelines/azure-pipelines.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := validatePipeline(t, s, src); err != nil {
		t.Errorf("pipelines/azure-pipelines.yml: %v", err)
	}

	bad := []struct{ name, yaml string }{
		{"unknown task", "steps:\n  - task: NoSuchTask@9\n"},
		{"task input typo", "steps:\n  - task: AzureCLI@2\n    inputs:\n      azureSubscription: x\n      scriptType: bash\n      inlineScrpit: echo\n"},
		{"stage without jobs", "stages:\n  - stage: a\n    displayName: A\n    jobz: []\n"},
	}
	for _, tt := range bad {
		if err := validatePipeline(t, s, []byte(tt.yaml)); err == nil {
			t.Errorf("%s: the schema accepted it", tt.name)
		}
	}
}

// TestPipelineShape checks what the schema cannot: the stages, their order, and that pushing and
// deploying use the workload-identity service connection and the production environment.
func TestPipelineShape(t *testing.T) {
	src, err := os.ReadFile("pipelines/azure-pipelines.yml")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Variables []map[string]any `json:"variables"`
		Stages    []struct {
			Stage     string `json:"stage"`
			DependsOn any    `json:"dependsOn"`
			Jobs      []struct {
				Job         string `json:"job"`
				Deployment  string `json:"deployment"`
				Environment string `json:"environment"`
			} `json:"jobs"`
		} `json:"stages"`
	}
	if err := yaml.Unmarshal(src, &p); err != nil {
		t.Fatal(err)
	}
	var got []string
	envs := map[string]string{}
	for _, s := range p.Stages {
		got = append(got, s.Stage)
		for _, j := range s.Jobs {
			if j.Deployment != "" {
				envs[s.Stage] = j.Environment
			}
		}
	}
	if want := "test package infrastructure push deploy"; strings.Join(got, " ") != want {
		t.Errorf("stages: got %v, want %s", got, want)
	}
	for _, stage := range []string{"infrastructure", "deploy"} {
		if envs[stage] != "docpipe-production" {
			t.Errorf("stage %s: deployment environment %q, want docpipe-production", stage, envs[stage])
		}
	}
	text := string(src)
	for _, want := range []string{"make test", "UniversalPackages@0", "command: publish", "command: download", "az acr login", "deploy/azure/scripts/release.sh", "deploy/azure/scripts/provision.sh", "--build-arg VERSION=", "--build-arg REVISION="} {
		if !strings.Contains(text, want) {
			t.Errorf("pipeline does not contain %q", want)
		}
	}
	for _, banned := range []string{"acrPassword", "acrUsername", "AccountKey", "--password"} {
		if strings.Contains(text, banned) {
			t.Errorf("pipeline contains %q: use the workload identity service connection", banned)
		}
	}
	for _, script := range []string{"provision.sh", "release.sh", "package.sh", "function.sh", "wait-function.sh"} {
		fi, err := os.Stat(filepath.Join("scripts", script))
		if err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("scripts/%s: missing or not executable", script)
		}
	}
}
