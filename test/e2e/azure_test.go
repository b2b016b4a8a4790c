package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/auth/authtest"
	"github.com/docpipe/docpipe/internal/blob/blobtest"
	"github.com/docpipe/docpipe/internal/store/cosmos/cosmostest"
	"github.com/docpipe/docpipe/internal/testenv"
)

// TestAzureFunctionPath is the Azure path with emulators: the api stores an upload in Azurite
// and its document in Cosmos DB (cosmium). The test builds the Microsoft.Storage.BlobCreated
// event from the blob Azurite stored and delivers it to a real `docpipe function` exactly as the
// Functions host does (POST /ocr with the invocation envelope, the event as a string); the text
// lands in Cosmos DB and the api's search finds it. The function notifies the api with a token
// from its managed identity, which wakes a long poll of the document. Reprocessing is then
// picked up by the sweep timer.
func TestAzureFunctionPath(t *testing.T) {
	azurite := blobtest.StartAzurite(t)
	bucket := azurite.NewBucket(t)
	container := strings.TrimPrefix(bucket[:strings.Index(bucket, "?")], "azblob://")
	iss := authtest.NewIssuer(t)
	iss.AddRSAKey("k1", "RS256")
	const apiApp = "api://docpipe-api"
	mi := authtest.NewManagedIdentity(iss, "k1", "7d1c2b3a-0000-4000-8000-00000000f00d", "function-object-id")
	env := []string{
		"DOCPIPE_DATABASE_URL=" + cosmostest.Start(t).Database(t), "DOCPIPE_BLOB_URL=" + bucket,
		"AZURE_STORAGE_ACCOUNT=devstoreaccount1", "AZURE_STORAGE_KEY=" + azuriteKey(t),
	}
	api := start(t, "api", append(env, "DOCPIPE_AUTH=oidc", "DOCPIPE_OIDC_ISSUER="+iss.URL,
		"DOCPIPE_OIDC_JWKS_URL="+iss.JWKSURL, "DOCPIPE_OIDC_AUDIENCE="+apiApp,
		"DOCPIPE_NOTIFY_SUBJECTS="+mi.ObjectID)...)
	api.token = iss.Token("k1", "alice", apiApp)
	port := strconv.Itoa(testenv.FreePort(t))
	fn := start(t, "function", append(append(env, mi.Env()...),
		"FUNCTIONS_CUSTOMHANDLER_PORT="+port, "DOCPIPE_ADDR=127.0.0.1:"+port,
		"DOCPIPE_API_URL="+api.url, "DOCPIPE_API_TOKEN_SCOPE="+apiApp+"/.default")...)

	_, png := scan(t, paragraphs)
	d := api.upload("azure scan.png", png)
	props, err := azurite.Client(t).ServiceClient().NewContainerClient(container).
		NewBlobClient("originals/"+d.ID).GetProperties(t.Context(), nil)
	if err != nil {
		t.Fatalf("the api stored no original in Azurite: %v", err)
	}

	waited := make(chan string, 1)
	go func() { waited <- longPoll(t, api, d.ID, 25) }()
	event := map[string]any{
		"topic":           "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
		"subject":         "/blobServices/default/containers/" + container + "/blobs/originals/" + d.ID,
		"eventType":       "Microsoft.Storage.BlobCreated",
		"id":              *props.RequestID,
		"eventTime":       props.LastModified.UTC().Format(time.RFC3339Nano),
		"dataVersion":     "",
		"metadataVersion": "1",
		"data": map[string]any{
			"api": "PutBlob", "requestId": *props.RequestID, "eTag": string(*props.ETag),
			"contentType": *props.ContentType, "contentLength": *props.ContentLength, "blobType": "BlockBlob",
			"url":       azurite.Endpoint + "/" + container + "/originals/" + d.ID,
			"sequencer": "0000000000000000000000000000000000000000000000000",
		},
	}
	if code, logs := invoke(t, fn, "ocr", "event", event); code != http.StatusOK {
		t.Fatalf("POST /ocr = %d %q, want 200", code, logs)
	}
	if st := <-waited; st != "done" {
		t.Errorf("the long poll of the document ended with %q, want done", st)
	}
	if !bytes.Contains(api.logs.Bytes(), []byte(`"route":"/v1/notifications","status":202`)) || mi.Issued() == 0 {
		t.Errorf("the function did not notify the api with a managed identity token (%d issued)", mi.Issued())
	}
	if text := api.getText("/v1/documents/" + d.ID + "/text"); !hasWords(text, "harbour", "crane") {
		t.Errorf("text = %q, want the words of the scan", text)
	}
	var res struct{ Total int }
	if code := api.getJSON("/v1/search?q=harbour", &res); code != http.StatusOK || res.Total != 1 {
		t.Errorf("search = %d, %d hits; want 1", code, res.Total)
	}
	if code, _ := invoke(t, fn, "ocr", "event", event); code != http.StatusOK {
		t.Errorf("redelivered event = %d, want 200", code)
	}
	if n := bytes.Count(fn.logs.Bytes(), []byte(`"document done"`)); n != 1 {
		t.Errorf("the function OCR'd the document %d times, want once", n)
	}

	req, _ := http.NewRequest("POST", api.url+"/v1/documents/"+d.ID+"/reprocess", nil)
	if resp := api.do(req); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("reprocess = %s", resp.Status)
	}
	timer := map[string]any{"Schedule": map[string]any{"AdjustForDST": true}, "IsPastDue": false}
	if code, logs := invoke(t, fn, "sweep", "timer", timer); code != http.StatusOK || !strings.Contains(logs, "1 jobs") {
		t.Errorf("POST /sweep = %d %q, want 200 and one job", code, logs)
	}
	var after document
	if api.getJSON("/v1/documents/"+d.ID, &after); after.Status != "done" || after.Attempts != 1 {
		t.Errorf("after the sweep the document is %+v, want done on its first attempt", after)
	}
}

