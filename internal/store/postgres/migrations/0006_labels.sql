-- Documents gain the labels their owners give them. title is '' until the owner gives one (the
-- document is then called by its name without the extension); notes are free text. date is
-- the day the document is about, YYYY-MM-DD: the owner's (date_source 'user'), else found_date,
-- the first date in its text ('text'; found_date is '' when there is none), else the day it was
-- uploaded in UTC ('upload'). names now holds the words of the name, the title and the notes.
-- sha256 is looked up per owner to refuse a file the owner already has.
ALTER TABLE documents
	ADD COLUMN title text NOT NULL DEFAULT '',
	ADD COLUMN notes text NOT NULL DEFAULT '',
	ADD COLUMN date text NOT NULL DEFAULT '',
	ADD COLUMN date_source text NOT NULL DEFAULT 'upload' CHECK (date_source IN ('user', 'text', 'upload')),
	ADD COLUMN found_date text NOT NULL DEFAULT '';

UPDATE documents SET date = to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD');

CREATE INDEX documents_owner_sha256 ON documents (owner, sha256);
CREATE INDEX documents_owner_date ON documents (owner, date);
