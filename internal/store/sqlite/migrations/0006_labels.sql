-- Documents gain the labels their owners give them. title is '' until the owner gives one (the
-- document is then called by its name without the extension); notes are free text. date is
-- the day the document is about, YYYY-MM-DD: the owner's (date_source 'user'), else found_date,
-- the first date in its text ('text'; found_date is '' when there is none), else the day it was
-- uploaded ('upload'). The texts row's name column holds the words of the name, the title and
-- the notes. sha256 is looked up per owner to refuse a file the owner already has.
ALTER TABLE documents ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN date TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN date_source TEXT NOT NULL DEFAULT 'upload'
	CHECK (date_source IN ('user', 'text', 'upload'));
ALTER TABLE documents ADD COLUMN found_date TEXT NOT NULL DEFAULT '';

UPDATE documents SET date = strftime('%Y-%m-%d', created_at / 1000000, 'unixepoch');

CREATE INDEX documents_owner_sha256 ON documents (owner, sha256);
CREATE INDEX documents_owner_date ON documents (owner, date);
