package aws_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// container is the part of an ECS container definition the tests read.
type container struct {
	Name        string   `json:"name"`
	Image       string   `json:"image"`
	Essential   bool     `json:"essential"`
	EntryPoint  []string `json:"entryPoint"`
	Command     []string `json:"command"`
	ReadOnly    bool     `json:"readonlyRootFilesystem"`
	Environment []struct{ Name, Value string }
	Secrets     []struct {
		Name      string `json:"name"`
		ValueFrom string `json:"valueFrom"`
	} `json:"secrets"`
	HealthCheck *struct {
		Command []string `json:"command"`
	} `json:"healthCheck"`
	DependsOn []struct {
		ContainerName string `json:"containerName"`
		Condition     string `json:"condition"`
	} `json:"dependsOn"`
	MountPoints []struct {
		SourceVolume  string `json:"sourceVolume"`
		ContainerPath string `json:"containerPath"`
		ReadOnly      bool   `json:"readOnly"`
	} `json:"mountPoints"`
}

func (c container) env() map[string]string {
	env := make(map[string]string)
	for _, e := range c.Environment {
		env[e.Name] = e.Value
	}
	return env
}

// containers returns the containers of a task definition in the state, by name.
func containers(t *testing.T, td map[string]any) map[string]container {
	t.Helper()
	var defs []container
	if err := json.Unmarshal([]byte(fmt.Sprint(td["container_definitions"])), &defs); err != nil {
		t.Fatalf("%s container definitions: %v", td["family"], err)
	}
	byName := make(map[string]container)
	for _, d := range defs {
		byName[d.Name] = d
	}
	return byName
}

// policyStatement is one statement of an IAM or KMS policy document.
type policyStatement struct {
	Sid       string
	Effect    string
	Principal any
	Action    any
	Resource  any
	Condition map[string]map[string]any
}

func statements(t *testing.T, what string, doc any) []policyStatement {
	t.Helper()
	var p struct{ Statement []policyStatement }
	if err := json.Unmarshal([]byte(fmt.Sprint(doc)), &p); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return p.Statement
}

