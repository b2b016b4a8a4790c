package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// s3Notification is the part of an S3 event notification docpipe reads. The same JSON is the
// body of the SQS message S3 sends; s3:TestEvent, which S3 sends once when the notification is
// configured, has no Records but an Event field.
type s3Notification struct {
	Records []s3Record `json:"Records"`
	Event   string     `json:"Event"`
}

type s3Record struct {
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
	S3          struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key string `json:"key"`
		} `json:"object"`
	} `json:"s3"`
}

// S3 returns the ids of the documents whose originals an S3 event notification reports
// created, in the order of its records. Object keys in notifications are URL-encoded (a space
// is "+"); they are decoded first. Records of other events and keys outside the originals
// prefix are skipped, and s3:TestEvent yields no ids. Anything that is not an S3 notification,
// or names an original without a valid id, is ErrMalformed.
func S3(body []byte) ([]string, error) {
	var n s3Notification
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&n); err != nil {
		return nil, fmt.Errorf("%w: not S3 event JSON: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the S3 event JSON", ErrMalformed)
	}
	if n.Records == nil {
		if n.Event == "s3:TestEvent" {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: no Records in the S3 event", ErrMalformed)
	}
	var ids []string
	for i, r := range n.Records {
		if r.EventSource != "aws:s3" {
			return nil, fmt.Errorf("%w: record %d: event source %q, want aws:s3", ErrMalformed, i, r.EventSource)
		}
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: record %d: object key %q: %v", ErrMalformed, i, r.S3.Object.Key, err)
		}
		id, ok, err := documentID(key)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", i, err)
		}
		if ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
