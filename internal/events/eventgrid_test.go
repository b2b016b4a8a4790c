package events

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

const gridID = "01jdz5g1q0v7h3k8m2n4p6r8t0"

func gridEventJSON(typ, subject string) string {
	return `{"topic":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",` +
		`"subject":"` + subject + `","eventType":"` + typ + `","id":"1","eventTime":"2026-11-26T04:00:00Z",` +
		`"data":{"api":"PutBlob","url":"https://st.blob.core.windows.net/x"},"dataVersion":"","metadataVersion":"1"}`
}

func cloudEventJSON(typ, subject string) string {
	return `{"specversion":"1.0","type":"` + typ + `","source":"/subscriptions/s","id":"1","subject":"` + subject + `","data":{}}`
}

func TestEventGrid(t *testing.T) {
	blob := "/blobServices/default/containers/documents/blobs/originals/" + gridID
	tests := []struct {
		name string
		body string
		want []string
		err  bool
	}{
		{"event grid schema", gridEventJSON(typeBlobCreated, blob), []string{gridID}, false},
		{"cloudevents schema", cloudEventJSON(typeBlobCreated, blob), []string{gridID}, false},
		{"array", "[" + gridEventJSON(typeBlobCreated, blob) + "," + gridEventJSON("Microsoft.Storage.BlobDeleted", blob) + "]", []string{gridID}, false},
		{"blob deleted", gridEventJSON("Microsoft.Storage.BlobDeleted", blob), nil, false},
		{"another prefix", gridEventJSON(typeBlobCreated, "/blobServices/default/containers/documents/blobs/tmp/"+gridID), nil, false},
		{"not an id", gridEventJSON(typeBlobCreated, "/blobServices/default/containers/documents/blobs/originals/../etc"), nil, true},
		{"subject of no blob", gridEventJSON(typeBlobCreated, "/blobServices/default/containers/documents"), nil, true},
		{"subject of another service", gridEventJSON(typeBlobCreated, "/fileServices/default/shares/s/blobs/originals/"+gridID), nil, true},
		{"other service's event", gridEventJSON("Microsoft.Resources.ResourceWriteSuccess", blob), nil, true},
		{"no type", `{"subject":"` + blob + `"}`, nil, true},
		{"cloudevents 0.3", strings.Replace(cloudEventJSON(typeBlobCreated, blob), `"1.0"`, `"0.3"`, 1), nil, true},
		{"truncated", gridEventJSON(typeBlobCreated, blob)[:40], nil, true},
		{"trailing data", gridEventJSON(typeBlobCreated, blob) + "{}", nil, true},
		{"empty", "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EventGrid([]byte(tt.body))
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzEventGrid(f *testing.F) {
	blob := "/blobServices/default/containers/documents/blobs/originals/" + gridID
	f.Add([]byte(gridEventJSON(typeBlobCreated, blob)))
	f.Add([]byte(cloudEventJSON(typeBlobCreated, blob)))
	f.Add([]byte("[" + gridEventJSON(typeBlobCreated, blob) + "]"))
	f.Fuzz(func(t *testing.T, body []byte) {
		ids, err := EventGrid(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		for _, id := range ids {
			if !document.ValidID(id) {
				t.Fatalf("invalid id %q", id)
			}
		}
	})
}
