package cosmos

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// Claim leases a ready job of the owner who holds the fewest live leases, among those the owner
// served least recently, and of that owner's ready jobs the one that has been ready longest, so
// that one owner's batch does not hold up another's documents, even with a single claimer that
// never holds a lease when it claims. The ready and leased jobs of all owners and the owners'
// turn items come from one cross-partition query, counted and ordered here; each job is read
// again and claimed with a conditional replace, and a claimer that loses one to another moves
// on to the next.
//
// An owner's last claim is kept in a turn item of its own, in the owner's partition, rather
// than read from the job items the query returns: a job item stops being a job when it is
// done, so with one claimer, which completes each job before it claims the next, no job would
// be left to tell that its owner was just served. The turn item outlives the jobs, costs one
// upsert per claim, and comes back from the same query, so ordering by it takes no extra
// round trip; the query returns one small item per owner ever served besides the jobs.
func (s *backend) Claim(ctx context.Context, lease time.Duration) (document.Job, error) {
	type item struct {
		ID      string `json:"id"`
		Owner   string `json:"owner"`
		Type    string `json:"type"`
		Token   string `json:"token"`
		Due     int64  `json:"due"`
		Claimed int64  `json:"claimed"`
	}
	now := micros(s.now())
	items, err := query[item](ctx, s.c, azcosmos.NewPartitionKey(), claimQuery,
		param("@type", typeDoc), param("@turn", typeTurn), param("@now", now))
	if err != nil {
		return document.Job{}, err
	}
	leased := make(map[string]int)
	turns := make(map[string]int64) // an owner never served has none: 0, first
	var ready []item
	for _, it := range items {
		switch {
		case it.Type == typeTurn:
			turns[it.Owner] = it.Claimed
		case it.Due <= now:
			ready = append(ready, it)
		case it.Token != "":
			leased[it.Owner]++
		}
	}
	slices.SortFunc(ready, func(a, b item) int {
		return cmp.Or(cmp.Compare(leased[a.Owner], leased[b.Owner]), cmp.Compare(turns[a.Owner], turns[b.Owner]),
			cmp.Compare(a.Due, b.Due), cmp.Compare(a.ID, b.ID))
	})
	for _, r := range ready {
		it, err := s.readDoc(ctx, r.Owner, r.ID)
		if errors.Is(err, document.ErrNotFound) {
			continue
		}
		if err != nil {
			return document.Job{}, err
		}
		if !it.Job || it.Due > micros(s.now()) {
			continue
		}
		j, err := s.lease(ctx, &it, lease)
		if errors.Is(err, errChanged) || errors.Is(err, document.ErrNotFound) {
			continue
		}
		if err != nil {
			return document.Job{}, err
		}
		return j, nil
	}
	return document.Job{}, document.ErrNoJob
}

// claimQuery finds, in every partition, the jobs ready at @now and those leased (a job waiting
// to be retried has no token), and the owners' turn items. The gateway serves it (no ORDER BY,
// TOP or aggregate), as azcosmos needs of a cross-partition query.
const claimQuery = `SELECT c.id, c.owner, c.type, c.token, c.due, c.claimed FROM c
	WHERE (c.type = @type AND c.job = true AND (c.due <= @now OR IS_DEFINED(c.token))) OR c.type = @turn`

// lease takes over the job of it, as read, for lease from now, and records the owner's turn.
func (s *backend) lease(ctx context.Context, it *docItem, lease time.Duration) (document.Job, error) {
	now := s.now()
	it.Token, it.Attempt, it.Due = rand.Text(), it.Attempt+1, micros(now.Add(lease))
	it.Status, it.Attempts, it.Updated = string(document.StatusProcessing), it.Attempt, max(micros(now), it.Updated)
	if err := s.replaceDoc(ctx, it); err != nil {
		return document.Job{}, err
	}
	s.served(ctx, it.Owner, it.ID, now)
	return document.Job{
		ID: it.JobID, DocumentID: it.ID, Owner: it.Owner, BlobKey: it.BlobKey, MediaType: it.ContentType, Lang: it.Lang,
		Attempt: it.Attempt, Token: it.Token, LeaseUntil: fromMicros(it.Due), EnqueuedAt: fromMicros(it.Enqueued),
	}, nil
}

