package aws_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/blob/blobtest"
)

// motoVars are the stack's variables for the moto run. Application Auto Scaling is off because
// moto does not implement its ListTagsForResource; `terraform test` covers it at plan level.
const motoVars = `region              = "us-east-1"
environment         = "ci"
image_tag           = "v1"
deletion_protection = false
autoscaling         = false
max_receive_count   = 3
# A throwaway certificate in place of the region's RDS CA bundle: moto runs no task to use it.
database_ca_bundle_file = "tests/testdata/test-ca.pem"
`

// ciOverride points the provider at moto. It is dropped into the copy of the stack only, so the
// committed provider and backend blocks stay those of a real account.
const ciOverride = `terraform {
  backend "local" {}
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
%s  }
}
`

// motoQuirks are the attributes moto does not round-trip, which would show as drift in the
// second plan; only the CI copy ignores them.
var motoQuirks = map[string]string{
	"modules/compute/ci_override.tf": `resource "aws_ecs_service" "this" {
  lifecycle {
    # moto keeps neither availability_zone_rebalancing nor the grace period.
    ignore_changes = [desired_count, availability_zone_rebalancing, health_check_grace_period_seconds]
  }
}
` + ignoreRuleDescriptions(
		"aws_vpc_security_group_ingress_rule.from_load_balancer",
		"aws_vpc_security_group_egress_rule.database",
		"aws_vpc_security_group_egress_rule.web_to_api",
	),
	"modules/edge/ci_override.tf": `resource "aws_lb" "this" {
  lifecycle {
    # moto neither stores nor returns EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic.
    ignore_changes = [enforce_security_group_inbound_rules_on_private_link_traffic]
  }
}
` + ignoreRuleDescriptions(
		"aws_vpc_security_group_egress_rule.vpc_link",
		"aws_vpc_security_group_ingress_rule.nlb_from_vpc_link",
		"aws_vpc_security_group_ingress_rule.nlb_from_api_clients",
		"aws_vpc_security_group_egress_rule.nlb_to_targets",
	),
	"modules/data/ci_override.tf": `resource "aws_sqs_queue" "events" {
  lifecycle {
    # moto reformats the JSON's whitespace.
    ignore_changes = [redrive_policy]
  }
}
` + ignoreRuleDescriptions("aws_vpc_security_group_ingress_rule.db"),
}

// ignoreRuleDescriptions overrides the security-group rules at the given addresses (TYPE.NAME)
// to ignore their description: moto drops the description of a rule that references a
// security group.
func ignoreRuleDescriptions(addresses ...string) string {
	var b strings.Builder
	for _, a := range addresses {
		typ, name, _ := strings.Cut(a, ".")
		fmt.Fprintf(&b, "\nresource %q %q {\n  lifecycle {\n    ignore_changes = [description]\n  }\n}\n", typ, name)
	}
	return b.String()
}

var motoServices = []string{
	"apigatewayv2", "applicationautoscaling", "cloudwatch", "cloudwatchlogs", "cognitoidp", "ec2", "ecr",
	"ecs", "elbv2", "iam", "kms", "rds", "s3", "secretsmanager", "sqs", "sts",
}

