package azure

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// apiVersions is the one allow-list of resource types and the API version each must use: the newest
// stable version in the vendored resource types (testdata/bicep-types; TestAPIVersionsVendored).
// diagnosticSettings has no stable version there, only 2021-05-01-preview; it is needed so the
// Container Apps environment logs to Log Analytics without the workspace's shared key.
var apiVersions = map[string]string{
	"Microsoft.Resources/resourceGroups":                            "2025-04-01",
	"Microsoft.OperationalInsights/workspaces":                      "2026-03-01",
	"Microsoft.Insights/diagnosticSettings":                         "2021-05-01-preview",
	"Microsoft.ManagedIdentity/userAssignedIdentities":              "2024-11-30",
	"Microsoft.Authorization/roleAssignments":                       "2022-04-01",
	"Microsoft.ContainerRegistry/registries":                        "2025-11-01",
	"Microsoft.KeyVault/vaults":                                     "2026-02-01",
	"Microsoft.KeyVault/vaults/secrets":                             "2026-02-01",
	"Microsoft.Storage/storageAccounts":                             "2026-04-01",
	"Microsoft.Storage/storageAccounts/blobServices":                "2026-04-01",
	"Microsoft.Storage/storageAccounts/blobServices/containers":     "2026-04-01",
	"Microsoft.DocumentDB/databaseAccounts":                         "2026-03-15",
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases":            "2026-03-15",
	"Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers": "2026-03-15",
	"Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions":      "2026-03-15",
	"Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments":      "2026-03-15",
	"Microsoft.CognitiveServices/accounts":                          "2026-07-01",
	"Microsoft.App/managedEnvironments":                             "2026-01-01",
	"Microsoft.App/containerApps":                                   "2026-01-01",
	"Microsoft.Web/sites":                                           "2025-03-01",
	"Microsoft.EventGrid/systemTopics":                              "2025-02-15",
	"Microsoft.EventGrid/systemTopics/eventSubscriptions":           "2025-02-15",
}

// requirement is a property a resource must set: want is its exact source text, or "" for "present".
type requirement struct{ path, want string }

// security lists, per resource type, the settings the deployment promises (docs/azure.md).
var security = map[string][]requirement{
	"Microsoft.Storage/storageAccounts": {
		{"properties.allowSharedKeyAccess", "false"},
		{"properties.allowBlobPublicAccess", "false"},
		{"properties.minimumTlsVersion", "'TLS1_2'"},
		{"properties.supportsHttpsTrafficOnly", "true"},
	},
	"Microsoft.DocumentDB/databaseAccounts": {
		{"properties.disableLocalAuth", "true"},
		{"properties.minimalTlsVersion", "'Tls12'"},
	},
	"Microsoft.KeyVault/vaults": {
		{"properties.enableRbacAuthorization", "true"},
		{"properties.enableSoftDelete", "true"},
		{"properties.enablePurgeProtection", "true"},
	},
	"Microsoft.ContainerRegistry/registries": {
		{"properties.adminUserEnabled", "false"},
		{"properties.anonymousPullEnabled", "false"},
	},
	"Microsoft.CognitiveServices/accounts": {
		{"properties.disableLocalAuth", "true"},
		{"properties.customSubDomainName", ""},
	},
	"Microsoft.App/containerApps": {
		{"identity.type", "'UserAssigned'"},
		{"properties.configuration.activeRevisionsMode", "'Single'"},
		{"properties.configuration.ingress.allowInsecure", "false"},
		{"properties.template.scale.rules", ""},
	},
	"Microsoft.Web/sites": {
		{"identity.type", "'UserAssigned'"},
		{"properties.httpsOnly", "true"},
		{"properties.siteConfig.acrUseManagedIdentityCreds", "true"},
	},
	"Microsoft.EventGrid/systemTopics": {
		{"identity.type", "'SystemAssigned'"},
	},
	"Microsoft.EventGrid/systemTopics/eventSubscriptions": {
		{"properties.destination.endpointType", "'AzureFunction'"},
		{"properties.filter.includedEventTypes", ""},
		{"properties.filter.subjectBeginsWith", ""},
		{"properties.retryPolicy.maxDeliveryAttempts", ""},
		{"properties.deadLetterWithResourceIdentity.identity.type", "'SystemAssigned'"},
		{"properties.deadLetterWithResourceIdentity.deadLetterDestination.endpointType", "'StorageBlob'"},
	},
}