// served records that a job of owner's (that of document id) was claimed at now. It follows the
// claim rather than sharing a write with it, since a claim is one conditional replace of one
// item; it is an upsert, the last of concurrent claims for one owner winning, which is off by
// no more than the time between them. It only orders later claims, so a failure is logged
// and the claim stands: the owner may then be served once more out of turn.
func (s *backend) served(ctx context.Context, owner, id string, now time.Time) {
	body, err := json.Marshal(turnItem{ID: turnID(owner), Owner: owner, Type: typeTurn, Claimed: micros(now)})
	if err == nil {
		_, err = s.c.UpsertItem(ctx, azcosmos.NewPartitionKeyString(owner), body, nil)
	}
	if err != nil {
		slog.WarnContext(ctx, "cosmos: record the owner's turn", "document", id, "err", err)
	}
}

// ClaimDocument leases the job of the document id if it is ready. Of two workers told about the
// same document, one wins the conditional replace and the other reads the job again and finds
// it leased. Like Claim, it records the owner's turn.
func (s *backend) ClaimDocument(ctx context.Context, id string, lease time.Duration) (document.Job, error) {
	for range 20 {
		it, err := s.findDoc(ctx, id)
		if err != nil {
			return document.Job{}, err
		}
		if !it.Job {
			return document.Job{}, document.ErrNoJob
		}
		if it.Due > micros(s.now()) {
			return document.Job{}, &document.NotReadyError{Due: fromMicros(it.Due)}
		}
		j, err := s.lease(ctx, &it, lease)
		if !errors.Is(err, errChanged) {
			return j, err
		}
	}
	return document.Job{}, errors.New("too many concurrent claims")
}

// held applies change to the job's document if the job's lease is held; document.ErrLeaseLost
// if it is not.
func (s *backend) held(ctx context.Context, job document.Job, change func(*docItem)) (docItem, error) {
	it, err := s.update(ctx, job.Owner, job.DocumentID, func(it *docItem) error {
		if !it.holds(job) {
			return document.ErrLeaseLost
		}
		change(it)
		return nil
	})
	if errors.Is(err, document.ErrNotFound) {
		return docItem{}, document.ErrLeaseLost
	}
	return it, err
}

// Extend pushes the job's lease to lease from now.
func (s *backend) Extend(ctx context.Context, job document.Job, lease time.Duration) (document.Job, error) {
	it, err := s.held(ctx, job, func(it *docItem) { it.Due = micros(s.now().Add(lease)) })
	if err != nil {
		return document.Job{}, err
	}
	job.LeaseUntil = fromMicros(it.Due)
	return job, nil
}

