package events

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

const gcsID = "01jd8q6zc3x9v2k4m7n8p0r5st"

// storageObject is the data of a storage CloudEvent as Cloud Storage sends it (trimmed).
func storageObject(name string) string {
	return fmt.Sprintf(`{"kind":"storage#object","id":"docs/%[1]s/1700000000000000","selfLink":"https://www.googleapis.com/storage/v1/b/docs/o/%[1]s","name":%[1]q,"bucket":"docs","generation":"1700000000000000","metageneration":"1","contentType":"image/png","size":"5120","md5Hash":"q1w2e3==","crc32c":"AAAAAA==","timeCreated":"2026-11-26T05:00:00.000Z","updated":"2026-11-26T05:00:00.000Z"}`, name)
}

// push is a Pub/Sub push body carrying a Cloud Storage notification.
func push(eventType, name, payload string) string {
	data := base64.StdEncoding.EncodeToString([]byte(payload))
	return fmt.Sprintf(`{"message":{"attributes":{"bucketId":"docs","eventTime":"2026-11-26T05:00:00.000Z","eventType":%q,"notificationConfig":"projects/_/buckets/docs/notificationConfigs/1","objectGeneration":"1700000000000000","objectId":%q,"payloadFormat":"JSON_API_V1"},"data":%q,"messageId":"9876543210","publishTime":"2026-11-26T05:00:00.100Z"},"subscription":"projects/p/subscriptions/docpipe-worker"}`, eventType, name, data)
}

func binaryHeaders(typ string) http.Header {
	return http.Header{
		"Content-Type":   {"application/json"},
		"Ce-Specversion": {"1.0"},
		"Ce-Type":        {typ},
		"Ce-Source":      {"//storage.googleapis.com/projects/_/buckets/docs"},
		"Ce-Subject":     {"objects/originals/" + gcsID},
		"Ce-Id":          {"1234"},
		"Ce-Time":        {"2026-11-26T05:00:00.000Z"},
	}
}

var structured = http.Header{"Content-Type": {"application/cloudevents+json; charset=utf-8"}}
var plain = http.Header{"Content-Type": {"application/json"}}

func TestGCS(t *testing.T) {
	original := "originals/" + gcsID
	published := `{"specversion":"1.0","type":"google.cloud.pubsub.topic.v1.messagePublished","source":"//pubsub.googleapis.com/projects/p/topics/docs","id":"1","data":` + push("OBJECT_FINALIZE", original, storageObject(original)) + `}`
	tests := []struct {
		name   string
		header http.Header
		body   string
		want   []string
	}{
		{"binary finalized", binaryHeaders(typeFinalized), storageObject(original), []string{gcsID}},
		{"binary deleted", binaryHeaders("google.cloud.storage.object.v1.deleted"), storageObject(original), nil},
		{"binary other object", binaryHeaders(typeFinalized), storageObject("exports/report.csv"), nil},
		{"binary messagePublished", binaryHeaders(typePublished), push("OBJECT_FINALIZE", original, storageObject(original)), []string{gcsID}},
		{"structured finalized", structured, `{"specversion":"1.0","type":"` + typeFinalized + `","source":"//storage.googleapis.com/projects/_/buckets/docs","id":"1","datacontenttype":"application/json","data":` + storageObject(original) + `}`, []string{gcsID}},
		{"structured base64", structured, `{"specversion":"1.0","type":"` + typeFinalized + `","id":"1","data_base64":"` + base64.StdEncoding.EncodeToString([]byte(storageObject(original))) + `"}`, []string{gcsID}},
		{"structured messagePublished", structured, published, []string{gcsID}},
		{"push finalize", plain, push("OBJECT_FINALIZE", original, storageObject(original)), []string{gcsID}},
		{"push finalize, no payload", plain, push("OBJECT_FINALIZE", original, ""), []string{gcsID}},
		{"push delete", plain, push("OBJECT_DELETE", original, storageObject(original)), nil},
		{"push metadata update", plain, push("OBJECT_METADATA_UPDATE", original, storageObject(original)), nil},
		{"push other object", plain, push("OBJECT_FINALIZE", "tmp/x", storageObject("tmp/x")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GCS(tt.header, []byte(tt.body))
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("GCS = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestGCSMalformed(t *testing.T) {
	original := "originals/" + gcsID
	tests := []struct {
		name   string
		header http.Header
		body   string
	}{
		{"empty", plain, ""},
		{"not json", plain, "hello"},
		{"trailing data", binaryHeaders(typeFinalized), storageObject(original) + "{}"},
		{"binary specversion 0.3", http.Header{"Ce-Specversion": {"0.3"}, "Ce-Type": {typeFinalized}}, storageObject(original)},
		{"binary without type", http.Header{"Ce-Specversion": {"1.0"}}, storageObject(original)},
		{"binary unknown type", binaryHeaders("com.example.thing"), storageObject(original)},
		{"binary no object name", binaryHeaders(typeFinalized), `{"bucket":"docs"}`},
		{"original without a valid id", binaryHeaders(typeFinalized), storageObject("originals/../../etc/passwd")},
		{"structured specversion", structured, `{"specversion":"0.3","type":"` + typeFinalized + `","data":{}}`},
		{"structured not json", structured, `{"specversion":`},
		{"push without message", plain, `{"subscription":"s"}`},
		{"push not a storage notification", plain, `{"message":{"data":"aGk=","attributes":{"k":"v"}}}`},
		{"push bad base64", plain, `{"message":{"data":"!!","attributes":{"eventType":"OBJECT_FINALIZE","objectId":"x"}}}`},
		{"push payload disagrees", plain, push("OBJECT_FINALIZE", original, storageObject("originals/01jd8q6zc3x9v2k4m7n8p0r5sv"))},
		{"push payload not json", plain, push("OBJECT_FINALIZE", original, "nope")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GCS(tt.header, []byte(tt.body))
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("GCS = %v, %v; want ErrMalformed", got, err)
			}
		})
	}
}

func FuzzGCS(f *testing.F) {
	original := "originals/" + gcsID
	f.Add(0, []byte(storageObject(original)))
	f.Add(1, []byte(`{"specversion":"1.0","type":"`+typeFinalized+`","data":`+storageObject(original)+`}`))
	f.Add(2, []byte(push("OBJECT_FINALIZE", original, storageObject(original))))
	f.Add(2, []byte(push("OBJECT_FINALIZE", "originals/x%2Fy", "")))
	headers := []http.Header{binaryHeaders(typeFinalized), structured, plain, binaryHeaders(typePublished)}
	f.Fuzz(func(t *testing.T, mode int, body []byte) {
		h := headers[uint(mode)%uint(len(headers))]
		ids, err := GCS(h, body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if len(ids) > 1 {
			t.Fatalf("one object event gave %d ids", len(ids))
		}
		for _, id := range ids {
			if !document.ValidID(id) {
				t.Fatalf("invalid id %q", id)
			}
		}
	})
}