// TestTerraformMoto applies the stack for real against moto: init, validate, plan (asserted),
// apply, a second plan that must be empty, a plan for a new image tag that may only roll the
// services, the end-to-end run of docpipe on the created resources, then destroy to an empty
// state.
func TestTerraformMoto(t *testing.T) {
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true") // for AmazonECSTaskExecutionRolePolicy
	moto := blobtest.StartMoto(t)
	s := newStack(t)
	var endpoints strings.Builder
	for _, svc := range motoServices {
		fmt.Fprintf(&endpoints, "    %-22s = %q\n", svc, moto.Endpoint)
	}
	s.write("ci_override.tf", fmt.Sprintf(ciOverride, endpoints.String()))
	for name, content := range motoQuirks {
		s.write(name, content)
	}
	s.write("moto.tfvars", motoVars)

	s.must("init", "-lockfile=readonly")
	s.must("validate")
	s.must("plan", "-var-file=moto.tfvars", "-out=create.tfplan")
	p := showPlan(t, s, "create.tfplan")
	checkCreatePlan(t, p)

	s.must("apply", "create.tfplan")
	st := showState(t, s)
	out := s.outputs()
	checkState(t, st, out)
	checkSecurity(t, st, out)
	key := blobtest.AWSJSON(t, moto.Endpoint, "secretsmanager.GetSecretValue", map[string]any{"SecretId": out["session_key_secret_arn"]})
	if v := fmt.Sprint(key["SecretString"]); len(v) != 72 || strings.Count(v, "-") != 8 {
		t.Errorf("the web's session key is %q, want two random UUIDs", strings.Repeat("*", len(v)))
	}

	if _, err := s.run("plan", "-var-file=moto.tfvars", "-detailed-exitcode", "-no-color"); exitCode(err) != 0 {
		t.Errorf("second plan after apply is not empty (exit %d): %v", exitCode(err), err)
	}
	checkImageRollout(t, s)

	t.Run("e2e", func(t *testing.T) { testEndToEnd(t, moto.Endpoint, out) })

	s.must("destroy", "-var-file=moto.tfvars", "-auto-approve")
	if left := strings.TrimSpace(s.must("state", "list")); left != "" {
		t.Errorf("state after destroy still lists:\n%s", left)
	}
}

// plan is the part of `terraform show -json PLAN` the test reads.
type plan struct {
	ResourceChanges []struct {
		Address string `json:"address"`
		Mode    string `json:"mode"`
		Type    string `json:"type"`
		Change  struct {
			Actions []string       `json:"actions"`
			After   map[string]any `json:"after"`
		} `json:"change"`
	} `json:"resource_changes"`
}

func showPlan(t *testing.T, s *stack, file string) plan {
	t.Helper()
	var p plan
	if err := json.Unmarshal([]byte(s.must("show", "-json", file)), &p); err != nil {
		t.Fatalf("terraform show -json %s: %v", file, err)
	}
	return p
}

// after returns the planned values of the resource at address.
func (p plan) after(t *testing.T, address string) map[string]any {
	t.Helper()
	for _, rc := range p.ResourceChanges {
		if rc.Address == address {
			return rc.Change.After
		}
	}
	t.Fatalf("the plan has no %s", address)
	return nil
}

