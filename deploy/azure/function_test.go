package azure

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/testenv"
)

// TestCustomHandler checks host.json and ocr/function.json against the contract in docs/azure.md:
// the host runs `docpipe function`, posts invocations (no HTTP forwarding) to /ocr, and the ocr
// function is triggered by Event Grid.
func TestCustomHandler(t *testing.T) {
	var host struct {
		Version       string `json:"version"`
		CustomHandler struct {
			Description struct {
				DefaultExecutablePath string   `json:"defaultExecutablePath"`
				Arguments             []string `json:"arguments"`
				WorkingDirectory      string   `json:"workingDirectory"`
			} `json:"description"`
			EnableForwardingHTTPRequest *bool `json:"enableForwardingHttpRequest"`
		} `json:"customHandler"`
		ExtensionBundle struct {
			ID      string `json:"id"`
			Version string `json:"version"`
		} `json:"extensionBundle"`
		FunctionTimeout string `json:"functionTimeout"`
		Logging         any    `json:"logging"`
	}
	readJSON(t, "function/host.json", &host)
	d := host.CustomHandler.Description
	checks := []struct{ name, got, want string }{
		{"version", host.Version, "2.0"},
		{"defaultExecutablePath", d.DefaultExecutablePath, "docpipe"},
		{"arguments", strings.Join(d.Arguments, " "), "function"},
		{"extensionBundle.id", host.ExtensionBundle.ID, "Microsoft.Azure.Functions.ExtensionBundle"},
		{"extensionBundle.version", host.ExtensionBundle.Version, "[4.*, 5.0.0)"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("host.json %s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if f := host.CustomHandler.EnableForwardingHTTPRequest; f == nil || *f {
		t.Error("host.json customHandler.enableForwardingHttpRequest must be set to false")
	}

	dockerfile, err := os.ReadFile("function/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile("scripts/package.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"azure-functions/base:4", "/home/site/wwwroot/host.json", "/home/site/wwwroot/docpipe", "libtesseract5"} {
		if !strings.Contains(string(dockerfile), want) {
			t.Errorf("function/Dockerfile does not contain %q", want)
		}
	}

	// The functions `docpipe function` serves (internal/events.Function): the folder is the
	// route the host posts to, the binding name the key of the invocation's Data.
	functions := []struct{ name, trigger, binding string }{
		{"ocr", "eventGridTrigger", "event"},
		{"sweep", "timerTrigger", "timer"},
	}
	for _, f := range functions {
		var fn struct {
			Bindings []struct {
				Type      string `json:"type"`
				Direction string `json:"direction"`
				Name      string `json:"name"`
				Schedule  string `json:"schedule"`
				// Microsoft advises runOnStartup false in production: restarts and scale-outs
				// would each run the timer.
				RunOnStartup bool  `json:"runOnStartup"`
				UseMonitor   *bool `json:"useMonitor"`
			} `json:"bindings"`
		}
		path := "function/" + f.name + "/function.json"
		readJSON(t, path, &fn)
		if len(fn.Bindings) != 1 {
			t.Fatalf("%s: got %d bindings, want 1", path, len(fn.Bindings))
		}
		b := fn.Bindings[0]
		if b.Type != f.trigger || b.Direction != "in" || b.Name != f.binding {
			t.Errorf("%s binding: got %+v, want %s in named %s", path, b, f.trigger, f.binding)
		}
		if b.RunOnStartup {
			t.Errorf("%s: runOnStartup must be false", path)
		}
		if f.trigger == "timerTrigger" && len(strings.Fields(b.Schedule)) != 6 {
			t.Errorf("%s schedule %q: want a six-field NCRONTAB expression", path, b.Schedule)
		}
		if !strings.Contains(string(dockerfile), "/home/site/wwwroot/"+path[len("function/"):]) {
			t.Errorf("function/Dockerfile does not copy %s", path)
		}
		if !strings.Contains(string(pkg), path) {
			t.Errorf("scripts/package.sh does not package %s", path)
		}
	}
}

// TestAzureYAML checks that azd provisions deploy/azure and deploys web and api from the root
// Dockerfile, with the hook that deploys the function and wires Event Grid.
func TestAzureYAML(t *testing.T) {
	src, err := os.ReadFile("../../azure.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type service struct {
		Project  string `json:"project"`
		Language string `json:"language"`
		Host     string `json:"host"`
		Docker   struct {
			Path      string   `json:"path"`
			Context   string   `json:"context"`
			BuildArgs []string `json:"buildArgs"`
		} `json:"docker"`
	}
	var a struct {
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
		Infra    struct {
			Provider string `json:"provider"`
			Path     string `json:"path"`
			Module   string `json:"module"`
		} `json:"infra"`
		Services map[string]service `json:"services"`
		Hooks    map[string]struct {
			Shell           string `json:"shell"`
			Run             string `json:"run"`
			ContinueOnError bool   `json:"continueOnError"`
			Interactive     bool   `json:"interactive"`
		} `json:"hooks"`
	}
	if err := yaml.UnmarshalStrict(src, &a); err != nil {
		t.Fatalf("azure.yaml: %v", err)
	}
	if a.Infra.Provider != "bicep" || a.Infra.Path != "deploy/azure" || a.Infra.Module != "main" {
		t.Errorf("infra: got %+v, want bicep deploy/azure main", a.Infra)
	}
	for _, name := range []string{"api", "web"} {
		s, ok := a.Services[name]
		if !ok {
			t.Errorf("service %s missing", name)
			continue
		}
		if s.Host != "containerapp" || s.Docker.Path != "./Dockerfile" || len(s.Docker.BuildArgs) == 0 {
			t.Errorf("service %s: got %+v, want a containerapp from ./Dockerfile with build args", name, s)
		}
	}
	if h := a.Hooks["postdeploy"]; h.Run != "deploy/azure/scripts/function.sh" {
		t.Errorf("postdeploy hook: got %q, want deploy/azure/scripts/function.sh", h.Run)
	}
}

// TestScripts runs shellcheck on the deployment scripts (scripts/test.sh checks only scripts/).
func TestScripts(t *testing.T) {
	shellcheck := testenv.Tool(t, "shellcheck", "apt-get install shellcheck")
	scripts, err := filepath.Glob("scripts/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	out, err := exec.Command(shellcheck, scripts...).CombinedOutput()
	if err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// TestInvocationExamples checks the example invocations in function/examples against the contract:
// the envelope's Data key is the binding name, the event (an object, or a string holding one) is a
// BlobCreated for an original in the Event Grid or CloudEvents schema, and its subject passes the
// subscription's filter in modules/events.bicep.
func TestInvocationExamples(t *testing.T) {
	prefix := strings.ReplaceAll(
		tree(t, "modules/events.bicep").Root.find(t, "subjectBeginsWith").literalTemplate(),
		"${documentsContainer}", "documents")
	if !strings.HasPrefix(prefix, "/blobServices/default/containers/documents/blobs/originals/") {
		t.Fatalf("subscription filter prefix: got %q", prefix)
	}
	for _, path := range []string{"function/examples/request-eventgrid.json", "function/examples/request-cloudevent.json"} {
		var req struct {
			Data     map[string]json.RawMessage `json:"Data"`
			Metadata map[string]any             `json:"Metadata"`
		}
		readJSON(t, path, &req)
		raw, ok := req.Data["event"]
		if !ok || len(req.Data) != 1 {
			t.Errorf("%s: Data keys %v, want only the binding name event", path, keys(req.Data))
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			raw = json.RawMessage(s)
		}
		var ev struct {
			EventType   string `json:"eventType"`
			Type        string `json:"type"`
			SpecVersion string `json:"specversion"`
			Subject     string `json:"subject"`
			ID          string `json:"id"`
			Data        struct {
				URL string `json:"url"`
			} `json:"data"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Errorf("%s: event: %v", path, err)
			continue
		}
		if typ := ev.EventType + ev.Type; typ != "Microsoft.Storage.BlobCreated" {
			t.Errorf("%s: event type %q", path, typ)
		}
		if ev.Type != "" && ev.SpecVersion != "1.0" {
			t.Errorf("%s: CloudEvent without specversion 1.0", path)
		}
		if !strings.HasPrefix(ev.Subject, prefix) || ev.ID == "" {
			t.Errorf("%s: subject %q id %q: the subscription would not deliver it", path, ev.Subject, ev.ID)
		}
		name := strings.TrimPrefix(ev.Subject, prefix)
		if !document.ValidID(name) {
			t.Errorf("%s: blob originals/%s holds no document id (blob.Key)", path, name)
		}
		if !strings.HasSuffix(ev.Data.URL, "/documents/originals/"+name) {
			t.Errorf("%s: data.url %q does not name the subject's blob", path, ev.Data.URL)
		}
	}
	var resp struct {
		Outputs     map[string]any `json:"Outputs"`
		Logs        []string       `json:"Logs"`
		ReturnValue any            `json:"ReturnValue"`
	}
	readJSON(t, "function/examples/response.json", &resp)
	if resp.Outputs == nil || len(resp.Logs) == 0 {
		t.Errorf("response.json: got %+v, want Outputs {} and Logs", resp)
	}
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
