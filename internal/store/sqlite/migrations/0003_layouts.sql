-- layout is where OCR found each word of a page, in document.Layout's binary form; NULL for a
-- page read from a PDF's text layer.
ALTER TABLE pages ADD COLUMN layout BLOB;
