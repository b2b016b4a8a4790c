-- words holds every word that the pages or name of a document have held: spelling suggestions
-- read the few that start as a mistyped word does (see Closest) instead of every page of the
-- searcher's. Words are never removed; Closest checks that the searcher holds a word before it
-- offers it. The program fills it for the pages already here right after this migration.
CREATE TABLE words (word text COLLATE "C" PRIMARY KEY);