// rule checks parsed files; all is every parsed file by cleaned path, for rules that follow modules.
type rule struct {
	name  string
	check func(f bicepFile, all map[string]bicepFile) []string
}

var rules = []rule{
	{"syntax", checkSyntax},
	{"description", checkDescriptions},
	{"name-length", checkNameLength},
	{"secure", checkSecureParams},
	{"no-keys", checkNoKeys},
	{"output-secret", checkOutputs},
	{"api-version", checkAPIVersions},
	{"types", checkTypes},
	{"module", checkModules},
	{"location", checkLocations},
	{"security", checkSecurity},
	{"secret-value", checkSecretRefs},
	{"least-privilege", checkRoles},
	{"cosmos-serial", checkCosmosSerial},
	{"placeholder", checkPlaceholder},
	{"kv-order", checkKeyVaultOrder},
	{"site-settings", checkSiteSettings},
	{"timer-instance", checkTimerInstance},
}

// roles are the only Azure RBAC roles the deployment may assign, by definition ID; broad roles
// (Owner, Contributor, User Access Administrator) are never granted to a workload.
var roles = map[string]string{
	"7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
	"4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
	"b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
	"ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
	"b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
	"a97b65f3-24c7-4388-baec-2e87135dc908": "Cognitive Services User",
}

var guidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// lint runs every rule on the files named in paths, which must be among the parsed files.
func lint(paths []string, parsed []bicepFile) []finding {
	all := map[string]bicepFile{}
	for _, f := range parsed {
		all[filepath.Clean(f.Path)] = f
	}
	var out []finding
	for _, p := range paths {
		f := all[filepath.Clean(p)]
		for _, r := range rules {
			for _, msg := range r.check(f, all) {
				row, text, _ := strings.Cut(msg, "\x00")
				var n int
				fmt.Sscan(row, &n)
				out = append(out, finding{Rule: r.name, Path: f.Path, Row: n, Msg: text})
			}
		}
	}
	return out
}

// at formats a message about n for lint.
func at(n *node, format string, args ...any) string {
	return fmt.Sprintf("%d\x00", n.Row) + fmt.Sprintf(format, args...)
}

func checkSyntax(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	f.Root.walk(func(n *node) bool {
		switch {
		case n.Type == "ERROR":
			out = append(out, at(n, "syntax error at column %d near %q", n.Col, first(n.Text, 40)))
			return false
		case n.Missing:
			out = append(out, at(n, "missing %s at column %d", n.Type, n.Col))
		}
		return true
	})
	return out
}

func checkDescriptions(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	for _, d := range declarations(f) {
		kind := strings.TrimSuffix(d.node.Type, "_declaration")
		if kind != "parameter" && kind != "output" {
			continue
		}
		call, ok := d.decorators["description"]
		if !ok {
			out = append(out, at(d.node, "%s %s has no @description", kind, d.node.name()))
			continue
		}
		if args := call.child("arguments"); args == nil || strings.TrimSpace(args.child("string").literal()) == "" {
			out = append(out, at(d.node, "%s %s has an empty @description", kind, d.node.name()))
		}
	}
	return out
}

// checkNameLength wants a module's name param bounded like the resource's name rules, so a bad
// name fails when the template is validated, not halfway through a deployment.
func checkNameLength(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	for _, d := range declarations(f) {
		if d.node.Type != "parameter_declaration" || d.node.name() != "name" {
			continue
		}
		for _, dec := range []string{"minLength", "maxLength"} {
			if _, ok := d.decorators[dec]; !ok {
				out = append(out, at(d.node, "param name has no @%s", dec))
			}
		}
	}
	return out
}

