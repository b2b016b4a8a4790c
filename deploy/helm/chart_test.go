// Package helm holds the tests of the docpipe Helm chart in deploy/helm/docpipe. They render the
// chart with the real helm binary and decode every object strictly into the Kubernetes (and
// prometheus-operator) API types, so a misspelt field fails as it would on a cluster.
package helm

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/docpipe/docpipe/internal/testenv"
)

const chart = "docpipe"

var roles = []string{"api", "web", "worker"}

// manifest is the output of helm template, one document per object.
type manifest map[string][]byte // "Kind/name" -> YAML

func helm(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	bin := testenv.Tool(t, "helm", "run scripts/kube.sh tools")
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// render runs helm template with the given flags and splits the result by object.
func render(t *testing.T, flags ...string) manifest {
	t.Helper()
	args := append([]string{"template", "rel", chart, "--namespace", "docs"}, flags...)
	out, stderr, err := helm(t, args...)
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	m := manifest{}
	for doc := range strings.SplitSeq(out, "\n---\n") {
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, doc)
		}
		if head.Kind == "" {
			continue
		}
		key := head.Kind + "/" + head.Metadata.Name
		if _, dup := m[key]; dup {
			t.Errorf("%s rendered twice", key)
		}
		m[key] = []byte(doc)
	}
	return m
}

// get decodes object kind/name strictly into v.
func (m manifest) get(t *testing.T, kind, name string, v any) {
	t.Helper()
	doc, ok := m[kind+"/"+name]
	if !ok {
		t.Fatalf("no %s/%s in %v", kind, name, m.keys())
	}
	if err := yaml.UnmarshalStrict(doc, v); err != nil {
		t.Fatalf("%s/%s: %v", kind, name, err)
	}
}

func (m manifest) keys() []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (m manifest) count(kind string) int {
	n := 0
	for k := range m {
		if strings.HasPrefix(k, kind+"/") {
			n++
		}
	}
	return n
}

func minimal() []string { return []string{"-f", chart + "/ci/minimal-values.yaml"} }
func full() []string    { return []string{"-f", chart + "/ci/full-values.yaml"} }

func TestMinimalValues(t *testing.T) {
	m := render(t, minimal()...)

	var api appsv1.Deployment
	m.get(t, "Deployment", "rel-docpipe-api", &api)
	if api.Spec.Replicas == nil || *api.Spec.Replicas != 3 {
		t.Errorf("api replicas = %v, want 3", api.Spec.Replicas)
	}
	if got, want := api.Spec.Template.Spec.Containers[0].Image, "docpipe:0.1.0"; got != want {
		t.Errorf("image = %q, want %q (tag from appVersion)", got, want)
	}

	var web corev1.Service
	m.get(t, "Service", "rel-docpipe-web", &web)
	if web.Spec.Type != corev1.ServiceTypeNodePort || web.Spec.Ports[0].NodePort != 30080 {
		t.Errorf("web Service = %s nodePort %d, want NodePort 30080", web.Spec.Type, web.Spec.Ports[0].NodePort)
	}
	var apiSvc corev1.Service
	m.get(t, "Service", "rel-docpipe-api", &apiSvc)
	if apiSvc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("api Service type = %s, want ClusterIP", apiSvc.Spec.Type)
	}

	var cm corev1.ConfigMap
	m.get(t, "ConfigMap", "rel-docpipe", &cm)
	for k, want := range map[string]string{
		"OMP_THREAD_LIMIT":    "1",
		"DOCPIPE_ADDR":        ":8080",
		"DOCPIPE_AUTH":        "oidc",
		"DOCPIPE_API_URL":     "http://rel-docpipe-api:8080",
		"DOCPIPE_BLOB_URL":    "s3://docpipe-originals?region=eu-west-1",
		"DOCPIPE_OIDC_ISSUER": "https://login.example.com/",
	} {
		if got := cm.Data[k]; got != want {
			t.Errorf("ConfigMap %s = %q, want %q", k, got, want)
		}
	}
	if _, ok := cm.Data["DOCPIPE_DATABASE_URL"]; ok {
		t.Error("the database URL is in the ConfigMap; it belongs in the Secret")
	}
	var secret corev1.Secret
	m.get(t, "Secret", "rel-docpipe", &secret)
	if !strings.HasPrefix(secret.StringData["database-url"], "postgres://") {
		t.Errorf("Secret database-url = %q", secret.StringData["database-url"])
	}
	if n := len(secret.StringData["session-key"]); n != 48 {
		t.Errorf("Secret session-key has %d characters, want a generated 48", n)
	}

	for _, role := range roles {
		var d appsv1.Deployment
		m.get(t, "Deployment", "rel-docpipe-"+role, &d)
		checkPod(t, role, d.Spec.Template.Spec)
		if got := d.Spec.Template.Labels["app.kubernetes.io/component"]; got != role {
			t.Errorf("%s pod component label = %q", role, got)
		}
		for _, l := range []string{"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "helm.sh/chart"} {
			if d.Labels[l] == "" {
				t.Errorf("%s Deployment lacks label %s", role, l)
			}
		}
		var pdb policyv1.PodDisruptionBudget
		m.get(t, "PodDisruptionBudget", "rel-docpipe-"+role, &pdb)
		if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MaxUnavailable.IntValue() != 1 {
			t.Errorf("%s PDB maxUnavailable = %v, want 1", role, pdb.Spec.MaxUnavailable)
		}
	}
	for _, kind := range []string{"HorizontalPodAutoscaler", "Ingress", "NetworkPolicy", "ServiceMonitor", "PodMonitor"} {
		if n := m.count(kind); n != 0 {
			t.Errorf("%d %s rendered; optional objects are off by default", n, kind)
		}
	}
}

