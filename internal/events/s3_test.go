package events

import (
	"errors"
	"slices"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

const (
	id1 = "01jd5s6v7x8y9z0a1b2c3d4e5f"
	id2 = "01jd5s6v7x8y9z0a1b2c3d4e5g"
)

func record(name, key string) string {
	return `{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventName":"` + name +
		`","s3":{"bucket":{"name":"docs","arn":"arn:aws:s3:::docs"},"object":{"key":"` + key + `","size":5}}}`
}

func TestS3(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"put", `{"Records":[` + record("ObjectCreated:Put", "originals/"+id1) + `]}`, []string{id1}},
		{"several", `{"Records":[` + record("ObjectCreated:CompleteMultipartUpload", "originals/"+id1) + `,` +
			record("ObjectCreated:Copy", "originals/"+id2) + `]}`, []string{id1, id2}},
		{"url-encoded key", `{"Records":[` + record("ObjectCreated:Put", "originals%2F"+id1) + `]}`, []string{id1}},
		{"removed", `{"Records":[` + record("ObjectRemoved:Delete", "originals/"+id1) + `]}`, nil},
		{"other prefix", `{"Records":[` + record("ObjectCreated:Put", "exports/a+b.csv") + `]}`, nil},
		{"test event", `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-26T04:00:00.000Z","Bucket":"docs"}`, nil},
		{"no records", `{"Records":[]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := S3([]byte(tt.body))
			if err != nil {
				t.Fatalf("S3: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("S3 = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestS3Malformed(t *testing.T) {
	for name, body := range map[string]string{
		"empty":          ``,
		"not JSON":       `hello`,
		"array":          `[1,2]`,
		"trailing data":  `{"Records":[]} {}`,
		"other event":    `{"Event":"s3:Other"}`,
		"other source":   `{"Records":[{"eventSource":"aws:sns","eventName":"ObjectCreated:Put"}]}`,
		"bad escape":     `{"Records":[` + record("ObjectCreated:Put", "originals/%zz") + `]}`,
		"bad id":         `{"Records":[` + record("ObjectCreated:Put", "originals/..%2F..%2Fetc") + `]}`,
		"empty id":       `{"Records":[` + record("ObjectCreated:Put", "originals/") + `]}`,
		"records object": `{"Records":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			ids, err := S3([]byte(body))
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("S3 = %v, %v; want %v", ids, err, ErrMalformed)
			}
		})
	}
}

func FuzzS3(f *testing.F) {
	f.Add(`{"Records":[` + record("ObjectCreated:Put", "originals/"+id1) + `]}`)
	f.Add(`{"Records":[` + record("ObjectCreated:Put", "originals%2F"+id1+"+x") + `]}`)
	f.Add(`{"Event":"s3:TestEvent"}`)
	f.Add(`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete"}]}`)
	f.Add(`{"Records":null}`)
	f.Fuzz(func(t *testing.T, body string) {
		ids, err := S3([]byte(body))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("S3 error %v is not ErrMalformed", err)
			}
			if ids != nil {
				t.Fatalf("S3 = %v with an error", ids)
			}
			return
		}
		for _, id := range ids {
			if !document.ValidID(id) {
				t.Fatalf("S3 returned invalid id %q", id)
			}
		}
	})
}
