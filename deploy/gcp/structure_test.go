package gcp

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// module is one Terraform module directory, parsed.
type module struct {
	dir    string
	blocks []*hclsyntax.Block // top-level blocks of every .tf file
}

func parseModule(t *testing.T, dir string) *module {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s (%v)", dir, err)
	}
	m := &module{dir: dir}
	p := hclparse.NewParser()
	for _, f := range files {
		file, diags := p.ParseHCLFile(f)
		if diags.HasErrors() {
			t.Fatalf("parse %s: %s", f, diags.Error())
		}
		m.blocks = append(m.blocks, file.Body.(*hclsyntax.Body).Blocks...)
	}
	return m
}

// modules parses the root module and every module under modules/.
func modules(t *testing.T) []*module {
	t.Helper()
	dirs, err := filepath.Glob("modules/*")
	if err != nil {
		t.Fatal(err)
	}
	ms := []*module{parseModule(t, ".")}
	for _, d := range dirs {
		ms = append(ms, parseModule(t, d))
	}
	return ms
}

// find returns the top-level blocks of type typ whose labels start with labels.
func (m *module) find(typ string, labels ...string) []*hclsyntax.Block {
	var bs []*hclsyntax.Block
	for _, b := range m.blocks {
		if b.Type == typ && len(b.Labels) >= len(labels) && slices.Equal(b.Labels[:len(labels)], labels) {
			bs = append(bs, b)
		}
	}
	return bs
}

func (m *module) one(t *testing.T, typ string, labels ...string) *hclsyntax.Block {
	t.Helper()
	bs := m.find(typ, labels...)
	if len(bs) != 1 {
		t.Fatalf("%s: want one %s %q, have %d", m.dir, typ, labels, len(bs))
	}
	return bs[0]
}

// literal evaluates an attribute that must be a constant; ok is false if it is absent or not
// constant.
func literal(body *hclsyntax.Body, name string) (cty.Value, bool) {
	a, found := body.Attributes[name]
	if !found {
		return cty.NilVal, false
	}
	v, diags := a.Expr.Value(nil)
	return v, !diags.HasErrors() && v.IsWhollyKnown()
}

// text is a constant string or bool attribute as text, or "" if it is not one.
func text(body *hclsyntax.Body, name string) string {
	v, ok := literal(body, name)
	switch {
	case !ok || v.IsNull():
		return ""
	case v.Type() == cty.Bool:
		return strconv.FormatBool(v.True())
	case v.Type() == cty.String:
		return v.AsString()
	}
	return ""
}

func literalString(body *hclsyntax.Body, name string) string {
	v, ok := literal(body, name)
	if !ok || !v.Type().Equals(cty.String) || v.IsNull() {
		return ""
	}
	return v.AsString()
}

// nested returns the blocks of type typ at any depth under body.
func nested(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	var bs []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == typ {
			bs = append(bs, b)
		}
		bs = append(bs, nested(b.Body, typ)...)
	}
	return bs
}

func TestVariablesAndOutputsDocumented(t *testing.T) {
	for _, m := range modules(t) {
		for _, b := range m.blocks {
			if b.Type != "variable" && b.Type != "output" {
				continue
			}
			name := b.Type + " " + b.Labels[0]
			if literalString(b.Body, "description") == "" {
				t.Errorf("%s: %s has no description", m.dir, name)
			}
			if _, ok := b.Body.Attributes["type"]; b.Type == "variable" && !ok {
				t.Errorf("%s: %s has no type", m.dir, name)
			}
		}
	}
}

func TestModuleSources(t *testing.T) {
	used := map[string]bool{}
	for _, m := range modules(t) {
		for _, b := range m.find("module") {
			src := literalString(b.Body, "source")
			if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
				t.Errorf("%s: module %s: source %q is not a local module", m.dir, b.Labels[0], src)
				continue
			}
			dir := filepath.Join(m.dir, src)
			if _, err := os.Stat(filepath.Join(dir, "main.tf")); err != nil {
				t.Errorf("%s: module %s: source %s has no main.tf", m.dir, b.Labels[0], src)
			}
			used[filepath.Clean(dir)] = true
		}
	}
	dirs, _ := filepath.Glob("modules/*")
	for _, d := range dirs {
		if !used[filepath.Clean(d)] {
			t.Errorf("%s is not used by any module", d)
		}
	}
}

