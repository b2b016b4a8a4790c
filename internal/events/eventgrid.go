package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// The Event Grid event types of Blob Storage that EventGrid reads.
const (
	typeBlobCreated   = "Microsoft.Storage.BlobCreated"
	typeStoragePrefix = "Microsoft.Storage."
)

// gridEvent is an event in either of Event Grid's schemas: its own (eventType) or CloudEvents
// 1.0 (specversion, type). Both carry the blob in subject.
type gridEvent struct {
	EventType   string          `json:"eventType"`
	SpecVersion string          `json:"specversion"`
	Type        string          `json:"type"`
	Subject     string          `json:"subject"`
	Data        json.RawMessage `json:"data"`
}

// EventGrid returns the ids of the documents whose originals Blob Storage events report created,
// or none for events about other blobs or of other kinds. body is one event or an array of
// them, in the Event Grid schema or the CloudEvents 1.0 schema; their subject names the blob as
// /blobServices/default/containers/CONTAINER/blobs/NAME. Anything else is ErrMalformed.
func EventGrid(body []byte) ([]string, error) {
	var evs []gridEvent
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		if err := decodeStrict(body, &evs); err != nil {
			return nil, fmt.Errorf("%w: Event Grid events: %v", ErrMalformed, err)
		}
	} else {
		var e gridEvent
		if err := decodeStrict(body, &e); err != nil {
			return nil, fmt.Errorf("%w: Event Grid event: %v", ErrMalformed, err)
		}
		evs = []gridEvent{e}
	}
	var ids []string
	for _, e := range evs {
		id, err := e.documentID()
		if err != nil {
			return nil, err
		}
		if id != "" {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// documentID returns the id of the document e reports created, "" if it reports something else.
func (e gridEvent) documentID() (string, error) {
	typ := e.EventType
	if e.SpecVersion != "" {
		if e.SpecVersion != "1.0" {
			return "", fmt.Errorf("%w: CloudEvents specversion %q, want 1.0", ErrMalformed, e.SpecVersion)
		}
		typ = e.Type
	}
	switch {
	case typ == "":
		return "", fmt.Errorf("%w: event without a type", ErrMalformed)
	case typ != typeBlobCreated && strings.HasPrefix(typ, typeStoragePrefix):
		return "", nil // deleted, tier changed, renamed: nothing to OCR
	case typ != typeBlobCreated:
		return "", fmt.Errorf("%w: event type %q", ErrMalformed, typ)
	}
	_, name, ok := strings.Cut(e.Subject, "/blobs/")
	if !ok || !strings.HasPrefix(e.Subject, "/blobServices/default/containers/") || name == "" {
		return "", fmt.Errorf("%w: subject %q names no blob", ErrMalformed, e.Subject)
	}
	id, ok, err := documentID(name)
	if !ok || err != nil {
		return "", err
	}
	return id, nil
}