// invoke posts an invocation to the function as the Functions host does for a trigger whose
// binding is named binding, its data as a JSON string, and returns the status and the Logs.
func invoke(t *testing.T, fn *proc, function, binding string, data any) (int, string) {
	t.Helper()
	raw, _ := json.Marshal(data)
	body, _ := json.Marshal(map[string]any{
		"Data":     map[string]any{binding: string(raw)},
		"Metadata": map[string]any{"sys": map[string]any{"MethodName": function, "UtcNow": time.Now().UTC()}},
	})
	resp, err := http.Post(fn.url+"/"+function, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Outputs     map[string]any
		Logs        []string
		ReturnValue any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Outputs == nil {
		t.Fatalf("POST /%s: not a custom handler response: %v", function, err)
	}
	return resp.StatusCode, strings.Join(out.Logs, "\n")
}

// longPoll waits on the document with If-None-Match and Prefer: wait until it is done or
// failed, and returns its last status.
func longPoll(t *testing.T, api *proc, id string, wait int) string {
	tag, status := "", ""
	deadline := time.Now().Add(2 * time.Minute)
	for status != "done" && status != "failed" && time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", api.url+"/v1/documents/"+id, nil)
		if tag != "" {
			req.Header.Set("If-None-Match", tag)
			req.Header.Set("Prefer", "wait="+strconv.Itoa(wait))
		}
		req.Header.Set("Authorization", "Bearer "+api.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		var d document
		_ = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			tag, status = resp.Header.Get("ETag"), d.Status
		}
	}
	return status
}

// azuriteKey is the emulator's published development key, which StartAzurite puts in the
// environment.
func azuriteKey(t *testing.T) string {
	t.Helper()
	k := os.Getenv("AZURE_STORAGE_KEY")
	if k == "" {
		t.Fatal("StartAzurite set no AZURE_STORAGE_KEY")
	}
	return k
}

// TestAzureVisionEngine runs `docpipe serve` with DOCPIPE_AZURE_VISION_ENDPOINT: the worker
// sends the upload to the Read API with a token from its managed identity, polls the operation
// and stores the lines of the answer, a response recorded in the documented format (Azure AI
// Vision cannot run here).
func TestAzureVisionEngine(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.AddRSAKey("k1", "RS256")
	mi := authtest.NewManagedIdentity(iss, "k1", "7d1c2b3a-0000-4000-8000-00000000v150", "worker-object-id")
	result, err := os.ReadFile("../../internal/ocr/vision/testdata/read-image.json")
	if err != nil {
		t.Fatal(err)
	}
	var posts, polls atomic.Int32
	vision := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, `{"error":{"code":"401","message":"no token"}}`, http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == "POST" && r.URL.Path == "/vision/v3.2/read/analyze":
			posts.Add(1)
			w.Header().Set("Operation-Location", "http://"+r.Host+"/vision/v3.2/read/analyzeResults/op-1")
			w.WriteHeader(http.StatusAccepted)
		case r.Method == "GET" && r.URL.Path == "/vision/v3.2/read/analyzeResults/op-1":
			polls.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(result)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(vision.Close)
	p := start(t, "serve", append(mi.Env(), "DOCPIPE_DATA_DIR="+t.TempDir(), "DOCPIPE_AZURE_VISION_ENDPOINT="+vision.URL)...)
	_, png := scan(t, paragraphs)
	d := p.waitStatus(p.upload("vision.png", png).ID, time.Minute, "done", "failed")
	if d.Status != "done" || posts.Load() != 1 || polls.Load() == 0 || mi.Issued() == 0 {
		t.Fatalf("document %+v after %d analyze requests, %d polls and %d tokens; want done, 1, some, some",
			d, posts.Load(), polls.Load(), mi.Issued())
	}
	var want []string
	var rec struct {
		AnalyzeResult struct {
			ReadResults []struct{ Lines []struct{ Text string } }
		}
	}
	if err := json.Unmarshal(result, &rec); err != nil {
		t.Fatal(err)
	}
	for _, l := range rec.AnalyzeResult.ReadResults[0].Lines {
		want = append(want, l.Text)
	}
	if got := strings.TrimSpace(p.getText("/v1/documents/" + d.ID + "/text")); got != strings.Join(want, "\n") {
		t.Errorf("text = %q, want the recorded lines %q", got, want)
	}
}