// TestIAM checks that every grant the stack needs is declared, on the narrowest resource, and
// that no basic role or public principal appears.
func TestIAM(t *testing.T) {
	type grant struct{ resource, role string }
	var got []grant
	for _, m := range modules(t) {
		for _, b := range m.find("resource") {
			if role := literalString(b.Body, "role"); role != "" {
				got = append(got, grant{b.Labels[0], role})
			}
		}
	}
	want := []grant{
		{"google_project_iam_member", "roles/pubsub.publisher"},                       // Cloud Storage service agent
		{"google_project_iam_member", "roles/eventarc.eventReceiver"},                 // trigger account
		{"google_cloud_run_v2_service_iam_member", "roles/run.invoker"},               // trigger account on worker
		{"google_service_account_iam_member", "roles/iam.serviceAccountTokenCreator"}, // Pub/Sub agent on trigger account
		{"google_storage_bucket_iam_member", "roles/storage.objectUser"},
		{"google_secret_manager_secret_iam_member", "roles/secretmanager.secretAccessor"},
		{"google_project_iam_member", "roles/cloudsql.client"},
		{"google_artifact_registry_repository_iam_member", "roles/artifactregistry.writer"},
		{"google_cloud_run_v2_service_iam_member", "roles/run.developer"},
		{"google_service_account_iam_member", "roles/iam.serviceAccountUser"},
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no %s grants %s", w.resource, w.role)
		}
	}
	for _, g := range got {
		switch g.role {
		case "roles/owner", "roles/editor", "roles/viewer", "roles/run.admin", "roles/iam.serviceAccountAdmin":
			t.Errorf("%s grants the broad role %s", g.resource, g.role)
		}
		if g.role == "roles/iam.serviceAccountTokenCreator" && g.resource != "google_service_account_iam_member" {
			t.Errorf("token creator must be granted on one service account, not with %s", g.resource)
		}
	}
	for _, f := range tfFiles(t) {
		b, _ := os.ReadFile(f)
		for _, p := range []string{"allUsers", "allAuthenticatedUsers"} {
			if strings.Contains(string(b), `"`+p) {
				t.Errorf("%s grants %s; a public service uses invoker_iam_disabled instead", f, p)
			}
		}
	}
}

func tfFiles(t *testing.T) []string {
	t.Helper()
	root, _ := filepath.Glob("*.tf")
	mods, _ := filepath.Glob("modules/*/*.tf")
	return append(root, mods...)
}

func TestServices(t *testing.T) {
	root := parseModule(t, ".")
	tests := []struct {
		name    string
		ingress string
		public  bool
	}{
		{"web", "INGRESS_TRAFFIC_ALL", true},
		{"api", "INGRESS_TRAFFIC_INTERNAL_ONLY", true},
		{"worker", "INGRESS_TRAFFIC_INTERNAL_ONLY", false},
	}
	for _, tt := range tests {
		b := root.one(t, "module", tt.name)
		if got := literalString(b.Body, "source"); got != "./modules/service" {
			t.Errorf("module %s: source = %q, want ./modules/service", tt.name, got)
		}
		if got := literalString(b.Body, "command"); got != tt.name {
			t.Errorf("module %s: command = %q, want %q", tt.name, got, tt.name)
		}
		if got := literalString(b.Body, "ingress"); got != tt.ingress {
			t.Errorf("module %s: ingress = %q, want %q", tt.name, got, tt.ingress)
		}
		v, ok := literal(b.Body, "public")
		if got := ok && v.True(); got != tt.public {
			t.Errorf("module %s: public = %v, want %v", tt.name, got, tt.public)
		}
	}
	// The api's IAM check is off because its ingress is internal: only the VPC reaches it.
	api := root.one(t, "module", "api")
	if _, ok := api.Body.Attributes["subnetwork"]; ok {
		t.Error("module api must not egress through the VPC; only web does")
	}
	if _, ok := root.one(t, "module", "web").Body.Attributes["subnetwork"]; !ok {
		t.Error("module web needs Direct VPC egress to reach the internal api")
	}

	worker := root.one(t, "module", "worker")
	if v, ok := literal(worker.Body, "cpu_idle"); !ok || v.True() {
		t.Error("worker: cpu_idle must be false so the store poller runs between events")
	}
	if got := objectItem(worker.Body.Attributes["env"].Expr, "OMP_THREAD_LIMIT"); got != "1" {
		t.Errorf(`worker: env OMP_THREAD_LIMIT = %q, want "1"`, got)
	}

	scaling, ok := literal(root.one(t, "variable", "scaling").Body, "default")
	if !ok {
		t.Fatal("variable scaling needs a constant default")
	}
	for name, s := range scaling.AsValueMap() {
		c, _ := s.GetAttr("concurrency").AsBigFloat().Int64()
		if name == "worker" && c > 2 {
			t.Errorf("worker concurrency %d: OCR is CPU-bound, keep it at 1-2", c)
		}
		if min, max := s.GetAttr("min").AsBigFloat(), s.GetAttr("max").AsBigFloat(); min.Cmp(max) > 0 {
			t.Errorf("scaling %s: min %v > max %v", name, min, max)
		}
	}
	timeout, ok := literal(root.one(t, "variable", "worker_timeout_seconds").Body, "default")
	if f, _ := timeout.AsBigFloat().Float64(); !ok || f < 600 {
		t.Errorf("worker request timeout %v s is too short for OCR", timeout.GoString())
	}
}

