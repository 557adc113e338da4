"""Per-format readers: bytes of one file in, (title if found, text, page_starts) out."""
