-- texts_terms lists the words of texts' index with the number of documents that hold each, by
-- column: spelling suggestions read the body's and the name's (see Closest).
CREATE VIRTUAL TABLE texts_terms USING fts5vocab (texts, 'col');
