package azure

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The rules in this file keep what a review found from coming back: each guards an ordering or an
// ownership that a single deployment cannot see go wrong (docs/azure.md, "Rollout order and
// ownership"). They follow expressions through variables, parentheses and ternaries on the
// placeholder image, and no further.

// placeholderImages are the public images a fresh environment's container apps run until docpipe
// is deployed, each with the port it listens on. They serve a page but no /healthz or /readyz, and
// know nothing of docpipe's arguments, settings or secrets.
var placeholderImages = map[string]int{"mcr.microsoft.com/k8se/quickstart:latest": 80}

// defaultPlaceholder is the placeholder main.bicep starts with.
const defaultPlaceholder = "mcr.microsoft.com/k8se/quickstart:latest"

// secretsUserRole is the definition ID of Key Vault Secrets User.
const secretsUserRole = "4633458b-17de-408a-b874-0445c86b69e6"

// scope is what the expression-following rules know of one file.
type scope struct {
	vars   map[string]*node // variable name → its value
	params map[string]decl  // parameter name → its declaration
	decls  map[string]*node // symbolic name of a resource or module → its declaration
}

func newScope(f bicepFile) scope {
	s := scope{vars: map[string]*node{}, params: map[string]decl{}, decls: map[string]*node{}}
	for _, d := range declarations(f) {
		switch d.node.Type {
		case "variable_declaration":
			s.vars[d.node.name()] = d.node.value()
		case "parameter_declaration":
			s.params[d.node.name()] = d
		case "resource_declaration", "module_declaration":
			s.decls[d.node.name()] = d.node
		}
	}
	return s
}

// resolve follows variables and parentheses from n to the expression it stands for.
func (s scope) resolve(n *node) *node {
	for range 32 { // deep enough for any real chain, and no loop on `var a = b; var b = a`
		switch {
		case n.is("identifier"):
			v, ok := s.vars[n.Text]
			if !ok || v == nil {
				return n
			}
			n = v
		case n.is("parenthesized_expression") && len(n.Children) == 1:
			n = n.Children[0]
		default:
			return n
		}
	}
	return n
}

// placeholderTest reports whether n is a test "is the image a placeholder?": an == between anything
// and a placeholder image (a literal or a variable holding one), or the negation of such a test.
func (s scope) placeholderTest(n *node) (negated, ok bool) {
	for range 32 { // a bound, for `var a = !a`
		n = s.resolve(n)
		if !n.is("unary_expression") || !strings.HasPrefix(strings.TrimSpace(n.Text), "!") || len(n.Children) != 1 {
			break
		}
		n, negated = n.Children[0], !negated
	}
	switch {
	case n.is("binary_expression") && len(n.Children) == 2 && n.Children[0] != nil && n.Children[1] != nil:
		l, r := n.Children[0], n.Children[1]
		op := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(n.Text, l.Text), r.Text))
		if op != "==" && op != "!=" {
			return false, false
		}
		for _, side := range []*node{l, r} {
			if lit, isLit := plainString(s.resolve(side)); isLit && placeholderImages[lit] != 0 {
				return negated != (op == "!="), true
			}
		}
	}
	return false, false
}

// choose is what n stands for when the image is (placeholder true) or is not the placeholder:
// ternaries on a placeholder test take their branch; other expressions stay as they are.
func (s scope) choose(n *node, placeholder bool) *node {
	for range 32 {
		n = s.resolve(n)
		if !n.is("ternary_expression") {
			return n
		}
		var cond, yes, no *node
		for _, c := range n.Children {
			if c == nil {
				continue
			}
			switch c.Field {
			case "condition":
				cond = c
			case "consequence":
				yes = c
			case "alternative":
				no = c
			}
		}
		negated, ok := s.placeholderTest(cond)
		if !ok {
			return n
		}
		if placeholder != negated {
			n = yes
		} else {
			n = no
		}
	}
	return n
}

