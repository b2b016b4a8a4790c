-- Times are Unix microseconds.

CREATE TABLE documents (
	seq          INTEGER PRIMARY KEY,
	id           TEXT    NOT NULL UNIQUE,
	owner        TEXT    NOT NULL,
	name         TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT    NOT NULL,
	blob_key     TEXT    NOT NULL,
	status       TEXT    NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed')),
	error        TEXT    NOT NULL DEFAULT '',
	page_count   INTEGER NOT NULL DEFAULT 0,
	attempts     INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);

CREATE INDEX documents_owner_created ON documents (owner, created_at, id);
CREATE INDEX documents_owner_status_created ON documents (owner, status, created_at, id);

-- The text of a document is one row of texts (rowid = documents.seq): body is its pages joined
-- by blank lines, and owner holds a token made from the owner's name while the document is done,
-- so that searches find only the owner's done documents without leaving the index. pages says
-- where each page sits in body, in bytes. Prefixes of up to three characters are indexed, so that
-- short prefix queries read one list instead of merging thousands.
CREATE VIRTUAL TABLE texts USING fts5 (
	body,
	owner,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '1 2 3'
);

CREATE TABLE pages (
	doc        INTEGER NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
	number     INTEGER NOT NULL,
	start      INTEGER NOT NULL,
	length     INTEGER NOT NULL,
	confidence REAL    NOT NULL,
	source     TEXT    NOT NULL,
	PRIMARY KEY (doc, number)
) WITHOUT ROWID;

-- A document has at most one job. A job is ready when due_at has passed: it is the enqueue
-- time, the retry time, or, while token is set, the end of the lease.
CREATE TABLE jobs (
	doc         INTEGER PRIMARY KEY REFERENCES documents (seq) ON DELETE CASCADE,
	id          TEXT    NOT NULL UNIQUE,
	attempt     INTEGER NOT NULL DEFAULT 0,
	token       TEXT    NOT NULL DEFAULT '',
	due_at      INTEGER NOT NULL,
	enqueued_at INTEGER NOT NULL
);

CREATE INDEX jobs_due ON jobs (due_at);