// checkPod asserts what every docpipe pod must have: the hardened security context, probes on
// the health endpoints, resources, a writable /tmp and no API token.
func checkPod(t *testing.T, role string, p corev1.PodSpec) {
	t.Helper()
	if p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
		t.Errorf("%s: automountServiceAccountToken = %v, want false", role, p.AutomountServiceAccountToken)
	}
	psc := p.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser != 65532 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod securityContext = %+v", role, psc)
	}
	if len(p.TopologySpreadConstraints) == 0 {
		t.Errorf("%s: no topologySpreadConstraints", role)
	}
	if len(p.Containers) != 1 {
		t.Fatalf("%s: %d containers, want 1", role, len(p.Containers))
	}
	c := p.Containers[0]
	if got := strings.Join(c.Args, " "); got != role {
		t.Errorf("%s: args = %q, want the role", role, got)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot ||
		sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("%s: container securityContext = %+v", role, sc)
	}
	for name, probe := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		want := "/healthz"
		if name == "readiness" {
			want = "/readyz"
		}
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != want || probe.HTTPGet.Port.String() != "http" {
			t.Errorf("%s: %s probe = %+v, want GET %s on http", role, name, probe, want)
		}
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: resources = %+v", role, c.Resources)
	}
	if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/tmp" }) {
		t.Errorf("%s: no /tmp mount", role)
	}
	if !slices.ContainsFunc(p.Volumes, func(v corev1.Volume) bool { return v.Name == "tmp" && v.EmptyDir != nil }) {
		t.Errorf("%s: /tmp is not an emptyDir", role)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	if role != "web" && env["DOCPIPE_DATABASE_URL_FILE"] != "/etc/docpipe/secrets/database-url" {
		t.Errorf("%s: DOCPIPE_DATABASE_URL_FILE = %q", role, env["DOCPIPE_DATABASE_URL_FILE"])
	}
	if role == "web" && env["DOCPIPE_DATABASE_URL_FILE"] != "" {
		t.Errorf("web gets the database URL; it only talks to the api")
	}
	if (env["DOCPIPE_SESSION_KEY_FILE"] != "") != (role == "web") {
		t.Errorf("%s: DOCPIPE_SESSION_KEY_FILE = %q; want it for the web only", role, env["DOCPIPE_SESSION_KEY_FILE"])
	}
}