// placeholder returns the placeholder image a file names, and its port; the default one if none.
func (s scope) placeholder() (string, int) {
	for _, v := range s.vars {
		if lit, ok := plainString(v); ok && placeholderImages[lit] != 0 {
			return lit, placeholderImages[lit]
		}
	}
	return defaultPlaceholder, placeholderImages[defaultPlaceholder]
}

// number is the value of an integer literal, or -1.
func number(n *node) int {
	if !n.is("number") {
		return -1
	}
	v, err := strconv.Atoi(n.Text)
	if err != nil {
		return -1
	}
	return v
}

// emptyArray reports whether n is the literal [].
func emptyArray(n *node) bool { return n.is("array") && len(arrayItems(n)) == 0 }

// containerApp is a container app resource of a file, with its first container, when its image can
// be a placeholder: a literal image that is not one is a fixed, real image and is left alone.
type containerApp struct {
	decl, body, container *node
}

func containerApps(f bicepFile, s scope) []containerApp {
	var out []containerApp
	for _, d := range declarations(f) {
		typ, _, existing := resourceType(d.node)
		if d.node.Type != "resource_declaration" || existing || typ != "Microsoft.App/containerApps" {
			continue
		}
		body := d.node.body()
		items := arrayItems(s.resolve(body.prop("properties.template.containers")))
		if len(items) == 0 || !items[0].is("object") {
			continue
		}
		c := items[0]
		if lit, ok := plainString(s.resolve(c.prop("image"))); ok && placeholderImages[lit] == 0 {
			continue
		}
		out = append(out, containerApp{decl: d.node, body: body, container: c})
	}
	return out
}

// probePort is the port a probe object checks, whichever kind it is.
func probePort(probe *node) *node {
	if p := probe.prop("httpGet.port"); p != nil {
		return p
	}
	return probe.prop("tcpSocket.port")
}

// checkPlaceholder wants a container app whose image can be the placeholder to give the
// placeholder's revision the placeholder's port and TCP probes, and none of docpipe's arguments, so
// the first provision's revision gets healthy; and docpipe's probes on the port its ingress targets.
func checkPlaceholder(f bicepFile, _ map[string]bicepFile) []string {
	s := newScope(f)
	image, port := s.placeholder()
	var out []string
	for _, app := range containerApps(f, s) {
		name := app.decl.name()
		ingress := app.body.prop("properties.configuration.ingress")
		if ingress != nil {
			if tp := s.choose(ingress.prop("targetPort"), true); number(tp) != port {
				out = append(out, at(app.decl, "container app %s: with the placeholder %s, which listens on %d, the ingress targets %s", name, image, port, text(tp)))
			}
		}
		if probes := s.choose(app.container.prop("probes"), true); probes != nil {
			if !probes.is("array") {
				out = append(out, at(probes, "container app %s: cannot tell which probes the placeholder gets (%s)", name, text(probes)))
			}
			for _, p := range arrayItems(probes) {
				switch {
				case p.prop("httpGet") != nil:
					out = append(out, at(p, "container app %s: the placeholder %s has no /healthz or /readyz, so an httpGet probe fails it; probe it with tcpSocket on %d", name, image, port))
				case number(s.choose(p.prop("tcpSocket.port"), true)) != port:
					out = append(out, at(p, "container app %s: the placeholder's probe checks port %s, want %d", name, text(s.choose(p.prop("tcpSocket.port"), true)), port))
				}
			}
		}
		if args := s.choose(app.container.prop("args"), true); args != nil && !emptyArray(args) {
			out = append(out, at(args, "container app %s: the placeholder gets docpipe's arguments %s; give it []", name, text(args)))
		}
		if ingress == nil {
			continue
		}
		target := s.choose(ingress.prop("targetPort"), false)
		for _, p := range arrayItems(s.choose(app.container.prop("probes"), false)) {
			if pp := s.choose(probePort(p), false); pp == nil || target == nil || pp.Text != target.Text {
				out = append(out, at(p, "container app %s: a probe checks port %s, but the ingress targets %s", name, text(pp), text(target)))
			}
		}
	}
	return out
}

