"""The import rules of ARCHITECTURE.md, read from the source with `ast` (imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK = ("slack_sdk", "slack_bolt", "bot.slack")
DATABASE = ("sqlmodel", "sqlalchemy", "bot.db")
# The transports and the wiring: they may talk to Slack. Everything else in bot/ is a workflow or a record.
TRANSPORT = (
    "bot/slack/",
    "bot/localslack/",
    "bot/cli/",
    "bot/app.py",
    "bot/scheduler.py",
)


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module `path` imports, by its full dotted name (`from bot import x` counts as `bot.x`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offending(path: Path, banned: tuple[str, ...]) -> list[str]:
    return sorted(n for n in imported(path) if any(n == b or n.startswith(b + ".") for b in banned))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", modules("knowledge"), ids=relative)
def test_the_knowledge_base_imports_neither_the_application_nor_slack(path: Path) -> None:
    assert offending(path, ("bot", *SLACK)) == []


WORKFLOWS = [p for p in modules("bot") if not relative(p).startswith(TRANSPORT)]


@pytest.mark.parametrize("path", WORKFLOWS, ids=relative)
def test_a_workflow_never_imports_slack(path: Path) -> None:
    assert offending(path, SLACK) == []


@pytest.mark.parametrize("path", modules("bot/slack"), ids=relative)
def test_the_slack_transport_opens_no_database_session(path: Path) -> None:
    assert offending(path, DATABASE) == []


def test_the_rules_see_the_modules_they_guard() -> None:
    assert len(WORKFLOWS) > 20 and modules("bot/slack/listeners") and modules("knowledge")
    assert "bot.slack.facts" in imported(ROOT / "bot/slack/listeners/questions.py")


def constructs(path: Path, name: str) -> bool:
    """Whether `path` calls `name(...)` (as a bare name or an attribute)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if called == name:
                return True
    return False


# Their own entry points: Alembic run by hand, and the seal key of a process that never built the app (a test).
OWN_SETTINGS = {"bot/app.py", "bot/migrations/env.py", "bot/slack/seal.py"}


@pytest.mark.parametrize("path", modules("bot"), ids=relative)
def test_only_the_composition_root_reads_settings_and_makes_a_slack_client(path: Path) -> None:
    if relative(path) not in OWN_SETTINGS:
        assert not constructs(path, "Settings")
    if relative(path) != "bot/app.py":
        assert not constructs(path, "WebClient")


# What the application may use of the knowledge base: its face (the knowledge base, its answers and search hits,
# the records of a clause, the index report, errors, limits, who sees what, which files it reads) and its text
# toolkit (knowledge.text). Everything else in knowledge/ is how it works inside.
PUBLIC_KNOWLEDGE = {
    "knowledge.base",
    "knowledge.answers",
    "knowledge.direct",
    "knowledge.retrieval",
    "knowledge.stored",
    "knowledge.indexing",
    "knowledge.errors",
    "knowledge.limits",
    "knowledge.visibility",
    "knowledge.loaders",
    "knowledge.text",
    "knowledge.slas",
    "knowledge.deadlines",
    "knowledge.i18n",
    "knowledge.languages",
}
# The composition root builds the pieces the knowledge base is made of.
ROOT_KNOWLEDGE = {"knowledge.embeddings", "knowledge.generation", "knowledge.store"}


def knowledge_modules_imported(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("knowledge"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("knowledge"))
    return out


@pytest.mark.parametrize("path", modules("bot"), ids=relative)
def test_the_application_uses_only_the_knowledge_bases_public_modules(path: Path) -> None:
    allowed = PUBLIC_KNOWLEDGE | (ROOT_KNOWLEDGE if relative(path) == "bot/app.py" else set())
    assert sorted(knowledge_modules_imported(path) - allowed) == []


def test_the_knowledge_rule_sees_what_it_guards() -> None:
    assert "knowledge.text" in knowledge_modules_imported(ROOT / "bot/mediation/summaries.py")
    assert knowledge_modules_imported(ROOT / "bot/app.py") >= ROOT_KNOWLEDGE


def test_bot_is_packages_by_feature_with_a_few_top_level_modules() -> None:
    top = sorted(p.name for p in (ROOT / "bot").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= 10, top
    for package in ("records", "issues", "mediation", "digest", "questions", "cli", "localslack", "slack/blocks"):
        assert (ROOT / "bot" / package / "__init__.py").is_file(), package


@pytest.mark.parametrize("path", modules("bot"), ids=relative)
def test_names_are_imported_from_where_they_are_defined(path: Path) -> None:
    """No `from x import Y as Y` re-exports, and no private name taken from another of our modules (gettext's
    `_`, the translator of `bot.i18n` and `knowledge.i18n`, is the one name meant to be imported)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("bot", "knowledge"):
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__") and alias.name != "_"
                if alias.asname == alias.name or private:
                    found.append(f"{node.module}.{alias.name}")
    assert found == []


@pytest.mark.parametrize("path", modules("bot/slack/listeners"), ids=relative)
def test_a_listener_module_imports_no_other_listener_module(path: Path) -> None:
    """Each feature's listeners stand alone: what two share lives beside them in bot/slack/, and the /liaison
    verbs of every feature are gathered by bot/slack/app.py."""
    assert offending(path, ("bot.slack.listeners",)) == []
