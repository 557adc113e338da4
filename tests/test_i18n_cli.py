"""The `liaison` command in the reader's language (#14): `--lang`, LIAISON_LANGUAGE and the POSIX locale choose it;
help pages, tables, summaries and errors are translated, `--json` and CSV output are the same in every language."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.cli.render import print_hits
from bot.cli.translated import language_of, leading_lang
from knowledge.i18n import current, speaking

NO_LOCALE: dict[str, str | None] = {"LIAISON_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}


def invoke(*args: str, env: dict[str, str | None] | None = None, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False, prog_name="liaison")
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def liaison(tmp_path: Path) -> Callable[..., Result]:
    """The whole `liaison` group on a SQLite records database of its own."""
    (tmp_path / "data").mkdir()
    env: dict[str, str | None] = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": ""}

    def run(*args: str, code: int = 0) -> Result:
        return invoke(*args, env=env, code=code)

    return run


def test_help_is_english_by_default() -> None:
    out = " ".join(invoke("--help").stdout.split())
    assert out.startswith("Usage: liaison [OPTIONS] COMMAND [ARGS]...")
    assert "Liaison: answers about your outsourcing contracts, quoted and cited." in out
    assert "Options:" in out and "Commands:" in out and "Show this message and exit." in out
    assert "Index contract files or folders" in out
    ask = " ".join(invoke("ask", "--help").stdout.split())
    assert "Answer a question from the engagement's contracts" in ask and "[default: shared]" in ask


@pytest.mark.parametrize("args", [("--lang", "it", "--help"), ("--help", "--lang", "it"), ("--lang=it_IT", "-h")])
def test_lang_it_help_is_italian(args: tuple[str, ...]) -> None:
    out = invoke(*args).stdout
    assert out.startswith("Uso: liaison [OPTIONS] COMMAND [ARGS]...")
    flat = " ".join(out.split())
    assert "Liaison: risposte sui tuoi contratti di outsourcing, con citazioni e riferimenti." in flat
    assert "Opzioni:" in out and "Comandi:" in out and "Mostra questo messaggio ed esce." in flat
    assert "Indicizza file o cartelle di contratti" in flat  # a command's short help
    assert "Usage:" not in out and "Options:" not in out


def test_lang_it_sub_command_help_is_italian() -> None:
    ask = " ".join(invoke("--lang", "it", "ask", "--help").stdout.split())
    assert ask.startswith("Uso: liaison ask [OPTIONS] [QUESTION]")
    assert "Risponde a una domanda a partire dai contratti dell'incarico" in ask
    assert "[predefinito: shared]" in ask and "Stampa JSON invece del testo." in ask
    edit = " ".join(invoke("--lang", "it", "sla", "edit", "--help").stdout.split())
    assert "Corregge a mano un livello" in edit and "[obbligatorio]" in edit


@pytest.mark.parametrize(
    ("env", "italian"),
    [
        ({"LIAISON_LANGUAGE": "it"}, True),
        ({"LIAISON_LANGUAGE": "it_IT.UTF-8"}, True),
        ({**NO_LOCALE, "LC_ALL": "it_IT.UTF-8"}, True),
        ({**NO_LOCALE, "LC_MESSAGES": "it_IT.UTF-8", "LANG": "en_US.UTF-8"}, True),
        ({**NO_LOCALE, "LANG": "it_IT.UTF-8"}, True),
        ({**NO_LOCALE, "LC_ALL": "C", "LANG": "it_IT.UTF-8"}, False),  # LC_ALL wins, and C is English
        ({**NO_LOCALE, "LANG": "POSIX"}, False),
        ({**NO_LOCALE, "LANG": "de_DE.UTF-8"}, False),  # a language the CLI does not speak: English
        ({"LIAISON_LANGUAGE": "en", "LC_ALL": "it_IT.UTF-8"}, False),  # LIAISON_LANGUAGE first
        (NO_LOCALE, False),
    ],
)
def test_the_environment_chooses_the_language(env: dict[str, str | None], italian: bool) -> None:
    out = invoke("--help", env=env).stdout
    assert out.startswith("Uso:" if italian else "Usage:")
    # --lang overrides the environment either way
    assert invoke("--lang", "en" if italian else "it", "--help", env=env).stdout.startswith(
        "Usage:" if italian else "Uso:"
    )


def test_language_of_and_leading_lang() -> None:
    assert language_of({}) == "en"
    assert language_of({"LIAISON_LANGUAGE": "", "LANG": "it_IT.UTF-8"}) == "it"  # an empty variable is unset
    assert language_of({"LC_ALL": "C.UTF-8", "LANG": "it_IT.UTF-8"}) == "en"
    assert leading_lang(["--lang", "it", "ask"]) == "it"
    assert leading_lang(["-h", "--lang=it"]) == "it"
    assert leading_lang(["ask", "--lang", "it"]) is None  # the group's option only, not a sub-command's arguments
    assert leading_lang(["--lang"]) is None


def test_a_run_speaks_its_language_only_for_itself() -> None:
    invoke("--lang", "it", "--help")
    assert current() == "en"
    assert invoke("--help").stdout.startswith("Usage:")


def test_an_unknown_language_is_refused_in_the_current_one() -> None:
    refused = invoke("--lang", "xx", "--help", code=2)
    assert "Error: Invalid value for '--lang': 'xx' is not a language Liaison speaks: use en, it" in refused.stderr
    in_italian = invoke("--lang", "xx", "--help", env={"LIAISON_LANGUAGE": "it"}, code=2)
    assert "Errore: Valore non valido per '--lang': 'xx' non è una lingua che Liaison parla" in in_italian.stderr


def test_usage_errors_in_italian_and_unchanged_in_english() -> None:
    english = invoke("issues", "list", code=2).stderr
    assert "Usage: liaison issues list [OPTIONS]\nTry 'liaison issues list --help' for help." in english
    assert "Error: Missing option '--engagement' / '-e'." in english
    italian = invoke("--lang", "it", "issues", "list", code=2).stderr
    assert "Uso: liaison issues list [OPTIONS]\nProva 'liaison issues list --help' per l'aiuto." in italian
    assert "Errore: Manca l'opzione '--engagement' / '-e'." in italian
    side = invoke("--lang", "it", "ask", "--side", "x", code=2).stderr
    assert "Errore: Valore non valido per '--side': 'x' non è tra 'client', 'vendor', 'shared'." in side
    assert "Forse intendevi 'list'?" in invoke("--lang", "it", "sla", "lis", code=2).stderr
    assert "Did you mean 'list'?" in invoke("sla", "lis", code=2).stderr
    assert "Errore: indica una DOMANDA e --engagement" in invoke("--lang", "it", "ask", code=2).stderr


def test_human_output_in_italian_json_and_csv_the_same(liaison: Callable[..., Result]) -> None:
    added = liaison("issues", "add", "-e", "acme", "-t", "Coda oltre lo SLA", "--severity", "1", "--owner", "U7")
    assert added.stdout == "logged issue #1 in acme: Coda oltre lo SLA\n"
    again = liaison("--lang", "it", "issues", "add", "-e", "acme", "-t", "Fattura errata", "--due", "2026-12-01")
    assert again.stdout == "segnalazione #2 registrata in acme: Fattura errata\n"
    listed = liaison("--lang", "it", "issues", "list", "-e", "acme").stdout.splitlines()
    assert listed[0] == "#1\topen\tCoda oltre lo SLA\t(gravità 1, other, responsabile U7)"  # values as recorded
    assert listed[1] == "#2\topen\tFattura errata\t(gravità 3, other, scadenza 2026-12-01)"
    assert liaison("issues", "list", "-e", "acme").stdout.splitlines()[1] == (
        "#2\topen\tFattura errata\t(sev 3, other, due 2026-12-01)"
    )
    assert "nessuna mediazione aperta in acme" in liaison("--lang", "it", "mediations", "list", "-e", "acme").stderr
    assert "no open mediations in acme" in liaison("mediations", "list", "-e", "acme").stderr

    for args in (
        ("issues", "list", "-e", "acme", "--all", "--json"),
        ("export", "issues", "-e", "acme"),
        ("export", "issues", "-e", "acme", "--format", "json"),
        ("sla", "list", "-e", "acme", "--json"),
        ("deadlines", "settings", "-e", "acme", "--json"),
    ):
        english, italian = liaison(*args), liaison("--lang", "it", *args)
        assert italian.stdout_bytes == english.stdout_bytes, args
    assert liaison("export", "issues", "-e", "acme").stdout.startswith("id,engagement,title,description,status,")
    assert json.loads(liaison("--lang", "it", "issues", "list", "-e", "acme", "--json").stdout)["issues"][0]["status"]

    assert "Ancora nessun livello di servizio in acme" in liaison("--lang", "it", "sla", "list", "-e", "acme").stderr
    settings = liaison("--lang", "it", "deadlines", "settings", "-e", "acme").stdout
    assert settings == "acme: festività nessuna (solo fine settimana); preavviso interno nessuno\n"
    assert liaison("deadlines", "settings", "-e", "acme").stdout == (
        "acme: holidays none (weekends only); lead time none\n"
    )


def test_a_batch_line_error_is_json_in_english(tmp_path: Path, liaison: Callable[..., Result]) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(json.dumps({"id": 1, "question": "cap?", "engagement": "Not A Name!"}) + "\n", encoding="utf-8")
    english, italian = (
        liaison("search", "--batch", str(batch)),
        liaison("--lang", "it", "search", "--batch", str(batch)),
    )
    assert italian.stdout_bytes == english.stdout_bytes
    assert json.loads(english.stdout)["error"].startswith("line 1: use 1-64 lowercase letters")


def test_rendering_under_italian(capsys: Any) -> None:
    with speaking("it"):
        print_hits([])
    print_hits([])
    assert capsys.readouterr().out == "Nessuna clausola corrispondente.\nNo matching clauses.\n"


def test_the_process_language_is_decided_before_the_commands_load() -> None:
    """A text translated at import (a module's own help) reads `--lang` from the command line, then the environment."""
    code = (
        "import sys; sys.argv = ['liaison', '--lang', 'it', 'sla']; import bot.cli; "
        "from knowledge.i18n import current; print(current())"
    )
    env = {"PATH": "", "LIAISON_LANGUAGE": "en", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "it"


def test_json_ignores_the_machines_locale_but_not_an_explicit_language(tmp_path: Path) -> None:
    """A script reading `--json` gets the same texts (the digest's titles and lines) on every machine."""
    data = {"LIAISON_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    invoke("issues", "add", "-e", "acme", "-t", "Queue over the SLA", "--severity", "1", env=data)
    args = ("digest", "-e", "acme", "--dry-run", "--json")
    italian_machine = {**NO_LOCALE, **data, "LANG": "it_IT.UTF-8"}
    english = json.loads(invoke(*args, env={**NO_LOCALE, **data}).stdout)
    titles = [s["title"] for s in english["sections"]]
    assert titles[0] == "Issues this week"
    assert [s["title"] for s in json.loads(invoke(*args, env=italian_machine).stdout)["sections"]] == titles
    asked_italian = json.loads(invoke("--lang", "it", *args, env=data).stdout)
    assert asked_italian["sections"][0]["title"] != titles[0]
    assert "Riepilogo" in invoke(*args[:-1], env=italian_machine).stdout  # text output follows the locale
