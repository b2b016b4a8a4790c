package k8s

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/docpipe/docpipe/internal/testenv"
)

const (
	namespace = "docs"
	release   = "rel"
	nodePort  = 30555
)

var fakeNodes = []string{"kwok-a", "kwok-b", "kwok-c"}

// TestChartOnCluster installs the chart with helm on a real control plane, checks what the
// controllers made of it, upgrades it and uninstalls it.
func TestChartOnCluster(t *testing.T) {
	if os.Getenv("DOCPIPE_KUBE_CLUSTER") != "1" {
		t.Skip("the cluster test runs in its own stage: scripts/kube.sh test (DOCPIPE_KUBE_CLUSTER=1)")
	}
	helm := testenv.Tool(t, "helm", hint)
	phase := phases(t)

	c := startCluster(t)
	phase("control plane up")

	for i, name := range fakeNodes {
		c.create(t, "/api/v1/nodes", fakeNode(name, fmt.Sprintf("zone-%c", 'a'+i)))
	}
	c.eventually(t, "fake nodes Ready", time.Minute, func() error {
		for _, name := range fakeNodes {
			var n corev1.Node
			c.get(t, "/api/v1/nodes/"+name, &n)
			if !nodeReady(n) {
				return fmt.Errorf("node %s not Ready: %+v", name, n.Status.Conditions)
			}
		}
		return nil
	})
	phase("fake nodes Ready")

	// The restricted Pod Security Standard, enforced by the API server's admission, rejects any
	// pod of the chart that is not hardened.
	c.create(t, "/api/v1/namespaces", &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: namespace, Labels: map[string]string{
			"pod-security.kubernetes.io/enforce": "restricted",
			"pod-security.kubernetes.io/warn":    "restricted",
		}},
	})

	chart := chartDir(t)
	values := []string{
		"-f", filepath.Join(chart, "ci", "minimal-values.yaml"),
		"--set", fmt.Sprintf("web.service.nodePort=%d", nodePort),
		"--set", "api.autoscaling.enabled=true",
		"--set", "image.repository=registry.invalid/docpipe",
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(helm, args...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+c.kubeconfig, "HELM_CACHE_HOME="+c.path("helm-cache"),
			"HELM_CONFIG_HOME="+c.path("helm-config"), "HELM_DATA_HOME="+c.path("helm-data"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	out := run(append([]string{"install", release, chart, "--namespace", namespace, "--wait", "--timeout", "3m"}, values...)...)
	phase("helm install --wait")
	if strings.Contains(out, "would violate PodSecurity") {
		t.Errorf("helm install warns about the restricted Pod Security Standard:\n%s", out)
	}
	if !strings.Contains(out, fmt.Sprintf("port %d of every node", nodePort)) {
		t.Errorf("helm install NOTES do not give the node port %d:\n%s", nodePort, out)
	}

	apps := "/apis/apps/v1/namespaces/" + namespace + "/deployments/"
	// The api Deployment has no replicas of its own: the HPA controller scales it to minReplicas.
	c.eventually(t, "api 3/3 available", 2*time.Minute, func() error {
		var d appsv1.Deployment
		c.get(t, apps+release+"-docpipe-api", &d)
		if d.Status.AvailableReplicas != 3 || d.Status.ReadyReplicas != 3 {
			return fmt.Errorf("api ready %d available %d, want 3", d.Status.ReadyReplicas, d.Status.AvailableReplicas)
		}
		return nil
	})
	phase("api scaled to 3/3 by the HPA")

	c.eventually(t, "migration Job complete", 2*time.Minute, func() error {
		var j batchv1.Job
		c.get(t, "/apis/batch/v1/namespaces/"+namespace+"/jobs/"+release+"-docpipe-migrate-1", &j)
		if j.Status.Succeeded != 1 {
			return fmt.Errorf("migration Job: %d succeeded, %d failed", j.Status.Succeeded, j.Status.Failed)
		}
		return nil
	})
	phase("migration Job completed")

	var pods []corev1.Pod
	for _, p := range c.pods(t) {
		if p.Labels["app.kubernetes.io/component"] != "migrate" {
			pods = append(pods, p)
		}
	}
	if len(pods) != 3+2+2 {
		t.Errorf("%d pods, want 3 api + 2 web + 2 worker", len(pods))
	}
	zones := map[string]bool{}
	for _, p := range pods {
		if p.Status.Phase != corev1.PodRunning || !slices.Contains(fakeNodes, p.Spec.NodeName) {
			t.Errorf("pod %s: phase %s on node %q, want Running on a fake node", p.Name, p.Status.Phase, p.Spec.NodeName)
		}
		if p.Labels["app.kubernetes.io/component"] == "api" {
			zones[p.Spec.NodeName] = true
		}
		if sc := p.Spec.Containers[0].SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("pod %s: root filesystem is writable", p.Name)
		}
	}
	for _, p := range pods {
		t.Logf("pod %-36s %-8s on %s", p.Name, p.Status.Phase, p.Spec.NodeName)
	}
	if len(zones) != 3 {
		t.Errorf("api pods on %d nodes, want one per zone (topology spread)", len(zones))
	}

	var web corev1.Service
	c.get(t, "/api/v1/namespaces/"+namespace+"/services/"+release+"-docpipe-web", &web)
	if web.Spec.Type != corev1.ServiceTypeNodePort || web.Spec.Ports[0].NodePort != nodePort {
		t.Errorf("web Service %s port %d, want NodePort %d", web.Spec.Type, web.Spec.Ports[0].NodePort, nodePort)
	}
	var api corev1.Service
	c.get(t, "/api/v1/namespaces/"+namespace+"/services/"+release+"-docpipe-api", &api)
	if api.Spec.Type != corev1.ServiceTypeClusterIP || api.Spec.ClusterIP == "" {
		t.Errorf("api Service %s %q, want a ClusterIP", api.Spec.Type, api.Spec.ClusterIP)
	}
	var hpa autoscalingv2.HorizontalPodAutoscaler
	if c.get(t, "/apis/autoscaling/v2/namespaces/"+namespace+"/horizontalpodautoscalers/"+release+"-docpipe-api", &hpa) != http.StatusOK || hpa.Status.DesiredReplicas != 3 {
		t.Errorf("api HPA desired %d, want 3", hpa.Status.DesiredReplicas)
	}
	for _, role := range []string{"api", "web", "worker"} {
		var pdb policyv1.PodDisruptionBudget
		if c.get(t, "/apis/policy/v1/namespaces/"+namespace+"/poddisruptionbudgets/"+release+"-docpipe-"+role, &pdb) != http.StatusOK {
			t.Errorf("no PodDisruptionBudget for %s", role)
		}
	}
	c.eventually(t, "api PDB observes its pods", time.Minute, func() error {
		var pdb policyv1.PodDisruptionBudget
		c.get(t, "/apis/policy/v1/namespaces/"+namespace+"/poddisruptionbudgets/"+release+"-docpipe-api", &pdb)
		if pdb.Status.ExpectedPods != 3 || pdb.Status.DisruptionsAllowed != 1 {
			return fmt.Errorf("PDB expects %d pods, allows %d disruptions", pdb.Status.ExpectedPods, pdb.Status.DisruptionsAllowed)
		}
		return nil
	})
	phase("objects checked")

	before := podNames(c.pods(t), "worker")
	run(append([]string{"upgrade", release, chart, "--namespace", namespace, "--wait", "--timeout", "3m", "--set", "config.logLevel=debug"}, values...)...)
	c.eventually(t, "workers rolled", 2*time.Minute, func() error {
		var d appsv1.Deployment
		c.get(t, apps+release+"-docpipe-worker", &d)
		after := podNames(c.pods(t), "worker")
		if d.Status.ObservedGeneration != d.Generation || d.Status.UpdatedReplicas != 2 || d.Status.AvailableReplicas != 2 || len(after) != 2 {
			return fmt.Errorf("worker rollout: generation %d/%d updated %d available %d pods %v", d.Status.ObservedGeneration, d.Generation, d.Status.UpdatedReplicas, d.Status.AvailableReplicas, after)
		}
		for _, n := range after {
			if slices.Contains(before, n) {
				return fmt.Errorf("pod %s survived a config change", n)
			}
		}
		return nil
	})
	var cm corev1.ConfigMap
	c.get(t, "/api/v1/namespaces/"+namespace+"/configmaps/"+release+"-docpipe", &cm)
	if cm.Data["DOCPIPE_LOG_LEVEL"] != "debug" {
		t.Errorf("after upgrade DOCPIPE_LOG_LEVEL = %q, want debug", cm.Data["DOCPIPE_LOG_LEVEL"])
	}
	phase("helm upgrade rolled the pods")

	run("uninstall", release, "--namespace", namespace, "--wait", "--timeout", "2m")
	c.eventually(t, "release gone", 2*time.Minute, func() error {
		for _, role := range []string{"api", "web", "worker"} {
			var d appsv1.Deployment
			if c.get(t, apps+release+"-docpipe-"+role, &d) != http.StatusNotFound {
				return fmt.Errorf("Deployment %s still there", role)
			}
		}
		if n := len(c.pods(t)); n != 0 {
			return fmt.Errorf("%d pods left", n)
		}
		return nil
	})
	phase("helm uninstall cleaned up")
}

// phases logs how long each step took since the previous one.
func phases(t *testing.T) func(string) {
	start, last := time.Now(), time.Now()
	return func(name string) {
		now := time.Now()
		t.Logf("::: %-32s %6.1fs (total %.1fs)", name, now.Sub(last).Seconds(), now.Sub(start).Seconds())
		last = now
	}
}

func (c *cluster) eventually(t *testing.T, what string, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s: %v", what, timeout, err)
		}
		time.Sleep(time.Second)
	}
}