var (
	secretName = regexp.MustCompile(`(?i)(secret|password|passwd|token|credential|connectionstring|apikey|accountkey)`)
	notSecret  = regexp.MustCompile(`(Uri|Url|Refs?|Name|Id|Ids)$`)
)

func checkSecureParams(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	for _, d := range declarations(f) {
		if d.node.Type != "parameter_declaration" {
			continue
		}
		name := d.node.name()
		_, secure := d.decorators["secure"]
		if secretName.MatchString(name) && !notSecret.MatchString(name) && !secure {
			out = append(out, at(d.node, "param %s looks like a secret but is not @secure()", name))
		}
		if secure && len(d.node.Children) > 2 {
			if v := d.node.value(); !v.is("type") && v.literal() != "" {
				out = append(out, at(d.node, "@secure() param %s has a default value", name))
			}
		}
	}
	return out
}

var listCall = regexp.MustCompile(`(^|\.)list[A-Z]\w*$`)

func checkNoKeys(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	f.Root.walk(func(n *node) bool {
		if n.Type == "call_expression" && len(n.Children) > 0 && listCall.MatchString(n.Children[0].Text) {
			out = append(out, at(n, "%s reads keys or connection strings; use managed identities", n.Children[0].Text))
		}
		return true
	})
	return out
}

var (
	leakyProperty = regexp.MustCompile(`(?i)^(connectionstrings?|\w*primary\w*key|\w*secondary\w*key|accountkey|masterkey|password|keys|value)$`)
	leakyName     = regexp.MustCompile(`(?i)(connectionstring|key$|keys$|password|secret$)`)
)

func checkOutputs(f bicepFile, _ map[string]bicepFile) []string {
	secure := map[string]bool{}
	for _, d := range declarations(f) {
		if _, ok := d.decorators["secure"]; ok && d.node.Type == "parameter_declaration" {
			secure[d.node.name()] = true
		}
	}
	var out []string
	for _, d := range declarations(f) {
		if d.node.Type != "output_declaration" {
			continue
		}
		v := d.node.value()
		v.walk(func(n *node) bool {
			switch {
			case n.Type == "identifier" && secure[n.Text]:
				out = append(out, at(d.node, "output %s exposes @secure() param %s", d.node.name(), n.Text))
			case n.Type == "property_identifier" && leakyProperty.MatchString(n.Text):
				out = append(out, at(d.node, "output %s exposes %s", d.node.name(), n.Text))
			}
			return true
		})
		if leakyName.MatchString(d.node.name()) {
			out = append(out, at(d.node, "output %s is named like a secret", d.node.name()))
		}
	}
	return out
}

func checkAPIVersions(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	for _, d := range declarations(f) {
		if d.node.Type != "resource_declaration" {
			continue
		}
		typ, version, _ := resourceType(d.node)
		want, ok := apiVersions[typ]
		switch {
		case !ok:
			out = append(out, at(d.node, "resource type %s is not in the API version allow-list", typ))
		case version != want:
			out = append(out, at(d.node, "%s@%s: the allow-list says %s", typ, version, want))
		}
	}
	return out
}

func checkModules(f bicepFile, all map[string]bicepFile) []string {
	var out []string
	for _, d := range declarations(f) {
		if d.node.Type != "module_declaration" {
			continue
		}
		rel := d.node.child("string").literal()
		path := filepath.Clean(filepath.Join(filepath.Dir(f.Path), rel))
		mod, ok := all[path]
		if !ok {
			if _, err := os.Stat(path); err != nil {
				out = append(out, at(d.node, "module %s: %s does not exist", d.node.name(), rel))
			} else {
				out = append(out, at(d.node, "module %s: %s was not parsed", d.node.name(), rel))
			}
			continue
		}
		declared := map[string]bool{}
		var required []string
		for _, md := range declarations(mod) {
			if md.node.Type != "parameter_declaration" {
				continue
			}
			name := md.node.name()
			declared[name] = true
			if md.node.value().is("type") && !strings.HasSuffix(md.node.child("type").Text, "?") {
				required = append(required, name)
			}
		}
		passed := map[string]bool{}
		if params := d.node.body().prop("params"); params != nil {
			for _, p := range params.Children {
				if p.Type != "object_property" {
					continue
				}
				passed[p.name()] = true
				if !declared[p.name()] {
					out = append(out, at(p, "module %s passes %s, which %s does not declare", d.node.name(), p.name(), rel))
				}
			}
		}
		for _, name := range required {
			if !passed[name] {
				out = append(out, at(d.node, "module %s does not pass required param %s of %s", d.node.name(), name, rel))
			}
		}
	}
	return out
}

