"""Fit the covered / not-covered decision (`knowledge/data/coverage.json`) on CUAD.

Training data: CUAD v1 (The Atticus Project, CC BY 4.0; Hendrycks et al., NeurIPS 2021), as laid out
in the shared bench folder (`cuad/questions.jsonl`, `cuad/contracts/`). Each CUAD category has one
question wording; a contract where CUAD's lawyers marked text for a category is "covered" for that
question, and a category with no marked text in a contract (no line for it in `questions.jsonl`) is
a natural "not covered". Contracts of the CUAD service set (`questions_service.jsonl`) and the CUAD
contracts of the Slack-style development set (`benchmarks/data/slack_dev_documents.json`) are left
out, so both stay fair for evaluation.

A deterministic sample of the remaining contracts is indexed with the default embedder (e5),
some as one-contract engagements and some grouped in threes (a question is then covered when any of
the three has a span for it), every category question is searched as the answerer searches it, the
answerer's own features are computed (`knowledge.coverage.features`), and a logistic regression is
fitted. In an engagement of three, each question is also asked of each contract by its title ("What
is the governing law for the services agreement?"), covered only when that contract has a span: the
near miss people ask, a thing one contract of the engagement has and the one they name lacks. Only
its coefficients, the feature scaling and the decision threshold are written, so the runtime needs no
scikit-learn. Run from the repository root (scikit-learn needed here only):

    .venv/bin/python scripts/fit_coverage.py ../shared/bench/cuad --data-dir /tmp/coverage-data

The threshold is the operating point: the share of CUAD's covered questions (cross-validated, folds by
engagement) it may call "not covered" (--target). A user would rather be answered from a near clause
than told wrongly that nothing covers it, so it stays low: the shipped e5 model was fitted with the
defaults (72 contracts, 16 engagements of three, target 0.04), which put the Slack-style dev set's
false not-found at 0.032 and its true not-found at 0.298, and the held-out CUAD service set's
(`--service`: its 40 contracts, each asked all 41 category questions) at 0.034 and 0.268.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bot.settings  # noqa: E402,F401  (offline / telemetry environment)

DEV_DOCUMENTS = ROOT / "benchmarks" / "data" / "slack_dev_documents.json"
OUT = ROOT / "knowledge" / "data" / "coverage.json"
SEED = 10
MAX_CHARS = 60_000  # keeps indexing to minutes; CUAD's median contract is about 32,000 characters
TARGET_FALSE_NOT_FOUND = 0.04  # of CUAD's covered questions (cross-validated) the threshold may call not covered
FLOOR_QUANTILE = 0.005  # at most 0.5% of covered CUAD questions fall below the similarity floor
UNKNOWN_QUANTILE = 0.45  # questions mostly about unknown words must come as close as the closest 55% of covered
NAMED_WORDS = 6  # a contract is named by the first words of its title ("the transportation service agreement")
C = 0.1  # L2 strength: features overlap (coverage of the lead and of the top clauses), so keep weights small


def excluded(cuad: Path) -> set[str]:
    """Contracts kept out of training: the service set and the dev set's CUAD contracts."""
    out = {json.loads(line)["contract"] for line in (cuad / "questions_service.jsonl").open(encoding="utf-8")}
    for e in json.loads(DEV_DOCUMENTS.read_text(encoding="utf-8"))["engagements"]:
        out |= {Path(p).name for p in e["index"] if p.startswith("cuad/")}
    return out


def sample(cuad: Path, n: int, groups: int) -> tuple[dict[str, list[str]], dict[str, str], dict[str, set[str]]]:
    """Engagements (name -> contracts), the question of each category, the categories each contract covers."""
    rows = [json.loads(line) for line in (cuad / "questions.jsonl").open(encoding="utf-8")]
    question_of = {r["category"]: r["question"] for r in rows}
    covers: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.get("answers"):
            covers[r["contract"]].add(r["category"])
    skip = excluded(cuad)
    pool = sorted(c for c in covers if c not in skip and (cuad / "contracts" / c).stat().st_size <= MAX_CHARS)
    chosen = random.Random(SEED).sample(pool, n)
    assert not set(chosen) & skip, "a service-set or dev-set contract got into the training sample"
    engagements: dict[str, list[str]] = {}
    grouped = chosen[: 3 * groups]
    for i in range(groups):
        engagements[f"cuad-group-{i:02d}"] = grouped[3 * i : 3 * i + 3]
    for i, c in enumerate(chosen[3 * groups :]):
        engagements[f"cuad-single-{i:02d}"] = [c]
    return engagements, question_of, covers


