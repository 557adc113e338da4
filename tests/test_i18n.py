"""The message catalogues: every text the code says is translated into each complete language, with the same
`str.format` fields; the language of the moment is per context."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import pytest

from bot.i18n import _ as bot_
from knowledge import i18n

ROOT = Path(__file__).resolve().parent.parent


def _tool():  # scripts/i18n.py, the same check a translator runs
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


@pytest.mark.parametrize("lang", [lang for lang in i18n.COMPLETE if lang != i18n.DEFAULT])
@pytest.mark.parametrize("package", sorted(TOOL.PACKAGES))
def test_every_message_is_translated(package: str, lang: str) -> None:
    assert TOOL.problems(package, lang) == []


@pytest.mark.parametrize("lang", i18n.ANSWERED)
def test_answers_are_written_in_more_languages(lang: str) -> None:
    assert TOOL.problems("knowledge", lang) == []


def test_the_check_sees_what_it_guards() -> None:
    found = TOOL.extract("bot")
    assert any("something went wrong" in msgid for msgid in found)  # bot/slack/app.py's apology
    assert TOOL.fields("{count} open, {name!r}") == {"count", "name"}


def test_the_language_is_per_context_and_falls_back_to_english() -> None:
    apology = "Sorry, something went wrong on my side. Please try again in a moment."
    assert bot_(apology) == apology
    with i18n.speaking("it_IT.UTF-8") as lang:
        assert lang == "it" and i18n.current() == "it"
        assert bot_(apology) != apology
        seen: list[str] = []
        worker = threading.Thread(target=lambda: seen.append(i18n.current()))  # a new thread starts in English
        worker.start()
        worker.join()
        assert seen == ["en"]
        with i18n.speaking("xx"):  # no catalogue: English, never a crash
            assert bot_(apology) == apology
    assert i18n.current() == "en"
    with i18n.speaking(None):
        assert i18n.current() == "en"


def test_tags_are_normalised() -> None:
    assert [i18n.normalise(t) for t in ("it-IT", "en_GB", "IT", "", None, "1x", "pt_BR.UTF-8")] == [
        "it",
        "en",
        "it",
        None,
        None,
        None,
        "pt",
    ]
