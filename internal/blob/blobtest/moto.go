package blobtest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/testenv"
)

// Moto is a moto_server process serving a local, in-memory S3.
type Moto struct {
	// Endpoint is the server's base URL, such as http://127.0.0.1:41234.
	Endpoint string
}

// StartMoto starts moto_server on a free port of 127.0.0.1 and stops it when t's test ends.
//
// If moto_server is not on the PATH the test is skipped, unless the CI environment variable is
// "true": in CI a missing S3 stand-in is a failure, so the S3 suite can never pass by skipping.
//
// StartMoto sets fake AWS credentials in the environment (with t.Setenv) for the AWS default
// credential chain, so tests that use it cannot be parallel.
func StartMoto(t *testing.T) *Moto {
	t.Helper()
	bin := testenv.Tool(t, "moto_server", "install Python moto to run the S3 tests")
	port, err := freePort()
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.Env = withoutAWS(os.Environ()) // botocore inside moto must not see the client's settings
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// The pyenv shim execs into Python, so the PID is moto's own.
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("moto_server output:\n%s", out.Bytes())
		}
	})

	// Credentials for the AWS default chain in this process; moto itself accepts any.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_REGION":                  "us-east-1",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		unsetenv(t, k)
	}

	m := &Moto{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(m.Endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return m
		}
		select {
		case err := <-exited:
			t.Fatalf("moto_server exited: %v\n%s", err, out.Bytes())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 30s: %v", m.Endpoint, err)
		}
	}
}

// NewBucket creates an S3 bucket with a random name on m and returns the gocloud URL that opens it.
// The bucket is created with a plain HTTP PUT: moto does not check signatures.
func (m *Moto) NewBucket(t *testing.T) string {
	t.Helper()
	name := "docpipe-test-" + strings.ToLower(rand.Text()[:12]) // S3 bucket names are lower case
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, m.Endpoint+"/"+name, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create bucket %s: %s", name, resp.Status)
	}
	q := url.Values{
		"region":         {"us-east-1"},
		"endpoint":       {m.Endpoint},
		"use_path_style": {"true"},
	}
	return fmt.Sprintf("s3://%s?%s", name, q.Encode())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// unsetenv unsets key until t's test ends.
func unsetenv(t *testing.T, key string) {
	t.Helper()
	t.Setenv(key, "") // restores the old value at the end of the test
	os.Unsetenv(key)
}

// withoutAWS returns env without its AWS_ variables.
func withoutAWS(env []string) []string {
	var kept []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			kept = append(kept, kv)
		}
	}
	return kept
}