// text is n's source for a message, or "nothing".
func text(n *node) string {
	if n == nil {
		return "nothing"
	}
	return first(strings.Join(strings.Fields(n.Text), " "), 60)
}

// src is n's whole source, or "".
func src(n *node) string {
	if n == nil {
		return ""
	}
	return n.Text
}

var identityRef = regexp.MustCompile(`^(\w+)\.(?:outputs\.)?id$`)

// checkKeyVaultOrder wants whatever reads a Key Vault secret with an identity (a keyVaultUrl
// reference) to dependsOn the module or role assignment that grants that identity Key Vault
// Secrets User, and a container app's placeholder revision to reference no secret at all: then
// the first revision that reads a secret is created by a later deployment than the grant, and RBAC
// has propagated by then.
func checkKeyVaultOrder(f bicepFile, all map[string]bicepFile) []string {
	s := newScope(f)
	var out []string
	for _, d := range declarations(f) {
		if d.node.Type != "module_declaration" && d.node.Type != "resource_declaration" {
			continue
		}
		if _, _, existing := resourceType(d.node); existing {
			continue
		}
		body := d.node.body()
		var refs []*node
		body.walk(func(n *node) bool {
			if n.is("object") && n.prop("keyVaultUrl") != nil {
				refs = append(refs, n)
			}
			return !n.is("resource_declaration") // a nested resource is a declaration of its own
		})
		for _, ref := range refs {
			identity := ""
			if m := identityRef.FindStringSubmatch(src(ref.prop("identity"))); m != nil {
				identity = m[1]
			}
			granted := false
			for _, dep := range arrayItems(body.prop("dependsOn")) {
				if s.grantsSecretsUser(f, all, dep.Text, identity) {
					granted = true
				}
			}
			if !granted {
				who := "its identity"
				if identity != "" {
					who = identity
				}
				out = append(out, at(ref, "%s reads a Key Vault secret with %s but does not dependsOn the module or role assignment that grants %s Key Vault Secrets User", d.node.name(), who, who))
			}
		}
	}
	for _, app := range containerApps(f, s) {
		if secrets := s.choose(app.body.prop("properties.configuration.secrets"), true); secrets != nil && !emptyArray(secrets) {
			out = append(out, at(secrets, "container app %s: the placeholder revision references secrets (%s); the first revision that reads Key Vault must come from a later deployment than the grant: give the placeholder []", app.decl.name(), text(secrets)))
		}
		env := s.choose(app.container.prop("env"), true)
		env.walk(func(n *node) bool {
			if n.is("object") && n.prop("secretRef") != nil {
				out = append(out, at(n, "container app %s: the placeholder revision reads secret %s", app.decl.name(), text(n.prop("secretRef"))))
			}
			return true
		})
	}
	return out
}

// grantsSecretsUser reports whether the declaration called sym in f grants Key Vault Secrets User:
// a role assignment resource, or a module whose file declares one; and, when identity is known,
// whether it is given that identity's principal ID.
func (s scope) grantsSecretsUser(f bicepFile, all map[string]bicepFile, sym, identity string) bool {
	d := s.decls[sym]
	if d == nil {
		return false
	}
	if body := src(d.body()); identity != "" && !strings.Contains(body, identity+".outputs.principalId") &&
		!strings.Contains(body, identity+".properties.principalId") {
		return false
	}
	if d.Type == "resource_declaration" {
		return grantsRole(s, d, secretsUserRole)
	}
	rel := d.child("string").literal()
	mod, ok := all[filepath.Clean(filepath.Join(filepath.Dir(f.Path), rel))]
	if !ok {
		return false
	}
	ms := newScope(mod)
	for _, md := range declarations(mod) {
		if grantsRole(ms, md.node, secretsUserRole) {
			return true
		}
	}
	return false
}

