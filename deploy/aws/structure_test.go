package aws_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// These tests read the stack's HCL without Terraform: what they check holds for every input,
// not just for the variables one plan was made with.

// module is one Terraform module directory, parsed.
type module struct {
	dir    string
	blocks []*hclsyntax.Block // top-level blocks of every .tf file
	src    map[string][]byte
}

func parseModule(t *testing.T, dir string) *module {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s (%v)", dir, err)
	}
	m := &module{dir: dir, src: map[string][]byte{}}
	p := hclparse.NewParser()
	for _, f := range files {
		file, diags := p.ParseHCLFile(f)
		if diags.HasErrors() {
			t.Fatalf("parse %s: %s", f, diags.Error())
		}
		m.src[f] = file.Bytes
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

// text is the source text of a node, whitespace collapsed.
func (m *module) text(n hclsyntax.Node) string {
	r := n.Range()
	return strings.Join(strings.Fields(string(r.SliceBytes(m.src[r.Filename]))), " ")
}

// literal is an attribute's constant value as text ("" if absent or not constant).
func literal(body *hclsyntax.Body, name string) string {
	a, ok := body.Attributes[name]
	if !ok {
		return ""
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return ""
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		return fmt.Sprint(v.True())
	}
	return ""
}

// literalList returns the constant strings of a list attribute.
func literalList(body *hclsyntax.Body, name string) []string {
	a, ok := body.Attributes[name]
	if !ok {
		return nil
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || !v.CanIterateElements() {
		return nil
	}
	var out []string
	for _, e := range v.AsValueSlice() {
		if e.Type() == cty.String {
			out = append(out, e.AsString())
		}
	}
	return out
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

// objects returns the constant keys of every object constructor anywhere in e.
func objects(e hclsyntax.Expression) [][]string {
	var out [][]string
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		obj, ok := n.(*hclsyntax.ObjectConsExpr)
		if !ok {
			return nil
		}
		var keys []string
		for _, item := range obj.Items {
			if k, diags := item.KeyExpr.Value(nil); !diags.HasErrors() && k.Type() == cty.String {
				keys = append(keys, k.AsString())
			}
		}
		out = append(out, keys)
		return nil
	})
	return out
}

func TestVariablesAndOutputsDocumented(t *testing.T) {
	for _, m := range modules(t) {
		for _, b := range m.blocks {
			if b.Type != "variable" && b.Type != "output" {
				continue
			}
			if literal(b.Body, "description") == "" {
				t.Errorf("%s: %s %s has no description", m.dir, b.Type, b.Labels[0])
			}
			if _, ok := b.Body.Attributes["type"]; b.Type == "variable" && !ok {
				t.Errorf("%s: variable %s has no type", m.dir, b.Labels[0])
			}
		}
	}
}

// TestSecurityGroups: no group has inline rules (they would fight the rule resources), and no
// inbound rule outside the network module (the VPC endpoints' HTTPS) admits an address range:
// the load balancer admits the VPC link's and the web's groups, the tasks the load balancer's,
// the database the api's and worker's. The load balancer gets its group when it is created.
func TestSecurityGroups(t *testing.T) {
	for _, m := range modules(t) {
		for _, b := range m.find("resource", "aws_security_group") {
			if len(nested(b.Body, "ingress"))+len(nested(b.Body, "egress")) > 0 || b.Body.Attributes["ingress"] != nil || b.Body.Attributes["egress"] != nil {
				t.Errorf("%s: security group %s has inline rules", m.dir, b.Labels[1])
			}
		}
		if m.dir == filepath.Join("modules", "network") {
			continue
		}
		for _, b := range m.find("resource", "aws_vpc_security_group_ingress_rule") {
			for _, a := range []string{"cidr_ipv4", "cidr_ipv6", "prefix_list_id"} {
				if b.Body.Attributes[a] != nil {
					t.Errorf("%s: inbound rule %s admits %s; reference a security group instead", m.dir, b.Labels[1], a)
				}
			}
			if b.Body.Attributes["referenced_security_group_id"] == nil {
				t.Errorf("%s: inbound rule %s references no security group", m.dir, b.Labels[1])
			}
		}
		for _, b := range m.find("resource", "aws_security_group_rule") {
			t.Errorf("%s: %s uses aws_security_group_rule; use aws_vpc_security_group_*_rule", m.dir, b.Labels[1])
		}
	}

	edge := parseModule(t, "modules/edge")
	lb := edge.one(t, "resource", "aws_lb", "this")
	if a := lb.Body.Attributes["security_groups"]; a == nil || edge.text(a.Expr) != "[aws_security_group.nlb.id]" {
		t.Error("the load balancer must be created with its own security group, aws_security_group.nlb")
	}
	if got := literal(lb.Body, "enforce_security_group_inbound_rules_on_private_link_traffic"); got != "on" {
		t.Errorf("enforce_security_group_inbound_rules_on_private_link_traffic = %q, want on", got)
	}
	for _, tg := range edge.find("resource", "aws_lb_target_group") {
		if got := literal(tg.Body, "preserve_client_ip"); got != "false" {
			t.Errorf("target group %s: preserve_client_ip = %q; targets must see the load balancer's address for its security group to match", tg.Labels[1], got)
		}
	}

	compute := parseModule(t, "modules/compute")
	for _, b := range compute.find("resource", "aws_vpc_security_group_ingress_rule") {
		if got := compute.text(b.Body.Attributes["referenced_security_group_id"].Expr); got != "var.load_balancer_security_group_id" {
			t.Errorf("tasks' inbound rule %s admits %s; want the load balancer's group only", b.Labels[1], got)
		}
		if fe := b.Body.Attributes["for_each"]; fe == nil || !strings.Contains(compute.text(fe.Expr), "local.load_balanced") {
			t.Errorf("tasks' inbound rule %s must be for the load-balanced roles only (the worker admits nothing)", b.Labels[1])
		}
	}
	svc := compute.one(t, "resource", "aws_ecs_service", "this")
	for _, nc := range nested(svc.Body, "network_configuration") {
		if got := compute.text(nc.Body.Attributes["security_groups"].Expr); got != "[aws_security_group.this[each.key].id]" {
			t.Errorf("services run with security groups %s; want each role's own", got)
		}
	}
}

// TestExecutionRoles: one execution role per role, each task definition with its own.
func TestExecutionRoles(t *testing.T) {
	m := parseModule(t, "modules/compute")
	for _, typ := range []string{"aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment"} {
		b := m.one(t, "resource", typ, "execution")
		if fe := b.Body.Attributes["for_each"]; fe == nil || m.text(fe.Expr) != "var.services" {
			t.Errorf("%s.execution must be one per role (for_each = var.services)", typ)
		}
	}
	td := m.one(t, "resource", "aws_ecs_task_definition", "this")
	if got := m.text(td.Body.Attributes["execution_role_arn"].Expr); got != "aws_iam_role.execution[each.key].arn" {
		t.Errorf("execution_role_arn = %s, want aws_iam_role.execution[each.key].arn", got)
	}
	doc := m.one(t, "data", "aws_iam_policy_document", "execution")
	for _, st := range nested(doc.Body, "statement") {
		if slices.Contains(literalList(st.Body, "actions"), "secretsmanager:GetSecretValue") {
			if got := m.text(st.Body.Attributes["resources"].Expr); got != "local.secret_arns[each.key]" {
				t.Errorf("execution roles read secrets %s; want local.secret_arns[each.key], their own role's", got)
			}
		}
	}
}

// TestContainers: every container definition of a role has a health check, and the database
// URL verifies the server against the CA bundle.
func TestContainers(t *testing.T) {
	m := parseModule(t, "modules/compute")
	td := m.one(t, "resource", "aws_ecs_task_definition", "this")
	var app []string
	for _, keys := range objects(td.Body.Attributes["container_definitions"].Expr) {
		if slices.Contains(keys, "command") && slices.Contains(keys, "portMappings") {
			app = keys
		}
	}
	if !slices.Contains(app, "healthCheck") {
		t.Errorf("the role's container definition (keys %v) has no healthCheck", app)
	}
	var url string
	for _, l := range m.find("locals") {
		if a := l.Body.Attributes["database_url"]; a != nil {
			url = m.text(a.Expr)
		}
	}
	if !strings.Contains(url, "sslmode=verify-full&sslrootcert=${local.rds_ca_file}") {
		t.Errorf("database_url = %s; want sslmode=verify-full with sslrootcert", url)
	}
	for _, f := range tfFiles(t) {
		b, _ := os.ReadFile(f)
		for _, weak := range []string{"sslmode=disable", "sslmode=allow", "sslmode=prefer", "sslmode=require", "sslmode=verify-ca"} {
			if strings.Contains(string(b), weak) {
				t.Errorf("%s: %s; the database is reached with sslmode=verify-full only", f, weak)
			}
		}
	}
}

// TestPolicies: every statement that lets a role list the bucket is limited by s3:prefix, and
// every key-policy statement for an AWS service is limited to this stack's resources by
// aws:SourceArn or, where the service sets none (CloudWatch Logs), the encryption context.
func TestPolicies(t *testing.T) {
	for _, m := range modules(t) {
		for _, doc := range m.find("data", "aws_iam_policy_document") {
			for _, st := range nested(doc.Body, "statement") {
				if !slices.Contains(literalList(st.Body, "actions"), "s3:ListBucket") {
					continue
				}
				var prefix bool
				for _, c := range nested(st.Body, "condition") {
					prefix = prefix || literal(c.Body, "variable") == "s3:prefix"
				}
				if !prefix {
					t.Errorf("%s: %s lets a role list the whole bucket; add an s3:prefix condition", m.dir, doc.Labels[1])
				}
			}
		}
		for _, key := range m.find("resource", "aws_kms_key") {
			policy := key.Body.Attributes["policy"]
			if policy == nil {
				t.Errorf("%s: key %s has no policy of its own", m.dir, key.Labels[1])
				continue
			}
			hclsyntax.VisitAll(policy.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
				obj, ok := n.(*hclsyntax.ObjectConsExpr)
				if !ok {
					return nil
				}
				var service, condition bool
				for _, item := range obj.Items {
					switch m.text(item.KeyExpr) {
					case "Principal":
						service = strings.Contains(m.text(item.ValueExpr), "Service")
					case "Condition":
						cond := m.text(item.ValueExpr)
						condition = strings.Contains(cond, `"aws:SourceArn"`) || strings.Contains(cond, `"kms:EncryptionContext:`)
					}
				}
				if service && !condition {
					t.Errorf("%s: key %s grants an AWS service the key without an aws:SourceArn or encryption-context condition: %s", m.dir, key.Labels[1], m.text(obj))
				}
				return nil
			})
		}
	}
}

