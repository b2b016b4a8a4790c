package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
)

// A Backend keeps documents in one database for a Store: it runs the queries and transactions,
// ranks search matches and claims jobs. The Store checks every input before a Backend sees it
// and wraps the errors it returns, so a Backend validates nothing the Store has and adds no
// prefix of its own. Where a method's doc says nothing else, it is the Store method of the
// same name.
type Backend interface {
	// Name names the backend in errors ("sqlite", "postgres", …).
	Name() string
	// Create inserts d, as Prepare made it, queued with a job ready now. An existing ID is
	// document.ErrConflict. When d has a SHA256 that another of the owner's documents has, it
	// returns a *document.DuplicateError and inserts nothing, even when two such Creates race.
	Create(ctx context.Context, d document.Document) error
	// Duplicate is given a sha that is not empty.
	Duplicate(ctx context.Context, owner, sha string) (document.Document, error)
	Get(ctx context.Context, owner, id string) (document.Document, error)
	// Update is given a checked change. A done document's labels are searched as soon as it
	// returns; one that is not done has them indexed when it is.
	Update(ctx context.Context, owner, id string, ch document.Change) (document.Document, error)
	// List returns at most n of the owner's documents that f keeps, newest first and then by
	// descending ID (by date, latest first, before that when f.ByDate), those after the cursor
	// only unless it is zero.
	List(ctx context.Context, owner string, f ListFilter, after Cursor, n int) ([]document.Document, error)
	// Text returns the document and, when it is done, its pages in page order, read together.
	Text(ctx context.Context, owner, id string) (document.Document, []document.Page, error)
	// Page returns the document and, when it is done, its page n with the page's layout; a done
	// document without page n is document.ErrNotFound.
	Page(ctx context.Context, owner, id string, n int) (document.Document, document.Page, error)
	Delete(ctx context.Context, owner, id string) (document.Document, error)
	// Reprocess queues the document again if Reprocessable allows it, in one transaction.
	Reprocess(ctx context.Context, owner, id string) (document.Document, error)
	// Search orders the owner's done documents that match q by opt.Sort and returns the window
	// of them that starts at opt.Offset and holds at most opt.Limit. Every clause of q holds
	// words as search.Words finds them; q's Root may be nil (filters alone) or exclude only.
	Search(ctx context.Context, owner string, q search.Query, opt SearchOptions) (Ranked, error)
	// Closest returns the word of owner's done documents, as search.Words finds it in their
	// text or names, that is fewest edits (search.Distance) from word and at most max away, the
	// one in most documents among equals; "" when there is none. It spells a suggestion for a
	// search that finds nothing, and may look only at words that start as word does.
	Closest(ctx context.Context, owner, word string, max int) (string, error)

	// Tags returns the owner's tags, in any order, each with its count of documents.
	Tags(ctx context.Context, owner string) ([]document.Tag, error)
	// PutTag is given clean names, t.Name set, and t.Color empty or valid.
	PutTag(ctx context.Context, owner, name string, t document.Tag) (document.Tag, error)
	DeleteTag(ctx context.Context, owner, name string) error
	// TagDocuments is given valid, distinct ids and clean tag names; it changes the documents
	// with Retag, all or none when it can.
	TagDocuments(ctx context.Context, owner string, ids, add, remove []string) ([]string, error)

	// Rules returns the owner's rules in any order.
	Rules(ctx context.Context, owner string) ([]document.Rule, error)
	// PutRule is given a checked rule with an ID; it adds or replaces it, refusing a new one
	// past document.MaxRules with document.ErrInvalidInput.
	PutRule(ctx context.Context, owner string, r document.Rule) error
	// DeleteRule is given a valid ID.
	DeleteRule(ctx context.Context, owner, id string) error

	// Claim, ClaimDocument and Extend are given a positive lease.
	Claim(ctx context.Context, lease time.Duration) (document.Job, error)
	ClaimDocument(ctx context.Context, id string, lease time.Duration) (document.Job, error)
	Extend(ctx context.Context, job document.Job, lease time.Duration) (document.Job, error)
	// Complete is given pages in page order, their numbers unique and within 1..MaxPage, and
	// their text cleaned, and the date found in them ("" for none). It keeps that date, which
	// becomes the document's Date with document.DateText unless the owner gave one, or, when
	// none was found, the upload day.
	Complete(ctx context.Context, job document.Job, pages []document.Page, found string) error
	// Fail is given a cleaned reason.
	Fail(ctx context.Context, job document.Job, reason string, retryAt time.Time) error

	Stats(ctx context.Context) (Stats, error)
	Ping(ctx context.Context) error
	Close() error
}

// Ranked is a window of a backend's search matches, best first.
type Ranked struct {
	Matches []Match
	Total   int  // documents matching, across all windows
	Capped  bool // more documents match than the backend ranks and counts
}

// A Match is a document that matches a search, with the pages its hit may show: the Store
// shows the first of them that holds a word of the query, or the first. A backend that ranks
// pages gives the best one alone; one that does not gives them all in page order.
type Match struct {
	Document document.Document
	Score    float64 // higher is better
	Pages    []document.Page
}

// Window returns the part of s that starts at offset and holds at most limit elements.
func Window[T any](s []T, offset, limit int) []T {
	lo := min(offset, len(s))
	return s[lo:min(lo+limit, len(s))]
}

// Reprocessable reports why d may not be queued again: only a done or failed document may.
func Reprocessable(d document.Document) error {
	if d.Status != document.StatusDone && d.Status != document.StatusFailed {
		return fmt.Errorf("%w: document is %s", document.ErrConflict, d.Status)
	}
	return nil
}

// Limits of Held: how many of the closest words it asks about, how many of those tied at the
// fewest edits it compares, and the count of documents past which a word counts as common.
const (
	MaxHeldChecks = 20
	maxHeldTied   = 5
	HeldCountCap  = 100
)

// Held returns the closest of the words near to a word (each with its Edits set; unsorted) that
// count says an owner's documents hold, the one in most of them among equals (counted up to
// HeldCountCap); "" when it asks about MaxHeldChecks words and none is held. It serves Backend.Closest
// for backends that know every owner's words but must check which the owner has.
func Held(near []Near, count func(word string) (int, error)) (string, error) {
	SortNear(near)
	var held []Near
	for _, n := range near[:min(len(near), MaxHeldChecks)] {
		if len(held) == maxHeldTied || len(held) > 0 && n.Edits > held[0].Edits {
			break
		}
		docs, err := count(n.Word)
		if err != nil {
			return "", err
		}
		if docs > 0 {
			n.Docs = docs
			held = append(held, n)
		}
	}
	if len(held) == 0 {
		return "", nil
	}
	SortNear(held)
	return held[0].Word, nil
}

// Near is a word a few edits from another, for Backend.Closest.
type Near struct {
	Word  string
	Edits int
	Docs  int // documents that hold it
}

// SortNear orders words fewest edits first, then those in most documents, then by the word.
func SortNear(ns []Near) {
	slices.SortFunc(ns, func(a, b Near) int {
		return cmp.Or(cmp.Compare(a.Edits, b.Edits), cmp.Compare(b.Docs, a.Docs), cmp.Compare(a.Word, b.Word))
	})
}
