"""Photo evidence (证据照片): ingest with custody facts, links, derived images, verification."""