// TestFlowLogs: the VPC's flow logs go to CloudWatch Logs, encrypted, with a retention.
func TestFlowLogs(t *testing.T) {
	m := parseModule(t, "modules/network")
	fl := m.one(t, "resource", "aws_flow_log", "this")
	if literal(fl.Body, "traffic_type") != "ALL" || literal(fl.Body, "log_destination_type") != "cloud-watch-logs" ||
		m.text(fl.Body.Attributes["vpc_id"].Expr) != "aws_vpc.this.id" {
		t.Error("the flow log must record ALL traffic of aws_vpc.this to CloudWatch Logs")
	}
	g := m.one(t, "resource", "aws_cloudwatch_log_group", "flow_logs")
	if g.Body.Attributes["kms_key_id"] == nil || g.Body.Attributes["retention_in_days"] == nil {
		t.Error("the flow log group needs kms_key_id and retention_in_days")
	}
	doc := m.one(t, "data", "aws_iam_policy_document", "flow_logs")
	for _, st := range nested(doc.Body, "statement") {
		if got := m.text(st.Body.Attributes["resources"].Expr); !strings.Contains(got, "aws_cloudwatch_log_group.flow_logs.arn") || strings.Contains(got, `"*"`) {
			t.Errorf("the flow-log role may write to %s; want its log group only", got)
		}
	}
}

