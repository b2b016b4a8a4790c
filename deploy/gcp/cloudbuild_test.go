package gcp

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// cloudBuild is the part of a Cloud Build configuration the checks read.
type cloudBuild struct {
	Substitutions map[string]string `json:"substitutions"`
	Options       map[string]any    `json:"options"`
	Timeout       string            `json:"timeout"`
	Steps         []buildStep       `json:"steps"`
	Images        []string          `json:"images"`
}

type buildStep struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Entrypoint string   `json:"entrypoint"`
	Args       []string `json:"args"`
	Env        []string `json:"env"`
	WaitFor    []string `json:"waitFor"`
}

// builtins are the substitutions Cloud Build defines itself.
var builtins = []string{
	"PROJECT_ID", "PROJECT_NUMBER", "BUILD_ID", "LOCATION", "TRIGGER_NAME", "COMMIT_SHA",
	"REVISION_ID", "SHORT_SHA", "REPO_NAME", "REPO_FULL_NAME", "BRANCH_NAME", "TAG_NAME",
	"REF_NAME", "TRIGGER_BUILD_CONFIG_PATH", "SERVICE_ACCOUNT_EMAIL", "SERVICE_ACCOUNT",
}

var substitution = regexp.MustCompile(`\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))`)

// parseCloudBuild decodes a Cloud Build configuration, refusing unknown fields, and checks what
// Cloud Build itself would refuse: steps without a builder, undeclared or unused user
// substitutions, and waitFor ids no earlier step has.
func parseCloudBuild(src []byte) (*cloudBuild, error) {
	var cb cloudBuild
	if err := yaml.UnmarshalStrict(src, &cb); err != nil {
		return nil, fmt.Errorf("decode cloudbuild.yaml: %w", err)
	}
	if len(cb.Steps) == 0 {
		return nil, errors.New("no steps")
	}
	var errs []error
	ids := map[string]bool{}
	used := map[string]bool{}
	use := func(where, s string) {
		for _, m := range substitution.FindAllStringSubmatch(s, -1) {
			name := m[2] + m[3]
			if m[1] == "$" {
				continue
			}
			used[name] = true
			if _, ok := cb.Substitutions[name]; !ok && !slices.Contains(builtins, name) {
				errs = append(errs, fmt.Errorf("%s: substitution %s is not declared", where, name))
			}
		}
	}
	for i, s := range cb.Steps {
		where := fmt.Sprintf("step %d (%s)", i, s.ID)
		if s.Name == "" {
			errs = append(errs, fmt.Errorf("%s: no name (builder image)", where))
		}
		if len(s.Args) == 0 && s.Entrypoint == "" {
			errs = append(errs, fmt.Errorf("%s: no args", where))
		}
		for _, w := range s.WaitFor {
			if w != "-" && !ids[w] {
				errs = append(errs, fmt.Errorf("%s: waits for unknown step %q", where, w))
			}
		}
		if s.ID != "" {
			if ids[s.ID] {
				errs = append(errs, fmt.Errorf("%s: duplicate id", where))
			}
			ids[s.ID] = true
		}
		for _, v := range append(append([]string{s.Name, s.Entrypoint}, s.Args...), s.Env...) {
			use(where, v)
		}
	}
	for _, img := range cb.Images {
		use("images", img)
	}
	for k, v := range cb.Substitutions {
		if !strings.HasPrefix(k, "_") {
			errs = append(errs, fmt.Errorf("substitution %s: user substitutions start with _", k))
		}
		use("substitution "+k, v)
	}
	for k := range cb.Substitutions {
		if !used[k] {
			errs = append(errs, fmt.Errorf("substitution %s is declared but never used", k))
		}
	}
	return &cb, errors.Join(errs...)
}

