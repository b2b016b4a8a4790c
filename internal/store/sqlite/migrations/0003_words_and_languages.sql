-- layout is where OCR found each word of a page, in document.Layout's binary form; NULL for a
-- page read from a PDF's text layer.
ALTER TABLE pages ADD COLUMN layout BLOB;

-- lang is the document's OCR languages, Tesseract codes joined by '+'; empty for the server's
-- default.
ALTER TABLE documents ADD COLUMN lang TEXT NOT NULL DEFAULT '';