func (c *cluster) pods(t *testing.T) []corev1.Pod {
	t.Helper()
	var list corev1.PodList
	c.get(t, "/api/v1/namespaces/"+namespace+"/pods?labelSelector=app.kubernetes.io/instance%3D"+release, &list)
	var live []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			live = append(live, p)
		}
	}
	return live
}

func podNames(pods []corev1.Pod, role string) []string {
	var names []string
	for _, p := range pods {
		if p.Labels["app.kubernetes.io/component"] == role {
			names = append(names, p.Name)
		}
	}
	return names
}

func nodeReady(n corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// capacity is what each fake node offers: room for every pod of the chart.
var capacity = corev1.ResourceList{
	corev1.ResourceCPU:              resource.MustParse("16"),
	corev1.ResourceMemory:           resource.MustParse("64Gi"),
	corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	corev1.ResourcePods:             resource.MustParse("110"),
}

// fakeNode is a node kwok manages (by its annotation), in its own zone.
func fakeNode(name, zone string) *corev1.Node {
	return &corev1.Node{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
			Labels: map[string]string{
				"kubernetes.io/hostname":      name,
				"kubernetes.io/os":            "linux",
				"kubernetes.io/arch":          "amd64",
				"topology.kubernetes.io/zone": zone,
				"type":                        "kwok",
			},
		},
		Status: corev1.NodeStatus{Allocatable: capacity, Capacity: capacity},
	}
}

// chartDir is deploy/helm/docpipe in this checkout.
func chartDir(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot find the test's source directory")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "deploy", "helm", "docpipe")
}
