-- Pages' tsv gains the stems of their words in the document's languages, marked with '~' (see
-- tsvector.go), and documents gain names: the words and stems of the file name. The program
-- fills both for the rows already here right after this migration, in the same transaction.
ALTER TABLE documents ADD COLUMN names tsvector NOT NULL DEFAULT '';

CREATE INDEX documents_names ON documents USING gin (names);
