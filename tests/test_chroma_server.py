"""With CHROMA_URL set, replicas share one Chroma server: what one indexes, the others answer from."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_knowledge
from bot.settings import Settings
from tests.conftest import write


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(exe).exists():
        pytest.skip("the chroma server binary (from the chromadb package) is not installed")
    port = _free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the chroma server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(LIAISON_DATA_DIR=tmp_path / "local", CHROMA_URL=url, LIAISON_EMBEDDER="fake:32")


def test_replicas_share_documents_through_the_server(chroma_url: str, tmp_path: Path) -> None:
    one = build_knowledge(_settings(tmp_path, chroma_url))
    two = build_knowledge(_settings(tmp_path, chroma_url))
    doc = write(tmp_path / "sla.md", "# SLA\n\n5.3 Credit Cap. Service Credits shall not exceed 12% of the Fees.\n")
    one.index([doc], engagement="server-acme")
    hits = two.search("credit cap", engagement="server-acme", k=3)
    assert hits and "12%" in hits[0].chunk.text
    write(doc, "# SLA\n\n5.3 Credit Cap. Service Credits shall not exceed 15% of the Fees.\n")
    one.index([doc], engagement="server-acme")
    hits = two.search("credit cap", engagement="server-acme", k=3)  # the second replica sees the change
    assert hits and "15%" in hits[0].chunk.text and all("12%" not in h.chunk.text for h in hits)
    assert not (tmp_path / "local" / "chroma").exists()  # nothing went to the local store
