-- Every done document's text is in pages, one row per page, with the page's words in tsv: the
-- words search.Words finds, lower-cased by docpipe, not by the database's text search parser.

CREATE TABLE documents (
	seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id           text        COLLATE "C" NOT NULL UNIQUE,
	owner        text        NOT NULL,
	name         text        NOT NULL,
	content_type text        NOT NULL,
	size         bigint      NOT NULL,
	sha256       text        NOT NULL,
	blob_key     text        NOT NULL,
	status       text        NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed')),
	error        text        NOT NULL DEFAULT '',
	page_count   integer     NOT NULL DEFAULT 0,
	attempts     integer     NOT NULL DEFAULT 0,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL
);

CREATE INDEX documents_owner_created ON documents (owner, created_at DESC, id DESC);
CREATE INDEX documents_owner_status_created ON documents (owner, status, created_at DESC, id DESC);

CREATE TABLE pages (
	doc        bigint           NOT NULL REFERENCES documents (seq) ON DELETE CASCADE,
	number     integer          NOT NULL,
	text       text             NOT NULL,
	confidence double precision NOT NULL,
	source     text             NOT NULL,
	tsv        tsvector         NOT NULL,
	PRIMARY KEY (doc, number)
);

CREATE INDEX pages_tsv ON pages USING gin (tsv);

-- A document has at most one job. A job is ready when due_at has passed: it is the enqueue
-- time, the retry time, or, while token is set, the end of the lease.
CREATE TABLE jobs (
	doc         bigint      PRIMARY KEY REFERENCES documents (seq) ON DELETE CASCADE,
	id          text        NOT NULL UNIQUE,
	attempt     integer     NOT NULL DEFAULT 0,
	token       text        NOT NULL DEFAULT '',
	due_at      timestamptz NOT NULL,
	enqueued_at timestamptz NOT NULL
);

CREATE INDEX jobs_due ON jobs (due_at, doc);