func tfFiles(t *testing.T) []string {
	t.Helper()
	root, _ := filepath.Glob("*.tf")
	mods, _ := filepath.Glob("modules/*/*.tf")
	return append(root, mods...)
}

var update = flag.Bool("update", false, "rewrite the generated part of each module's README.md")

const (
	docsBegin = "<!-- BEGIN_TF_DOCS -->"
	docsEnd   = "<!-- END_TF_DOCS -->"
)

// TestReadme checks that each module's README.md holds, between the terraform-docs markers, the
// tables its .tf files declare (requirements, modules, resources, inputs, outputs), in
// terraform-docs' markdown table format. go test ./deploy/aws -run TestReadme -update rewrites them.
func TestReadme(t *testing.T) {
	for _, m := range modules(t) {
		path := filepath.Join(m.dir, "README.md")
		readme, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", m.dir, err)
			continue
		}
		before, rest, ok1 := strings.Cut(string(readme), docsBegin)
		_, after, ok2 := strings.Cut(rest, docsEnd)
		if !ok1 || !ok2 {
			t.Errorf("%s: no %s ... %s section", path, docsBegin, docsEnd)
			continue
		}
		want := before + docsBegin + "\n" + m.docs() + docsEnd + after
		if want == string(readme) {
			continue
		}
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is out of date; run go test ./deploy/aws -run TestReadme -update", path)
	}
}