// objectItem finds, anywhere in e (e.g. inside merge(...)), an object item with the key and returns
// its constant string value.
func objectItem(e hclsyntax.Expression, key string) string {
	var got string
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		obj, ok := n.(*hclsyntax.ObjectConsExpr)
		if !ok {
			return nil
		}
		for _, item := range obj.Items {
			k, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() || k.Type() != cty.String || k.AsString() != key {
				continue
			}
			if v, diags := item.ValueExpr.Value(nil); !diags.HasErrors() && v.Type() == cty.String {
				got = v.AsString()
			}
		}
		return nil
	})
	return got
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestServiceModule(t *testing.T) {
	m := parseModule(t, "modules/service")
	svc := m.one(t, "resource", "google_cloud_run_v2_service", "this")

	probes := map[string]string{}
	for _, typ := range []string{"startup_probe", "liveness_probe"} {
		for _, p := range nested(svc.Body, typ) {
			for _, g := range nested(p.Body, "http_get") {
				probes[typ] = literalString(g.Body, "path")
			}
		}
	}
	if want := map[string]string{"startup_probe": "/readyz", "liveness_probe": "/healthz"}; !mapsEqual(probes, want) {
		t.Errorf("probes = %v, want %v", probes, want)
	}

	var secretRef bool
	for _, r := range nested(svc.Body, "secret_key_ref") {
		secretRef = secretRef || r.Body.Attributes["secret"] != nil
	}
	if !secretRef {
		t.Error("secrets must come from Secret Manager through value_source.secret_key_ref")
	}

	lc := nested(svc.Body, "lifecycle")
	if len(lc) != 1 {
		t.Fatal("the service needs a lifecycle block that leaves the image to the pipeline")
	}
	ignore := lc[0].Body.Attributes["ignore_changes"]
	if ignore == nil || !strings.Contains(string(ignore.Expr.Range().SliceBytes(mustRead(t, "modules/service/main.tf"))), "template[0].containers[0].image") {
		t.Error("lifecycle.ignore_changes must list template[0].containers[0].image")
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestEventTrigger(t *testing.T) {
	m := parseModule(t, "modules/events")
	tr := m.one(t, "resource", "google_eventarc_trigger", "finalized")
	criteria := map[string]bool{}
	for _, c := range nested(tr.Body, "matching_criteria") {
		criteria[literalString(c.Body, "attribute")] = true
		if literalString(c.Body, "attribute") == "type" {
			if got := literalString(c.Body, "value"); got != "google.cloud.storage.object.v1.finalized" {
				t.Errorf("trigger type = %q", got)
			}
		}
	}
	if !criteria["type"] || !criteria["bucket"] {
		t.Errorf("trigger must match on type and bucket, matches on %v", criteria)
	}
	runs := nested(tr.Body, "cloud_run_service")
	if len(runs) != 1 || literalString(runs[0].Body, "path") != "/events" {
		t.Error("trigger must deliver to a Cloud Run service at /events")
	}
	if _, ok := tr.Body.Attributes["service_account"]; !ok {
		t.Error("trigger needs its own service account")
	}
	if _, ok := tr.Body.Attributes["depends_on"]; !ok {
		t.Error("trigger must depend on its IAM grants, or its creation races them")
	}
}

// TestNoSecretsInState checks that secret values are only ever written to write-only attributes,
// and that the database has no password at all: every user signs in with IAM.
func TestNoSecretsInState(t *testing.T) {
	for _, m := range modules(t) {
		for _, b := range m.find("resource", "google_secret_manager_secret_version") {
			if _, ok := b.Body.Attributes["secret_data"]; ok {
				t.Errorf("%s: secret version %s uses secret_data; use secret_data_wo", m.dir, b.Labels[1])
			}
		}
		for _, b := range m.find("resource", "google_sql_user") {
			for _, attr := range []string{"password", "password_wo"} {
				if _, ok := b.Body.Attributes[attr]; ok {
					t.Errorf("%s: sql user %s has a %s; sign in with IAM instead", m.dir, b.Labels[1], attr)
				}
			}
			if got := literalString(b.Body, "type"); got != "CLOUD_IAM_SERVICE_ACCOUNT" {
				t.Errorf("%s: sql user %s has type %q, want CLOUD_IAM_SERVICE_ACCOUNT", m.dir, b.Labels[1], got)
			}
		}
		for _, kind := range []string{"resource", "ephemeral", "data"} {
			for _, b := range m.find(kind) {
				if strings.HasPrefix(b.Labels[0], "random_") {
					t.Errorf("%s: %s %s needs hashicorp/random, which the stack must not depend on", m.dir, kind, b.Labels[0])
				}
			}
		}
	}
}

func TestDatabase(t *testing.T) {
	m := parseModule(t, "modules/database")
	db := m.one(t, "resource", "google_sql_database_instance", "this")
	if got := literalString(db.Body, "database_version"); got != "POSTGRES_16" {
		t.Errorf("database_version = %q, want POSTGRES_16", got)
	}
	checks := map[string]struct{ block, attr, want string }{
		"backups": {"backup_configuration", "enabled", "true"},
		"pitr":    {"backup_configuration", "point_in_time_recovery_enabled", "true"},
		"ssl":     {"ip_configuration", "ssl_mode", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"},
	}
	for name, c := range checks {
		bs := nested(db.Body, c.block)
		if len(bs) != 1 {
			t.Errorf("%s: want one %s block", name, c.block)
			continue
		}
		if got := text(bs[0].Body, c.attr); got != c.want {
			t.Errorf("%s: %s.%s = %q, want %q", name, c.block, c.attr, got, c.want)
		}
	}
	iam := false
	for _, s := range nested(db.Body, "settings") {
		for _, f := range nested(s.Body, "database_flags") {
			iam = iam || literalString(f.Body, "name") == "cloudsql.iam_authentication" && literalString(f.Body, "value") == "on"
		}
	}
	if !iam {
		t.Error("the instance needs the cloudsql.iam_authentication flag on: the services sign in with IAM")
	}
	if len(nested(db.Body, "authorized_networks")) != 0 {
		t.Error("the instance must have no authorized networks: only the Cloud SQL connector reaches it")
	}
	if _, ok := db.Body.Attributes["deletion_protection"]; !ok {
		t.Error("the instance needs deletion_protection")
	}
}

func TestBucket(t *testing.T) {
	m := parseModule(t, "modules/storage")
	b := m.one(t, "resource", "google_storage_bucket", "this")
	if v, ok := literal(b.Body, "uniform_bucket_level_access"); !ok || !v.True() {
		t.Error("uniform_bucket_level_access must be true")
	}
	if got := literalString(b.Body, "public_access_prevention"); got != "enforced" {
		t.Errorf("public_access_prevention = %q, want enforced", got)
	}
	if vs := nested(b.Body, "versioning"); len(vs) != 1 {
		t.Error("versioning must be enabled")
	} else if v, ok := literal(vs[0].Body, "enabled"); !ok || !v.True() {
		t.Error("versioning must be enabled")
	}
	var noncurrent bool
	for _, c := range nested(b.Body, "condition") {
		_, days := c.Body.Attributes["days_since_noncurrent_time"]
		_, newer := c.Body.Attributes["num_newer_versions"]
		noncurrent = noncurrent || days || newer
	}
	if !noncurrent {
		t.Error("a lifecycle rule must expire noncurrent versions")
	}
}

func TestRegistry(t *testing.T) {
	m := parseModule(t, "modules/registry")
	r := m.one(t, "resource", "google_artifact_registry_repository", "this")
	if got := literalString(r.Body, "format"); got != "DOCKER" {
		t.Errorf("format = %q, want DOCKER", got)
	}
	dc := nested(r.Body, "docker_config")
	if len(dc) != 1 {
		t.Fatal("no docker_config")
	}
	if v, ok := literal(dc[0].Body, "immutable_tags"); !ok || !v.True() {
		t.Error("tags must be immutable")
	}
	actions := map[string]int{}
	for _, p := range nested(r.Body, "cleanup_policies") {
		actions[literalString(p.Body, "action")]++
	}
	if actions["KEEP"] == 0 || actions["DELETE"] == 0 {
		t.Errorf("cleanup policies by action = %v, want KEEP and DELETE", actions)
	}
}

// TestNoHardCodedProject checks that no project id is written into the configuration: project
// arguments come from variables, and no literal names a project.
func TestNoHardCodedProject(t *testing.T) {
	for _, m := range modules(t) {
		var walk func(body *hclsyntax.Body)
		walk = func(body *hclsyntax.Body) {
			for name, a := range body.Attributes {
				if name != "project" && name != "project_id" {
					continue
				}
				if _, ok := literal(body, name); ok {
					t.Errorf("%s:%d: %s is a literal; take it from var.project_id", a.SrcRange.Filename, a.SrcRange.Start.Line, name)
				}
			}
			for _, b := range body.Blocks {
				walk(b.Body)
			}
		}
		for _, b := range m.blocks {
			if b.Type != "variable" {
				walk(b.Body)
			}
		}
	}
	re := regexp.MustCompile(`projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/`)
	for _, f := range tfFiles(t) {
		if loc := re.FindString(string(mustRead(t, f))); loc != "" {
			t.Errorf("%s names a project: %s", f, loc)
		}
	}
}

func TestRequiredAPIs(t *testing.T) {
	root := parseModule(t, ".")
	v, ok := literal(root.one(t, "module", "project").Body, "services")
	if !ok {
		t.Fatal("module project: services must be a constant list")
	}
	var got []string
	for _, s := range v.AsValueSlice() {
		got = append(got, s.AsString())
	}
	sort.Strings(got)
	for _, want := range []string{
		"artifactregistry.googleapis.com", "cloudbuild.googleapis.com", "eventarc.googleapis.com",
		"pubsub.googleapis.com", "run.googleapis.com", "secretmanager.googleapis.com",
		"sqladmin.googleapis.com", "storage.googleapis.com",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("API %s is not enabled; enabled: %v", want, got)
		}
	}
}

func TestBackendAndProvider(t *testing.T) {
	root := parseModule(t, ".")
	tf := root.one(t, "terraform")
	if len(nested(tf.Body, "backend")) != 1 || nested(tf.Body, "backend")[0].Labels[0] != "gcs" {
		t.Error("the root module needs a gcs backend")
	}
	p := root.one(t, "provider", "google")
	for _, a := range []string{"credentials", "access_token"} {
		if _, ok := p.Body.Attributes[a]; ok {
			t.Errorf("provider google sets %s; use Application Default Credentials", a)
		}
	}
}

func TestTestFilesParse(t *testing.T) {
	files, _ := filepath.Glob("tests/*.tftest.hcl")
	if len(files) == 0 {
		t.Fatal("no tests/*.tftest.hcl")
	}
	p := hclparse.NewParser()
	for _, f := range files {
		file, diags := p.ParseHCLFile(f)
		if diags.HasErrors() {
			t.Fatalf("parse %s: %s", f, diags.Error())
		}
		content, _ := file.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
			{Type: "run", LabelNames: []string{"name"}},
			{Type: "mock_provider", LabelNames: []string{"name"}},
			{Type: "variables"},
		}})
		var runs, mocks int
		for _, b := range content.Blocks {
			switch b.Type {
			case "run":
				runs++
			case "mock_provider":
				mocks++
			}
		}
		if runs == 0 || mocks == 0 {
			t.Errorf("%s: %d runs, %d mock providers; want both", f, runs, mocks)
		}
	}
}
