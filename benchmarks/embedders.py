"""The local embedders side by side: indexing speed, query latency and memory, each in a fresh process.

Accuracy is measured by the benchmarks that already answer questions, with `--embedder`
(see BENCHMARKS.md, "Embedder: MiniLM or e5"):

    python benchmarks/devset.py ../shared/bench --embedder e5                       # Slack-style, English
    python benchmarks/devset.py ../shared/bench --embedder e5 --data benchmarks/data/sla_it_dev.jsonl \\
        --documents benchmarks/data/sla_it_dev_documents.json                      # Italian
    python benchmarks/retrieval.py ../shared/bench/cuad --skip-baseline --embedder e5

This script measures cost on the same chunks the indexer embeds (breadcrumb + clause text, from the
documents given; default the shared bench's SLA folder and its Italian one):

    nice -n 10 python benchmarks/embedders.py ../shared/bench/sla/docs ../shared/bench/sla-it/docs

Per embedder, in its own process (so memory is its own): load seconds (model files already built),
chunks per CPU-second embedding them in the indexer's batches (user + system CPU time of the
process, all threads), wall seconds, median and p95 latency of one query, resident memory after
loading and at its peak (ru_maxrss), and the model files' size on disk.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EMBEDDERS = ("minilm", "e5")
QUERIES = [
    "how many days do we have to fix a severity 1 incident?",
    "whats the credit cap",
    "can we terminate if uptime keeps missing?",
    "who pays for the audit?",
    "entro quanto tempo va ripristinato il servizio?",
    "qual è la disponibilità garantita?",
    "do service credits turn into cash?",
    "what is excluded from downtime?",
] * 5
MODELS = Path(tempfile.gettempdir()) / "liaison-bench-models"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def chunk_texts(folders: list[Path]) -> list[str]:
    """What the indexer embeds for every chunk of the supported documents under `folders`."""
    from knowledge.chunking import chunk_document
    from knowledge.indexing import embedding_text
    from knowledge.loaders import find_documents, load_document

    found, _ = find_documents(folders)
    texts = []
    for f in found:
        doc = load_document(f.path, name=f.name)
        texts.extend(embedding_text(doc, c) for c in chunk_document(doc))
    return texts


def measure(spec: str, folders: list[Path]) -> dict[str, Any]:
    """One embedder's costs (run in a child process: see main)."""
    import bot.settings  # noqa: F401  (telemetry off before the libraries load)
    from knowledge.embeddings import make_embeddings
    from knowledge.indexing import EMBED_BATCH

    texts = chunk_texts(folders)
    for library in ("onnxruntime", "tokenizers"):  # what both need is not either model's memory
        importlib.import_module(library)
    if spec == "e5":
        from knowledge.e5.files import ensure_files

        ensure_files(MODELS)  # built once if not there yet: not what is timed
    before = _rss_mb()
    t0 = time.perf_counter()
    emb = make_embeddings(spec, data_dir=MODELS)
    load_s = time.perf_counter() - t0
    loaded = _rss_mb()
    emb.embed_query("warm up")
    cpu0, wall0 = _cpu(), time.perf_counter()
    for lo in range(0, len(texts), EMBED_BATCH):
        emb.embed_documents(texts[lo : lo + EMBED_BATCH])
    cpu, wall = _cpu() - cpu0, time.perf_counter() - wall0
    latencies = []
    for q in QUERIES:
        t = time.perf_counter()
        emb.embed_query(q)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    model_path = _model_file(spec)
    return {
        "embedder": spec,
        "chunks": len(texts),
        "chars": sum(map(len, texts)),
        "load_seconds": round(load_s, 2),
        "chunks_per_cpu_second": round(len(texts) / cpu, 2),
        "embed_cpu_seconds": round(cpu, 1),
        "embed_wall_seconds": round(wall, 1),
        "query_ms_median": round(statistics.median(latencies), 1),
        "query_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "rss_mb_model": round(loaded - before, 1),
        "rss_mb_peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "model_file_mb": round(os.path.getsize(model_path) / 1e6, 1) if model_path else None,
    }


def _model_file(spec: str) -> Path | None:
    if spec == "e5":
        from knowledge.e5.files import MODEL

        return MODELS / "models" / MODEL
    if spec == "minilm":
        from knowledge.embeddings import _minilm_files

        return Path(_minilm_files()[0])
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folders", type=Path, nargs="+", help="documents whose chunks are embedded")
    p.add_argument("--embedders", default=",".join(EMBEDDERS), help="comma-separated (default minilm,e5)")
    p.add_argument("--out", type=Path, help="JSON (default benchmarks/results/embedders-<timestamp>.json)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.folders)))
        return 0
    rows = []
    for spec in args.embedders.split(","):
        cmd = [sys.executable, __file__, *map(str, args.folders), "--child", spec.strip()]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    keys = [k for k in rows[0] if k != "embedder"]
    print(f"{'':<24}" + "".join(f"{r['embedder']:>14}" for r in rows))
    for k in keys:
        print(f"{k:<24}" + "".join(f"{r[k]!s:>14}" for r in rows))
    out = args.out or Path(__file__).resolve().parent / "results" / f"embedders-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"folders": [str(f) for f in args.folders], "rows": rows}, indent=2) + "\n", "utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
