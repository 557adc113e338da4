"""Retrieval benchmark on CUAD: Liaison's hybrid retriever against a plain LangChain + Chroma baseline.

Data: CUAD v1, the Contract Understanding Atticus Dataset, by The Atticus Project, licensed CC BY 4.0
(Hendrycks, Burns, Chen, Ball, "CUAD: An Expert-Annotated NLP Dataset for Legal Contract Review",
NeurIPS 2021). Question wording for most categories follows LegalBench-RAG (MIT). The data folder's
README.md defines the files and the metrics (character recall/precision@k, hit@k; scoped and pooled;
a gold span counts at every occurrence in `all_starts`). Run from the repository root (the full
40-contract service set takes ~25 min of CPU):

    . .venv/bin/activate
    python benchmarks/retrieval.py ../shared/bench/cuad                      # questions_service.jsonl
    python benchmarks/retrieval.py ../shared/bench/cuad --limit-contracts 3 --out /tmp/r.json
    python benchmarks/retrieval.py ../shared/bench/cuad --ks 1,4,8,32 --skip-baseline

The corpus is every contract the question file mentions (--limit-contracts N: the first N rows of
service_contracts.tsv). Both pipelines share one embedder instance (--embedder, default the project's).
Ours: knowledge's Indexer into a Store in a temporary folder, then its Retriever. Baseline:
RecursiveCharacterTextSplitter(500, 0) + dense-only langchain_chroma.Chroma (cosine, in memory). One search per
question with k = max(ks).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # before onnxruntime / chromadb are imported
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402

import bot.settings  # noqa: E402,F401  (also sets the offline / telemetry environment)

CREDIT = "CUAD v1 by The Atticus Project, CC BY 4.0 (Hendrycks et al., NeurIPS 2021)"
Interval = tuple[int, int]
Span = tuple[str, int, int]  # (contract file name, start, end) of one retrieved chunk
Search = Callable[[str, str | None, int], list[Span]]  # (text, contract or None for pooled, k)


@dataclass(frozen=True)
class Question:
    contract: str
    category: str
    question: str
    pooled: str  # "In the {document_name} between {parties}: {question}"
    gold: tuple[Interval, ...]  # merged intervals covering every occurrence of every gold span


# -- loading ---------------------------------------------------------------------------------------
def merge(intervals: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for s, e in sorted(i for i in intervals if i[1] > i[0]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def load(data: Path, qfile: str, limit: int | None) -> tuple[list[Path], dict[str, str], list[Question]]:
    """The selected contracts (paths, texts) and their questions with gold intervals."""
    with open(data / "service_contracts.tsv", encoding="utf-8", newline="") as f:
        listed = [row["file"] for row in csv.DictReader(f, delimiter="\t")]
    qpath = Path(qfile) if Path(qfile).exists() else data / qfile
    rows = [json.loads(line) for line in qpath.read_text(encoding="utf-8").splitlines() if line.strip()]
    asked = {r["contract"] for r in rows}
    names = [n for n in (listed[:limit] if limit else listed + sorted(asked - set(listed))) if n in asked]
    # bytes -> str without newline translation: offsets are Python str indices into the file
    texts = {n: (data / "contracts" / n).read_bytes().decode("utf-8") for n in names}
    questions, bad = [], 0
    for r in (r for r in rows if r["contract"] in texts):
        text, spans = texts[r["contract"]], []
        for a in r["answers"]:
            length = a["end"] - a["start"]
            for s in a.get("all_starts") or [a["start"]]:
                bad += text[s : s + length] != a["text"]
                spans.append((s, s + length))
        pooled = f"In the {r['document_name']} between {r['parties']}: {r['question']}"
        questions.append(Question(r["contract"], r["category"], r["question"], pooled, tuple(merge(spans))))
    if bad:
        print(f"warning: {bad} gold span occurrence(s) do not match the contract text", file=sys.stderr)
    return [data / "contracts" / n for n in names], texts, questions


# -- scoring ---------------------------------------------------------------------------------------
def overlap(a: Sequence[Interval], b: Sequence[Interval]) -> int:
    """Characters in both of two merged, sorted interval lists."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        total += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        i, j = (i + 1, j) if a[i][1] < b[j][1] else (i, j + 1)
    return total


def score(q: Question, spans: Sequence[Span], k: int) -> dict[str, float]:
    """hit, character recall and precision of the top k, counting only chunks of the right contract."""
    own = [(s, e) for doc, s, e in spans[:k] if doc == q.contract]
    r = merge(own)
    covered, found, gold = sum(e - s for s, e in r), overlap(r, q.gold), sum(e - s for s, e in q.gold)
    hit = any(s < ge and gs < e for s, e in own for gs, ge in q.gold)
    return {
        "hit": float(hit),
        "recall": found / gold if gold else 0.0,
        "precision": found / covered if covered else 0.0,
    }


