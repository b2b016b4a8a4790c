-- Owners tag their documents, by hand and by rules. tags holds each owner's tags and their
-- colours; a document's tags column holds the names of its tags, sorted, indexed for filters
-- by tag.
ALTER TABLE documents ADD COLUMN tags text[] NOT NULL DEFAULT '{}';

CREATE INDEX documents_tags ON documents USING gin (tags);

CREATE TABLE tags (
	owner text NOT NULL,
	name  text NOT NULL,
	color text NOT NULL,
	PRIMARY KEY (owner, name)
);

-- Rules tag an owner's documents that match them; body is the rule as JSON (document.Rule).
CREATE TABLE rules (
	owner text  NOT NULL,
	id    text  NOT NULL,
	body  jsonb NOT NULL,
	PRIMARY KEY (owner, id)
);
