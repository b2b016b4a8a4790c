package cosmos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

// errUnchanged ends an update that has nothing to write.
var errUnchanged = errors.New("unchanged")

// tagItem is one of an owner's tags, with the id tagID(owner, name).
type tagItem struct {
	ID    string      `json:"id"`
	Owner string      `json:"owner"`
	Type  string      `json:"type"`
	Name  string      `json:"name"`
	Color string      `json:"color"`
	ETag  azcore.ETag `json:"_etag,omitempty"`
}

// tagID is the id of owner's tag name.
func tagID(owner, name string) string { return ownedID("tag", owner, name) }

// tagItems reads the owner's tags.
func (s *backend) tagItems(ctx context.Context, owner string) ([]tagItem, error) {
	return query[tagItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner),
		`SELECT * FROM c WHERE c.type = @type AND c.owner = @owner`, param("@type", typeTag), param("@owner", owner))
}

// createTag adds the tag t to the owner's; a tag of the same name is document.ErrConflict, and
// one that makes more than document.MaxTags is document.ErrInvalidInput.
func (s *backend) createTag(ctx context.Context, owner string, t document.Tag) error {
	body, err := json.Marshal(tagItem{ID: tagID(owner, t.Name), Owner: owner, Type: typeTag, Name: t.Name, Color: t.Color})
	if err != nil {
		return err
	}
	_, err = s.c.CreateItem(ctx, azcosmos.NewPartitionKeyString(owner), body, nil)
	if status(err) == http.StatusConflict {
		return fmt.Errorf("%w: there is a tag %q already", document.ErrConflict, t.Name)
	}
	if err != nil {
		return err
	}
	tags, err := s.tagItems(ctx, owner)
	if err != nil {
		return err
	}
	if len(tags) > document.MaxTags {
		_, _ = s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(owner), tagID(owner, t.Name), nil)
		return fmt.Errorf("%w: an owner may have at most %d tags", document.ErrInvalidInput, document.MaxTags)
	}
	return nil
}

// ensureTags adds the tags the owner does not have yet, in their default colours.
func (s *backend) ensureTags(ctx context.Context, owner string, names []string) error {
	for _, n := range names {
		err := s.createTag(ctx, owner, document.Tag{Name: n, Color: document.DefaultColor(n)})
		if err != nil && !errors.Is(err, document.ErrConflict) {
			return err
		}
	}
	return nil
}

// Tags returns the owner's tags with their counts of documents.
func (s *backend) Tags(ctx context.Context, owner string) ([]document.Tag, error) {
	items, err := s.tagItems(ctx, owner)
	if err != nil {
		return nil, err
	}
	docs, err := query[docItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner),
		`SELECT c.tags FROM c WHERE c.type = @type AND c.owner = @owner`, param("@type", typeDoc), param("@owner", owner))
	if err != nil {
		return nil, err
	}
	counts := make(map[string]int)
	for _, d := range docs {
		for _, t := range d.Tags {
			counts[t]++
		}
	}
	tags := make([]document.Tag, len(items))
	for i, it := range items {
		tags[i] = document.Tag{Name: it.Name, Color: it.Color, Documents: counts[it.Name]}
	}
	return tags, nil
}

// PutTag creates or changes one of the owner's tags, renaming it on the owner's documents.
func (s *backend) PutTag(ctx context.Context, owner, name string, t document.Tag) (document.Tag, error) {
	pk := azcosmos.NewPartitionKeyString(owner)
	resp, err := s.c.ReadItem(ctx, pk, tagID(owner, name), nil)
	if status(err) == http.StatusNotFound {
		if t.Color == "" {
			t.Color = document.DefaultColor(t.Name)
		}
		return t, s.createTag(ctx, owner, t)
	}
	if err != nil {
		return t, err
	}
	var cur tagItem
	if err := json.Unmarshal(resp.Value, &cur); err != nil {
		return t, fmt.Errorf("decode tag %q: %w", name, err)
	}
	if t.Color == "" {
		t.Color = cur.Color
	}
	if t.Name == name {
		cur.Color = t.Color
		etag := cur.ETag
		cur.ETag = ""
		body, err := json.Marshal(cur)
		if err != nil {
			return t, err
		}
		_, err = s.c.ReplaceItem(ctx, pk, cur.ID, body, &azcosmos.ItemOptions{IfMatchEtag: &etag})
		if status(err) == http.StatusPreconditionFailed {
			return t, fmt.Errorf("%w: tag %q changed meanwhile; try again", document.ErrConflict, name)
		}
		return t, err
	}
	if err := s.createTag(ctx, owner, t); err != nil {
		return t, err
	}
	if err := s.retagAll(ctx, owner, name, t.Name); err != nil {
		return t, err
	}
	_, err = s.c.DeleteItem(ctx, pk, cur.ID, nil)
	return t, err
}