func TestFullValues(t *testing.T) {
	m := render(t, full()...)

	var api appsv1.Deployment
	m.get(t, "Deployment", "rel-docpipe-api", &api)
	if api.Spec.Replicas != nil {
		t.Errorf("api replicas = %d with autoscaling on; the HPA owns it", *api.Spec.Replicas)
	}
	const image = "registry.example.com/docpipe/docpipe:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	if got := api.Spec.Template.Spec.Containers[0].Image; got != image {
		t.Errorf("image = %q, want %q", got, image)
	}
	for _, role := range roles {
		var d appsv1.Deployment
		m.get(t, "Deployment", "rel-docpipe-"+role, &d)
		checkPod(t, role, d.Spec.Template.Spec)
		var hpa autoscalingv2.HorizontalPodAutoscaler
		m.get(t, "HorizontalPodAutoscaler", "rel-docpipe-"+role, &hpa)
		if hpa.Spec.ScaleTargetRef.Name != d.Name || hpa.Spec.ScaleTargetRef.Kind != "Deployment" {
			t.Errorf("%s HPA targets %+v", role, hpa.Spec.ScaleTargetRef)
		}
		var np networkingv1.NetworkPolicy
		m.get(t, "NetworkPolicy", "rel-docpipe-"+role, &np)
		if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
			t.Errorf("%s NetworkPolicy does not restrict egress", role)
		}
	}
	if m.count("Secret") != 0 {
		t.Error("a Secret is rendered although existingSecret is set")
	}

	var worker appsv1.Deployment
	m.get(t, "Deployment", "rel-docpipe-worker", &worker)
	vols := worker.Spec.Template.Spec.Volumes
	i := slices.IndexFunc(vols, func(v corev1.Volume) bool { return v.Secret != nil })
	if i < 0 || vols[i].Secret.SecretName != "docpipe-secrets" || vols[i].Secret.Items[0].Key != "DATABASE_URL" {
		t.Errorf("worker secret volume = %+v, want key DATABASE_URL of docpipe-secrets", vols)
	}

	var webDeploy appsv1.Deployment
	m.get(t, "Deployment", "rel-docpipe-web", &webDeploy)
	webEnv := webDeploy.Spec.Template.Spec.Containers[0].Env
	if !slices.Contains(webEnv, corev1.EnvVar{Name: "DOCPIPE_OIDC_CLIENT_SECRET_FILE", Value: "/etc/docpipe/secrets/oidc-client-secret"}) {
		t.Errorf("web env = %+v, want the OIDC client secret as a file", webEnv)
	}
	if !slices.Contains(webEnv, corev1.EnvVar{Name: "DOCPIPE_SESSION_KEY_FILE", Value: "/etc/docpipe/secrets/session-key"}) {
		t.Errorf("web env = %+v, want the session key as a file", webEnv)
	}

	var web corev1.Service
	m.get(t, "Service", "rel-docpipe-web", &web)
	if web.Spec.Ports[0].NodePort != 30123 {
		t.Errorf("web nodePort = %d, want 30123", web.Spec.Ports[0].NodePort)
	}

	var api2web networkingv1.NetworkPolicy
	m.get(t, "NetworkPolicy", "rel-docpipe-api", &api2web)
	from := api2web.Spec.Ingress[0].From
	if len(from) == 0 || from[0].PodSelector == nil || from[0].PodSelector.MatchLabels["app.kubernetes.io/component"] != "web" {
		t.Errorf("api ingress peers = %+v, want the web pods first", from)
	}

	var ing networkingv1.Ingress
	m.get(t, "Ingress", "rel-docpipe", &ing)
	if got := ing.Spec.Rules[0].HTTP.Paths[1].Backend.Service.Name; got != "rel-docpipe-api" {
		t.Errorf("ingress /v1 goes to %q, want the api", got)
	}
	var cm corev1.ConfigMap
	m.get(t, "ConfigMap", "rel-docpipe", &cm)
	if got := cm.Data["DOCPIPE_PUBLIC_URL"]; got != "https://docs.example.com" {
		t.Errorf("DOCPIPE_PUBLIC_URL = %q, want the ingress host over https", got)
	}

	var sm monitoringv1.ServiceMonitor
	m.get(t, "ServiceMonitor", "rel-docpipe", &sm)
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Path != "/metrics" || sm.Spec.Endpoints[0].Port != "http" {
		t.Errorf("ServiceMonitor endpoints = %+v", sm.Spec.Endpoints)
	}
	if sm.Labels["release"] != "kube-prometheus-stack" {
		t.Errorf("ServiceMonitor labels = %v", sm.Labels)
	}
	var pm monitoringv1.PodMonitor
	m.get(t, "PodMonitor", "rel-docpipe-worker", &pm)
	if pm.Spec.Selector.MatchLabels["app.kubernetes.io/component"] != "worker" || pm.Spec.PodMetricsEndpoints[0].Path != "/metrics" {
		t.Errorf("PodMonitor = %+v", pm.Spec)
	}
	// The ServiceMonitor's selector must match the api Service, and the web's since web.metrics.
	for _, svc := range []string{"api", "web"} {
		var s corev1.Service
		m.get(t, "Service", "rel-docpipe-"+svc, &s)
		for k, v := range sm.Spec.Selector.MatchLabels {
			if s.Labels[k] != v {
				t.Errorf("ServiceMonitor selector %s=%s does not match the %s Service", k, v, svc)
			}
		}
	}
}

