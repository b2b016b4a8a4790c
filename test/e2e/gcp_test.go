package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/blob/blobtest"
	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
	"github.com/docpipe/docpipe/internal/testenv"
)

// startPubSub runs the Pub/Sub emulator from the Google Cloud SDK on a free port until the test
// ends and returns its host:port.
func startPubSub(t *testing.T) string {
	t.Helper()
	gcloud := testenv.Tool(t, "gcloud", "install the Google Cloud SDK with its Pub/Sub emulator")
	host := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	cmd := exec.Command(gcloud, "beta", "emulators", "pubsub", "start", "--host-port="+host, "--quiet")
	cmd.Env = append(cmd.Environ(), "CLOUDSDK_CONFIG="+t.TempDir(), "CLOUDSDK_CORE_DISABLE_PROMPTS=1",
		"CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1")
	testenv.Start(t, cmd, 90*time.Second, testenv.HTTPReady("http://"+host+"/v1/projects/p/topics"))
	return host
}

// pubsubPut creates a Pub/Sub resource through the emulator's REST API.
func pubsubPut(t *testing.T, host, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, "http://"+host+"/v1/"+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create %s: %s", path, resp.Status)
	}
}

// TestGCPEventsPushed is the Google Cloud path with emulators: the api stores an upload in
// fake-gcs-server, which publishes the object's OBJECT_FINALIZE notification to the Pub/Sub
// emulator, whose push subscription delivers it to a real `docpipe worker` at /events. The
// worker does not poll the store in this test, so only the pushed event can get the document
// OCR'd; the text lands in PostgreSQL and the api finds it.
func TestGCPEventsPushed(t *testing.T) {
	pubsub := startPubSub(t)
	t.Setenv("PUBSUB_EMULATOR_HOST", pubsub) // fake-gcs-server publishes through it
	workerAddr := freeAddr(t)
	pubsubPut(t, pubsub, "projects/docpipe/topics/objects", `{}`)
	pubsubPut(t, pubsub, "projects/docpipe/subscriptions/worker", fmt.Sprintf(
		`{"topic":"projects/docpipe/topics/objects","pushConfig":{"pushEndpoint":"http://%s/events"},"ackDeadlineSeconds":600}`,
		workerAddr))
	gcs := blobtest.StartFakeGCS(t, "-event.pubsub-project-id", "docpipe", "-event.pubsub-topic", "objects",
		"-event.list", "finalize", "-event.object-prefix", "originals/")
	env := []string{"DOCPIPE_DATABASE_URL=" + pgtest.URL(t), "DOCPIPE_BLOB_URL=" + gcs.NewBucket(t),
		"STORAGE_EMULATOR_HOST=" + gcs.Host, "DOCPIPE_AUTH=none"}
	worker := start(t, "worker", append(env, "DOCPIPE_ADDR="+workerAddr, "DOCPIPE_POLL_INTERVAL=1h")...)
	api := start(t, "api", env...)

	_, png := scan(t, paragraphs)
	d := api.upload("pushed scan.png", png)
	d = api.waitStatus(d.ID, 2*time.Minute, "done", "failed")
	if d.Status != "done" {
		t.Fatalf("document = %+v, want done\nworker logs:\n%s", d, worker.logs)
	}
	if text := api.getText("/v1/documents/" + d.ID + "/text"); !hasWords(text, "harbour", "crane") {
		t.Errorf("text = %q, want the words of the scan", text)
	}
	var res struct{ Total int }
	if code := api.getJSON("/v1/search?q=harbour", &res); code != http.StatusOK || res.Total != 1 {
		t.Errorf("search = %d, %d hits; want 1", code, res.Total)
	}
	if !bytes.Contains(worker.logs.Bytes(), []byte(`"route":"/events"`)) {
		t.Errorf("the worker logged no pushed event:\n%s", worker.logs)
	}
}