// grantsRole reports whether n is a role assignment resource of role.
func grantsRole(s scope, n *node, role string) bool {
	typ, _, existing := resourceType(n)
	if n.Type != "resource_declaration" || existing || typ != "Microsoft.Authorization/roleAssignments" {
		return false
	}
	def := s.resolve(n.body().prop("properties.roleDefinitionId"))
	return def != nil && strings.Contains(strings.ToLower(def.Text), role)
}

// checkCosmosSerial wants Cosmos DB SQL role assignments created one at a time, after the
// container: Cosmos DB serialises writes to an account, and parallel ones fail with a conflict.
// A loop needs @batchSize(1); all of a file's assignments belong in one loop; each depends on
// every container the file creates.
func checkCosmosSerial(f bicepFile, _ map[string]bicepFile) []string {
	const assignments = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"
	var containers []string
	var found []decl
	for _, d := range declarations(f) {
		typ, _, existing := resourceType(d.node)
		if d.node.Type != "resource_declaration" || existing {
			continue
		}
		switch typ {
		case "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers":
			containers = append(containers, d.node.name())
		case assignments:
			found = append(found, d)
		}
	}
	var out []string
	for i, d := range found {
		name := d.node.name()
		if i > 0 {
			out = append(out, at(d.node, "%s: a second declaration of Cosmos DB SQL role assignments runs in parallel with %s; put every principal in one @batchSize(1) loop", name, found[0].node.name()))
		}
		if d.node.child("for_statement") != nil {
			batch := d.decorators["batchSize"]
			if n := batch.child("arguments").child("number"); n == nil || n.Text != "1" {
				out = append(out, at(d.node, "%s: Cosmos DB SQL role assignments in a loop need @batchSize(1): created in parallel they collide on the account", name))
			}
		}
		deps := map[string]bool{}
		for _, dep := range arrayItems(d.node.body().prop("dependsOn")) {
			deps[dep.Text] = true
		}
		for _, c := range containers {
			if !deps[c] {
				out = append(out, at(d.node, "%s: Cosmos DB SQL role assignments must dependsOn container %s, another write to the account", name, c))
			}
		}
	}
	return out
}

// checkTimerInstance wants a Function App to keep an always-ready instance: docpipe's function app
// runs the sweep timer (function/sweep), and an instance that is running fires it whatever the
// platform's scaling makes of a custom handler's timer trigger.
func checkTimerInstance(f bicepFile, _ map[string]bicepFile) []string {
	s := newScope(f)
	var out []string
	for _, d := range declarations(f) {
		typ, _, existing := resourceType(d.node)
		if d.node.Type != "resource_declaration" || existing || typ != "Microsoft.Web/sites" {
			continue
		}
		body := d.node.body()
		if kind, _ := plainString(s.resolve(body.prop("kind"))); !strings.Contains(kind, "functionapp") {
			continue
		}
		v := s.resolve(body.prop("properties.siteConfig.minimumElasticInstanceCount"))
		if least := s.atLeast(v); least < 1 {
			out = append(out, at(d.node, "function app %s: minimumElasticInstanceCount is %s; keep at least one instance running so the sweep timer fires (a literal >= 1, or a param with @minValue(1))", d.node.name(), text(v)))
		}
	}
	return out
}

// atLeast is the least value n can have: a number literal, or a param's @minValue; -1 if unknown.
func (s scope) atLeast(n *node) int {
	if v := number(n); v >= 0 {
		return v
	}
	if !n.is("identifier") {
		return -1
	}
	p, ok := s.params[n.Text]
	if !ok {
		return -1
	}
	min := p.decorators["minValue"].child("arguments").child("number")
	return number(min)
}

