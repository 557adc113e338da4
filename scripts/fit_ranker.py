"""Fit the second ranking stage (`knowledge/data/ranker.json`) on CUAD.

Training data: CUAD v1 (The Atticus Project, CC BY 4.0; Hendrycks et al., NeurIPS 2021), as laid out in
the shared bench folder (`cuad/questions.jsonl`: 6,702 questions with lawyer-marked spans over 510
contracts; `cuad/contracts/`), each also asked in two Slack-style wordings of its category (SLACK_STYLE,
written once per CUAD category). The 40 contracts of the CUAD service set (`questions_service.jsonl`)
and the CUAD contracts of the Slack-style development set are left out (asserted), so both stay fair
for evaluation. A seeded sample of the rest is indexed with the chosen embedder, eight contracts to an
engagement. Every question of a sampled contract is asked twice, as the benchmark asks it: scoped to
its contract, and pooled ("In the {title} between {parties}: ...") over its engagement. The first
stage's best 40 chunks are the candidates; a candidate is relevant when it overlaps a gold span.
`knowledge.ranking.features` gives each its feature row. A logistic regression (pointwise on the
candidates, or pairwise on relevant-minus-irrelevant differences; the better one on held-out
contracts is kept) is fitted; only its coefficients and the feature scaling are written, so the
runtime needs no scikit-learn. Run from the repository root (scikit-learn needed here only):

    .venv/bin/python scripts/fit_ranker.py ../shared/bench/cuad --features-cache /tmp/ranker-rows.npz
    .venv/bin/python scripts/fit_ranker.py ../shared/bench/cuad --embedder e5 --contracts 32 --features-cache /tmp/r.npz
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import bot.settings  # noqa: E402,F401  (offline / telemetry environment)

DEV_DOCUMENTS = ROOT / "benchmarks" / "data" / "slack_dev_documents.json"
OUT = ROOT / "knowledge" / "data" / "ranker.json"
MODELS = Path(tempfile.gettempdir()) / "liaison-bench-models"  # where local models (e5) are built, as the benchmarks
SEED = 11
MAX_CHARS = 70_000  # keeps indexing to minutes; CUAD's median contract is about 32,000 characters
GROUP = 8  # contracts to an engagement (pooled questions compete across them)
C_VALUES = (0.01, 0.1, 1.0)
# CUAD's engagements here are unrelated contracts grouped by the sampler: an "amendment" among them
# amends another company's contract and two "Services Agreements" are no versions of one another, so
# what these features would learn is an artefact. They are left unfitted (weight 0): the first stage's
# amendment bonus (in score_rel) stands, and a fit on engagements with real families can fill them in.
NOT_FITTED = ("amendment", "newer_version")
FOLDS = 4
# CUAD asks each category in one template ("Is there a cap on liability under this contract?"), so a model
# fitted on it alone learns 41 wordings. Each category is also asked the way people type in Slack: short,
# lower case, "we" and "they", no "this contract". Written once per CUAD category (the categories'
# descriptions in category_descriptions.csv), not from any evaluation question; asked scoped, and pooled
# with the document named by its title at the end ("... in the supply agreement").
SLACK_STYLE = {
    "Document Name": ("whats this agreement called", "name of the contract?"),
    "Parties": ("who's the other party here", "who signed this deal"),
    "Agreement Date": ("when was it signed", "date of the agreement?"),
    "Effective Date": ("when does it start", "effective date?"),
    "Expiration Date": ("when does it end", "how long does the contract run"),
    "Renewal Term": ("does it auto renew? for how long", "renewal period?"),
    "Notice Period To Terminate Renewal": ("how much notice to stop the renewal", "deadline to opt out of renewal"),
    "Governing Law": ("which state's law applies", "governing law?"),
    "Non-Disparagement": ("can we say bad things about them publicly", "any non disparagement"),
    "Anti-Assignment": ("can they assign the contract to someone else", "do we need consent to assign it"),
    "Minimum Commitment": ("do we have to buy a minimum amount", "any minimum order or spend"),
    "License Grant": ("what are we allowed to use under the license", "what license do we get"),
    "Audit Rights": ("can they audit our books", "do we get audit rights"),
    "Cap On Liability": ("max liability?", "is their liability capped"),
    "Warranty Duration": ("how long is the warranty", "warranty period?"),
    "Most Favored Nation": ("do we get their best price", "mfn clause?"),
    "Termination For Convenience": ("can we terminate without cause", "can we get out early, notice needed?"),
    "Revenue/Profit Sharing": ("do they get a cut of revenue", "any royalties or profit share"),
    "Unlimited/All-You-Can-Eat-License": ("is usage unlimited", "any limit on how many users"),
    "Uncapped Liability": ("what liability isnt capped", "anything excluded from the cap"),
    "Exclusivity": ("is this exclusive", "can we work with their competitors"),
    "Affiliate License-Licensee": ("can our affiliates use it too", "do subsidiaries get the license"),
    "Change Of Control": ("what if we get acquired", "change of control?"),
    "Non-Transferable License": ("can we transfer the license", "is the license transferable"),
    "Rofr/Rofo/Rofn": ("do we get first refusal", "right of first offer?"),
    "Irrevocable Or Perpetual License": ("is the license perpetual", "can they revoke the license"),
    "Competitive Restriction Exception": (
        "exceptions to the non compete",
        "what are we still allowed to do despite the restriction",
    ),
    "Non-Compete": ("are we allowed to compete with them", "non compete?"),
    "Price Restrictions": ("can they raise prices", "are prices locked"),
    "Covenant Not To Sue": ("can we still sue them", "are we barred from challenging their ip"),
    "Volume Restriction": ("any cap on volume", "limit on how much we can order"),
    "Joint Ip Ownership": ("who owns jointly developed ip", "is ip owned jointly"),
    "Ip Ownership Assignment": ("who owns the work product", "does ip get assigned to us"),
    "Post-Termination Services": (
        "what happens after termination, transition help?",
        "do they keep serving us after it ends",
    ),
    "Insurance": ("what insurance do they need", "insurance coverage required?"),
    "Affiliate License-Licensor": ("can their affiliates license to us", "do the licensor's affiliates grant rights"),
    "No-Solicit Of Customers": ("can they poach our customers", "customer non solicit?"),
    "No-Solicit Of Employees": ("can they hire our staff", "no poaching employees?"),
    "Liquidated Damages": ("is there a termination fee", "any liquidated damages"),
    "Third Party Beneficiary": ("can third parties enforce it", "any third party beneficiaries"),
    "Source Code Escrow": ("is the source code in escrow", "do we get the source code if they go under"),
}


def excluded(cuad: Path) -> tuple[set[str], set[str]]:
    """(service-set contracts, every contract kept out of training: the service set and the dev set's)."""
    service = {json.loads(line)["contract"] for line in (cuad / "questions_service.jsonl").open(encoding="utf-8")}
    out = set(service)
    for e in json.loads(DEV_DOCUMENTS.read_text(encoding="utf-8"))["engagements"]:
        out |= {Path(p).name for p in e["index"] if p.startswith("cuad/")}
    return service, out


def sample(cuad: Path, n: int) -> tuple[list[str], list[dict[str, Any]]]:
    rows = [json.loads(line) for line in (cuad / "questions.jsonl").open(encoding="utf-8")]
    service, skip = excluded(cuad)
    answered = sorted({r["contract"] for r in rows if r.get("answers")})
    pool = [c for c in answered if c not in skip and (cuad / "contracts" / c).stat().st_size <= MAX_CHARS]
    chosen = sorted(random.Random(SEED).sample(pool, min(n, len(pool))))
    assert not set(chosen) & service, "a service-set contract got into the training sample"
    wanted = set(chosen)
    return chosen, [r for r in rows if r["contract"] in wanted and r.get("answers")]


def asked(row: dict[str, Any]) -> list[tuple[str, str, list[str] | None]]:
    """(mode, question, documents) for each way a CUAD question is asked: its template, scoped and pooled as the
    benchmark asks it, and the category's Slack-style wordings, scoped and pooled ("slack-scoped", "slack-pooled")."""
    out: list[tuple[str, str, list[str] | None]] = [
        ("scoped", row["question"], [row["contract"]]),
        ("pooled", f"In the {row['document_name']} between {row['parties']}: {row['question']}", None),
    ]
    for text in SLACK_STYLE.get(row["category"], ()):
        out.append(("slack-scoped", text, [row["contract"]]))
        out.append(("slack-pooled", f"{text} in the {row['document_name'].lower()}", None))
    return out


def gold_of(row: dict[str, Any]) -> list[tuple[int, int]]:
    spans = []
    for a in row["answers"]:
        length = a["end"] - a["start"]
        spans += [(s, s + length) for s in a.get("all_starts") or [a["start"]]]
    return spans


def collect(cuad: Path, n: int, spec: str, data_dir: Path) -> dict[str, Any]:
    from knowledge.embeddings import make_embeddings
    from knowledge.indexing import Indexer
    from knowledge.ranking import FEATURES, embedder_name, features
    from knowledge.retrieval import Retriever
    from knowledge.store import Store, make_client

    contracts, rows = sample(cuad, n)
    emb = make_embeddings(spec, data_dir=MODELS)
    store = Store(make_client(data_dir=data_dir))
    indexer = Indexer(store, emb)
    engagements = {c: f"train-{i // GROUP:02d}" for i, c in enumerate(contracts)}
    t0 = time.perf_counter()
    for i in range(0, len(contracts), GROUP):
        group = contracts[i : i + GROUP]
        report = indexer.index_paths([cuad / "contracts" / c for c in group], engagement=engagements[group[0]])
        print(f"indexed {i + len(group)}/{len(contracts)} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
        if report.failed:
            print(f"failed: {[(e.name, e.reason) for e in report.failed]}", file=sys.stderr)
    retriever = Retriever(store, emb, ranker=None)
    xs, ys, qids, contract_of, modes = [], [], [], [], []
    for q, r in enumerate(rows):
        gold = gold_of(r)
        for mode, text, documents in asked(r):
            stage = retriever.candidates(text, engagement=engagements[r["contract"]], documents=documents)
            if stage is None or not stage.candidates:
                continue
            x = features(stage.query, stage.query_vector, stage.candidates, stage.documents)
            y = [
                c.chunk.document == r["contract"] and any(c.chunk.start < e and s < c.chunk.end for s, e in gold)
                for c in stage.candidates
            ]
            xs.append(x)
            ys.append(np.array(y, dtype=bool))
            qids.append(q)
            contract_of.append(r["contract"])
            modes.append(mode)
        if q % 200 == 0:
            print(f"features: {q}/{len(rows)} questions", file=sys.stderr)
    return {
        "x": xs,
        "y": ys,
        "question": qids,
        "contract": contract_of,
        "mode": modes,
        "contracts": contracts,
        "embedder": embedder_name(emb),
        "spec": spec,
        "names": list(FEATURES),
    }


META = ("question", "contract", "mode", "contracts", "embedder", "spec", "names")


def save(path: Path, data: dict[str, Any]) -> None:
    sizes = np.array([len(y) for y in data["y"]])
    np.savez_compressed(
        path,
        x=np.concatenate(data["x"]),
        y=np.concatenate(data["y"]),
        sizes=sizes,
        meta=json.dumps({k: data[k] for k in META}),
    )


def load(path: Path) -> dict[str, Any]:
    """Cached rows, with the columns of today's FEATURES (a cache may hold features since dropped)."""
    from knowledge.ranking import FEATURES

    z = np.load(path)
    bounds = np.cumsum(np.concatenate([[0], z["sizes"]]))
    meta = json.loads(str(z["meta"]))
    names = meta.get("names") or list(FEATURES)
    missing = [n for n in FEATURES if n not in names]
    if missing:
        raise SystemExit(f"the cache {path} lacks features {missing}: remove it to recompute")
    columns = [names.index(n) for n in FEATURES]
    x = z["x"][:, columns]
    return {
        "x": [x[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
        "y": [z["y"][a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)],
        **meta,
    }


def hits(scores: list[np.ndarray], ys: list[np.ndarray], k: int) -> float:
    return float(np.mean([y[np.argsort(-s, kind="stable")[:k]].any() for s, y in zip(scores, ys, strict=True)]))


def standardise(xs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    x = np.concatenate(xs)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def train(kind: str, c: float, xs: list[np.ndarray], ys: list[np.ndarray]) -> tuple[np.ndarray, float, Any]:
    """(coef, intercept, scaling) of a pointwise or pairwise logistic regression on standardised features."""
    from sklearn.linear_model import LogisticRegression

    from knowledge.ranking import FEATURES

    off = [FEATURES.index(name) for name in NOT_FITTED]
    xs = [x.copy() for x in xs]
    for x in xs:
        x[:, off] = 0.0
    mean, scale = standardise(xs)
    zs = [(x - mean) / scale for x in xs]
    rng = np.random.default_rng(SEED)
    if kind == "pointwise":
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        model.fit(np.concatenate(zs), np.concatenate(ys).astype(int))
        return model.coef_[0], float(model.intercept_[0]), (mean, scale)
    diffs = []
    for z, y in zip(zs, ys, strict=True):
        pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
        if not len(pos) or not len(neg):
            continue
        for p in pos[:8]:
            for q in rng.choice(neg, size=min(16, len(neg)), replace=False):
                diffs.append(z[p] - z[q])
    d = np.array(diffs)
    model = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    model.fit(np.concatenate([d, -d]), np.concatenate([np.ones(len(d)), np.zeros(len(d))]).astype(int))
    return model.coef_[0], 0.0, (mean, scale)


def evaluate(data: dict[str, Any], train_modes: set[str]) -> tuple[dict[str, Any], tuple[str, float]]:
    """Held-out (by contract, FOLDS folds) hit@1 / hit@4 of the first stage and of each model, fitted on the
    searches of train_modes and measured on every mode."""
    contracts = sorted(set(data["contract"]))
    fold_of = {c: i % FOLDS for i, c in enumerate(random.Random(SEED).sample(contracts, len(contracts)))}
    folds = np.array([fold_of[c] for c in data["contract"]])
    xs, ys = data["x"], data["y"]
    first = [-np.arange(len(y), dtype=float) for y in ys]
    modes = np.array(data["mode"])
    report: dict[str, Any] = {}

    def summary(scores: list[np.ndarray]) -> dict[str, float]:
        out = {}
        for mode in sorted(set(modes)):
            pick = [i for i in range(len(ys)) if modes[i] == mode]
            out[f"{mode}_hit@1"] = round(hits([scores[i] for i in pick], [ys[i] for i in pick], 1), 4)
            out[f"{mode}_hit@4"] = round(hits([scores[i] for i in pick], [ys[i] for i in pick], 4), 4)
        return out

    report["first_stage"] = summary(first)
    best: tuple[float, tuple[str, float]] = (-1.0, ("pointwise", 1.0))
    for kind in ("pointwise", "pairwise"):
        for c in C_VALUES:
            held: list[np.ndarray] = [np.zeros(0)] * len(ys)
            for f in range(FOLDS):
                train_idx = [i for i in range(len(ys)) if folds[i] != f and ys[i].any() and modes[i] in train_modes]
                coef, b, (mean, scale) = train(kind, c, [xs[i] for i in train_idx], [ys[i] for i in train_idx])
                for i in np.flatnonzero(folds == f):
                    held[i] = ((xs[i] - mean) / scale) @ coef + b
            s = summary(held)
            report[f"{kind} C={c}"] = s
            print(f"{kind} C={c}: {s}", file=sys.stderr)
            value = sum(v for key, v in s.items() if key.endswith("hit@1"))
            if value > best[0]:
                best = (value, (kind, c))
    return report, best[1]


def merged(path: Path, model: dict[str, Any]) -> dict[str, Any]:
    """The file's models with this embedder's replaced (each embedder keeps its own fit), this one first if new."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    others = [m for m in old.get("models", [old] if old else []) if m.get("embedder") != model["embedder"]]
    about = old.get("about") or model["about"]
    return {"about": about, "models": [model, *others] if not old.get("models") else _replace(old["models"], model)}


def _replace(models: list[dict[str, Any]], model: dict[str, Any]) -> list[dict[str, Any]]:
    if any(m.get("embedder") == model["embedder"] for m in models):
        return [model if m.get("embedder") == model["embedder"] else m for m in models]
    return [model, *models]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cuad", type=Path, help="the CUAD folder of the shared bench (questions.jsonl, contracts/)")
    p.add_argument("--contracts", type=int, default=96, help="contracts to sample (default 96)")
    p.add_argument("--embedder", default="minilm", help="embedder spec, as LIAISON_EMBEDDER (default minilm)")
    p.add_argument("--data-dir", type=Path, help="index here and keep it (default /tmp/liaison-ranker-<embedder>)")
    p.add_argument("--features-cache", type=Path, help="feature rows: read if present, else computed and written")
    p.add_argument(
        "--modes", default="scoped,pooled,slack-scoped,slack-pooled", help="the searches to fit on (default: all)"
    )
    p.add_argument("--out", type=Path, default=OUT, help=f"the fitted model (default {OUT.relative_to(ROOT)})")
    args = p.parse_args(argv)
    if args.features_cache and args.features_cache.exists():
        data = load(args.features_cache)
    else:
        data_dir = args.data_dir or Path(f"/tmp/liaison-ranker-{args.embedder.replace(':', '-')}")
        data = collect(args.cuad, args.contracts, args.embedder, data_dir)
        if args.features_cache:
            save(args.features_cache, data)
    from knowledge.ranking import FEATURES

    print(f"{len(data['y'])} searches over {len(data['contracts'])} contracts", file=sys.stderr)
    train_modes = set(args.modes.split(","))
    report, (kind, c) = evaluate(data, train_modes)
    usable = [i for i, y in enumerate(data["y"]) if y.any() and data["mode"][i] in train_modes]
    coef, intercept, (mean, scale) = train(kind, c, [data["x"][i] for i in usable], [data["y"][i] for i in usable])
    model = {
        "about": "Second ranking stage: logistic regression over knowledge.ranking.FEATURES, fitted by "
        "scripts/fit_ranker.py on CUAD v1 (The Atticus Project, CC BY 4.0): questions.jsonl questions over "
        "contracts outside the CUAD service set and the Slack-style dev set, asked scoped and pooled, in CUAD's "
        "wording and in Slack-style wordings of each category (scripts/fit_ranker.py SLACK_STYLE).",
        "embedder": data["embedder"],
        "fitted": datetime.date.today().isoformat(),
        "model": f"{kind} logistic regression, C={c}",
        "features": list(FEATURES),
        "not_fitted": list(NOT_FITTED),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in coef],
        "intercept": round(float(intercept), 6),
        "training": {
            "contracts": data["contracts"],
            "questions": len(set(data["question"])),
            "searches": len(data["y"]),
            "with_a_relevant_candidate": len(usable),
            "held_out_by_contract": report,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(merged(args.out, model), indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1), file=sys.stderr)
    print(f"chose {kind} C={c}; wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