func checkLocations(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	f.Root.walk(func(n *node) bool {
		var v *node
		switch {
		case n.Type == "object_property" && n.name() == "location":
			v = n.value()
		case n.Type == "parameter_declaration" && strings.Contains(strings.ToLower(n.name()), "location") && len(n.Children) > 2:
			v = n.value()
		}
		if lit := v.literal(); lit != "" && lit != "global" {
			out = append(out, at(n, "hard-coded location '%s'; take it from a parameter", lit))
		}
		return true
	})
	return out
}

func checkSecurity(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	for _, d := range declarations(f) {
		if d.node.Type != "resource_declaration" {
			continue
		}
		typ, _, existing := resourceType(d.node)
		if existing {
			continue
		}
		body := d.node.body()
		for _, req := range security[typ] {
			v := body.prop(req.path)
			switch {
			case v == nil:
				out = append(out, at(d.node, "%s %s does not set %s", typ, d.node.name(), req.path))
			case req.want != "" && v.Text != req.want:
				out = append(out, at(v, "%s %s sets %s to %s, want %s", typ, d.node.name(), req.path, v.Text, req.want))
			}
		}
	}
	return out
}

func checkSecretRefs(f bicepFile, _ map[string]bicepFile) []string {
	var out []string
	f.Root.walk(func(n *node) bool {
		if n.Type != "object_property" || (n.name() != "secrets" && n.name() != "secretRefs") || !n.value().is("array") {
			return true
		}
		for _, item := range n.value().Children {
			if item.Type != "object" {
				continue
			}
			if item.prop("value") != nil {
				out = append(out, at(item, "secret carries a value; reference Key Vault with keyVaultUrl"))
			}
			if item.prop("keyVaultUrl") == nil {
				out = append(out, at(item, "secret has no keyVaultUrl"))
			}
		}
		return false
	})
	return out
}

// checkRoles wants every role assignment scoped to a resource, named with guid(), and granting
// one of the roles above (looking through variables for the definition ID).
func checkRoles(f bicepFile, _ map[string]bicepFile) []string {
	vars := map[string]string{}
	for _, d := range declarations(f) {
		if d.node.Type == "variable_declaration" {
			vars[d.node.name()] = d.node.value().text()
		}
	}
	var out []string
	for _, d := range declarations(f) {
		typ, _, existing := resourceType(d.node)
		if d.node.Type != "resource_declaration" || existing || typ != "Microsoft.Authorization/roleAssignments" {
			continue
		}
		body := d.node.body()
		if body.prop("scope") == nil {
			out = append(out, at(d.node, "role assignment %s has no scope: it would apply to the whole group or subscription", d.node.name()))
		}
		if name := body.prop("name"); name == nil || !strings.HasPrefix(name.Text, "guid(") {
			out = append(out, at(d.node, "role assignment %s is not named with guid(...)", d.node.name()))
		}
		def := body.prop("properties.roleDefinitionId")
		if def == nil {
			out = append(out, at(d.node, "role assignment %s has no roleDefinitionId", d.node.name()))
			continue
		}
		text := def.Text
		if v, ok := vars[text]; ok {
			text = v
		}
		id := guidRE.FindString(strings.ToLower(text))
		if _, ok := roles[id]; !ok {
			out = append(out, at(def, "role assignment %s grants %s, which is not in the least-privilege list", d.node.name(), text))
		}
	}
	return out
}

func first(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// ruleNames lists the rules, for tests that check each has a failing example.
func ruleNames() []string {
	var names []string
	for _, r := range rules {
		names = append(names, r.name)
	}
	return slices.Sorted(slices.Values(names))
}
