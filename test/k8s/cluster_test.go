// Package k8s tests the Helm chart on a real Kubernetes control plane started on 127.0.0.1: etcd,
// kube-apiserver, kube-controller-manager and kube-scheduler built from the Kubernetes sources
// (scripts/kube.sh tools), with kwok playing the kubelet on fake nodes. Pods are scheduled,
// owned, scaled and rolled by the real controllers; kwok only pretends their containers run.
package k8s

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/testenv"
)

const hint = "run scripts/kube.sh tools"

// cluster is a running control plane and the admin's way into it.
type cluster struct {
	dir        string
	url        string // https://127.0.0.1:PORT
	kubeconfig string // the admin's
	token      string
	client     *http.Client
}

// startCluster starts etcd, the API server, the controller manager, the scheduler and kwok, all
// stopped and cleaned up when the test ends.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	bins := map[string]string{}
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"} {
		bins[name] = testenv.Tool(t, name, hint)
	}
	stages := kwokStages(t)

	c := &cluster{dir: t.TempDir(), token: randomToken(t)}
	ports := freePorts(t, 6)
	etcdClient, etcdPeer, apiPort, kcmPort, schedPort, kwokPort := ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]
	c.url = fmt.Sprintf("https://127.0.0.1:%d", apiPort)

	caPEM := c.writePKI(t)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	c.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	tokens := map[string]string{
		"admin":                          c.token,
		"system:kube-controller-manager": randomToken(t),
		"system:kube-scheduler":          randomToken(t),
		"kwok":                           randomToken(t),
	}
	var tokenFile strings.Builder
	for user, tok := range tokens {
		groups := ""
		if user == "admin" || user == "kwok" {
			groups = `,"system:masters"`
		}
		fmt.Fprintf(&tokenFile, "%s,%s,%s%s\n", tok, user, user, groups)
	}
	c.write(t, "tokens.csv", tokenFile.String())
	kubeconfigs := map[string]string{}
	for user, tok := range tokens {
		kubeconfigs[user] = c.write(t, strings.ReplaceAll(user, ":", "_")+".kubeconfig", kubeconfig(c.url, c.path("ca.crt"), tok))
	}
	c.kubeconfig = kubeconfigs["admin"]

	c.start(t, "etcd", bins["etcd"],
		"--name=default", "--data-dir="+c.path("etcd"),
		fmt.Sprintf("--listen-client-urls=http://127.0.0.1:%d", etcdClient),
		fmt.Sprintf("--advertise-client-urls=http://127.0.0.1:%d", etcdClient),
		fmt.Sprintf("--listen-peer-urls=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--initial-advertise-peer-urls=http://127.0.0.1:%d", etcdPeer),
		fmt.Sprintf("--initial-cluster=default=http://127.0.0.1:%d", etcdPeer),
		"--unsafe-no-fsync", "--log-level=warn")

	c.start(t, "kube-apiserver", bins["kube-apiserver"],
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdClient),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--endpoint-reconciler-type=none",
		"--cert-dir="+c.path("apiserver"),
		"--tls-cert-file="+c.path("apiserver.crt"), "--tls-private-key-file="+c.path("apiserver.key"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+c.path("sa.key"),
		"--service-account-signing-key-file="+c.path("sa.key"),
		"--token-auth-file="+c.path("tokens.csv"),
		"--authorization-mode=Node,RBAC",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--service-node-port-range=30000-32767")
	c.waitReady(t, "/readyz", 2*time.Minute)

	c.start(t, "kube-controller-manager", bins["kube-controller-manager"],
		"--kubeconfig="+kubeconfigs["system:kube-controller-manager"],
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", kcmPort),
		"--leader-elect=false",
		"--service-account-private-key-file="+c.path("sa.key"),
		"--root-ca-file="+c.path("ca.crt"),
		"--use-service-account-credentials=true",
		"--cert-dir="+c.path("kcm"),
		"--horizontal-pod-autoscaler-sync-period=5s",
		"--concurrent-deployment-syncs=5")
	c.start(t, "kube-scheduler", bins["kube-scheduler"],
		"--kubeconfig="+kubeconfigs["system:kube-scheduler"],
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", schedPort),
		"--leader-elect=false", "--cert-dir="+c.path("scheduler"))
	args := []string{
		"--kubeconfig=" + kubeconfigs["kwok"],
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--node-lease-duration-seconds=40",
		"--cidr=10.244.0.0/16",
		"--node-ip=127.0.0.1",
		fmt.Sprintf("--server-address=127.0.0.1:%d", kwokPort),
	}
	for _, s := range stages {
		args = append(args, "--config="+s)
	}
	c.start(t, "kwok", bins["kwok"], args...)
	return c
}

// kwokStages returns the Stage configs scripts/kube.sh copied next to the kwok binary.
func kwokStages(t *testing.T) []string {
	t.Helper()
	stages, _ := filepath.Glob(filepath.Join(testenv.CacheDir(), "tools", "kwok-*", "stages", "*.yaml"))
	if len(stages) == 0 {
		testenv.Missing(t, "kwok stage configs not found in the tool cache; "+hint)
	}
	return stages
}

func (c *cluster) path(name string) string { return filepath.Join(c.dir, name) }

func (c *cluster) write(t *testing.T, name, content string) string {
	t.Helper()
	p := c.path(name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs a component with its output in DIR/NAME.log, shown if the test fails, and stops it
// (SIGTERM, then SIGKILL) when the test ends.
func (c *cluster) start(t *testing.T, name, bin string, args ...string) {
	t.Helper()
	logPath := c.path(name + ".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if t.Failed() {
			tail, _ := os.ReadFile(logPath)
			if len(tail) > 4000 {
				tail = tail[len(tail)-4000:]
			}
			t.Logf("--- %s log (tail)\n%s", name, tail)
		}
	})
}

func (c *cluster) waitReady(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	var last string
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		status, body, err := c.do("GET", path, nil)
		if err == nil && status == http.StatusOK {
			return
		}
		last = fmt.Sprintf("%d %s %v", status, body, err)
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("API server not ready after %s: %s", timeout, last)
}

// do sends a request as the admin; body, if not nil, is sent as JSON.
func (c *cluster) do(method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// get decodes the object at path into v and returns the status; 404 leaves v alone.
func (c *cluster) get(t *testing.T, path string, v any) int {
	t.Helper()
	status, body, err := c.do("GET", path, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if status == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	} else if status != http.StatusNotFound {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return status
}

func (c *cluster) create(t *testing.T, path string, obj any) {
	t.Helper()
	status, body, err := c.do("POST", path, obj)
	if err != nil || status != http.StatusCreated {
		t.Fatalf("POST %s: %d %s %v", path, status, body, err)
	}
}

// writePKI writes a CA, the API server's serving certificate and the service account signing
// key, and returns the CA certificate.
func (c *cluster) writePKI(t *testing.T) []byte {
	t.Helper()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "docpipe-test-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	srvKey := newKey(t)
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	c.write(t, "ca.crt", string(caPEM))
	c.write(t, "apiserver.crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER})))
	c.write(t, "apiserver.key", keyPEM(t, srvKey))
	c.write(t, "sa.key", keyPEM(t, newKey(t)))
	return caPEM
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func keyPEM(t *testing.T, k *ecdsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

func randomToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}

func kubeconfig(server, ca, token string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: user
  user:
    token: %s
contexts:
- name: test
  context:
    cluster: test
    user: user
current-context: test
`, server, ca, token)
}

// freePorts returns n distinct ports that were free on 127.0.0.1 a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}