def collect(cuad: Path, data_dir: Path, n: int, groups: int, embedder: str) -> list[dict[str, Any]]:
    from knowledge.base import KnowledgeBase
    from knowledge.coverage import features
    from knowledge.embeddings import make_embeddings
    from knowledge.store import Store, make_client

    engagements, question_of, covers = sample(cuad, n, groups)
    kb = KnowledgeBase(Store(make_client(data_dir=data_dir)), make_embeddings(embedder))
    t0 = time.perf_counter()
    for engagement, contracts in engagements.items():
        report = kb.index([cuad / "contracts" / c for c in contracts], engagement=engagement)
        if report.failed:
            print(f"{engagement}: failed {[(e.name, e.reason) for e in report.failed]}", file=sys.stderr)
    print(f"indexed {len(engagements)} engagements in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rows: list[dict[str, Any]] = []
    answerer = kb.answerer
    for engagement, contracts in engagements.items():
        vocabulary = answerer.retriever.vocabulary(engagement=engagement, side="shared")
        asked = [(q, c, any(c in covers[x] for x in contracts), None) for c, q in sorted(question_of.items())]
        if len(contracts) > 1:  # each question also pointed at one contract: covered when that one has a span
            for doc in kb.documents(engagement):
                asked += [(naming(q, doc.title), c, c in covers[doc.name], doc.name) for c, q in question_of.items()]
        for question, category, covered, named in asked:
            hits = kb.search(question, engagement=engagement, k=answerer.k)
            if not hits:
                continue
            f = features(question, hits, vocabulary, lambda h: answerer.retriever.document_text(h.chunk))
            row = {"engagement": engagement, "category": category, "covered": covered, "features": f}
            rows.append(row | ({"named": named} if named else {}))
    return rows


def naming(question: str, title: str) -> str:
    """A category question pointed at one contract by its title, as people name one of several contracts."""
    name = "the " + " ".join(title.split()[:NAMED_WORDS]).lower()
    if "this contract" in question:
        return question.replace("this contract", name)  # "What is the governing law for the services agreement?"
    return f"{question.rstrip('?')} in {name}?"


def collect_service(cuad: Path, data_dir: Path, embedder: str) -> list[dict[str, Any]]:
    """Feature rows of the CUAD service set, held out of training: each contract its own engagement, asked every
    category question, covered when CUAD marked text for it there (for evaluation only)."""
    from knowledge.base import KnowledgeBase
    from knowledge.coverage import features
    from knowledge.embeddings import make_embeddings
    from knowledge.store import Store, make_client

    lines = (cuad / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    question_of = {r["category"]: r["question"] for r in map(json.loads, lines)}
    covers: dict[str, set[str]] = defaultdict(set)
    for r in map(json.loads, (cuad / "questions_service.jsonl").read_text(encoding="utf-8").splitlines()):
        if r.get("answers"):
            covers[r["contract"]].add(r["category"])
    kb = KnowledgeBase(Store(make_client(data_dir=data_dir)), make_embeddings(embedder))
    answerer, rows = kb.answerer, []
    for i, contract in enumerate(sorted(covers)):
        engagement = f"service-{i:02d}"
        kb.index([cuad / "contracts" / contract], engagement=engagement)
        vocabulary = answerer.retriever.vocabulary(engagement=engagement, side="shared")
        for category, question in sorted(question_of.items()):
            hits = kb.search(question, engagement=engagement, k=answerer.k)
            f = (
                features(question, hits, vocabulary, lambda h: answerer.retriever.document_text(h.chunk))
                if hits
                else None
            )
            rows.append({"engagement": engagement, "covered": category in covers[contract], "features": f})
    return rows


def collect_dev(bench: Path, data_dir: Path, embedder: str) -> list[dict[str, Any]]:
    """Feature rows of the Slack-style dev set (for evaluation only: nothing is fitted on it)."""
    from benchmarks.devset import DATA, DOCUMENTS, load_corpus, load_items
    from knowledge.base import KnowledgeBase
    from knowledge.coverage import features
    from knowledge.embeddings import make_embeddings
    from knowledge.store import Store, make_client

    items, corpus = load_items(DATA), load_corpus(DOCUMENTS)
    kb = KnowledgeBase(Store(make_client(data_dir=data_dir)), make_embeddings(embedder))
    for engagement, rel in corpus.paths.items():
        kb.index([bench / r for r in rel], engagement=engagement)
    answerer, rows = kb.answerer, []
    for it in items:
        hits = kb.search(it.question, engagement=it.engagement, side=it.side, k=answerer.k)
        if not hits:
            rows.append({"id": it.id, "covered": it.covered, "features": None})
            continue
        vocabulary = answerer.retriever.vocabulary(engagement=it.engagement, side=it.side)
        f = features(it.question, hits, vocabulary, lambda h: answerer.retriever.document_text(h.chunk))
        rows.append({"id": it.id, "question": it.question, "covered": it.covered, "features": f})
    return rows


def evaluate(
    rows: list[dict[str, Any]], model_path: Path, min_similarity: float | None, embedder: str
) -> dict[str, float]:
    """False and true not-found of the decision (`knowledge.coverage.decide`) with the embedder's fitted model."""
    from knowledge.coverage import Model, decide

    fitted = Model.load(model_path, embedder=embedder)  # the file's first model is MiniLM's
    said = [
        (
            bool(r["covered"]),
            r["features"] is not None and decide(r["features"], min_similarity=min_similarity, fitted=fitted),
        )
        for r in rows
    ]
    covered = [s for c, s in said if c]
    uncovered = [s for c, s in said if not c]
    # how well the model's probability alone orders covered above not covered (AUC; nothing retrieved counts 0)
    p = [(bool(r["covered"]), fitted.probability(r["features"]) if r["features"] else 0.0) for r in rows]
    pos, neg = [x for c, x in p if c], [x for c, x in p if not c]
    pairs = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return {
        "false_not_found": round(sum(not s for s in covered) / max(1, len(covered)), 3),
        "true_not_found": round(sum(not s for s in uncovered) / max(1, len(uncovered)), 3),
        "covered": len(covered),
        "uncovered": len(uncovered),
        "auc": round(pairs / max(1, len(pos) * len(neg)), 3),
    }


def fit(rows: list[dict[str, Any]], embedder: str, target: float = TARGET_FALSE_NOT_FOUND) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    from knowledge.coverage import FEATURES

    x = np.array([[r["features"][name] for name in FEATURES] for r in rows], dtype=np.float64)
    y = np.array([bool(r["covered"]) for r in rows], dtype=np.int64)
    groups = [str(r["engagement"]) for r in rows]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(C=C, max_iter=1000)
    # the threshold is chosen on out-of-fold probabilities (engagements never split across folds)
    p = cross_val_predict(model, z, y, cv=GroupKFold(n_splits=5), groups=groups, method="predict_proba")[:, 1]
    covered = np.sort(p[y == 1])
    threshold = float(covered[int(target * len(covered))])  # at most `target` of the covered fall below it
    model.fit(z, y)
    # the similarity bounds as quantiles of covered questions' best similarity, so they follow the embedder's
    # scale: with MiniLM they are the 0.20 floor and 0.45 bound that LIAISON_MIN_SIMILARITY=0.30 gives
    sims = np.sort(np.array([r["features"]["similarity"] for r in rows if r["covered"]], dtype=np.float64))
    floor = float(np.quantile(sims, FLOOR_QUANTILE))
    unknown = float(np.quantile(sims, UNKNOWN_QUANTILE))
    cv = {
        "false_not_found": float((p[y == 1] < threshold).mean()),
        "true_not_found": float((p[y == 0] < threshold).mean()),
    }
    return {
        "about": "Covered / not-covered decision: logistic regression over knowledge.coverage.FEATURES. "
        "Fitted by scripts/fit_coverage.py on CUAD v1 (The Atticus Project, CC BY 4.0): category questions "
        "over contracts outside the CUAD service set and the Slack-style dev set, also asked of one contract of "
        "three by its title.",
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "threshold": round(threshold, 4),
        "embedder": embedder,
        "similarity_floor": round(floor, 4),
        "unknown_similarity": round(unknown, 4),
        "training": {
            "questions": len(rows),
            "covered": int(y.sum()),
            "not_covered": int(len(y) - y.sum()),
            "engagements": len(set(groups)),
            "naming_one_contract": sum(1 for r in rows if r.get("named")),
            "target_false_not_found": target,
            "cross_validated": {k: round(v, 3) for k, v in cv.items()},
        },
    }


def write_model(path: Path, model: dict[str, Any]) -> None:
    """Put a fitted model in the file beside those of other embedders, replacing only its own embedder's.

    MiniLM's stays first: it is the one an embedder without a fit of its own (fake, openai) is judged by.
    """
    models: list[dict[str, Any]] = []
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        models = [m for m in data.get("models", [data]) if m.get("embedder", "minilm") != model["embedder"]]
    models.append(model)
    models.sort(key=lambda m: m.get("embedder", "minilm") != "minilm")
    about = "Covered / not-covered decisions, one per embedder: see each model's own 'about' and 'training'."
    path.write_text(json.dumps({"about": about, "models": models}, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cuad", type=Path, help="the CUAD folder of the shared bench (questions.jsonl, contracts/)")
    p.add_argument("--data-dir", type=Path, required=True, help="index here and keep it (re-runs reuse it)")
    p.add_argument("--contracts", type=int, default=72, help="contracts to sample (default 72)")
    p.add_argument("--groups", type=int, default=16, help="of which grouped three to an engagement (default 16)")
    p.add_argument("--rows", type=Path, help="also write the feature rows here (JSON lines)")
    p.add_argument("--out", type=Path, default=OUT, help=f"the fitted model (default {OUT.relative_to(ROOT)})")
    p.add_argument("--collect-only", action="store_true", help="index and compute features, fit nothing")
    p.add_argument("--embedder", default="e5", help="the embedder to fit on: the default that ships (e5), or minilm")
    p.add_argument(
        "--target",
        type=float,
        default=TARGET_FALSE_NOT_FOUND,
        help=f"share of CUAD's covered questions the threshold may call not covered (default {TARGET_FALSE_NOT_FOUND})",
    )
    p.add_argument("--min-similarity", type=float, help="evaluate with this floor instead of the fitted bounds")
    p.add_argument("--rows-cache", type=Path, help="reuse the CUAD feature rows written by --rows (no indexing)")
    p.add_argument("--dev", type=Path, help="also evaluate on the dev set: the shared bench folder (sla/, cuad/)")
    p.add_argument("--service", action="store_true", help="also evaluate on the CUAD service set (held out)")
    args = p.parse_args(argv)
    if args.rows_cache:
        rows = [json.loads(line) for line in args.rows_cache.read_text(encoding="utf-8").splitlines()]
    else:
        rows = collect(args.cuad, args.data_dir, args.contracts, args.groups, args.embedder)
    if args.rows:
        args.rows.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} questions, {sum(bool(r['covered']) for r in rows)} covered", file=sys.stderr)
    if args.collect_only:
        return 0
    model = fit(rows, args.embedder, args.target)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_model(args.out, model)
    print(json.dumps(model["training"]), file=sys.stderr)
    print(f"wrote {args.out}", file=sys.stderr)
    if args.dev:
        dev = collect_dev(args.dev, args.data_dir / "dev", args.embedder)
        print(f"dev set: {json.dumps(evaluate(dev, args.out, args.min_similarity, args.embedder))}", file=sys.stderr)
    if args.service:
        service = collect_service(args.cuad, args.data_dir / "service", args.embedder)
        print(
            f"service set: {json.dumps(evaluate(service, args.out, args.min_similarity, args.embedder))}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