// checkSiteSettings wants Bicep to be the only owner of a site's configuration: the site sets all
// of its app settings (a deployment replaces the whole list, erasing any added elsewhere) and, for
// a container, its image, and no sites/config resource writes either a second time.
func checkSiteSettings(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	for _, d := range declarations(f) {
		typ, _, existing := resourceType(d.node)
		if d.node.Type != "resource_declaration" || existing {
			continue
		}
		body := d.node.body()
		switch typ {
		case "Microsoft.Web/sites":
			if body.prop("properties.siteConfig.appSettings") == nil {
				out = append(out, at(d.node, "site %s: set every app setting in siteConfig.appSettings, so Bicep owns them all and no script has to add one", d.node.name()))
			}
			if kind := body.prop("kind"); strings.Contains(text(kind), "container") && body.prop("properties.siteConfig.linuxFxVersion") == nil {
				out = append(out, at(d.node, "site %s: set the image (siteConfig.linuxFxVersion) in Bicep; setting it from a script writes the site's settings outside Bicep", d.node.name()))
			}
			for _, nested := range nestedResources(body) {
				if t, _, _ := resourceType(nested); strings.HasPrefix(t, "config") {
					out = append(out, at(nested, "site %s: config resource %s writes the site's settings a second time; set them in siteConfig", d.node.name(), nested.name()))
				}
			}
		case "Microsoft.Web/sites/config":
			out = append(out, at(d.node, "%s writes a site's settings besides its siteConfig; one owner only: set them in the site's siteConfig", d.node.name()))
		}
	}
	return out
}

// siteConfigCommands are commands that change an app's settings or image outside Bicep: a later
// provision would erase or undo them, or they would roll an image out without the configuration
// that goes with it (the placeholder's port, docpipe's probes and settings).
var siteConfigCommands = regexp.MustCompile(`az\s+(functionapp|webapp)\s+config\s+(appsettings|container|set)\b|az\s+(functionapp|webapp)\s+update\b|az\s+containerapp\s+(update|secret|ingress|revision\s+copy)\b|az\s+resource\s+update\b`)

// configWriters lists the lines of the deployment's scripts and pipeline that change an app's
// settings or image outside Bicep.
func configWriters() ([]string, error) {
	files, err := filepath.Glob("scripts/*.sh")
	if err != nil {
		return nil, err
	}
	files = append(files, "pipelines/azure-pipelines.yml")
	var out []string
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		// A command may continue over lines ending in a backslash: match it whole, report its first line.
		lines := strings.Split(string(data), "\n")
		for i := 0; i < len(lines); i++ {
			start, cmd := i, strings.TrimSpace(lines[i])
			for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
				i++
				cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
			}
			if !strings.HasPrefix(cmd, "#") && siteConfigCommands.MatchString(cmd) {
				out = append(out, path+":"+strconv.Itoa(start+1)+": "+cmd)
			}
		}
	}
	return out, nil
}