// list is a policy element that may be a string or a list of strings, as a list.
func list(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// checkSecurity asserts, on the state of the real apply against moto, what the security review
// asked for: security groups that admit the load balancer only (the worker nothing), one
// execution role per role reading its own secrets, health checks, verify-full database TLS with
// the CA bundle, scoped key-policy grants, a prefix-scoped ListBucket, and encrypted flow logs.
func checkSecurity(t *testing.T, st map[string]map[string]any, out map[string]any) {
	t.Helper()
	get := func(a string) map[string]any {
		v, ok := st[a]
		if !ok {
			t.Fatalf("the state has no %s", a)
		}
		return v
	}
	id := func(a string) string { return fmt.Sprint(get(a)["id"]) }
	sg := map[string]string{
		"api": id(`module.compute.aws_security_group.this["api"]`), "web": id(`module.compute.aws_security_group.this["web"]`),
		"worker": id(`module.compute.aws_security_group.this["worker"]`), "nlb": id("module.edge.aws_security_group.nlb"),
		"vpc_link": id("module.edge.aws_security_group.vpc_link"), "db": id("module.data.aws_security_group.db"),
	}
	name := make(map[string]string, len(sg))
	for k, v := range sg {
		name[v] = k
	}

	t.Run("security groups", func(t *testing.T) {
		if got := list(get("module.edge.aws_lb.this")["security_groups"]); !slices.Equal(got, []string{sg["nlb"]}) {
			t.Errorf("load balancer security groups = %v, want only its own %s", got, sg["nlb"])
		}
		for _, role := range []string{"api", "web", "worker"} {
			svc := get(`module.compute.aws_ecs_service.this["` + role + `"]`)
			if got := list(attr(svc, "network_configuration", 0, "security_groups")); !slices.Equal(got, []string{sg[role]}) {
				t.Errorf("%s service security groups = %v, want its own %s", role, got, sg[role])
			}
		}
		// Every rule, in and out, as "group <- source:port" or "group -> destination:port".
		var in, egress []string
		for addr, v := range st {
			var arrow string
			switch {
			case strings.HasPrefix(addr, "module.network."):
				continue // the VPC endpoints' group admits HTTPS from the VPC (vpc_endpoints only)
			case strings.Contains(addr, "aws_vpc_security_group_ingress_rule."):
				arrow = " <- "
			case strings.Contains(addr, "aws_vpc_security_group_egress_rule."):
				arrow = " -> "
			default:
				continue
			}
			peer := name[fmt.Sprint(v["referenced_security_group_id"])]
			if peer == "" {
				peer = fmt.Sprint(v["cidr_ipv4"])
			}
			rule := fmt.Sprintf("%s%s%s:%v", name[fmt.Sprint(v["security_group_id"])], arrow, peer, v["from_port"])
			if v["from_port"] != v["to_port"] {
				rule += fmt.Sprintf("-%v", v["to_port"])
			}
			if arrow == " <- " {
				in = append(in, rule)
			} else {
				egress = append(egress, rule)
			}
		}
		slices.Sort(in)
		slices.Sort(egress)
		wantIn := []string{
			"api <- nlb:8080", "db <- api:5432", "db <- worker:5432",
			"nlb <- vpc_link:80", "nlb <- vpc_link:8080", "nlb <- web:8080", "web <- nlb:8080",
		}
		wantOut := []string{
			"api -> 0.0.0.0/0:443", "api -> db:5432", "nlb -> api:8080", "nlb -> web:8080",
			"vpc_link -> nlb:80", "vpc_link -> nlb:8080",
			"web -> 0.0.0.0/0:443", "web -> nlb:8080", "worker -> 0.0.0.0/0:443", "worker -> db:5432",
		}
		if !slices.Equal(in, wantIn) {
			t.Errorf("inbound rules:\n  %s\nwant (the worker admits nothing, the tasks only the load balancer, the load balancer the VPC link and the web):\n  %s",
				strings.Join(in, "\n  "), strings.Join(wantIn, "\n  "))
		}
		if !slices.Equal(egress, wantOut) {
			t.Errorf("outbound rules:\n  %s\nwant:\n  %s", strings.Join(egress, "\n  "), strings.Join(wantOut, "\n  "))
		}
	})

	t.Run("execution roles", func(t *testing.T) {
		secrets := map[string]string{"api": str(out["db_secret_arn"]), "worker": str(out["db_secret_arn"]), "web": str(out["session_key_secret_arn"])}
		seen := map[string]string{}
		for role, secret := range secrets {
			arn := str(get(`module.compute.aws_iam_role.execution["` + role + `"]`)["arn"])
			if td := get(`module.compute.aws_ecs_task_definition.this["` + role + `"]`); td["execution_role_arn"] != arn {
				t.Errorf("%s task definition runs with execution role %v, want its own %s", role, td["execution_role_arn"], arn)
			}
			if other, dup := seen[arn]; dup {
				t.Errorf("%s and %s share the execution role %s", role, other, arn)
			}
			seen[arn] = role
			var read []string
			for _, s := range statements(t, role+" execution policy", get(`module.compute.aws_iam_role_policy.execution["` + role + `"]`)["policy"]) {
				if slices.Contains(list(s.Action), "secretsmanager:GetSecretValue") || slices.Contains(list(s.Action), "secretsmanager:*") {
					read = append(read, list(s.Resource)...)
				}
				if slices.Contains(list(s.Action), "kms:Decrypt") && s.Condition["StringEquals"]["kms:ViaService"] != "secretsmanager.us-east-1.amazonaws.com" {
					t.Errorf("%s execution role may decrypt with the key outside Secrets Manager: %+v", role, s)
				}
			}
			if !slices.Equal(read, []string{secret}) {
				t.Errorf("%s execution role reads secrets %v, want only its own %s", role, read, secret)
			}
		}
	})

	t.Run("containers", func(t *testing.T) {
		bundle, err := os.ReadFile("tests/testdata/test-ca.pem")
		if err != nil {
			t.Fatal(err)
		}
		wantURL := "postgres://docpipe@" + str(out["db_address"]) + ":5432/docpipe?sslmode=verify-full&sslrootcert=/var/lib/docpipe/rds-ca.pem"
		for _, role := range []string{"api", "web", "worker"} {
			cs := containers(t, get(`module.compute.aws_ecs_task_definition.this["`+role+`"]`))
			app := cs[role]
			if app.HealthCheck == nil || !slices.Equal(app.HealthCheck.Command, []string{"CMD", "/usr/local/bin/docpipe", "healthcheck"}) {
				t.Errorf("%s health check = %+v, want docpipe healthcheck", role, app.HealthCheck)
			}
			if role == "web" {
				if len(cs) != 1 || app.env()["DOCPIPE_DATABASE_URL"] != "" {
					t.Errorf("web: %d containers, database URL %q; want one container and no database", len(cs), app.env()["DOCPIPE_DATABASE_URL"])
				}
				continue
			}
			if got := app.env()["DOCPIPE_DATABASE_URL"]; got != wantURL {
				t.Errorf("%s DOCPIPE_DATABASE_URL = %q, want %q", role, got, wantURL)
			}
			ca, ok := cs["rds-ca"]
			if !ok || len(cs) != 2 {
				t.Fatalf("%s: containers %v, want %s and its rds-ca init container", role, slices.Sorted(maps.Keys(cs)), role)
			}
			if ca.Essential || ca.Image != app.Image || ca.env()["RDS_CA_BUNDLE"] != string(bundle) || len(ca.MountPoints) != 1 ||
				ca.MountPoints[0].SourceVolume != "rds-ca" || ca.MountPoints[0].ContainerPath != "/var/lib/docpipe" || ca.MountPoints[0].ReadOnly ||
				!strings.Contains(strings.Join(ca.Command, " "), "> /var/lib/docpipe/rds-ca.pem") {
				t.Errorf("%s rds-ca init container = %+v; want a non-essential container of the same image writing the bundle to the rds-ca volume", role, ca)
			}
			if len(app.DependsOn) != 1 || app.DependsOn[0].ContainerName != "rds-ca" || app.DependsOn[0].Condition != "SUCCESS" {
				t.Errorf("%s dependsOn = %+v, want rds-ca SUCCESS", role, app.DependsOn)
			}
			var mounted bool
			for _, m := range app.MountPoints {
				mounted = mounted || m.SourceVolume == "rds-ca" && m.ContainerPath == "/var/lib/docpipe" && m.ReadOnly
			}
			if !mounted {
				t.Errorf("%s mounts %+v; want the rds-ca volume read-only at /var/lib/docpipe", role, app.MountPoints)
			}
		}
		if got := get("module.data.aws_db_instance.this")["ca_cert_identifier"]; got != "rds-ca-rsa2048-g1" {
			t.Errorf("database CA = %v, want rds-ca-rsa2048-g1", got)
		}
	})

	flowGroup := get("module.network.aws_cloudwatch_log_group.flow_logs")
	t.Run("key policy", func(t *testing.T) {
		services := map[string]policyStatement{}
		for _, s := range statements(t, "key policy", get("module.data.aws_kms_key.this")["policy"]) {
			p, _ := s.Principal.(map[string]any)
			if svc, ok := p["Service"]; ok {
				services[fmt.Sprint(svc)] = s
				if s.Condition["ArnEquals"]["aws:SourceArn"] == nil && s.Condition["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == nil {
					t.Errorf("key policy grants %v to %v without aws:SourceArn or an encryption context: %+v", s.Action, svc, s.Condition)
				}
			}
		}
		if got := services["s3.amazonaws.com"].Condition["ArnEquals"]["aws:SourceArn"]; got != "arn:aws:s3:::"+str(out["bucket_name"]) {
			t.Errorf("S3's key grant is for source %v, want the documents bucket", got)
		}
		if got := list(services["logs.us-east-1.amazonaws.com"].Condition["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]); !slices.Equal(got, []string{str(flowGroup["arn"])}) {
			t.Errorf("CloudWatch Logs' key grant is for log groups %v, want the flow logs' %v only", got, flowGroup["arn"])
		}
	})

	t.Run("ListBucket", func(t *testing.T) {
		for role, want := range map[string][]string{"api": {"originals/*", "pictures/*", "searchable/*"}, "worker": {"originals/*"}} {
			var n int
			for _, s := range statements(t, role+" task policy", get("module.compute.aws_iam_role_policy." + role)["policy"]) {
				if !slices.Contains(list(s.Action), "s3:ListBucket") {
					continue
				}
				n++
				if got := slices.Sorted(slices.Values(list(s.Condition["StringLike"]["s3:prefix"]))); !slices.Equal(got, want) {
					t.Errorf("%s may list the bucket under prefixes %v, want %v only", role, got, want)
				}
			}
			if n != 1 {
				t.Errorf("%s has %d ListBucket statements, want 1", role, n)
			}
		}
	})

	t.Run("flow logs", func(t *testing.T) {
		fl := get("module.network.aws_flow_log.this")
		role := get("module.network.aws_iam_role.flow_logs")
		if fl["vpc_id"] != get("module.network.aws_vpc.this")["id"] || fl["traffic_type"] != "ALL" || fl["log_destination_type"] != "cloud-watch-logs" ||
			fl["log_destination"] != flowGroup["arn"] || fl["iam_role_arn"] != role["arn"] {
			t.Errorf("flow log = %v; want ALL traffic of the VPC to %v through %v", fl, flowGroup["arn"], role["arn"])
		}
		if flowGroup["kms_key_id"] != get("module.data.aws_kms_key.this")["arn"] || fmt.Sprint(flowGroup["retention_in_days"]) != "90" || flowGroup["name"] != out["flow_log_group_name"] {
			t.Errorf("flow log group = %v; want the stack's key and 90 days", flowGroup)
		}
		for _, s := range statements(t, "flow-log role policy", get("module.network.aws_iam_role_policy.flow_logs")["policy"]) {
			if got := slices.Sorted(slices.Values(list(s.Resource))); !slices.Equal(got, []string{str(flowGroup["arn"]), str(flowGroup["arn"]) + ":*"}) {
				t.Errorf("flow-log role may write to %v, want its log group only", got)
			}
		}
		trust := statements(t, "flow-log trust policy", role["assume_role_policy"])
		if len(trust) != 1 || trust[0].Condition["StringEquals"]["aws:SourceAccount"] != "123456789012" ||
			trust[0].Condition["ArnLike"]["aws:SourceArn"] != "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*" {
			t.Errorf("flow-log trust policy = %+v; want the flow-logs service of this account only", trust)
		}
	})
}