// A change of configuration changes the pod template, so helm upgrade rolls the pods.
func TestConfigChangeRollsPods(t *testing.T) {
	checksum := func(flags ...string) string {
		var d appsv1.Deployment
		render(t, append(minimal(), flags...)...).get(t, "Deployment", "rel-docpipe-api", &d)
		return d.Spec.Template.Annotations["checksum/config"]
	}
	before, after := checksum(), checksum("--set", "config.logLevel=debug")
	if before == "" || before == after {
		t.Errorf("checksum/config before %q, after %q: want a change", before, after)
	}
}

func TestBadValuesAreRejected(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
		want  string // in helm's error
	}{
		{"no database", nil, "set database.url"},
		{"no bucket", []string{"--set", "database.url=postgres://h/db"}, "set blob.url"},
		{"file bucket", append(minimal(), "--set", "blob.url=file:///data"), "not shared between pods"},
		{"sqlite", append(minimal(), "--set", "database.url=sqlite:/tmp/x.db"), "database"},
		{"no issuer", append(minimal(), "--set", "auth.oidc.issuer="), "auth.oidc.issuer"},
		{"unknown auth", append(minimal(), "--set", "auth.mode=basic"), "mode"},
		{"unknown value", append(minimal(), "--set", "api.replica=2"), "replica"},
		{"negative replicas", append(minimal(), "--set", "api.replicas=-1"), "replicas"},
		{"node port out of range", append(minimal(), "--set", "web.service.nodePort=80"), "nodePort"},
		{"bad digest", append(minimal(), "--set", "image.digest=latest"), "digest"},
		{"secret in config", append(minimal(), "--set", "config.env.DOCPIPE_DATABASE_URL=postgres://x"), "DOCPIPE_DATABASE_URL"},
		{"bad duration", append(minimal(), "--set", "config.drainDelay=soon"), "drainDelay"},
		{"ingress to nowhere", append(minimal(), "--set", "ingress.enabled=true", "--set", "ingress.hosts[0].host=a.example", "--set", "ingress.hosts[0].paths[0].path=/",
			"--set", "ingress.hosts[0].paths[0].pathType=Prefix", "--set", "ingress.hosts[0].paths[0].service=db"), "service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"template", "rel", chart}, tt.flags...)
			_, stderr, err := helm(t, args...)
			if err == nil {
				t.Fatalf("helm template succeeded, want an error mentioning %q", tt.want)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("error = %s\nwant it to mention %q", stderr, tt.want)
			}
		})
	}
}

func TestLintStrict(t *testing.T) {
	for _, values := range [][]string{minimal(), full()} {
		t.Run(values[1], func(t *testing.T) {
			out, stderr, err := helm(t, append([]string{"lint", "--strict", chart}, values...)...)
			if err != nil {
				t.Fatalf("helm lint --strict: %v\n%s%s", err, out, stderr)
			}
			if !strings.Contains(out, "0 chart(s) failed") {
				t.Errorf("helm lint output:\n%s", out)
			}
		})
	}
}

// Each release runs a migration Job: the hardened pod, running `docpipe migrate` to completion.
func TestMigrationJob(t *testing.T) {
	var job batchv1.Job
	render(t, minimal()...).get(t, "Job", "rel-docpipe-migrate-1", &job)
	p := job.Spec.Template.Spec
	if p.RestartPolicy != corev1.RestartPolicyNever || job.Spec.BackoffLimit == nil || *job.Spec.BackoffLimit != 3 {
		t.Errorf("Job restartPolicy %q backoffLimit %v, want Never and 3", p.RestartPolicy, job.Spec.BackoffLimit)
	}
	c := p.Containers[0]
	if strings.Join(c.Args, " ") != "migrate" || c.StartupProbe != nil || c.LivenessProbe != nil || c.ReadinessProbe != nil || len(c.Ports) != 0 {
		t.Errorf("migrate container: args %q, probes %v %v %v, ports %v; want migrate with no probes or ports",
			c.Args, c.StartupProbe, c.LivenessProbe, c.ReadinessProbe, c.Ports)
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
		t.Errorf("migrate pod is not hardened: %+v", sc)
	}
	found := false
	for _, e := range c.Env {
		found = found || e.Name == "DOCPIPE_DATABASE_URL_FILE" && e.Value == "/etc/docpipe/secrets/database-url"
	}
	if !found {
		t.Error("migrate container does not get the database URL")
	}
	if n := render(t, append(minimal(), "--set", "migration.enabled=false")...).count("Job"); n != 0 {
		t.Errorf("migration.enabled=false renders %d Jobs", n)
	}
}