def evaluate(search: Search, questions: list[Question], ks: list[int], label: str) -> dict[str, Any]:
    """Per mode: mean hit/recall/precision@k, latency of the search call alone, hit@4 by category."""
    t0 = time.perf_counter()
    search("warm-up", None, 1)  # builds lazy caches (ours: BM25 over all chunks); not in the latencies
    out: dict[str, Any] = {"first_query_seconds": time.perf_counter() - t0}
    for mode in ("scoped", "pooled"):
        values: dict[str, list[float]] = defaultdict(list)
        latency: list[float] = []
        by_cat: dict[str, list[float]] = defaultdict(list)
        for n, q in enumerate(questions, 1):
            text, contract = (q.question, q.contract) if mode == "scoped" else (q.pooled, None)
            t0 = time.perf_counter()
            spans = search(text, contract, max(ks))
            latency.append((time.perf_counter() - t0) * 1000)
            for k in ks:
                for name, value in score(q, spans, k).items():
                    values[f"{name}@{k}"].append(value)
            by_cat[q.category].append(score(q, spans, 4)["hit"])
            if n % 100 == 0:
                print(f"  {label} {mode}: {n}/{len(questions)} questions", file=sys.stderr)
        p50, p95 = np.percentile(latency, [50, 95])
        cats = {c: {"n": len(v), "hit@4": float(np.mean(v))} for c, v in sorted(by_cat.items())}
        out[mode] = {
            "metrics": {key: float(np.mean(v)) for key, v in values.items()},
            "latency_ms": {"p50": float(p50), "p95": float(p95)},
            "hit@4_by_category": cats,
        }
    return out


def indexing_stats(chunks: int, seconds: float, nbytes: int, embed_seconds: float) -> dict[str, float]:
    per = (lambda x: x / seconds) if seconds else (lambda x: 0.0)
    return {
        "chunks": chunks,
        "seconds": seconds,
        "bytes": nbytes,
        "chunks_per_s": per(chunks),
        "mb_per_s": per(nbytes / 1e6),
        "embed_seconds": embed_seconds,
        "embed_share": per(embed_seconds),
    }


# -- pipelines -------------------------------------------------------------------------------------
def run_ours(
    emb: Embeddings, paths: list[Path], texts: dict[str, str], questions: list[Question], ks: list[int]
) -> dict[str, Any]:
    from knowledge.indexing import Indexer
    from knowledge.retrieval import Retriever
    from knowledge.store import Store, make_client

    bad_spans: list[str] = []
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
        store = Store(make_client(data_dir=Path(tmp)))
        indexer = Indexer(store, emb)
        print(f"ours: indexing {len(paths)} contracts ...", file=sys.stderr)
        report = indexer.index_paths(paths, engagement="cuad")
        if report.failed:
            raise RuntimeError(f"ours: indexing failed: {[(e.name, e.reason) for e in report.failed]}")
        again = indexer.index_paths(paths, engagement="cuad")  # unchanged files: should all be skipped
        out: dict[str, Any] = {
            "indexing": {
                **indexing_stats(report.chunks, report.seconds, report.bytes, report.embed_seconds),
                "reindex_seconds": again.seconds,
                "reindex_chunks": again.chunks,
                "reindex_unchanged": len(again.unchanged),
            }
        }
        ret = Retriever(store, emb)

        def search(text: str, contract: str | None, k: int) -> list[Span]:
            hits = ret.search(text, engagement="cuad", k=k, documents=[contract] if contract else None)
            chunks = [h.chunk for h in hits]  # every span must be exact, or the scores mean nothing
            bad_spans.extend(
                f"{c.document}[{c.start}:{c.end}]"
                for c in chunks
                if c.document in texts and texts[c.document][c.start : c.end] != c.text
            )
            return [(c.document, c.start, c.end) for c in chunks]

        out.update(evaluate(search, questions, ks, "ours"))
    out["inexact_spans"] = sorted(set(bad_spans))
    if bad_spans:
        print(f"warning: {len(set(bad_spans))} retrieved span(s) do not match the file", file=sys.stderr)
    return out


