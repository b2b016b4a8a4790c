// Package events turns the notifications of cloud event services into pipeline work: the ids of
// documents whose originals were stored. S3 event notifications arrive through SQS; the same
// decoding serves any transport that carries them, and other clouds' events (Event Grid,
// CloudEvents) get decoders of their own that yield document ids too.
package events

import (
	"errors"
	"fmt"
	"strings"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
)

// ErrMalformed marks a notification that can never be processed, however often it is
// delivered: it is not an event this package understands, or it names no valid document.
var ErrMalformed = errors.New("malformed event")

// documentID returns the document id of the object key of an original, ok false for keys of
// other objects. A key under the originals prefix that holds no valid id is ErrMalformed.
func documentID(key string) (id string, ok bool, err error) {
	id, ok = strings.CutPrefix(key, blob.Key(""))
	if !ok {
		return "", false, nil
	}
	if !document.ValidID(id) {
		return "", false, fmt.Errorf("%w: object key %q holds no document id", ErrMalformed, key)
	}
	return id, true, nil
}
