package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// The CloudEvents types of Cloud Storage and Pub/Sub that GCS reads.
const (
	typeFinalized = "google.cloud.storage.object.v1.finalized"
	typePublished = "google.cloud.pubsub.topic.v1.messagePublished"
)

// gcsObject is the part of a Cloud Storage object resource docpipe reads: the data of a
// storage CloudEvent, and the payload of a JSON_API_V1 Pub/Sub notification.
type gcsObject struct {
	Bucket string `json:"bucket"`
	Name   string `json:"name"`
}

// pushMessage is a Pub/Sub push request body, and the data of a messagePublished CloudEvent.
type pushMessage struct {
	Message *struct {
		Data       []byte            `json:"data"` // base64 in JSON
		Attributes map[string]string `json:"attributes"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

// structuredEvent is a CloudEvent in structured mode (application/cloudevents+json).
type structuredEvent struct {
	SpecVersion string          `json:"specversion"`
	Type        string          `json:"type"`
	Data        json.RawMessage `json:"data"`
	DataBase64  []byte          `json:"data_base64"`
}

// GCS returns the id of the document whose original a Cloud Storage event reports finalized,
// or none for events about other objects or of other kinds. It reads the three ways such an
// event reaches an HTTP endpoint:
//
//   - a CloudEvent from Eventarc, in binary mode (ce-* headers, the object as the body) or
//     structured mode (application/cloudevents+json), of type
//     google.cloud.storage.object.v1.finalized;
//   - the same wrapped by Pub/Sub: a google.cloud.pubsub.topic.v1.messagePublished CloudEvent
//     whose message is a Cloud Storage notification;
//   - a plain Pub/Sub push request carrying a Cloud Storage notification (eventType attribute
//     OBJECT_FINALIZE, the object resource as the data).
//
// Anything else is ErrMalformed.
func GCS(h http.Header, body []byte) ([]string, error) {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case mt == "application/cloudevents+json":
		var e structuredEvent
		if err := decodeStrict(body, &e); err != nil {
			return nil, fmt.Errorf("%w: structured CloudEvent: %v", ErrMalformed, err)
		}
		if e.SpecVersion != "1.0" {
			return nil, fmt.Errorf("%w: CloudEvents specversion %q, want 1.0", ErrMalformed, e.SpecVersion)
		}
		data := []byte(e.Data)
		if e.DataBase64 != nil {
			data = e.DataBase64
		}
		return cloudEvent(e.Type, data)
	case h.Get("Ce-Specversion") != "":
		if v := h.Get("Ce-Specversion"); v != "1.0" {
			return nil, fmt.Errorf("%w: CloudEvents specversion %q, want 1.0", ErrMalformed, v)
		}
		return cloudEvent(h.Get("Ce-Type"), body)
	}
	return pubsubPush(body)
}

func cloudEvent(typ string, data []byte) ([]string, error) {
	switch typ {
	case typeFinalized:
		var o gcsObject
		if err := decodeStrict(data, &o); err != nil {
			return nil, fmt.Errorf("%w: storage event data: %v", ErrMalformed, err)
		}
		return objectIDs(o)
	case typePublished:
		return pubsubPush(data)
	case "":
		return nil, fmt.Errorf("%w: CloudEvent without a type", ErrMalformed)
	}
	if strings.HasPrefix(typ, "google.cloud.storage.object.v1.") {
		return nil, nil // archived, deleted, metadata updated: nothing to OCR
	}
	return nil, fmt.Errorf("%w: CloudEvent type %q", ErrMalformed, typ)
}

// pubsubPush reads a Pub/Sub push body holding a Cloud Storage notification.
func pubsubPush(body []byte) ([]string, error) {
	var p pushMessage
	if err := decodeStrict(body, &p); err != nil {
		return nil, fmt.Errorf("%w: Pub/Sub push: %v", ErrMalformed, err)
	}
	if p.Message == nil {
		return nil, fmt.Errorf("%w: Pub/Sub push without a message", ErrMalformed)
	}
	a := p.Message.Attributes
	if a["eventType"] == "" || a["objectId"] == "" {
		return nil, fmt.Errorf("%w: Pub/Sub message is not a Cloud Storage notification", ErrMalformed)
	}
	if a["eventType"] != "OBJECT_FINALIZE" {
		return nil, nil
	}
	o := gcsObject{Bucket: a["bucketId"], Name: a["objectId"]}
	if a["payloadFormat"] == "JSON_API_V1" && len(p.Message.Data) > 0 {
		var payload gcsObject
		if err := decodeStrict(p.Message.Data, &payload); err != nil {
			return nil, fmt.Errorf("%w: notification payload: %v", ErrMalformed, err)
		}
		if payload.Name != o.Name {
			return nil, fmt.Errorf("%w: notification names object %q, its attributes %q", ErrMalformed, payload.Name, o.Name)
		}
	}
	return objectIDs(o)
}

func objectIDs(o gcsObject) ([]string, error) {
	if o.Name == "" {
		return nil, fmt.Errorf("%w: event names no object", ErrMalformed)
	}
	id, ok, err := documentID(o.Name)
	if err != nil || !ok {
		return nil, err
	}
	return []string{id}, nil
}

// decodeStrict decodes one JSON value, refusing trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}
