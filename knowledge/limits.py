"""How much one document may cost to read: the limits every loader and the chunker enforce."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.errors import DocumentTooLargeError

_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-document limits; a document over any of them is refused by name, with the setting to raise.

    The defaults fit contracts of a thousand dense pages; hostile files (zip bombs, 10,000 blank pages,
    one 20 MB line) stop at the first limit they cross, before the expensive step it guards.
    """

    max_bytes: int = 50 * _MB  # the file on disk (LIAISON_MAX_FILE_MB)
    max_decompressed_bytes: int = 100 * _MB  # a DOCX package's parts once inflated (LIAISON_MAX_DECOMPRESSED_MB)
    max_pages: int = 2_000  # PDF pages, counted before any page is read (LIAISON_MAX_PAGES)
    max_chars: int = 2_000_000  # extracted text (LIAISON_MAX_CHARS)
    max_chunks: int = 5_000  # chunks, counted before anything is embedded (LIAISON_MAX_CHUNKS)
    max_chunk_chars: int = 1_100  # no chunk is longer: over-long clauses, sentences and lines are split

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_decompressed_bytes", "max_pages", "max_chars", "max_chunks"):
            if getattr(self, name) < 1:
                raise ValueError(f"Limits.{name} must be at least 1")
        if self.max_chunk_chars < 100:
            raise ValueError("Limits.max_chunk_chars must be at least 100")


DEFAULT_LIMITS = Limits()


def too_large(name: str, what: str, limit: str, setting: str) -> DocumentTooLargeError:
    """'NAME: has WHAT, over the LIMIT limit (SETTING)', the one shape every limit's refusal takes."""
    return DocumentTooLargeError(name, f"has {what}, over the {limit} limit ({setting})")


def check_chars(name: str, count: int, limits: Limits) -> None:
    """Refuse extracted text longer than limits.max_chars."""
    if count > limits.max_chars:
        raise too_large(name, f"{count:,} characters of text", f"{limits.max_chars:,} character", "LIAISON_MAX_CHARS")
