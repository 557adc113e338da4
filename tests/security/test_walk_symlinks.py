"""Issue #9 item 12 (symlinks): indexing a folder never follows a symbolic link out of it.

`/etc/hostname` was indexed through a link in a contracts folder. Through the real CLI: links out of
the folder are reported as skipped with the reason, and nothing they point at is indexed; links that
stay inside the folder still work (each file once).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import write

SLA = "# SLA\n\n1. Credits. Service Credits shall not exceed 12% of the Monthly Fees.\n"


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_EMBEDDER": "fake:64", "LIAISON_LLM": ""}

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_links_out_of_the_indexed_folder_are_skipped_with_a_reason(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "home"
    write(outside / "secrets.txt", "The root password is hunter2-zebracorn.")
    write(outside / "private" / "diary.md", "# Diary\n\nMy hunter2-zebracorn diary.")
    folder = tmp_path / "contracts"
    write(folder / "sla.md", SLA)
    os.symlink(outside / "secrets.txt", folder / "notes.txt")
    os.symlink(outside / "private", folder / "more")
    os.symlink("/etc/hostname", folder / "hostname.txt")
    os.symlink(folder / "sla.md", folder / "same-sla.md")  # inside the folder: fine, and indexed once
    write(folder / "inner" / "sow.md", "# SOW\n\n1. Hours. Chat support runs from 6:00 to 22:00.\n")
    os.symlink(folder / "inner", folder / "inner-link")

    report = json.loads(run("index", str(folder), "-e", "acme", "--json"))

    assert sorted(d["document"] for d in report["indexed"]) == ["inner/sow.md", "sla.md"]
    skipped = {f["document"]: f["reason"] for f in report["failed"]}
    assert sorted(skipped) == ["hostname.txt", "more", "notes.txt"]
    assert all("symbolic link" in reason and "not followed" in reason for reason in skipped.values())
    documents = json.loads(run("documents", "-e", "acme", "--json"))["documents"]
    assert sorted(d["document"] for d in documents) == ["inner/sow.md", "sla.md"]
    hits = json.loads(run("search", "hunter2-zebracorn root password diary", "-e", "acme", "--json"))["hits"]
    assert all("hunter2" not in h["text"] for h in hits)
    hostname = Path("/etc/hostname").read_text().strip()
    assert all(hostname not in run("show", d["document"], "-e", "acme") for d in documents) or not hostname


def test_a_file_named_on_the_command_line_is_read_even_through_a_link(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = write(tmp_path / "elsewhere" / "msa.md", "# MSA\n\n1. Term. Three years.\n")
    link = tmp_path / "msa-link.md"
    os.symlink(target, link)
    report = json.loads(run("index", str(link), "-e", "acme", "--json"))
    assert [d["document"] for d in report["indexed"]] == ["msa-link.md"]  # the person named it: not a walk
