"""Issue #9 items 10 and 12 (sweeping): several processes on one local store, and what a crashed write leaves.

Real `liaison` processes on one data directory (the deterministic `fake` embedder keeps them fast),
a long-lived in-process reader beside them, and `liaison doctor` finding and sweeping the chunks an
interrupted index left behind. Real Chroma throughout.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from langchain_core.embeddings import DeterministicFakeEmbedding

from bot.cli import cli
from knowledge.base import KnowledgeBase
from knowledge.store import Store, make_client
from tests.conftest import write
from tests.security.test_visibility_changes import CrashingCollection

LIAISON = str(Path(sys.executable).with_name("liaison"))
WORDS = [
    "service",
    "credit",
    "fee",
    "vendor",
    "client",
    "agreement",
    "term",
    "notice",
    "breach",
    "data",
    "audit",
    "invoice",
    "payment",
]


def _contracts(folder: Path, tag: str, *, files: int = 10, clauses: int = 120) -> Path:
    """Files of numbered clauses, each clause naming a word unique to it (`<tag>f<file>c<clause>`)."""
    rng = random.Random(tag)
    for f in range(files):
        lines = [f"# Contract {tag} {f}"]
        for c in range(1, clauses + 1):
            lines.append(f"{c}.1 " + " ".join(rng.choice(WORDS) for _ in range(30)) + f" {tag}f{f}c{c}.")
        write(folder / f"contract-{tag}{f}.md", "\n\n".join(lines) + "\n")
    return folder


def _env(data: Path) -> dict[str, str]:
    return {**os.environ, "LIAISON_DATA_DIR": str(data), "LIAISON_EMBEDDER": "fake:64", "LIAISON_LLM": ""}


def _liaison(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LIAISON, *args], env=env, capture_output=True, text=True, timeout=300)


def test_three_index_processes_on_one_data_dir_leave_a_working_store(tmp_path: Path) -> None:
    env = _env(tmp_path / "data")
    folders = [_contracts(tmp_path / tag, tag) for tag in ("ka", "kb", "kc")]
    procs = [
        subprocess.Popen([LIAISON, "index", str(f), "-e", "acme", "--json"], env=env, stdout=subprocess.PIPE, text=True)
        for f in folders
    ]
    reports = [json.loads(p.communicate(timeout=600)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    assert sum(len(r["indexed"]) for r in reports) == 30

    for tag in ("ka", "kb", "kc"):
        search = _liaison(env, "search", f"{tag}f3c7 payment", "-e", "acme", "--json")
        assert search.returncode == 0, search.stderr  # was: "Error finding id"
        assert json.loads(search.stdout)["hits"][0]["document"] == f"contract-{tag}3.md"
    ask = _liaison(env, "ask", "what about kbf5c9 invoice?", "-e", "acme", "--json")
    assert ask.returncode == 0, ask.stderr
    documents = json.loads(_liaison(env, "documents", "-e", "acme", "--json").stdout)["documents"]
    assert len(documents) == 30
    doctor = _liaison(env, "doctor", "--json")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    checked = json.loads(doctor.stdout)
    assert checked["consistent"] and checked["problems"] == []
    assert checked["chunks"] == sum(d["chunks"] for d in documents)  # every chunk is there, none extra


def test_a_long_lived_reader_reads_what_another_process_wrote(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kb = KnowledgeBase(Store(make_client(data_dir=data)), DeterministicFakeEmbedding(size=64))  # the bot
    kb.index([_contracts(tmp_path / "ra", "ra")], engagement="acme")
    assert kb.search("raf2c5 invoice", engagement="acme")[0].chunk.document == "contract-ra2.md"

    indexed = _liaison(_env(data), "index", str(_contracts(tmp_path / "rb", "rb")), "-e", "acme")
    assert indexed.returncode == 0, indexed.stderr

    hits = kb.search("rbf4c11 invoice", engagement="acme")  # was: "Error finding id", or nothing of rb
    assert hits and hits[0].chunk.document == "contract-rb4.md"
    assert kb.search("raf2c5 invoice", engagement="acme")[0].chunk.document == "contract-ra2.md"
    assert len(kb.documents("acme")) == 20

    kb.forget("acme", ["contract-rb4.md"])  # and its own writes after that keep the directory sound
    again = _liaison(_env(data), "search", "rbf4c11 invoice", "-e", "acme", "--json")
    assert again.returncode == 0, again.stderr
    assert all(h["document"] != "contract-rb4.md" for h in json.loads(again.stdout)["hits"])


@pytest.fixture
def doctor(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_EMBEDDER": "fake:64", "LIAISON_LLM": ""}

    def invoke(*args: str) -> tuple[int, dict[str, object]]:
        result = CliRunner().invoke(cli, ["doctor", *args, "--json"], env=env, catch_exceptions=False)
        return result.exit_code, json.loads(result.output)

    return invoke


def _crashed(tmp_path: Path, crash_at: int, *paths: Path, engagement: str = "acme") -> None:
    """`liaison index` of `paths` in a process that dies at its Nth write to Chroma."""
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), DeterministicFakeEmbedding(size=64))
    counter = [0]
    kb.store.chunks = CrashingCollection(kb.store.chunks, counter, crash_at)  # type: ignore[assignment]
    kb.store.documents = CrashingCollection(kb.store.documents, counter, crash_at)  # type: ignore[assignment]
    with pytest.raises(RuntimeError, match="died here"):
        kb.index(list(paths), engagement=engagement)


SLA_V1 = "# SLA\n\n1. Credits. Service Credits shall not exceed 12% of the Monthly Fees.\n"
SLA_V2 = "# SLA\n\n1. Credits. Service Credits shall not exceed 15% of the Monthly Fees.\n"


def test_doctor_sweeps_old_versions_and_orphans_a_crash_left(tmp_path: Path, doctor) -> None:  # type: ignore[no-untyped-def]
    sla = write(tmp_path / "sla.md", SLA_V1)
    env = {"LIAISON_DATA_DIR": str(tmp_path / "data"), "LIAISON_EMBEDDER": "fake:64", "LIAISON_LLM": ""}
    assert CliRunner().invoke(cli, ["index", str(sla), "-e", "acme"], env=env).exit_code == 0
    write(tmp_path / "sla.md", SLA_V2)
    _crashed(tmp_path, 3, sla)  # new chunks and the record written, old version's chunks not yet dropped
    new = write(tmp_path / "new.md", "# New\n\n1. Notice. Thirty days.\n")
    _crashed(tmp_path, 2, new, engagement="beta")  # its chunks written, not its record

    code, found = doctor("--dry-run")
    assert code == 1 and not found["consistent"]
    assert sorted(p["kind"] for p in found["problems"]) == ["orphan_chunks", "stale_chunks"]
    code, repaired = doctor()
    assert code == 0 and all(p["repaired"] for p in repaired["problems"])
    code, after = doctor()
    assert code == 0 and after["consistent"] and after["problems"] == []
    kb = KnowledgeBase(Store(make_client(data_dir=tmp_path / "data")), DeterministicFakeEmbedding(size=64))
    assert [d.name for d in kb.documents("acme")] == ["sla.md"]
    assert after["chunks"] == kb.documents("acme")[0].chunks


def test_index_sweeps_what_a_crash_left_before_it_starts(tmp_path: Path) -> None:
    sla = write(tmp_path / "sla.md", SLA_V1)
    data = tmp_path / "data"
    KnowledgeBase(Store(make_client(data_dir=data)), DeterministicFakeEmbedding(size=64)).index(
        [sla], engagement="acme"
    )
    write(tmp_path / "sla.md", SLA_V2)
    _crashed(tmp_path, 3, sla)
    report = KnowledgeBase(Store(make_client(data_dir=data)), DeterministicFakeEmbedding(size=64)).index(
        [write(tmp_path / "other.md", "# Other\n\n1. Term. Two years.\n")], engagement="acme"
    )
    assert any("sla.md" in w and "older version" in w for w in report.warnings)
    store = Store(make_client(data_dir=data))
    assert store.check().problems == []
    assert "15%" in store.document_text("acme", "sla.md")


OPEN_AT_ONCE = """
import os, sys, time
from pathlib import Path
from knowledge.store import make_client
Path(sys.argv[2] + f".{os.getpid()}.ready").touch()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.001)
make_client(data_dir=Path(sys.argv[1])).get_or_create_collection("liaison-race")
print("opened")
"""


def test_processes_creating_one_new_data_dir_at_once_all_open_it(tmp_path: Path) -> None:
    """Was: "table collections already exists" when two processes created Chroma's tables together."""
    data, go = tmp_path / "data", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_ONCE, str(data), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for _ in range(6)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.*.ready"))) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)  # until every process has imported Chroma, then all open the directory at once
    go.touch()
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [out.strip() for out, _ in outcomes] == ["opened"] * 6, [err[-400:] for _, err in outcomes]
