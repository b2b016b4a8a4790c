-- words holds every word that the body or name of a document has held, as the index folds it:
-- spelling suggestions read the few that start as a mistyped word does (see Closest) without
-- reading the index's posting lists. Words are never removed; Closest checks that the searcher
-- holds a word before it offers it.
CREATE TABLE words (word TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.texts_terms USING fts5vocab (main, texts, 'col');

INSERT INTO words SELECT DISTINCT term FROM temp.texts_terms WHERE col IN ('body', 'name');

DROP TABLE temp.texts_terms;

-- langs holds every OCR language a done document has been read in (Tesseract codes, one a row;
-- English for the documents that name none): a search looks up a word's stems in these
-- languages only. The program fills it for the documents already here right after this
-- migration.
CREATE TABLE langs (lang TEXT PRIMARY KEY) WITHOUT ROWID;
