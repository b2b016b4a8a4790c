package blobtest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/docpipe/docpipe/internal/testenv"
)

// FakeGCS is a fake-gcs-server process serving an in-memory Cloud Storage.
type FakeGCS struct {
	// Host is the server's host:port, as STORAGE_EMULATOR_HOST wants it.
	Host string
}

// StartFakeGCS starts fake-gcs-server (scripts/emulators.sh builds it) on 127.0.0.1 with the
// extra command-line arguments until t's test ends, and points STORAGE_EMULATOR_HOST at it, so
// gs:// buckets open against it.
func StartFakeGCS(t *testing.T, args ...string) *FakeGCS {
	t.Helper()
	bin := testenv.Tool(t, "fake-gcs-server", "run scripts/emulators.sh")
	port := strconv.Itoa(testenv.FreePort(t))
	host := "127.0.0.1:" + port
	args = append([]string{"-scheme", "http", "-host", "127.0.0.1", "-port", port,
		"-backend", "memory", "-public-host", host, "-log-level", "warn"}, args...)
	cmd := exec.Command(bin, args...)
	testenv.Start(t, cmd, 30*time.Second, testenv.HTTPReady("http://"+host+"/storage/v1/b"))
	t.Setenv("STORAGE_EMULATOR_HOST", host)
	return &FakeGCS{Host: host}
}

// NewBucket creates a bucket with a random name and returns the gocloud URL that opens it.
func (f *FakeGCS) NewBucket(t *testing.T) string {
	t.Helper()
	name := "docpipe-test-" + strings.ToLower(rand.Text()[:12])
	body := fmt.Sprintf(`{"name":%q}`, name)
	resp, err := http.Post("http://"+f.Host+"/storage/v1/b?project=test", "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create bucket %s: %s", name, resp.Status)
	}
	return "gs://" + name
}

// Azurite is an Azurite blob service holding its data in memory.
type Azurite struct {
	// Endpoint is the account's blob endpoint, such as http://127.0.0.1:41234/devstoreaccount1.
	Endpoint string
	port     int
}

// The development storage account every Azurite instance has. The key is the published,
// well-known emulator key (see Microsoft's Azurite documentation), not a secret.
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// StartAzurite starts azurite-blob (scripts/emulators.sh installs it) on 127.0.0.1 until t's test
// ends and sets AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY for the development account, so
// azblob:// buckets open against it with a shared key. Production uses managed identities
// instead; the emulator supports only shared keys over plain HTTP.
func StartAzurite(t *testing.T) *Azurite {
	t.Helper()
	bin := testenv.Tool(t, "azurite-blob", "run scripts/emulators.sh")
	port := testenv.FreePort(t)
	a := &Azurite{Endpoint: fmt.Sprintf("http://127.0.0.1:%d/%s", port, azuriteAccount), port: port}
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
		"--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent")
	cmd.Dir = t.TempDir()
	testenv.Start(t, cmd, 60*time.Second, testenv.HTTPReady(a.Endpoint+"?comp=list"))
	t.Setenv("AZURE_STORAGE_ACCOUNT", azuriteAccount)
	t.Setenv("AZURE_STORAGE_KEY", azuriteKey)
	return a
}

// NewBucket creates a container with a random name and returns the gocloud URL that opens it.
func (a *Azurite) NewBucket(t *testing.T) string {
	t.Helper()
	client := a.Client(t)
	name := "docpipe-test-" + strings.ToLower(rand.Text()[:12])
	if _, err := client.CreateContainer(t.Context(), name, nil); err != nil {
		t.Fatalf("create container %s: %v", name, err)
	}
	q := url.Values{"protocol": {"http"}, "domain": {fmt.Sprintf("127.0.0.1:%d", a.port)}, "localemu": {"true"}}
	return "azblob://" + name + "?" + q.Encode()
}

// Client returns a Blob Storage client of the emulator's account, to look at what it stored.
func (a *Azurite) Client(t *testing.T) *azblob.Client {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(azuriteAccount, azuriteKey)
	if err != nil {
		t.Fatal(err)
	}
	client, err := azblob.NewClientWithSharedKeyCredential(a.Endpoint, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	return client
}
