"""Contracts added from Slack: a shared file indexed into the channel's engagement, safely scoped.

No Slack imports: the transport downloads the file and reports; this decides where it goes.
"""

from __future__ import annotations

from pathlib import Path

from bot.deps import Deps
from bot.i18n import _, current
from knowledge.indexing import IndexReport
from knowledge.loaders import SUPPORTED_SUFFIXES

# A file added in a one-sided channel stays on that side until an admin says otherwise.
VISIBILITY_OF_SIDE = {"client": "client-only", "vendor": "vendor-only", "shared": "shared"}


def refusal(deps: Deps, name: str, size: int | None) -> str | None:
    """Why a shared file cannot be indexed (type, size), in the reader's language, or None when it can."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        if not suffix:
            return _("this kind of file is not a contract format I read (PDF, DOCX, Markdown, HTML, reST, text)")
        return _("{suffix} is not a contract format I read (PDF, DOCX, Markdown, HTML, reST, text)").format(
            suffix=suffix
        )
    if size is not None and size > deps.settings.max_file_bytes:
        said, limit = f"{size / 1e6:.1f}", f"{deps.settings.max_file_mb:g}"
        if current() != "en":  # a decimal comma where the reader writes one (Italian, most of Europe)
            said, limit = said.replace(".", ","), limit.replace(".", ",")
        return _("the file is {size} MB, over the {limit} MB limit").format(size=said, limit=limit)
    return None


def index_file(deps: Deps, *, path: Path, engagement: str, side: str) -> IndexReport:
    """Index a downloaded file into the engagement, visible to the side of the channel it came from.

    It may update a document of the same name and visibility, never one of another visibility: that
    is refused, with the reason in the report's `failed`, and nothing is written.
    """
    return deps.kb.index([path], engagement=engagement, visibility=VISIBILITY_OF_SIDE[side], change_visibility=False)
