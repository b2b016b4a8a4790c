package aws_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/blob/blobtest"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
	"github.com/docpipe/docpipe/internal/testenv"
)

// testEndToEnd runs docpipe on what the apply created in moto: the api (PostgreSQL, the
// documents bucket, bearer tokens of the Cognito pool) takes an upload from a user of the pool;
// (the bucket's TLS-only policy is checked and then removed, as moto speaks plain HTTP only)
// the bucket's notification puts the ObjectCreated event on the queue; a worker that polls the
// store only hourly consumes it, OCRs the page and the text becomes searchable; the message is
// deleted. A poison message ends in the dead-letter queue.
func testEndToEnd(t *testing.T, endpoint string, out map[string]any) {
	bin := buildDocpipe(t)
	pool, client, bucket := str(out["user_pool_id"]), str(out["client_id"]), str(out["bucket_name"])
	queue, dlq := str(out["queue_url"]), str(out["dlq_url"])
	blobURL := "s3://" + bucket + "?" + url.Values{
		"region": {"us-east-1"}, "endpoint": {endpoint}, "use_path_style": {"true"},
	}.Encode()
	dropTLSOnlyPolicy(t, endpoint, bucket)
	env := append(os.Environ(),
		"DOCPIPE_DATABASE_URL="+pgtest.URL(t),
		"DOCPIPE_BLOB_URL="+blobURL,
		"DOCPIPE_AUTH=oidc",
		"DOCPIPE_OIDC_ISSUER="+str(out["issuer"]),
		"DOCPIPE_OIDC_JWKS_URL="+endpoint+"/"+pool+"/.well-known/jwks.json",
		"DOCPIPE_OIDC_AUDIENCE="+client,
		"DOCPIPE_LOG_FORMAT=text",
		"DOCPIPE_OCR_ENGINES=1",
		"OMP_THREAD_LIMIT=1",
	)
	apiURL := start(t, bin, "api", env)
	start(t, bin, "worker", append(env,
		"DOCPIPE_QUEUE_URL="+queue,
		"AWS_ENDPOINT_URL_SQS="+endpoint,
		"DOCPIPE_POLL_INTERVAL=1h", // only the queue can bring this worker a job
		"DOCPIPE_JOB_LEASE=10s",
		"DOCPIPE_RETRY_BACKOFF=1s",
	))

	token := cognitoToken(t, endpoint, pool, client)
	if got := request(t, http.MethodGet, apiURL+"/v1/documents", "", nil, ""); got.status != http.StatusUnauthorized {
		t.Errorf("GET /v1/documents without a token = %d, want 401", got.status)
	}

	fonts, err := ocrtest.LoadFonts(14)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := ocrtest.TextPage(fonts[0], []string{"Harbour crane maintenance invoice for the northern quay."})
	if err != nil {
		t.Fatal(err)
	}
	png, err := ocrtest.PNG(img)
	if err != nil {
		t.Fatal(err)
	}
	body, ctype := multipartFile(t, "scan.png", png)
	up := request(t, http.MethodPost, apiURL+"/v1/documents", token, body, ctype)
	if up.status != http.StatusAccepted {
		t.Fatalf("upload = %d %s, want 202", up.status, up.body)
	}
	var created struct {
		Documents []struct {
			ID string `json:"id"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(up.body, &created); err != nil || len(created.Documents) != 1 {
		t.Fatalf("upload answer %s: %v", up.body, err)
	}
	id := created.Documents[0].ID

	deadline := time.Now().Add(2 * time.Minute)
	for {
		got := request(t, http.MethodGet, apiURL+"/v1/documents/"+id, token, nil, "")
		var d struct{ Status, Error string }
		_ = json.Unmarshal(got.body, &d)
		if d.Status == "done" {
			break
		}
		if d.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("document %s: %d %s; want done within 2m", id, got.status, got.body)
		}
		time.Sleep(250 * time.Millisecond)
	}
	found := request(t, http.MethodGet, apiURL+"/v1/search?q=harbour+crane", token, nil, "")
	if found.status != http.StatusOK || !strings.Contains(string(found.body), id) {
		t.Errorf("search for the OCRed words = %d %s; want a hit on %s", found.status, found.body, id)
	}

	sqs := sqsClient{t: t, endpoint: endpoint}
	sqs.waitEmpty(queue)
	sqs.send(queue, `{"Records":[{"eventSource":"aws:sns"}]}`)
	if got := sqs.receive(dlq); got != `{"Records":[{"eventSource":"aws:sns"}]}` {
		t.Errorf("dead-letter queue holds %q, want the poison message", got)
	}
	sqs.waitEmpty(queue)
}

func str(v any) string { return fmt.Sprint(v) }

// dropTLSOnlyPolicy checks that the bucket refuses a plain-HTTP write, as its TLS-only policy
// says, and then deletes the policy: moto serves plain HTTP only, so with it in place nothing
// could be stored. This is the only change the test makes to what Terraform created.
func dropTLSOnlyPolicy(t *testing.T, endpoint, bucket string) {
	t.Helper()
	if got := request(t, http.MethodPut, endpoint+"/"+bucket+"/originals/probe", "", []byte("x"), "text/plain"); got.status != http.StatusForbidden {
		t.Errorf("plain-HTTP PutObject = %d, want 403 from the TLS-only bucket policy", got.status)
	}
	if got := request(t, http.MethodDelete, endpoint+"/"+bucket+"?policy", "", nil, ""); got.status != http.StatusNoContent {
		t.Fatalf("delete the bucket policy = %d %s", got.status, got.body)
	}
}

func buildDocpipe(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "docpipe")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/docpipe/docpipe/cmd/docpipe")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build docpipe: %v\n%s", err, out)
	}
	return bin
}

// start runs docpipe ROLE until the test ends and returns its base URL.
func start(t *testing.T, bin, role string, env []string) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	cmd := exec.Command(bin, role)
	cmd.Env = append(env, "DOCPIPE_ADDR="+addr)
	testenv.Start(t, cmd, time.Minute, testenv.HTTPReady("http://"+addr+"/healthz"))
	return "http://" + addr
}

type response struct {
	status int
	body   []byte
}

func request(t *testing.T, method, url, token string, body []byte, ctype string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, b}
}

func multipartFile(t *testing.T, name string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	f, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// cognitoToken creates a user in the pool the apply created and signs in as it with the app
// client: moto mints the access token.
func cognitoToken(t *testing.T, endpoint, pool, client string) string {
	t.Helper()
	call := func(action string, in map[string]any) map[string]any {
		return blobtest.AWSJSON(t, endpoint, "AWSCognitoIdentityProviderService."+action, in)
	}
	const user, password = "alice@example.com", "Corr3ct-Horse-Battery-Staple!"
	call("AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": user, "MessageAction": "SUPPRESS"})
	call("AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": user, "Password": password, "Permanent": true})
	res := call("InitiateAuth", map[string]any{
		"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": password},
	})
	token, _ := attr(res, "AuthenticationResult", "AccessToken").(string)
	if token == "" {
		t.Fatalf("InitiateAuth gave no access token: %v", res)
	}
	return token
}

type sqsClient struct {
	t        *testing.T
	endpoint string
}

func (c sqsClient) call(action string, in map[string]any) map[string]any {
	return blobtest.AWSJSON(c.t, c.endpoint, "AmazonSQS."+action, in)
}

func (c sqsClient) send(queue, body string) {
	c.call("SendMessage", map[string]any{"QueueUrl": queue, "MessageBody": body})
}

func (c sqsClient) receive(queue string) string {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		res := c.call("ReceiveMessage", map[string]any{"QueueUrl": queue, "WaitTimeSeconds": 1})
		if body, ok := attr(res, "Messages", 0, "Body").(string); ok {
			return body
		}
	}
	c.t.Fatalf("no message in %s within a minute", queue)
	return ""
}

// waitEmpty waits until the queue holds no message, visible or in flight.
func (c sqsClient) waitEmpty(queue string) {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		res := c.call("GetQueueAttributes", map[string]any{"QueueUrl": queue,
			"AttributeNames": []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
		visible, hidden := str(attr(res, "Attributes", "ApproximateNumberOfMessages")), str(attr(res, "Attributes", "ApproximateNumberOfMessagesNotVisible"))
		if visible == "0" && hidden == "0" {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("queue still holds %s visible and %s in-flight messages after a minute", visible, hidden)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
