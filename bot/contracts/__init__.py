"""Contracts added from Slack: a shared file indexed into the channel's engagement, safely scoped.

No Slack imports: the transport downloads the file and reports; this decides where it goes.
"""

from __future__ import annotations

from pathlib import Path

from bot.deps import Deps
from knowledge.indexing import IndexReport
from knowledge.loaders import SUPPORTED_SUFFIXES

# A file added in a one-sided channel stays on that side until an admin says otherwise.
VISIBILITY_OF_SIDE = {"client": "client-only", "vendor": "vendor-only", "shared": "shared"}


def refusal(deps: Deps, name: str, size: int | None) -> str | None:
    """Why a shared file cannot be indexed (type, size), or None when it can."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return f"{suffix or 'this kind of file'} is not a contract format I read (PDF, DOCX, Markdown, HTML, text)"
    if size is not None and size > deps.settings.max_file_bytes:
        return f"the file is {size / 1e6:.1f} MB, over the {deps.settings.max_file_mb:g} MB limit"
    return None


def index_file(deps: Deps, *, path: Path, engagement: str, side: str) -> IndexReport:
    """Index a downloaded file into the engagement, visible to the side of the channel it came from.

    It may update a document of the same name and visibility, never one of another visibility: that
    is refused, with the reason in the report's `failed`, and nothing is written.
    """
    return deps.kb.index([path], engagement=engagement, visibility=VISIBILITY_OF_SIDE[side], change_visibility=False)
