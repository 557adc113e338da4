"""Turn source files (PDF, DOCX, Markdown, reStructuredText, text, HTML) into ExtractedDocument, or a DocumentError."""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import NamedTuple

from knowledge.documents import ExtractedDocument
from knowledge.errors import DocumentError, DocumentTooLargeError, EmptyDocumentError, UnsupportedFormatError
from knowledge.formats.common import Extracted, clean_inline, require_text, strip_invisible
from knowledge.formats.docx import extract_docx
from knowledge.formats.html import extract_html
from knowledge.formats.pdf import extract_pdf
from knowledge.formats.text import extract_plain, first_line_title, is_filing_label, markdown_title, rst_title
from knowledge.limits import DEFAULT_LIMITS, Limits, check_chars

_KINDS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "rst",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_KINDS)
DEFAULT_MAX_BYTES = DEFAULT_LIMITS.max_bytes
_MB = 1024 * 1024


def file_hash(path: Path) -> str:
    """SHA-256 hex digest of the file's raw bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(_MB), b""):
            digest.update(block)
    return digest.hexdigest()


class Found(NamedTuple):
    """A file to index and the name its document takes."""

    path: Path
    name: str  # its path relative to the folder given, POSIX style ('b/sla.md'); a file given alone: its name


def find_documents(paths: Iterable[Path]) -> tuple[list[Found], list[DocumentError]]:
    """Supported files under `paths` (folders recursed, sorted, hidden skipped), plus errors for bad paths.

    A file in a folder is named by its path relative to that folder, so `a/sla.md` and `b/sla.md` are
    two documents. Symbolic links leading out of the folder are not followed (reported as skipped).
    """
    found: dict[Path, tuple[Found, bool]] = {}  # the file itself -> how it was found, through a link or not
    errors: list[DocumentError] = []
    for path in map(Path, paths):
        for candidate, linked in _expand(path, errors):
            key = candidate.path.resolve()
            if key not in found or (found[key][1] and not linked):  # a file is named by its own path, not a link's
                found[key] = (candidate, linked)
    return [candidate for candidate, _ in found.values()], errors


def load_document(
    path: Path,
    *,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    max_bytes: int | None = None,
    content_hash: str | None = None,
) -> ExtractedDocument:
    """Extract one file's text; raises a DocumentError subclass with a reason a person can act on.

    Every limit in `limits` is enforced before the step it guards (`max_bytes`, if given, overrides
    `limits.max_bytes`). Invisible characters (bidi controls, zero-width characters) are removed from
    the text, so every offset points into what is indexed, quoted and shown.
    """
    path = Path(path)
    if max_bytes is not None:
        limits = replace(limits, max_bytes=max_bytes)
    name = name or _label(path)  # the document's name: its path in the folder indexed (see find_documents)
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        raise UnsupportedFormatError(name, _unsupported_reason(path.suffix))
    data = _read_bounded(path, name, limits.max_bytes)
    if not data.strip():
        raise EmptyDocumentError(name, "the file is empty or contains only whitespace")
    title, raw, raw_starts = _EXTRACTORS[kind](data, name, limits)
    check_chars(name, len(raw), limits)
    text, page_starts = strip_invisible(raw, raw_starts)
    require_text(text, name, "no visible text: only invisible or control characters")
    title = clean_inline(title)
    if title and is_filing_label(title):  # an HTML <title> or PDF title such as "EXHIBIT 10.16"
        title = clean_inline(first_line_title(text))
    return ExtractedDocument(
        name=name,
        title=title or _stem_title(path),
        text=text,
        kind=kind,
        content_hash=content_hash or hashlib.sha256(data).hexdigest(),
        page_starts=tuple(page_starts),
    )


def _label(path: Path) -> str:
    return path.name or str(path)


def _unsupported_reason(suffix: str) -> str:
    what = f"'{suffix}'" if suffix else "(no extension)"
    return f"unsupported file type {what} (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def _expand(path: Path, errors: list[DocumentError]) -> list[tuple[Found, bool]]:
    try:
        is_dir = stat.S_ISDIR(path.stat().st_mode)
    except OSError as exc:
        errors.append(DocumentError(_label(path), _os_reason(exc)))
        return []
    if is_dir:
        return _walk(path, path.resolve(), "", errors, set(), linked=False)
    if path.suffix.lower() in SUPPORTED_SUFFIXES:
        return [(Found(path, _label(path)), False)]
    errors.append(UnsupportedFormatError(_label(path), _unsupported_reason(path.suffix)))
    return []


def _walk(
    folder: Path, root: Path, prefix: str, errors: list[DocumentError], visited: set[Path], *, linked: bool
) -> list[tuple[Found, bool]]:
    found: list[tuple[Found, bool]] = []
    try:
        if (key := folder.resolve()) in visited:  # a symlink loop
            return []
        visited.add(key)
        for child in sorted(folder.iterdir()):
            if child.name.startswith((".", "~$")):
                continue
            name = prefix + child.name
            wanted = child.is_dir() or child.suffix.lower() in SUPPORTED_SUFFIXES
            if wanted and child.is_symlink() and not child.resolve().is_relative_to(root):
                errors.append(DocumentError(name, "a symbolic link to outside the folder being indexed: not followed"))
            elif child.is_dir():
                found += _walk(child, root, name + "/", errors, visited, linked=linked or child.is_symlink())
            elif child.is_file() and child.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append((Found(child, name), linked or child.is_symlink()))
    except OSError as exc:
        errors.append(DocumentError(prefix.rstrip("/") or _label(folder), f"cannot read folder: {_os_reason(exc)}"))
    return found


def _read_bounded(path: Path, name: str, max_bytes: int) -> bytes:
    """Refuse by stat() size before reading anything, then read at most max_bytes + 1 bytes."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(name, "not a regular file (a folder, pipe or device)")
        if info.st_size > max_bytes:
            raise _too_large(name, info.st_size, max_bytes)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(name, _os_reason(exc)) from None
    if len(data) > max_bytes:  # it grew after stat()
        raise _too_large(name, len(data), max_bytes)
    return data


def _too_large(name: str, size: int, max_bytes: int) -> DocumentTooLargeError:
    reason = f"file is {size / _MB:.1f} MB, over the {max_bytes / _MB:g} MB limit (LIAISON_MAX_FILE_MB)"
    return DocumentTooLargeError(name, reason)


_FILING_STEM = re.compile(r"(?i).*(?<![a-z0-9])EX-[0-9][0-9A-Z.()]*[-_ ]+(?=[A-Za-z])")


def _stem_title(path: Path) -> str:
    """The file name as a title: "service-level_agreement" -> "service level agreement"; an SEC filing's
    name keeps what follows its exhibit number ("..._EX-10.22-SERVICES AGREEMENT" -> "SERVICES AGREEMENT")."""
    stem = _FILING_STEM.sub("", path.stem)
    stem = re.sub(r"^[0-9]{1,3}[-_ ]+(?=[A-Za-z])", "", stem)  # "08_vk_cloud..." -> "vk cloud ..."
    return " ".join(re.sub(r"[-_]", " ", stem).split()) or path.name


_EXTRACTORS: dict[str, Callable[[bytes, str, Limits], Extracted]] = {
    "pdf": extract_pdf,
    "docx": extract_docx,
    "html": extract_html,
    "markdown": partial(extract_plain, title_of=markdown_title),
    "rst": partial(extract_plain, title_of=rst_title),  # indexed as the text it is: spans stay exact
    "text": partial(extract_plain, title_of=first_line_title),
}