class TimedEmbeddings(Embeddings):
    """Delegates to the shared embedder and adds up the time spent embedding documents."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner, self.seconds = inner, 0.0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        t0 = time.perf_counter()
        vectors = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - t0
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def run_baseline(emb: Embeddings, texts: dict[str, str], questions: list[Question], ks: list[int]) -> dict[str, Any]:
    import chromadb
    from chromadb.config import Settings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    print(f"baseline: indexing {len(texts)} contracts ...", file=sys.stderr)
    timed, t0 = TimedEmbeddings(emb), time.perf_counter()
    db = Chroma(
        collection_name=f"cuad_baseline_{os.getpid()}_{time.time_ns()}",
        embedding_function=timed,
        client=chromadb.EphemeralClient(Settings(anonymized_telemetry=False)),
        collection_configuration={"hnsw": {"space": "cosine"}},
    )
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=0, add_start_index=True)
    chunks = 0
    for name, text in texts.items():
        docs = splitter.create_documents([text])
        metas = []
        for d in docs:
            start = d.metadata["start_index"]
            if start < 0 or text[start : start + len(d.page_content)] != d.page_content:
                raise RuntimeError(f"baseline: start_index {start} does not locate a chunk of {name}")
            metas.append({"contract": name, "start": start, "end": start + len(d.page_content)})
        for lo in range(0, len(docs), 1000):  # stay under Chroma's maximum batch size
            db.add_texts(
                [d.page_content for d in docs[lo : lo + 1000]],
                metadatas=metas[lo : lo + 1000],
                ids=[f"{name}:{i}" for i in range(lo, lo + len(docs[lo : lo + 1000]))],
            )
        chunks += len(docs)
    seconds, nbytes = time.perf_counter() - t0, sum(len(t.encode("utf-8")) for t in texts.values())
    out: dict[str, Any] = {"indexing": indexing_stats(chunks, seconds, nbytes, timed.seconds)}

    def search(text: str, contract: str | None, k: int) -> list[Span]:
        found = db.similarity_search(text, k=k, filter={"contract": contract} if contract else None)
        return [(d.metadata["contract"], int(d.metadata["start"]), int(d.metadata["end"])) for d in found]

    return out | evaluate(search, questions, ks, "baseline")


# -- report ----------------------------------------------------------------------------------------
def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def metric(r: dict[str, Any] | None, mode: str, key: str) -> float | None:
    return r[mode]["metrics"].get(key) if r else None


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def targets(ours: dict[str, Any], base: dict[str, Any] | None) -> list[dict[str, Any]]:
    def check(
        name: str, value: float | None, bound: float | None, ok: Callable[[float, float], bool], goal: str
    ) -> dict[str, Any]:
        status = "n/a" if value is None or bound is None else ("PASS" if ok(value, bound) else "FAIL")
        return {"target": name, "goal": goal, "bound": bound, "value": value, "status": status}

    bp4, br8 = metric(base, "scoped", "precision@4"), metric(base, "pooled", "recall@8")
    ix, ge, lt = ours["indexing"], (lambda v, b: v >= b), (lambda v, b: v < b)
    return [
        check("scoped hit@4", metric(ours, "scoped", "hit@4"), 0.85, ge, ">= 0.85"),
        check("scoped precision@4", metric(ours, "scoped", "precision@4"), bp4, ge, ">= baseline"),
        check("pooled recall@8", metric(ours, "pooled", "recall@8"), br8 and 2 * br8, ge, ">= 2x baseline"),
        check("ours scoped query p95 ms", ours["scoped"]["latency_ms"]["p95"], 300, lt, "< 300"),
        check("ours pooled query p95 ms", ours["pooled"]["latency_ms"]["p95"], 300, lt, "< 300"),
        check("embedder share of indexing", ix["embed_share"], 0.85, ge, ">= 0.85"),
        check("re-index unchanged corpus s", ix["reindex_seconds"], 5, lt, "< 5"),
    ]


def print_table(res: dict[str, Any], ks: list[int]) -> None:
    pipes = {n: res[n] for n in ("ours", "baseline") if res.get(n)}
    c = res["corpus"]
    print(f"\nCUAD retrieval benchmark -- data: {CREDIT}")
    print(f"{c['contracts']} contracts, {c['questions']} questions, {c['bytes'] / 1e6:.2f} MB, ks={ks}\n")
    print(f"{'indexing':<10}{'chunks':>8}{'secs':>9}{'chunk/s':>9}{'MB/s':>8}{'embed%':>8}{'reindex s':>11}")
    for n, r in pipes.items():
        ix = r["indexing"]
        re_s = f"{ix['reindex_seconds']:.2f}" if "reindex_seconds" in ix else "-"
        print(
            f"{n:<10}{ix['chunks']:>8}{ix['seconds']:>9.1f}{ix['chunks_per_s']:>9.1f}{ix['mb_per_s']:>8.4f}"
            f"{100 * ix['embed_share']:>7.1f}%{re_s:>11}"
        )
    ix = res["ours"]["indexing"]
    if ix["reindex_chunks"] or ix["reindex_unchanged"] != c["contracts"]:
        print(f"  (ours re-index: {ix['reindex_unchanged']}/{c['contracts']} files skipped as unchanged)")
    cols = [f"{m}@{k}" for m in ("hit", "recall", "precision") for k in ks]
    heads = "".join(f"{h.replace('precision', 'prec').replace('recall', 'rec'):>8}" for h in cols)
    print(f"\n{'':<16}{heads}{'p50 ms':>9}{'p95 ms':>9}")
    for mode in ("scoped", "pooled"):
        for n, r in pipes.items():
            lat, row = r[mode]["latency_ms"], "".join(f"{r[mode]['metrics'][h]:>8.3f}" for h in cols)
            print(f"{n + ' ' + mode:<16}{row}{lat['p50']:>9.1f}{lat['p95']:>9.1f}")
    if res["ratios"]:
        shown = (f"{k} {'n/a' if v is None else f'{v:.2f}x'}" for k, v in res["ratios"].items())
        print("\nours/baseline: " + ", ".join(shown))
    print("\ntargets:")
    for t in res["targets"]:
        value = "n/a" if t["value"] is None else f"{t['value']:.3f}"
        bound = f" = {t['bound']:.3f}" if "baseline" in t["goal"] and t["bound"] is not None else ""
        print(f"  {t['status']:<5} {t['target']:<30} {value:>9}  (goal {t['goal']}{bound})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", type=Path, help="the CUAD benchmark folder (contracts/, questions*.jsonl, ...)")
    p.add_argument("--questions", default="questions_service.jsonl", help="path, or file name in data")
    p.add_argument("--limit-contracts", type=int, default=None, help="first N of service_contracts.tsv")
    p.add_argument("--ks", default="1,4,8,32", help="comma-separated k values (default 1,4,8,32)")
    p.add_argument("--out", type=Path, help="JSON (default benchmarks/results/retrieval-<timestamp>.json)")
    p.add_argument("--skip-baseline", action="store_true", help="run only our pipeline")
    p.add_argument("--embedder", help="a LIAISON_EMBEDDER value (default: the project's default embedder)")
    args = p.parse_args(argv)
    ks = sorted({int(k) for k in args.ks.split(",") if k.strip()})
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_path = args.out or Path(__file__).resolve().parent / "results" / f"retrieval-{stamp}.json"
    paths, texts, questions = load(args.data, args.questions, args.limit_contracts)
    if not questions:
        p.error("no questions left for the selected contracts")
    print(
        f"CUAD retrieval benchmark ({CREDIT}): {len(paths)} contracts, {len(questions)} questions",
        file=sys.stderr,
    )
    from bot.settings import Settings
    from knowledge.embeddings import make_embeddings

    embedder = args.embedder or Settings.model_fields["embedder"].default
    models = Path(tempfile.gettempdir()) / "liaison-bench-models"  # local models built once, reused by every run
    emb = make_embeddings(embedder, data_dir=models)  # one instance, shared by both pipelines
    ours = run_ours(emb, paths, texts, questions, ks)
    base = None if args.skip_baseline else run_baseline(emb, texts, questions, ks)
    pairs = {
        "scoped hit@4": ("scoped", "hit@4"),
        "scoped precision@4": ("scoped", "precision@4"),
        "pooled recall@8": ("pooled", "recall@8"),
    }
    pkgs = ("chromadb", "langchain-chroma", "langchain-text-splitters", "langchain-core", "onnxruntime")
    res: dict[str, Any] = {
        "dataset": {"name": "CUAD v1", "credit": CREDIT, "path": str(args.data), "questions": args.questions},
        "args": {
            "limit_contracts": args.limit_contracts,
            "ks": ks,
            "skip_baseline": args.skip_baseline,
            "embedder": embedder,
        },
        "versions": {name: package_version(name) for name in pkgs},
        "corpus": {
            "contracts": len(paths),
            "questions": len(questions),
            "files": [x.name for x in paths],
            "bytes": sum(len(t.encode("utf-8")) for t in texts.values()),
        },
        "ours": ours,
        "baseline": base,
        "ratios": {}
        if base is None
        else {name: ratio(metric(ours, *key), metric(base, *key)) for name, key in pairs.items()},
        "targets": targets(ours, base),
    }
    print_table(res, ks)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