// retagAll replaces the tag from by to ("" removes it) on every one of the owner's documents.
func (s *backend) retagAll(ctx context.Context, owner, from, to string) error {
	all, err := query[docItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner),
		`SELECT c.id, c.tags FROM c WHERE c.type = @type AND c.owner = @owner`,
		param("@type", typeDoc), param("@owner", owner))
	if err != nil {
		return err
	}
	docs := slices.DeleteFunc(all, func(it docItem) bool { return !slices.Contains(it.Tags, from) })
	var add []string
	if to != "" {
		add = []string{to}
	}
	for _, d := range docs {
		_, err := s.update(ctx, owner, d.ID, func(it *docItem) error {
			if !slices.Contains(it.Tags, from) {
				return errUnchanged
			}
			tags, err := store.Retag(it.Tags, add, []string{from})
			it.Tags, it.Updated = tags, max(micros(s.now()), it.Updated)
			return err
		})
		if errors.Is(err, errUnchanged) {
			continue
		}
		if err != nil && !errors.Is(err, document.ErrNotFound) {
			return err
		}
	}
	return nil
}

// DeleteTag removes one of the owner's tags from the owner's documents, then from its tags.
func (s *backend) DeleteTag(ctx context.Context, owner, name string) error {
	if _, err := s.c.ReadItem(ctx, azcosmos.NewPartitionKeyString(owner), tagID(owner, name), nil); status(err) == http.StatusNotFound {
		return fmt.Errorf("%w: tag %q", document.ErrNotFound, name)
	} else if err != nil {
		return err
	}
	if err := s.retagAll(ctx, owner, name, ""); err != nil {
		return err
	}
	_, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(owner), tagID(owner, name), nil)
	if status(err) == http.StatusNotFound {
		return nil
	}
	return err
}

// TagDocuments changes the tags of the owner's documents ids, one conditional replace each. It
// checks every document first, so that one that would hold too many tags changes none.
func (s *backend) TagDocuments(ctx context.Context, owner string, ids, add, remove []string) ([]string, error) {
	var found []string
	for _, id := range ids {
		it, err := s.readDoc(ctx, owner, id)
		if errors.Is(err, document.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, err := store.Retag(it.Tags, add, remove); err != nil {
			return nil, err
		}
		found = append(found, id)
	}
	if len(add) == 0 && len(remove) == 0 {
		return found, nil
	}
	if err := s.ensureTags(ctx, owner, add); err != nil {
		return nil, err
	}
	for _, id := range found {
		_, err := s.update(ctx, owner, id, func(it *docItem) error {
			tags, err := store.Retag(it.Tags, add, remove)
			if slices.Equal(tags, it.Tags) {
				return errUnchanged
			}
			it.Tags, it.Updated = tags, max(micros(s.now()), it.Updated)
			return err
		})
		if errors.Is(err, errUnchanged) {
			continue
		}
		if err != nil && !errors.Is(err, document.ErrNotFound) {
			return nil, err
		}
	}
	return found, nil
}

// ruleItem is one of an owner's rules, with the id ruleID(owner, its ID).
type ruleItem struct {
	ID    string        `json:"id"`
	Owner string        `json:"owner"`
	Type  string        `json:"type"`
	Rule  document.Rule `json:"rule"`
}

// ruleID is the id of owner's rule id, whatever ID a client gives a rule.
func ruleID(owner, id string) string { return ownedID("rule", owner, id) }

// Rules returns the owner's rules.
func (s *backend) Rules(ctx context.Context, owner string) ([]document.Rule, error) {
	items, err := query[ruleItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner),
		`SELECT * FROM c WHERE c.type = @type AND c.owner = @owner`, param("@type", typeRule), param("@owner", owner))
	rules := make([]document.Rule, len(items))
	for i, it := range items {
		rules[i] = it.Rule
	}
	return rules, err
}

// PutRule adds or replaces one of the owner's rules.
func (s *backend) PutRule(ctx context.Context, owner string, r document.Rule) error {
	pk := azcosmos.NewPartitionKeyString(owner)
	_, err := s.c.ReadItem(ctx, pk, ruleID(owner, r.ID), nil)
	if status(err) == http.StatusNotFound {
		rules, err := s.Rules(ctx, owner)
		if err != nil {
			return err
		}
		if len(rules) >= document.MaxRules {
			return fmt.Errorf("%w: an owner may have at most %d rules", document.ErrInvalidInput, document.MaxRules)
		}
	} else if err != nil {
		return err
	}
	body, err := json.Marshal(ruleItem{ID: ruleID(owner, r.ID), Owner: owner, Type: typeRule, Rule: r})
	if err != nil {
		return err
	}
	_, err = s.c.UpsertItem(ctx, pk, body, nil)
	return err
}

// DeleteRule removes one of the owner's rules.
func (s *backend) DeleteRule(ctx context.Context, owner, id string) error {
	_, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(owner), ruleID(owner, id), nil)
	if status(err) == http.StatusNotFound {
		return fmt.Errorf("%w: rule %s", document.ErrNotFound, id)
	}
	return err
}
