"""Liaison's own words in the reader's language: gettext catalogues (`.po` files read with Babel) and the
language of the moment.

Each package keeps its catalogue beside its code (`knowledge/locale/`, `bot/i18n/locale/`): one directory
per language, `<lang>/LC_MESSAGES/*.po`, every file of it read and merged (msgids are the English texts, so
English needs no file). The language is a context variable: a Slack request, a scheduled post or a CLI run
sets it once (`speaking("it")`), and every `_()` called under it answers in that language; nothing is
translated at import time except what is marked `N_()` and looked up later.

Texts with values use `str.format` fields, never f-strings: `_("{count} open issues").format(count=n)`,
so that a translation can move the value.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

DEFAULT = "en"
# The languages whose catalogues are complete (checked by tests/test_i18n.py); others fall back to English.
COMPLETE = ("en", "it")
# Languages in which answers (the knowledge catalogue: lead-ins, not-covered messages) are written, the bot's
# other texts falling back to English.
ANSWERED = ("es", "fr", "de", "pt")
NAMES = {"en": "English", "it": "Italiano", "es": "Español", "fr": "Français", "de": "Deutsch", "pt": "Português"}

_language: ContextVar[str | None] = ContextVar("liaison_language", default=None)
_default = [DEFAULT]  # the process's language when no request set one (the CLI's LIAISON_LANGUAGE)


def normalise(tag: str | None) -> str | None:
    """'it', 'it_IT', 'it-IT', 'it_IT.UTF-8' -> 'it'; None for an empty or unreadable tag."""
    if not tag:
        return None
    base = tag.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    return base if base.isalpha() and 2 <= len(base) <= 3 else None


def current() -> str:
    """The language to speak now: the request's, else the process default."""
    return _language.get() or _default[0]


def set_default(tag: str | None) -> None:
    """The process's language (the CLI's), used where no request says otherwise."""
    _default[0] = normalise(tag) or DEFAULT


@contextmanager
def speaking(tag: str | None) -> Iterator[str]:
    """Speak `tag` inside the block (None or an unreadable tag keeps the current language)."""
    lang = normalise(tag) or current()
    token = _language.set(lang)
    try:
        yield lang
    finally:
        _language.reset(token)


def use(tag: str | None) -> str:
    """Set the language for the rest of this context (a Slack request's middleware, which cannot wrap)."""
    lang = normalise(tag) or current()
    _language.set(lang)
    return lang


@lru_cache(maxsize=64)
def translations(locale_dir: str, lang: str) -> gettext.NullTranslations:
    """Every `.po` of `locale_dir/<lang>/LC_MESSAGES/`, merged and compiled in memory (cached)."""
    files = sorted((Path(locale_dir) / lang / "LC_MESSAGES").glob("*.po"))
    if not files:
        return gettext.NullTranslations()
    from babel.messages.catalog import Catalog  # imported on first use: the CLI's start-up stays small
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = Catalog(locale=lang)
    for number, path in enumerate(files):
        with path.open("rb") as f:
            read = read_po(f, locale=lang)
            if number == 0:  # the files' own Plural-Forms, not CLDR's (Italian has 3 forms there, 2 in our .po)
                merged.mime_headers = read.mime_headers
            for message in read:
                forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
                if message.id and all(forms) and not message.fuzzy and message.id not in merged:
                    merged.add(message.id, message.string)
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Messages:
    """One package's catalogue: `_ = Messages(dir).gettext` translates into the current language."""

    def __init__(self, locale_dir: Path) -> None:
        self.locale_dir = str(locale_dir)

    def _catalogue(self) -> gettext.NullTranslations:
        lang = current()
        return gettext.NullTranslations() if lang == DEFAULT else translations(self.locale_dir, lang)

    def gettext(self, message: str) -> str:
        return self._catalogue().gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ngettext(singular, plural, n)

    def has(self, lang: str) -> bool:
        """Whether this package speaks `lang` (English always)."""
        return lang == DEFAULT or bool(list((Path(self.locale_dir) / lang / "LC_MESSAGES").glob("*.po")))


def N_(message: str) -> str:  # noqa: N802 (gettext's name: marks a text for the catalogue, translated later)
    return message


_messages = Messages(Path(__file__).parent / "locale")
_: Callable[[str], str] = _messages.gettext
ngettext: Callable[[str, str, int], str] = _messages.ngettext