// TestRolloutRules checks that each rule above reports each mistake in its testdata/bad example on
// its line, and nothing else there, as TestTypesRule does for the types rule.
func TestRolloutRules(t *testing.T) {
	tests := []struct {
		path, rule string
		row        int
		want       string // a substring of the message
	}{
		{"testdata/bad/cosmosserial.bicep", "cosmos-serial", 59, "data: Cosmos DB SQL role assignments in a loop need @batchSize(1)"},
		{"testdata/bad/cosmosserial.bicep", "cosmos-serial", 59, "data: Cosmos DB SQL role assignments must dependsOn container container"},
		{"testdata/bad/cosmosserial.bicep", "cosmos-serial", 72, "reader: a second declaration of Cosmos DB SQL role assignments runs in parallel with data"},
		{"testdata/bad/placeholder.bicep", "placeholder", 20, "container app before: with the placeholder mcr.microsoft.com/k8se/quickstart:latest, which listens on 80, the ingress targets targetPort"},
		{"testdata/bad/placeholder.bicep", "placeholder", 35, "container app before: the placeholder gets docpipe's arguments [ 'api' ]"},
		{"testdata/bad/placeholder.bicep", "placeholder", 39, "container app before: the placeholder mcr.microsoft.com/k8se/quickstart:latest has no /healthz or /readyz, so an httpGet probe fails it"},
		{"testdata/bad/placeholder.bicep", "placeholder", 70, "container app halfway: the placeholder gets docpipe's arguments"},
		{"testdata/bad/placeholder.bicep", "placeholder", 74, "container app halfway: the placeholder mcr.microsoft.com/k8se/quickstart:latest has no /healthz or /readyz"},
		{"testdata/bad/placeholder.bicep", "placeholder", 81, "container app halfway: the placeholder's probe checks port 8080, want 80"},
		{"testdata/bad/placeholder.bicep", "placeholder", 88, "container app halfway: a probe checks port 9090, but the ingress targets targetPort"},
		{"testdata/bad/placeholder.bicep", "placeholder", 106, "container app negated: with the placeholder mcr.microsoft.com/k8se/quickstart:latest, which listens on 80, the ingress targets targetPort"},
		{"testdata/bad/placeholder.bicep", "placeholder", 123, "container app negated: a probe checks port targetPort, but the ingress targets 80"},
		{"testdata/bad/kvorder.bicep", "kv-order", 59, "unordered reads a Key Vault secret with identity but does not dependsOn"},
		{"testdata/bad/kvorder.bicep", "kv-order", 84, "misordered reads a Key Vault secret with identity but does not dependsOn"},
		{"testdata/bad/kvplaceholder.bicep", "kv-order", 22, "container app app: the placeholder revision references secrets (secretRefs)"},
		{"testdata/bad/kvplaceholder.bicep", "kv-order", 33, "container app app: the placeholder revision reads secret 'oidc-client-secret'"},
		{"testdata/bad/sitesettings.bicep", "site-settings", 10, "site site: set every app setting in siteConfig.appSettings"},
		{"testdata/bad/sitesettings.bicep", "site-settings", 22, "site site: config resource settings writes the site's settings a second time"},
		{"testdata/bad/sitesettings.bicep", "site-settings", 30, "site imageless: set the image (siteConfig.linuxFxVersion) in Bicep"},
		{"testdata/bad/timerinstance.bicep", "timer-instance", 14, "function app zero: minimumElasticInstanceCount is 0"},
		{"testdata/bad/timerinstance.bicep", "timer-instance", 28, "function app unbounded: minimumElasticInstanceCount is minInstances"},
		{"testdata/bad/timerinstance.bicep", "timer-instance", 42, "function app unset: minimumElasticInstanceCount is nothing"},
	}
	type key struct{ path, rule string }
	got := map[key][]finding{}
	for _, tt := range tests {
		k := key{tt.path, tt.rule}
		if _, done := got[k]; done {
			continue
		}
		got[k] = []finding{}
		for _, f := range lint([]string{tt.path}, allTrees(t)) {
			if f.Rule == tt.rule {
				got[k] = append(got[k], f)
			}
		}
	}
	want := map[key]int{}
	for _, tt := range tests {
		k := key{tt.path, tt.rule}
		want[k]++
		if !slices.ContainsFunc(got[k], func(f finding) bool { return f.Row == tt.row && strings.Contains(f.Msg, tt.want) }) {
			t.Errorf("%s: no %s finding at line %d containing %q", tt.path, tt.rule, tt.row, tt.want)
		}
	}
	for k, n := range want {
		if len(got[k]) != n {
			t.Errorf("%s: got %d %s findings, want %d:", k.path, len(got[k]), k.rule, n)
			for _, f := range got[k] {
				t.Log(f)
			}
		}
	}
}

