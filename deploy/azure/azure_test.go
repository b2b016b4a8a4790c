package azure

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// bicepFiles lists the deployment's .bicep files (testdata excluded).
func bicepFiles(t *testing.T) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".bicep") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(paths, "main.bicep") || len(paths) < 10 {
		t.Fatalf("found only %v", paths)
	}
	return paths
}

func TestBicepRules(t *testing.T) {
	for _, f := range lint(bicepFiles(t), allTrees(t)) {
		t.Error(f)
	}
}

// TestRulesCatchBadSnippets runs the rules on testdata/bad, where each file's first line names the
// rules it breaks ("// want: rule ..."), and checks every rule has such an example.
func TestRulesCatchBadSnippets(t *testing.T) {
	bad, err := filepath.Glob("testdata/bad/*.bicep")
	if err != nil {
		t.Fatal(err)
	}
	parsed := allTrees(t)
	covered := map[string]bool{}
	for _, path := range bad {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(src), "\n")
		want := strings.Fields(strings.TrimPrefix(line, "// want:"))
		if len(want) == 0 {
			t.Fatalf("%s: first line must be // want: RULE...", path)
		}
		got := map[string]bool{}
		for _, f := range lint([]string{path}, parsed) {
			got[f.Rule] = true
			t.Logf("%s", f)
		}
		for _, r := range want {
			covered[r] = true
			if !got[r] {
				t.Errorf("%s: rule %s found nothing", path, r)
			}
		}
	}
	for _, r := range ruleNames() {
		if !covered[r] {
			t.Errorf("rule %s has no failing example in testdata/bad", r)
		}
	}
}

// module returns main.bicep's module declaration called name.
func module(t *testing.T, main bicepFile, name string) *node {
	t.Helper()
	for _, d := range declarations(main) {
		if d.node.Type == "module_declaration" && d.node.name() == name {
			return d.node
		}
	}
	t.Fatalf("main.bicep has no module %s", name)
	return nil
}

// envVar returns the value of the env entry called name in a container app module's params.
func envVar(mod *node, name string) *node {
	env := mod.body().prop("params.env")
	if env == nil {
		return nil
	}
	for _, item := range env.Children {
		if item.prop("name").literal() == name {
			if v := item.prop("value"); v != nil {
				return v
			}
			return item.prop("secretRef")
		}
	}
	return nil
}

// TestWiring checks that every component of the diagram in docs/azure.md exists in main.bicep and
// is connected: web → api, identities → roles, Event Grid → the function.
func TestWiring(t *testing.T) {
	main := tree(t, "main.bicep")
	if got := main.Root.child("target_scope_assignment"); got == nil || !strings.Contains(got.Text, "'subscription'") {
		t.Errorf("targetScope: got %v, want 'subscription'", got)
	}
	paths := map[string]string{
		"monitoring": "modules/monitoring.bicep", "registry": "modules/registry.bicep",
		"vault": "modules/keyvault.bicep", "storage": "modules/storage.bicep", "cosmos": "modules/cosmos.bicep",
		"vision": "modules/vision.bicep", "environment": "modules/environment.bicep",
		"api": "modules/containerapp.bicep", "web": "modules/containerapp.bicep",
		"function": "modules/function.bicep", "events": "modules/events.bicep",
		"webIdentity": "modules/identity.bicep", "apiIdentity": "modules/identity.bicep",
		"functionIdentity": "modules/identity.bicep",
	}
	for name, want := range paths {
		if got := module(t, main, name).child("string").literal(); got != want {
			t.Errorf("module %s: got %s, want %s", name, got, want)
		}
	}
	param := func(mod, path string) string {
		v := module(t, main, mod).body().prop("params." + path)
		if v == nil {
			t.Errorf("module %s does not pass %s", mod, path)
			return ""
		}
		return v.Text
	}
	tests := []struct {
		mod, path string
		want      string // a regular expression the source text must match
	}{
		{"web", "external", `^true$`},
		{"api", "external", `^false$`},
		{"web", "role", `^'web'$`},
		{"api", "role", `^'api'$`},
		{"web", "identityId", `^webIdentity\.outputs\.id$`},
		{"api", "identityId", `^apiIdentity\.outputs\.id$`},
		{"function", "identityId", `^functionIdentity\.outputs\.id$`},
		{"function", "registryServer", `^registry\.outputs\.loginServer$`},
		{"registry", "pullPrincipalIds", `(?s)webIdentity.*apiIdentity.*functionIdentity`},
		{"vault", "readerPrincipalIds", `(?s)webIdentity.*apiIdentity.*functionIdentity`},
		{"storage", "contributorPrincipalIds", `(?s)^\[\s*apiIdentity\.outputs\.principalId\s+functionIdentity\.outputs\.principalId\s*\]$`},
		{"cosmos", "dataPrincipalIds", `(?s)^\[\s*apiIdentity\.outputs\.principalId\s+functionIdentity\.outputs\.principalId\s*\]$`},
		{"vision", "userPrincipalIds", `(?s)^\[\s*functionIdentity\.outputs\.principalId\s*\]$`},
		{"events", "functionAppId", `^function\.outputs\.id$`},
		{"events", "functionName", `^function\.outputs\.functionName$`},
		{"events", "subscribe", `^wireEvents$`},
		{"events", "deadLetterContainer", `^storage\.outputs\.deadLetterContainer$`},
		{"events", "documentsContainer", `^storage\.outputs\.documentsContainer$`},
		{"environment", "logAnalyticsWorkspaceId", `^monitoring\.outputs\.workspaceId$`},
		{"function", "settings", `DOCPIPE_AZURE_VISION_ENDPOINT: vision\.outputs\.endpoint`},
		{"function", "settings", `DOCPIPE_JOB_TIMEOUT: '9m'`},
		{"function", "settings", `DOCPIPE_API_URL: 'https://\$\{api\.outputs\.fqdn\}'`},
	}
	for _, tt := range tests {
		if got := param(tt.mod, tt.path); !regexp.MustCompile(tt.want).MatchString(got) {
			t.Errorf("module %s param %s: got %q, want match for %s", tt.mod, tt.path, got, tt.want)
		}
	}
	envs := []struct {
		mod, name, want string
	}{
		{"web", "DOCPIPE_API_URL", `'https://${api.outputs.fqdn}'`},
		{"web", "DOCPIPE_OIDC_CLIENT_SECRET", `'oidc-client-secret'`},
		{"web", "AZURE_CLIENT_ID", `webIdentity.outputs.clientId`},
		{"api", "AZURE_CLIENT_ID", `apiIdentity.outputs.clientId`},
		{"api", "DOCPIPE_AUTH", `'oidc'`},
		{"web", "DOCPIPE_AUTH", `'oidc'`},
		{"api", "DOCPIPE_DATABASE_URL", `databaseURL`},
		{"api", "DOCPIPE_BLOB_URL", `blobURL`},
	}
	for _, tt := range envs {
		got := envVar(module(t, main, tt.mod), tt.name)
		if got == nil || got.Text != tt.want {
			t.Errorf("%s env %s: got %v, want %s", tt.mod, tt.name, got, tt.want)
		}
	}
	vars := map[string]string{}
	for _, d := range declarations(main) {
		if d.node.Type == "variable_declaration" {
			vars[d.node.name()] = d.node.value().text()
		}
	}
	if got, want := vars["databaseURL"], `'cosmos://${cosmos.outputs.accountName}.documents.azure.com/${cosmos.outputs.databaseName}'`; got != want {
		t.Errorf("databaseURL: got %s, want %s", got, want)
	}
	if got, want := vars["blobURL"], `'azblob://${storage.outputs.documentsContainer}?storage_account=${storage.outputs.accountName}'`; got != want {
		t.Errorf("blobURL: got %s, want %s", got, want)
	}
}

