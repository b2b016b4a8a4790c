package cosmos

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/document"
)

// Item types.
const (
	typeDoc  = "doc"
	typePage = "page"
	typeTurn = "turn"
	typeSHA  = "sha"
	typeTag  = "tag"
	typeRule = "rule"
)

// docItem is a document and its job, if it has one.
type docItem struct {
	ID    string      `json:"id"`
	Owner string      `json:"owner"`
	Type  string      `json:"type"`
	ETag  azcore.ETag `json:"_etag,omitempty"`

	// Key orders List: the creation time in fixed-width microseconds, then the ID, so that one
	// property sorts (the container has no composite index).
	Key         string `json:"key"`
	Name        string `json:"name"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	BlobKey     string `json:"blobKey"`
	Status      string `json:"status"`
	Error       string `json:"error"`
	Pages       int    `json:"pages"`
	Lang        string `json:"lang,omitempty"`
	Attempts    int    `json:"attempts"`
	Created     int64  `json:"created"`
	Updated     int64  `json:"updated"`
	Gen         string `json:"gen"` // generation of the pages of a done document
	// NameWords are the words of the labels and their stems (search.LabelWords), written when
	// the document is done and when its labels change after, for Search to select candidates by.
	NameWords []string `json:"nameWords,omitempty"`
	// Title is the owner's title, "" for none. Date is YYYY-MM-DD as document.Document has it,
	// "" in items written before documents had dates (they are dated the day they were
	// uploaded); FoundDate is the date found in the text, "" for none.
	Title      string `json:"title,omitempty"`
	Notes      string `json:"notes,omitempty"`
	Date       string `json:"date,omitempty"`
	DateSource string `json:"dateSource,omitempty"`
	FoundDate  string `json:"foundDate,omitempty"`
	// Tags are the names of the owner's tags the document has, sorted.
	Tags []string `json:"tags,omitempty"`

	Job      bool   `json:"job"`
	JobID    string `json:"jobId,omitempty"`
	Token    string `json:"token,omitempty"` // empty while the job waits
	Attempt  int    `json:"attempt,omitempty"`
	Due      int64  `json:"due,omitempty"` // ready from then: the lease's end or the retry time
	Enqueued int64  `json:"enqueued,omitempty"`
}

func (it *docItem) document() document.Document {
	d := document.Document{
		ID:          it.ID,
		Owner:       it.Owner,
		Name:        it.Name,
		ContentType: it.ContentType,
		Size:        it.Size,
		SHA256:      it.SHA256,
		BlobKey:     it.BlobKey,
		Status:      document.Status(it.Status),
		Error:       it.Error,
		Pages:       it.Pages,
		Lang:        it.Lang,
		Attempts:    it.Attempts,
		CreatedAt:   fromMicros(it.Created),
		UpdatedAt:   fromMicros(it.Updated),
		Notes:       it.Notes,
		Tags:        it.Tags,
	}
	d.Labels(it.Title, it.Date, it.DateSource)
	return d
}

// labels returns the text of its labels, for matching a query's clauses as a page's text is.
func (it *docItem) labels() string {
	return document.DefaultTitle(it.Name) + "\n" + it.Title + "\n" + it.Notes
}

// enqueue gives the document a new job, ready at now.
func (it *docItem) enqueue(now int64) {
	it.Job, it.JobID, it.Token, it.Attempt, it.Due, it.Enqueued = true, document.NewID(fromMicros(now)), "", 0, now, now
}

// dequeue removes the document's job.
func (it *docItem) dequeue() {
	it.Job, it.JobID, it.Token, it.Attempt, it.Due, it.Enqueued = false, "", "", 0, 0, 0
}

// holds reports whether job's lease is the one the item records.
func (it *docItem) holds(job document.Job) bool {
	return it.Job && job.Token != "" && it.Token == job.Token && it.JobID == job.ID
}

// listKey is the value of docItem.Key for a document created at us microseconds.
func listKey(us int64, id string) string {
	return fmt.Sprintf("%017d:%s", us, id)
}

// shaItem records which of its owner's documents holds the bytes with a SHA-256 sum, so that
// of two Creates of the same bytes only one, the one that creates it, goes on. An owner has one
// per sum, with the id shaID(owner, sum).
type shaItem struct {
	ID    string      `json:"id"`
	Owner string      `json:"owner"`
	Type  string      `json:"type"`
	Doc   string      `json:"doc"`
	ETag  azcore.ETag `json:"_etag,omitempty"`
	TS    int64       `json:"_ts,omitempty"` // seconds since 1970 of the last write
}

// shaID is the id of owner's shaItem for sum.
func shaID(owner, sum string) string { return ownedID("sha", owner, sum) }

// ownedID is the id of the item of an owner's that key names among those of a kind: unique across
// the container, as turnID is, and made only of characters an id may hold whatever owner and key
// are.
func ownedID(kind, owner, key string) string {
	h := sha256.Sum256([]byte(owner + "\x00" + key))
	return kind + "-" + hex.EncodeToString(h[:])
}

// turnItem records when a job of its owner's was last claimed, the turn Claim orders owners by.
// An owner has at most one, with the id turnID(owner).
type turnItem struct {
	ID      string `json:"id"`
	Owner   string `json:"owner"`
	Type    string `json:"type"`
	Claimed int64  `json:"claimed"`
}

// turnID is the id of owner's turn item: never a document's ID, made only of characters an id
// may hold whatever the owner's name, and distinct for each owner, so that it is unique across
// the container as well as in the owner's partition (the emulator does not scope ids to a
// partition).
func turnID(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	return "turn-" + hex.EncodeToString(sum[:])
}

// pageItem is the text of one page of one generation of a document.
type pageItem struct {
	ID         string   `json:"id"`
	Owner      string   `json:"owner"`
	Type       string   `json:"type"`
	Doc        string   `json:"doc"`
	Gen        string   `json:"gen"`
	Number     int      `json:"number"`
	Text       string   `json:"text"`
	Confidence float64  `json:"confidence"`
	Source     string   `json:"source"`
	Words      []string `json:"words"`            // distinct, as search.Words finds them
	Stems      []string `json:"stems,omitempty"`  // distinct stems of the words in the document's languages
	Layout     []byte   `json:"layout,omitempty"` // document.Layout's binary form
}

func pageID(doc, gen string, number int) string {
	return doc + "." + gen + "." + strconv.Itoa(number)
}

// readDoc reads one of owner's documents.
func (s *backend) readDoc(ctx context.Context, owner, id string) (docItem, error) {
	if !document.ValidID(id) {
		return docItem{}, document.ErrNotFound
	}
	resp, err := s.c.ReadItem(ctx, azcosmos.NewPartitionKeyString(owner), id, nil)
	if status(err) == http.StatusNotFound {
		return docItem{}, document.ErrNotFound
	}
	if err != nil {
		return docItem{}, err
	}
	var it docItem
	if err := json.Unmarshal(resp.Value, &it); err != nil {
		return docItem{}, fmt.Errorf("decode document %s: %w", id, err)
	}
	if it.Type != typeDoc || it.Owner != owner {
		return docItem{}, document.ErrNotFound
	}
	return it, nil
}

// findDoc reads the document id of whichever owner it has, with a cross-partition query.
func (s *backend) findDoc(ctx context.Context, id string) (docItem, error) {
	if !document.ValidID(id) {
		return docItem{}, document.ErrNotFound
	}
	its, err := query[docItem](ctx, s.c, azcosmos.NewPartitionKey(),
		`SELECT * FROM c WHERE c.type = @type AND c.id = @id`,
		param("@type", typeDoc), param("@id", id))
	if err != nil {
		return docItem{}, err
	}
	if len(its) == 0 {
		return docItem{}, document.ErrNotFound
	}
	return its[0], nil
}

// replaceDoc writes it over the stored item if that is still the version it was read as;
// errChanged if another write came first, document.ErrNotFound if the item is gone.
func (s *backend) replaceDoc(ctx context.Context, it *docItem) error {
	etag := it.ETag
	body, err := json.Marshal(it)
	if err != nil {
		return err
	}
	resp, err := s.c.ReplaceItem(ctx, azcosmos.NewPartitionKeyString(it.Owner), it.ID, body,
		&azcosmos.ItemOptions{IfMatchEtag: &etag, EnableContentResponseOnWrite: true})
	switch status(err) {
	case 0:
	case http.StatusPreconditionFailed:
		return errChanged
	case http.StatusNotFound:
		return document.ErrNotFound
	default:
		return err
	}
	var stored docItem
	if err := json.Unmarshal(resp.Value, &stored); err == nil && stored.ETag != "" {
		it.ETag = stored.ETag
	}
	return nil
}

// update reads one of owner's documents and applies change to it until the write is not
// overtaken by another, at most a few times.
func (s *backend) update(ctx context.Context, owner, id string, change func(*docItem) error) (docItem, error) {
	for range 20 {
		it, err := s.readDoc(ctx, owner, id)
		if err != nil {
			return docItem{}, err
		}
		if err := change(&it); err != nil {
			return docItem{}, err
		}
		err = s.replaceDoc(ctx, &it)
		if err == errChanged {
			continue
		}
		return it, err
	}
	return docItem{}, fmt.Errorf("document %s: too many concurrent changes", id)
}

func param(name string, value any) azcosmos.QueryParameter {
	return azcosmos.QueryParameter{Name: name, Value: value}
}

// query runs a parameterised query in the partition pk (empty for all) and decodes every item.
func query[T any](ctx context.Context, c *azcosmos.ContainerClient, pk azcosmos.PartitionKey, q string, params ...azcosmos.QueryParameter) ([]T, error) {
	pager := c.NewQueryItemsPager(q, pk, &azcosmos.QueryOptions{QueryParameters: params})
	var out []T
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		for _, raw := range page.Items {
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("query: decode: %w", err)
			}
			out = append(out, v)
		}
	}
	return out, nil
}
