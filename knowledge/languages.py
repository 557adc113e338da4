"""Which language a question or a document is written in, offline (lingua's models ship inside its wheel).

`detect(question)` answers only when it is sure: a question of fewer than four words ("sla P1?"), or one whose
words split between languages, gets None, and the caller falls back to the channel's or the user's language
rather than guessing. `document_language(text)` reads a document's body (markup, numbers and identifiers
stripped) for its stemming and stop words.

Detection runs in two steps: lingua's low-accuracy mode (trigram models, loaded in ~0.15 s) decides clear
cases; anything less clear goes to the high-accuracy mode (all n-gram models, ~2 s to load once; a long-running
bot warms it with `warm()` at start).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # lingua is imported on first use: `liaison --help` stays fast
    from lingua import LanguageDetector

# The languages told apart: the business languages of the engagements Liaison serves (e5 reads all of them).
DETECTED = ("en", "it", "es", "fr", "de", "pt", "nl")
MIN_WORDS = 4  # "sla P1?" or "uptime VPC" is too short to tell
SURE = 0.90  # a low-accuracy verdict at least this confident (with a long enough text) is taken as is
ACCEPT = 0.60  # the high-accuracy verdict's confidence needed to name a language
MARGIN = 0.25  # ... and its lead over the runner-up (less: the words are mixed)

_NOISE = re.compile(
    r"<[^>]*>"  # Slack mentions, links, channels
    r"|https?://\S+|\S+@\S+"  # URLs, e-mail addresses
    r"|`[^`]*`"  # code
    r"|\b[A-Z0-9][A-Z0-9\-_./]*\d[A-Z0-9\-_./]*\b"  # P1, SEV2, ISO-27001, v3.0
    r"|\b[A-Z]{2,}s?\b"  # SLA, SLAs, VPC, MSA
    r"|[\d.,:%/€$£-]+"  # numbers, amounts, dates
)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_lock = threading.Lock()


def words_of(text: str) -> list[str]:
    """The words that say which language a text is in (mentions, URLs, codes, acronyms, numbers removed)."""
    return _WORD.findall(_NOISE.sub(" ", text))


@lru_cache(maxsize=2)
def _detector(high: bool) -> LanguageDetector:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in DETECTED]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    if not high:
        builder = builder.with_low_accuracy_mode()
    with _lock:
        return builder.build()


def _ranked(text: str, high: bool) -> list[tuple[str, float]]:
    values = _detector(high).compute_language_confidence_values(text)
    return [(v.language.iso_code_639_1.name.lower(), float(v.value)) for v in values]


def detect(text: str, *, min_words: int = MIN_WORDS) -> str | None:
    """The ISO 639-1 code of the language `text` is written in, or None when it is too short or mixed to tell."""
    words = words_of(text)
    if len(words) < min_words:
        return None
    plain = " ".join(words)
    ranked = _ranked(plain, high=False)
    if ranked and ranked[0][1] >= SURE and len(words) >= 2 * min_words:
        return ranked[0][0]
    ranked = _ranked(plain, high=True)
    if not ranked:
        return None
    best, confidence = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return best if confidence >= ACCEPT and confidence - runner_up >= MARGIN else None


def document_language(text: str, *, sample: int = 20_000) -> str | None:
    """The language most of a document's body is written in (its first `sample` characters of words)."""
    words = words_of(text[:sample])
    if len(words) < 20:
        return None
    ranked = _ranked(" ".join(words[:3000]), high=False)
    return ranked[0][0] if ranked and ranked[0][1] >= 0.5 else None


def _load_models() -> None:
    _ranked("warm the models up", high=True)  # lingua loads a language's models on its first detection


def warm() -> threading.Thread:
    """Load the high-accuracy models in the background (a bot calls this at start)."""
    thread = threading.Thread(target=_load_models, name="liaison-languages", daemon=True)
    thread.start()
    return thread