func (m *module) docs() string {
	var b strings.Builder
	cell := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
	code := func(e hclsyntax.Expression) string { return "`" + cell(m.text(e)) + "`" }

	b.WriteString("## Requirements\n\n| Name | Version |\n|------|---------|\n")
	for _, tf := range m.find("terraform") {
		fmt.Fprintf(&b, "| terraform | %s |\n", literal(tf.Body, "required_version"))
		for _, rp := range nested(tf.Body, "required_providers") {
			names := make([]string, 0, len(rp.Body.Attributes))
			for _, a := range rp.Body.Attributes {
				names = append(names, a.Name)
			}
			slices.SortFunc(names, func(x, y string) int {
				return rp.Body.Attributes[x].SrcRange.Start.Byte - rp.Body.Attributes[y].SrcRange.Start.Byte
			})
			for _, n := range names {
				var version string
				if obj, ok := rp.Body.Attributes[n].Expr.(*hclsyntax.ObjectConsExpr); ok {
					for _, item := range obj.Items {
						if m.text(item.KeyExpr) == "version" {
							v, _ := item.ValueExpr.Value(nil)
							version = v.AsString()
						}
					}
				}
				fmt.Fprintf(&b, "| %s | %s |\n", n, version)
			}
		}
	}

	if mods := m.find("module"); len(mods) > 0 {
		b.WriteString("\n## Modules\n\n| Name | Source |\n|------|--------|\n")
		for _, mod := range mods {
			fmt.Fprintf(&b, "| %s | %s |\n", mod.Labels[0], literal(mod.Body, "source"))
		}
	}

	var resources, data []string
	for _, r := range m.find("resource") {
		resources = append(resources, r.Labels[0]+"."+r.Labels[1])
	}
	for _, d := range m.find("data") {
		data = append(data, d.Labels[0]+"."+d.Labels[1])
	}
	if len(resources)+len(data) > 0 {
		slices.Sort(resources)
		slices.Sort(data)
		b.WriteString("\n## Resources\n\n| Name | Type |\n|------|------|\n")
		for _, r := range resources {
			fmt.Fprintf(&b, "| %s | resource |\n", r)
		}
		for _, d := range data {
			fmt.Fprintf(&b, "| %s | data source |\n", d)
		}
	}

	vars := m.find("variable")
	slices.SortFunc(vars, func(x, y *hclsyntax.Block) int { return strings.Compare(x.Labels[0], y.Labels[0]) })
	b.WriteString("\n## Inputs\n\n| Name | Description | Type | Default | Required |\n|------|-------------|------|---------|:--------:|\n")
	for _, v := range vars {
		typ, def, required := "", "n/a", "yes"
		if a := v.Body.Attributes["type"]; a != nil {
			typ = code(a.Expr)
		}
		if a := v.Body.Attributes["default"]; a != nil {
			def, required = code(a.Expr), "no"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", v.Labels[0], cell(literal(v.Body, "description")), typ, def, required)
	}

	outs := m.find("output")
	slices.SortFunc(outs, func(x, y *hclsyntax.Block) int { return strings.Compare(x.Labels[0], y.Labels[0]) })
	b.WriteString("\n## Outputs\n\n| Name | Description |\n|------|-------------|\n")
	for _, o := range outs {
		fmt.Fprintf(&b, "| %s | %s |\n", o.Labels[0], cell(literal(o.Body, "description")))
	}
	return b.String()
}