// attr walks v by map keys and list indexes.
func attr(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

type want struct {
	address string
	path    []any
	value   any
}

func checkValues(t *testing.T, get func(string) map[string]any, wants []want) {
	t.Helper()
	for _, w := range wants {
		got := attr(get(w.address), w.path...)
		if fmt.Sprint(got) != fmt.Sprint(w.value) {
			t.Errorf("%s %v = %v, want %v", w.address, w.path, got, w.value)
		}
	}
}

func checkCreatePlan(t *testing.T, p plan) {
	t.Helper()
	if len(p.ResourceChanges) < 60 {
		t.Errorf("the plan creates %d resources, want the whole stack (60 or more)", len(p.ResourceChanges))
	}
	for _, rc := range p.ResourceChanges {
		if rc.Mode == "managed" && !slices.Equal(rc.Change.Actions, []string{"create"}) {
			t.Errorf("%s: actions %v on an empty account, want create", rc.Address, rc.Change.Actions)
		}
	}
	checkValues(t, func(a string) map[string]any { return p.after(t, a) }, []want{
		{"module.edge.aws_lb.this", []any{"internal"}, true},
		{"module.edge.aws_lb.this", []any{"load_balancer_type"}, "network"},
		{`module.edge.aws_lb_target_group.this["api"]`, []any{"target_type"}, "ip"},
		{`module.edge.aws_lb_target_group.this["api"]`, []any{"health_check", 0, "path"}, "/readyz"},
		{"module.edge.aws_apigatewayv2_api.this", []any{"protocol_type"}, "HTTP"},
		{"module.edge.aws_apigatewayv2_authorizer.jwt", []any{"authorizer_type"}, "JWT"},
		{"module.edge.aws_apigatewayv2_route.api", []any{"route_key"}, "ANY /v1/{proxy+}"},
		{"module.edge.aws_apigatewayv2_route.api", []any{"authorization_type"}, "JWT"},
		{"module.edge.aws_apigatewayv2_integration.this[\"api\"]", []any{"connection_type"}, "VPC_LINK"},
		{"module.edge.aws_apigatewayv2_stage.this", []any{"default_route_settings", 0, "throttling_rate_limit"}, 200},
		{`module.compute.aws_ecs_service.this["api"]`, []any{"desired_count"}, 3},
		{`module.compute.aws_ecs_service.this["api"]`, []any{"launch_type"}, "FARGATE"},
		{`module.compute.aws_ecs_service.this["worker"]`, []any{"network_configuration", 0, "assign_public_ip"}, false},
		{`module.compute.aws_ecs_task_definition.this["worker"]`, []any{"requires_compatibilities"}, []any{"FARGATE"}},
		{"module.registry.aws_ecr_repository.this", []any{"image_tag_mutability"}, "IMMUTABLE"},
		{"module.registry.aws_ecr_repository.this", []any{"image_scanning_configuration", 0, "scan_on_push"}, true},
		{"module.identity.aws_cognito_user_pool.this", []any{"mfa_configuration"}, "OPTIONAL"},
		{"module.identity.aws_cognito_user_pool.this", []any{"password_policy", 0, "minimum_length"}, 14},
		{"module.identity.aws_cognito_user_pool_client.web", []any{"allowed_oauth_flows"}, []any{"code"}},
		{"module.identity.aws_cognito_user_pool_client.web", []any{"generate_secret"}, false},
		{"module.data.aws_s3_bucket_public_access_block.documents", []any{"restrict_public_buckets"}, true},
		{"module.data.aws_s3_bucket_public_access_block.documents", []any{"block_public_policy"}, true},
		{"module.data.aws_s3_bucket_versioning.documents", []any{"versioning_configuration", 0, "status"}, "Enabled"},
		{"module.data.aws_db_instance.this", []any{"publicly_accessible"}, false},
		{"module.data.aws_db_instance.this", []any{"storage_encrypted"}, true},
		{"module.data.aws_db_instance.this", []any{"manage_master_user_password"}, true},
		{"module.network.aws_subnet.public[0]", []any{"map_public_ip_on_launch"}, false},
	})
}

// state maps each resource's address to its values in `terraform show -json`.
func showState(t *testing.T, s *stack) map[string]map[string]any {
	t.Helper()
	type module struct {
		Resources []struct {
			Address string         `json:"address"`
			Values  map[string]any `json:"values"`
		} `json:"resources"`
		ChildModules []json.RawMessage `json:"child_modules"`
	}
	var doc struct {
		Values struct {
			RootModule json.RawMessage `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(s.must("show", "-json")), &doc); err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	st := make(map[string]map[string]any)
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		var m module
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("state module: %v", err)
		}
		for _, r := range m.Resources {
			st[r.Address] = r.Values
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(doc.Values.RootModule)
	return st
}

func checkState(t *testing.T, st map[string]map[string]any, out map[string]any) {
	t.Helper()
	get := func(a string) map[string]any {
		v, ok := st[a]
		if !ok {
			t.Fatalf("the state has no %s", a)
		}
		return v
	}
	checkValues(t, get, []want{
		{"module.edge.aws_apigatewayv2_authorizer.jwt", []any{"jwt_configuration", 0, "issuer"}, out["issuer"]},
		{"module.edge.aws_apigatewayv2_authorizer.jwt", []any{"jwt_configuration", 0, "audience"}, []any{out["client_id"]}},
		{"module.data.aws_s3_bucket_notification.documents", []any{"queue", 0, "events"}, []any{"s3:ObjectCreated:*"}},
		{"module.data.aws_s3_bucket_notification.documents", []any{"queue", 0, "filter_prefix"}, "originals/"},
	})

	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     int    `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(fmt.Sprint(get("module.data.aws_sqs_queue.events")["redrive_policy"])), &redrive); err != nil {
		t.Errorf("redrive policy: %v", err)
	}
	if dlq := get("module.data.aws_sqs_queue.dlq")["arn"]; redrive.DeadLetterTargetArn != dlq || redrive.MaxReceiveCount != 3 {
		t.Errorf("redrive policy = %+v, want the DLQ %v after 3 receives", redrive, dlq)
	}

	private := []any{get("module.network.aws_subnet.private[0]")["id"], get("module.network.aws_subnet.private[1]")["id"]}
	for _, role := range []string{"api", "web", "worker"} {
		svc := get(`module.compute.aws_ecs_service.this["` + role + `"]`)
		subnets, _ := attr(svc, "network_configuration", 0, "subnets").([]any)
		if !sameSet(subnets, private) {
			t.Errorf("%s service runs in subnets %v, want the private ones %v", role, subnets, private)
		}
		d := containers(t, get(`module.compute.aws_ecs_task_definition.this["`+role+`"]`))[role]
		if !strings.HasSuffix(d.Image, ":v1") || !slices.Equal(d.Command, []string{role}) || !d.ReadOnly {
			t.Errorf("%s container: image %s, command %v, read-only root %v; want tag v1, [%s], true", role, d.Image, d.Command, d.ReadOnly, role)
		}
		env := d.env()
		if (env["DOCPIPE_QUEUE_URL"] == out["queue_url"]) != (role == "worker") {
			t.Errorf("%s DOCPIPE_QUEUE_URL = %q; want the queue for the worker only", role, env["DOCPIPE_QUEUE_URL"])
		}
		name, from := "DOCPIPE_DATABASE_PASSWORD", fmt.Sprint(out["db_secret_arn"])+":password::"
		if role == "web" {
			name, from = "DOCPIPE_SESSION_KEY", fmt.Sprint(out["session_key_secret_arn"])
		}
		if len(d.Secrets) != 1 || d.Secrets[0].Name != name || d.Secrets[0].ValueFrom != from ||
			strings.Contains(env["DOCPIPE_DATABASE_URL"], ":password") {
			t.Errorf("%s secrets = %+v; want only %s from %s", role, d.Secrets, name, from)
		}
	}
}

// checkImageRollout plans a new image tag: only the task definitions and the services that run
// them may change, so the pipeline's deploys never touch anything else.
func checkImageRollout(t *testing.T, s *stack) {
	t.Helper()
	s.must("plan", "-var-file=moto.tfvars", "-var=image_tag=v2", "-out=rollout.tfplan")
	var changed []string
	for _, rc := range showPlan(t, s, "rollout.tfplan").ResourceChanges {
		if slices.Equal(rc.Change.Actions, []string{"no-op"}) || slices.Equal(rc.Change.Actions, []string{"read"}) {
			continue
		}
		changed = append(changed, rc.Type+" "+strings.Join(rc.Change.Actions, "+"))
	}
	slices.Sort(changed)
	want := []string{
		"aws_ecs_service update", "aws_ecs_service update", "aws_ecs_service update",
		"aws_ecs_task_definition create+delete", "aws_ecs_task_definition create+delete", "aws_ecs_task_definition create+delete",
	}
	if !slices.Equal(changed, want) && !slices.Equal(changed, slices.Replace(slices.Clone(want), 3, 6,
		"aws_ecs_task_definition delete+create", "aws_ecs_task_definition delete+create", "aws_ecs_task_definition delete+create")) {
		t.Errorf("a new image tag changes %v, want only the three task definitions and services", changed)
	}
}

func sameSet(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
