-- texts gains two columns that bare words of a search match: stems, the stems of body's words in
-- the document's languages (search.Terms), and name, the words of the file name with their stems
-- (search.NameWords). FTS5 tables cannot gain columns, so texts is made anew; the program fills
-- both columns for the rows copied here right after this migration, in the same transaction.
CREATE VIRTUAL TABLE texts_new USING fts5 (
	body,
	owner,
	stems,
	name,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '1 2 3'
);

INSERT INTO texts_new (rowid, body, owner, stems, name) SELECT rowid, body, owner, '', '' FROM texts;

DROP TABLE texts;

ALTER TABLE texts_new RENAME TO texts;