// Complete writes the pages as a new generation named by the job's token, then marks the
// document done with that generation and removes the job if the lease is still held, then
// removes the other generations' pages.
func (s *backend) Complete(ctx context.Context, job document.Job, pages []document.Page, found string) error {
	it, err := s.readDoc(ctx, job.Owner, job.DocumentID)
	if err != nil || !it.holds(job) {
		return document.ErrLeaseLost
	}
	gen := job.Token
	pk := azcosmos.NewPartitionKeyString(job.Owner)
	for _, p := range pages {
		layout, err := store.LayoutBytes(p.Layout)
		if err != nil {
			return fmt.Errorf("page %d: %w", p.Number, err)
		}
		words := distinctWords(p.Text)
		body, err := json.Marshal(pageItem{
			ID: pageID(job.DocumentID, gen, p.Number), Owner: job.Owner, Type: typePage, Doc: job.DocumentID, Gen: gen,
			Number: p.Number, Text: p.Text, Confidence: p.Confidence, Source: p.Source, Words: words,
			Stems: distinctStems(words, it.Lang), Layout: layout,
		})
		if err != nil {
			return err
		}
		if _, err := s.c.UpsertItem(ctx, pk, body, nil); err != nil {
			return fmt.Errorf("page %d: %w", p.Number, err)
		}
	}
	_, err = s.held(ctx, job, func(it *docItem) {
		it.Status, it.Error, it.Pages, it.Gen, it.Updated = string(document.StatusDone), "", len(pages), gen, max(micros(s.now()), it.Updated)
		it.NameWords = search.LabelWords(it.Lang, it.Name, it.Title, it.Notes)
		it.FoundDate = found
		if it.DateSource != document.DateUser {
			it.Date, it.DateSource = found, document.DateText
			if found == "" {
				it.Date, it.DateSource = document.Day(fromMicros(it.Created)), document.DateUpload
			}
		}
		it.dequeue()
	})
	if err != nil {
		if errors.Is(err, document.ErrLeaseLost) {
			s.dropPagesOf(ctx, job.Owner, job.DocumentID, gen)
		}
		return err
	}
	s.dropPages(ctx, job.Owner, job.DocumentID, gen)
	return nil
}

// dropPagesOf removes the pages of generation gen, which lost its lease before it was named.
func (s *backend) dropPagesOf(ctx context.Context, owner, id, gen string) {
	ps, err := s.pages(ctx, owner, []string{id})
	if err != nil {
		return
	}
	for _, p := range ps {
		if p.Gen == gen {
			_, _ = s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(owner), p.ID, nil)
		}
	}
}

// distinctWords returns the distinct words of text, in order of first use.
func distinctWords(text string) []string {
	seen := make(map[string]bool)
	words := []string{}
	for _, w := range search.Words(text) {
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

// distinctStems returns the distinct stems in lang of the distinct words that differ from
// every word.
func distinctStems(words []string, lang string) []string {
	seen := make(map[string]bool, len(words))
	for _, w := range words {
		seen[w] = true
	}
	var stems []string
	for _, w := range words {
		for _, st := range search.Stems(lang, w) {
			if !seen[st] {
				seen[st] = true
				stems = append(stems, st)
			}
		}
	}
	return stems
}

// Fail records a failed attempt: with retryAt the job waits until then, without it the document
// fails for good.
func (s *backend) Fail(ctx context.Context, job document.Job, reason string, retryAt time.Time) error {
	_, err := s.held(ctx, job, func(it *docItem) {
		it.Error, it.Updated = reason, max(micros(s.now()), it.Updated)
		if retryAt.IsZero() {
			it.Status = string(document.StatusFailed)
			it.dequeue()
			return
		}
		it.Status, it.Token, it.Due = string(document.StatusQueued), "", micros(retryAt)
	})
	return err
}

// Stats counts the jobs. A job whose lease ran out counts as queued, and OldestAge is how long
// the longest-ready job has been waiting to be claimed.
func (s *backend) Stats(ctx context.Context) (store.Stats, error) {
	type job struct {
		Token string `json:"token"`
		Due   int64  `json:"due"`
	}
	jobs, err := query[job](ctx, s.c, azcosmos.NewPartitionKey(),
		`SELECT c.token, c.due FROM c WHERE c.type = @type AND c.job = true`, param("@type", typeDoc))
	if err != nil {
		return store.Stats{}, err
	}
	var st store.Stats
	now := micros(s.now())
	oldest := int64(-1)
	for _, j := range jobs {
		if j.Token != "" && j.Due > now {
			st.Processing++
			continue
		}
		st.Queued++
		if j.Due <= now && (oldest < 0 || j.Due < oldest) {
			oldest = j.Due
		}
	}
	if oldest >= 0 {
		st.OldestAge = time.Duration(now-oldest) * time.Microsecond
	}
	return st, nil
}
