package blobtest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
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
	port := strconv.Itoa(testenv.FreePort(t))
	m := &Moto{Endpoint: "http://127.0.0.1:" + port}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Env = append(withoutAWS(os.Environ()), // botocore inside moto must not see the client's settings
		"MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	testenv.Start(t, cmd, 60*time.Second, testenv.HTTPReady(m.Endpoint+"/moto-api/"))

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
	return m
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

// AWSJSON calls an action of an AWS JSON-protocol API on the moto at endpoint, such as
// "AWSCognitoIdentityProviderService.InitiateAuth", "AmazonSQS.SendMessage" or
// "secretsmanager.GetSecretValue", and returns the
// decoded answer; an error answer fails the test. moto takes the region (us-east-1) from the
// credential scope of the Authorization header and checks no signature.
func AWSJSON(t testing.TB, endpoint, target string, in any) map[string]any {
	t.Helper()
	version, service := "1.1", "cognito-idp"
	switch {
	case strings.HasPrefix(target, "AmazonSQS."):
		version, service = "1.0", "sqs"
	case strings.HasPrefix(target, "secretsmanager."):
		service = "secretsmanager"
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	req.Header.Set("Content-Type", "application/x-amz-json-"+version)
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/"+now.Format("20060102")+"/us-east-1/"+
		service+"/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s", target, resp.Status, raw)
	}
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
	}
	return out
}
