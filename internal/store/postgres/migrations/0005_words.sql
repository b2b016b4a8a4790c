-- words holds every word that the pages or name of a document have held: spelling suggestions
-- read the few that start as a mistyped word does (see Closest) instead of every page of the
-- searcher's. Words are never removed; Closest checks that the searcher holds a word before it
-- offers it. The program fills it for the pages already here right after this migration.
CREATE TABLE words (word text COLLATE "C" PRIMARY KEY);

-- langs holds every OCR language a done document has been read in (Tesseract codes, one a row;
-- English for the documents that name none): a search looks up a word's stems in these
-- languages only. The program fills it too.
CREATE TABLE langs (lang text COLLATE "C" PRIMARY KEY);
