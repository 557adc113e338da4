"""The second ranking stage measured against the first, each corpus indexed once for both.

CUAD service set (CUAD v1, The Atticus Project, CC BY 4.0; the metrics of `benchmarks/retrieval.py`,
scoped and pooled) and the Slack-style development set (`benchmarks/devset.py`: lead correct, hit@k).
The same index is searched with the first stage alone (`Retriever(ranker=None)`) and with the shipped
model (`knowledge/data/ranker.json`); "first" and "second" rows come from one process and one index.
Run from the repository root:

    python benchmarks/ranking.py ../shared/bench [--skip-cuad] [--skip-dev] [--embedder minilm] [--out FILE]
    python benchmarks/ranking.py ../shared/bench --skip-dev --limit-contracts 12 --cuad-data-dir /tmp/cuad-12
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import bot.settings  # noqa: E402,F401  (offline / telemetry environment)
from benchmarks import devset, retrieval  # noqa: E402

MODELS = Path(tempfile.gettempdir()) / "liaison-bench-models"


def cuad(
    bench: Path, emb: Any, ks: list[int], data_dir: Path | None = None, limit: int | None = None
) -> dict[str, Any]:
    """`data_dir`: index there and keep it (unchanged contracts are not re-embedded); `limit`: the first N contracts
    of service_contracts.tsv, as `benchmarks/retrieval.py --limit-contracts`."""
    from knowledge.indexing import Indexer
    from knowledge.ranking import load_ranker
    from knowledge.retrieval import Retriever
    from knowledge.store import Store, make_client

    paths, _, questions = retrieval.load(bench / "cuad", "questions_service.jsonl", limit)
    out: dict[str, Any] = {"contracts": len(paths), "questions": len(questions)}
    with tempfile.TemporaryDirectory(prefix="liaison-rank-") as tmp:
        store = Store(make_client(data_dir=data_dir or Path(tmp)))
        report = Indexer(store, emb).index_paths(paths, engagement="cuad")
        out["indexing"] = retrieval.indexing_stats(report.chunks, report.seconds, report.bytes, report.embed_seconds)
        print(f"cuad: indexed {report.chunks} chunks in {report.seconds:.0f} s", file=sys.stderr)
        for stage, ranker in (("first", None), ("second", load_ranker(emb))):
            if stage == "second" and ranker is None:
                raise SystemExit("the shipped ranker does not load for this embedder")
            ret = Retriever(store, emb, ranker=ranker)

            def search(text: str, contract: str | None, k: int, ret: Retriever = ret) -> list[retrieval.Span]:
                hits = ret.search(text, engagement="cuad", k=k, documents=[contract] if contract else None)
                return [(h.chunk.document, h.chunk.start, h.chunk.end) for h in hits]

            out[stage] = retrieval.evaluate(search, questions, ks, stage)
            print(f"cuad {stage}: {json.dumps(_short(out[stage]))}", file=sys.stderr)
    return out


def _short(r: dict[str, Any]) -> dict[str, Any]:
    keys = ("hit@1", "hit@4", "hit@8", "recall@4", "recall@8", "precision@4")
    return {
        mode: {k: round(r[mode]["metrics"][k], 3) for k in keys if k in r[mode]["metrics"]}
        | {"p95_ms": round(r[mode]["latency_ms"]["p95"], 1)}
        for mode in ("scoped", "pooled")
    }


def dev(bench: Path, emb: Any, ks: list[int]) -> dict[str, Any]:
    from knowledge.base import KnowledgeBase
    from knowledge.ranking import load_ranker
    from knowledge.store import Store, make_client

    items, corpus = devset.load_items(devset.DATA), devset.load_corpus(devset.DOCUMENTS)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="liaison-rank-dev-") as tmp:
        kb = KnowledgeBase(Store(make_client(data_dir=Path(tmp))), emb)
        for engagement, rel in corpus.paths.items():
            kb.index([bench / r for r in rel], engagement=engagement)
        shipped = load_ranker(emb)
        for stage, ranker in (("first", None), ("second", shipped)):
            kb.retriever.ranker = ranker
            rows = [devset.run_item(kb, it, corpus, ks) for it in items]
            summary = {"all": devset.summarise(rows, ks)}
            for engagement in corpus.paths:
                summary[engagement] = devset.summarise([r for r in rows if r["engagement"] == engagement], ks)
            out[stage] = {"summary": summary, "by_kind": devset.breakdown(rows, "kind"), "results": rows}
            print(f"dev {stage}:", file=sys.stderr)
            devset.print_table(summary, ks)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("bench", type=Path, help="the shared bench folder (cuad/, sla/docs)")
    p.add_argument("--embedder", help="a LIAISON_EMBEDDER value (default: the project's default)")
    p.add_argument("--skip-cuad", action="store_true")
    p.add_argument("--skip-dev", action="store_true")
    p.add_argument("--cuad-data-dir", type=Path, help="index the CUAD service set here and keep it")
    p.add_argument("--limit-contracts", type=int, help="the first N CUAD service contracts (default all 40)")
    p.add_argument("--out", type=Path, help="JSON (default benchmarks/results/ranking-<timestamp>.json)")
    args = p.parse_args(argv)
    from bot.settings import Settings
    from knowledge.embeddings import make_embeddings

    spec = args.embedder or Settings.model_fields["embedder"].default
    emb = make_embeddings(spec, data_dir=MODELS)
    res: dict[str, Any] = {"embedder": spec}
    if not args.skip_dev:
        res["dev"] = dev(args.bench, emb, [1, 4, 8])
    if not args.skip_cuad:
        res["cuad"] = cuad(args.bench, emb, [1, 4, 8, 32], args.cuad_data_dir, args.limit_contracts)
        for stage in ("first", "second"):
            print(f"cuad {stage}: {json.dumps(_short(res['cuad'][stage]))}")
    out = args.out or HERE / "results" / f"ranking-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