// TestPlaceholderImage checks that everything that starts a fresh environment names the same
// placeholder image, the one the placeholder rule and containerapp.bicep know the port of.
func TestPlaceholderImage(t *testing.T) {
	if placeholderImages[defaultPlaceholder] == 0 {
		t.Fatalf("defaultPlaceholder %s has no port in placeholderImages", defaultPlaceholder)
	}
	app := newScope(tree(t, "modules/containerapp.bicep"))
	if got, _ := plainString(app.vars["placeholderImage"]); got != defaultPlaceholder {
		t.Errorf("modules/containerapp.bicep placeholderImage: got %q, want %s", got, defaultPlaceholder)
	}
	if got := number(app.vars["placeholderPort"]); got != placeholderImages[defaultPlaceholder] {
		t.Errorf("modules/containerapp.bicep placeholderPort: got %d, want %d", got, placeholderImages[defaultPlaceholder])
	}
	main := newScope(tree(t, "main.bicep"))
	for _, name := range []string{"apiImage", "webImage"} {
		if got, _ := plainString(main.params[name].node.value()); got != defaultPlaceholder {
			t.Errorf("main.bicep param %s defaults to %q, want %s", name, got, defaultPlaceholder)
		}
	}
	var pf struct {
		Parameters map[string]struct {
			Value any `json:"value"`
		} `json:"parameters"`
	}
	b, err := os.ReadFile("main.parameters.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pf); err != nil {
		t.Fatal(err)
	}
	for name, variable := range map[string]string{"apiImage": "SERVICE_API_IMAGE_NAME", "webImage": "SERVICE_WEB_IMAGE_NAME"} {
		if got, want := pf.Parameters[name].Value, "${"+variable+"="+defaultPlaceholder+"}"; got != want {
			t.Errorf("main.parameters.json %s: got %v, want %s", name, got, want)
		}
	}
	provision, err := os.ReadFile("scripts/provision.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(provision), "\nplaceholder="+defaultPlaceholder+"\n") {
		t.Errorf("scripts/provision.sh does not set placeholder=%s", defaultPlaceholder)
	}
}

// TestScriptsLeaveConfigToBicep checks that no script or pipeline step changes an app's settings or
// image outside Bicep: the next provision would erase what they add (siteConfig.appSettings is
// written whole), and an image rolled out from the side would run on the template of the previous
// one (the placeholder's port, no settings). Releases go through provision.sh, azd's postdeploy
// hook through azd provision.
func TestScriptsLeaveConfigToBicep(t *testing.T) {
	for _, cmd := range []string{
		"az functionapp config appsettings set --name f --settings A=1",
		"az functionapp config container set --resource-group g \\\n  --name f --image i --output none",
		"az webapp config set --linux-fx-version x",
		"az containerapp update --resource-group g --name a \\\n    --image i",
		"  az containerapp secret set -n a",
		"az resource update --ids x --set properties.siteConfig.appSettings=[]",
	} {
		if !siteConfigCommands.MatchString(strings.ReplaceAll(cmd, "\\\n", " ")) {
			t.Errorf("siteConfigCommands does not match %q", cmd)
		}
	}
	writers, err := configWriters()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range writers {
		t.Errorf("%s: changes an app's configuration outside Bicep; pass it to main.bicep instead", w)
	}
	release, err := os.ReadFile("scripts/release.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DOCPIPE_API_IMAGE=", "DOCPIPE_WEB_IMAGE=", "DOCPIPE_FUNCTION_IMAGE=", `"$here/provision.sh" create`} {
		if !strings.Contains(string(release), want) {
			t.Errorf("scripts/release.sh does not contain %q: releases roll out through Bicep", want)
		}
	}
	hook, err := os.ReadFile("scripts/function.sh")
	if err != nil {
		t.Fatal(err)
	}
	set := strings.Index(string(hook), "\nazd env set DOCPIPE_FUNCTION_IMAGE")
	provision := strings.Index(string(hook), "\nazd provision")
	wait := strings.Index(string(hook), "wait-function.sh\"")
	if set < 0 || provision < set || wait < provision {
		t.Error("scripts/function.sh must set DOCPIPE_FUNCTION_IMAGE, then azd provision, then wait for the function")
	}
}
