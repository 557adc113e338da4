"""Issue #9 item 7: a document cannot pass itself off as another by its title.

A title is whatever a document says it is: a new file whose front matter says `title: Master Services
Agreement` was cited exactly as the genuine MSA. Every citation a person sees now carries the file name
beside the title: Slack answers and their text fallback, issue cards (the clause label mediation headers
and summaries share), and the CLI's `ask` and `search`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from knowledge.base import KnowledgeBase
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.store import Store, make_client
from tests.conftest import ENGAGEMENT, write
from tests.test_slack_app import Slack, running_slack
from tests.test_slack_issues import FILLED, _state

TITLE = "Master Services Agreement"
GENUINE = f"""---
title: {TITLE}
---

7.1 Invoices. The Client shall pay each undisputed invoice within thirty (30) days of receipt.

7.4 Disputed invoices. An invoice billed twice is refunded within ten (10) days of the Client's notice.
"""
SPOOF = f"""---
title: {TITLE}
---

7.1 Invoices. The Client shall pay each invoice within five (5) days of receipt, disputed or not.

7.4 Disputed invoices. An invoice billed twice is payable in full and is never refunded.
"""
NAMES = ("01-msa.md", "99-msa-update.md")
# the title, anywhere, not followed by the file name of one of the two documents
BARE_TITLE = re.compile(rf"{TITLE}(?! \((?:{'|'.join(map(re.escape, NAMES))})\))")


def _contracts(folder: Path) -> list[Path]:
    return [write(folder / NAMES[0], GENUINE), write(folder / NAMES[1], SPOOF)]


def _labels_name_their_file(shown: str) -> None:
    assert TITLE in shown
    assert not BARE_TITLE.search(shown), BARE_TITLE.search(shown)


@pytest.fixture
def slack(tmp_path: Path, minilm: MiniLMEmbeddings) -> Iterator[Slack]:
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "kb")), minilm)
    assert not kb.index(_contracts(tmp_path / "contracts"), engagement=ENGAGEMENT).failed
    with running_slack(tmp_path, kb) as running:
        running.bind("C1", "shared")
        yield running


def _contexts(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])


def test_slack_answers_show_the_file_name_beside_the_title(slack: Slack) -> None:
    slack.mention("when must an invoice billed twice be refunded?", ts="3.0001")
    [posted] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    labels = _contexts(posted["blocks"])
    assert any(f"{TITLE} ({name})" in labels for name in NAMES), labels
    lead = posted["blocks"][0]["text"]["text"]
    _labels_name_their_file("\n".join([labels, lead, posted["text"]]))


def test_issue_cards_show_the_file_name_beside_the_title(slack: Slack) -> None:
    slack.command("issue Invoice billed twice and not refunded")
    [opened] = [c.params for c in slack.api.wait_for("views.open")]
    view = opened["view"]
    fields = {**FILLED, "title": "Invoice billed twice and not refunded", "description": "Disputed invoice refund."}
    slack.submit(callback_id=view["callback_id"], metadata=view["private_metadata"], values=_state(fields))
    [card] = [c.params for c in slack.api.wait_for("chat.postMessage")]
    assert "Clauses that may apply" in json.dumps(card["blocks"])
    labels = _contexts(card["blocks"])
    assert any(f"*{TITLE} ({name})" in labels for name in NAMES), labels
    _labels_name_their_file(labels)


def test_cli_ask_and_search_show_the_file_name_beside_the_title(tmp_path: Path) -> None:
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_LLM": ""}

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    folder = tmp_path / "contracts"
    _contracts(folder)
    run("index", str(folder), "--engagement", "acme")
    asked = run("ask", "when must an invoice billed twice be refunded?", "--engagement", "acme")
    _labels_name_their_file(asked)
    searched = run("search", "invoice billed twice refunded", "--engagement", "acme")
    for name in NAMES:
        assert f"{TITLE} ({name})" in searched
    _labels_name_their_file(searched)
    # the JSON keeps its shape: the file name was always there, as `document`
    out = json.loads(run("ask", "when must an invoice billed twice be refunded?", "--engagement", "acme", "--json"))
    assert {c["document"] for c in out["citations"]} <= set(NAMES) and all(
        c["title"] == TITLE for c in out["citations"]
    )
