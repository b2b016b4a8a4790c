-- Owners tag their documents, by hand and by rules. tags holds each owner's tags and their
-- colours; a document's tags column is the JSON array of the names of its tags, sorted, so that
-- reading a document needs no join and a filter by tag looks only at the candidates' rows.
ALTER TABLE documents ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

CREATE TABLE tags (
	owner TEXT NOT NULL,
	name  TEXT NOT NULL,
	color TEXT NOT NULL,
	PRIMARY KEY (owner, name)
) WITHOUT ROWID;

-- Rules tag an owner's documents that match them; body is the rule as JSON (document.Rule).
CREATE TABLE rules (
	owner TEXT NOT NULL,
	id    TEXT NOT NULL,
	body  TEXT NOT NULL,
	PRIMARY KEY (owner, id)
) WITHOUT ROWID;