// TestEventSubscription checks the filter that limits OCR to new originals in the documents container.
func TestEventSubscription(t *testing.T) {
	f := tree(t, "modules/events.bicep")
	var sub *node
	for _, d := range declarations(f) {
		if typ, _, _ := resourceType(d.node); typ == "Microsoft.EventGrid/systemTopics/eventSubscriptions" {
			sub = d.node
		}
	}
	if sub == nil {
		t.Fatal("no event subscription in modules/events.bicep")
	}
	if cond := sub.child("if_statement"); cond == nil || !strings.Contains(cond.Text, "(subscribe)") {
		t.Error("the subscription must be conditional on subscribe (the ordering trap)")
	}
	body := sub.body()
	checks := map[string]string{
		"properties.filter.includedEventTypes":                                                         "['Microsoft.Storage.BlobCreated']",
		"properties.filter.subjectBeginsWith":                                                          "'/blobServices/default/containers/${documentsContainer}/blobs/originals/'",
		"properties.destination.properties.resourceId":                                                 "'${functionAppId}/functions/${functionName}'",
		"properties.deadLetterWithResourceIdentity.deadLetterDestination.properties.blobContainerName": "deadLetterContainer",
		"properties.eventDeliverySchema":                                                               "'EventGridSchema'",
	}
	for path, want := range checks {
		v := body.prop(path)
		if v == nil {
			t.Errorf("%s: not set", path)
			continue
		}
		if got := strings.Join(strings.Fields(v.Text), ""); got != strings.Join(strings.Fields(want), "") {
			t.Errorf("%s: got %s, want %s", path, v.Text, want)
		}
	}
}

// TestParameters checks main.parameters.json against main.bicep: every parameter it sets is
// declared, every required parameter is set, and values come from azd environment variables.
func TestParameters(t *testing.T) {
	var pf struct {
		Schema         string `json:"$schema"`
		ContentVersion string `json:"contentVersion"`
		Parameters     map[string]struct {
			Value any `json:"value"`
		} `json:"parameters"`
	}
	readJSON(t, "main.parameters.json", &pf)
	main := tree(t, "main.bicep")
	declared, required := map[string]bool{}, []string{}
	for _, d := range declarations(main) {
		if d.node.Type != "parameter_declaration" {
			continue
		}
		declared[d.node.name()] = true
		if d.node.value().is("type") {
			required = append(required, d.node.name())
		}
	}
	envRef := regexp.MustCompile(`^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$`)
	for name, p := range pf.Parameters {
		if !declared[name] {
			t.Errorf("main.parameters.json sets %s, which main.bicep does not declare", name)
		}
		if s, _ := p.Value.(string); !envRef.MatchString(s) {
			t.Errorf("parameter %s = %v, want an azd ${VARIABLE} reference", name, p.Value)
		}
	}
	for _, name := range required {
		if _, ok := pf.Parameters[name]; !ok {
			t.Errorf("required parameter %s is not in main.parameters.json", name)
		}
	}
	for name, want := range map[string]string{"environmentName": "${AZURE_ENV_NAME}", "location": "${AZURE_LOCATION}"} {
		if got := pf.Parameters[name].Value; got != want {
			t.Errorf("%s: got %v, want %s", name, got, want)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