func TestCloudBuild(t *testing.T) {
	cb, err := parseCloudBuild(mustRead(t, "cloudbuild.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cb.Options["logging"] != "CLOUD_LOGGING_ONLY" {
		t.Errorf("options.logging = %v; a build with its own service account needs CLOUD_LOGGING_ONLY", cb.Options["logging"])
	}
	if cb.Options["dynamicSubstitutions"] != true {
		t.Error("options.dynamicSubstitutions must be true: _IMAGE is made of other substitutions")
	}
	image := "${_IMAGE}"
	if got := cb.Substitutions["_IMAGE"]; !strings.Contains(got, "-docker.pkg.dev/${PROJECT_ID}/") || !strings.HasSuffix(got, ":${COMMIT_SHA}") {
		t.Errorf("_IMAGE = %q; want an Artifact Registry path tagged with the commit", got)
	}
	if !slices.Equal(cb.Images, []string{image}) {
		t.Errorf("images = %v, want [%s]", cb.Images, image)
	}

	index := map[string]int{}
	for i, s := range cb.Steps {
		args := strings.Join(s.Args, " ")
		switch {
		case s.Entrypoint == "make" && args == "test":
			index["test"] = i
			if !slices.Contains(s.Env, "CI=true") {
				t.Error("the test step must set CI=true so nothing is skipped")
			}
		case strings.HasPrefix(args, "build "):
			index["build"] = i
			for _, want := range []string{"--build-arg=VERSION=", "--build-arg=REVISION=", "--tag=" + image} {
				if !strings.Contains(args, want) {
					t.Errorf("build step lacks %s", want)
				}
			}
		case args == "push "+image:
			index["push"] = i
		case s.Entrypoint == "gcloud" && strings.HasPrefix(args, "run services update "):
			svc := strings.TrimPrefix(s.Args[3], "${_NAME}-")
			index["deploy "+svc] = i
			if !slices.Contains(s.Args, "--image="+image) || !slices.Contains(s.Args, "--region=${_REGION}") {
				t.Errorf("deploy %s: args %v lack --image=%s or --region", svc, s.Args, image)
			}
		}
	}
	order := []string{"test", "build", "push", "deploy worker", "deploy api", "deploy web"}
	for i, name := range order {
		at, ok := index[name]
		if !ok {
			t.Errorf("no %s step", name)
			continue
		}
		if i > 0 && at < index[order[i-1]] {
			t.Errorf("step %s runs before %s", name, order[i-1])
		}
	}
}

func TestParseCloudBuildErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"not yaml", "steps: [", "decode"},
		{"unknown field", "stepz: []\nsteps: [{name: a, args: [b]}]", "unknown field"},
		{"no steps", "images: [a]", "no steps"},
		{"no name", "steps: [{args: [b]}]", "no name"},
		{"undeclared", "steps: [{name: a, args: ['${_X}']}]", "_X is not declared"},
		{"unused", "substitutions: {_X: y}\nsteps: [{name: a, args: [b]}]", "_X is declared but never used"},
		{"no underscore", "substitutions: {X: y}\nsteps: [{name: a, args: ['$X']}]", "start with _"},
		{"bad waitFor", "steps: [{name: a, args: [b], waitFor: [later]}]", "unknown step"},
	}
	for _, tt := range tests {
		_, err := parseCloudBuild([]byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := parseCloudBuild([]byte("steps: [{name: a, args: ['$$HOME', '$PROJECT_ID']}]")); err != nil {
		t.Errorf("escaped and built-in substitutions: %v", err)
	}
}

func FuzzParseCloudBuild(f *testing.F) {
	src, err := os.ReadFile("cloudbuild.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src)
	f.Add([]byte("steps: [{name: a, args: ['${_X}', '$$Y']}]\nsubstitutions: {_X: '${PROJECT_ID}'}"))
	f.Add([]byte("steps:\n- name: a\n  waitFor: ['-']\n  entrypoint: sh\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cb, err := parseCloudBuild(src)
		if err != nil {
			return
		}
		for _, s := range cb.Steps {
			if s.Name == "" {
				t.Fatalf("accepted a step without a name: %q", src)
			}
		}
	})
}
