"""Slack-style development set: questions as people type them, on documents nobody on the team wrote.

Data: `benchmarks/data/slack_dev.jsonl` (questions, gold character spans into the extracted text,
the asked-for value) and `benchmarks/data/slack_dev_documents.json` (which files make up each
engagement, and which documents number their clauses). The documents themselves are not in this
repository: pass the shared bench folder, which holds `sla/docs/` (11 real SLA and cloud-terms
documents, licences in its MANIFEST) and `cuad/contracts/` (CUAD v1, CC BY 4.0, The Atticus
Project). See `benchmarks/data/README.md`. Run from the repository root:

    . .venv/bin/activate
    python benchmarks/devset.py ../shared/bench                                 # temp data dir
    python benchmarks/devset.py ../shared/bench --data-dir /tmp/devset-data     # indexed once, reused
    python benchmarks/devset.py ../shared/bench --out /tmp/devset.json --only sla-terms

Both engagements are indexed through the public `KnowledgeBase` API with the default embedder
(or `--embedder e5|minilm|...`), every gold span is checked against the indexed text (in range, same SHA-256 prefix, the
value inside it; the run stops if one fails), then every question is answered (`answer_question`,
side "shared" unless the item says otherwise) and searched (`search`, k = max of --ks).

Metrics: lead correct (the first citation of the answer overlaps a gold span), hit@k (a top-k chunk
overlaps a gold span), false not-found (covered but answered "not found"), true not-found
(uncovered and answered "not found"), section label (share of lead citations carrying a section
label, counted over leads in documents that number their clauses), and, when answers carry a
`direct` line, the share of covered questions whose direct line contains the gold value (case and
whitespace ignored): `direct` over the covered questions given a line, `dir/cov` over all covered questions (a
question given no line counts as one whose line lacks the value; the issue's target reads this one).

The Italian set (`benchmarks/data/sla_it_dev.jsonl`, questions in Italian and English on Italian, English and
mixed engagements) is run by `benchmarks/languages.py`, which reports these metrics per language pair.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # before onnxruntime / chromadb are imported
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import bot.settings  # noqa: E402,F401  (also sets the offline / telemetry environment)

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "slack_dev.jsonl"
DOCUMENTS = HERE / "data" / "slack_dev_documents.json"
CREDIT = (
    "SLA documents by Common Paper, Bonterms (CC BY 4.0), GitHub (CC0 / CC BY 4.0), VK Cloud (CC BY-SA 4.0), "
    "GDS (MIT); CUAD v1 by The Atticus Project, CC BY 4.0"
)


LEAD_FIELDS = ("document", "section", "start", "end", "role")


@dataclass(frozen=True)
class Gold:
    document: str
    start: int
    end: int
    sha256: str


@dataclass(frozen=True)
class Item:
    id: str
    engagement: str
    question: str
    covered: bool
    gold: tuple[Gold, ...]
    kind: str
    value: str | None = None
    side: str = "shared"
    note: str | None = None
    lang: str | None = None  # the question's language ('it', 'en'), where the set says (benchmarks/languages.py)
    en: str | None = None  # the same question as an English speaker types it (its "English twin")


@dataclass
class Corpus:
    """The engagements to index: the paths (relative to the bench folder) and each document's facts."""

    paths: dict[str, list[str]] = field(default_factory=dict)
    numbered: dict[tuple[str, str], bool] = field(default_factory=dict)
    language: dict[tuple[str, str], str] = field(default_factory=dict)  # a document's language, where given


# -- loading ---------------------------------------------------------------------------------------
def load_items(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        gold = tuple(Gold(g["document"], g["start"], g["end"], g["sha256"]) for g in r.get("gold", []))
        items.append(
            Item(
                id=r["id"],
                engagement=r["engagement"],
                question=r["question"],
                covered=bool(r["covered"]),
                gold=gold,
                kind=r["kind"],
                value=r.get("value"),
                side=r.get("side", "shared"),
                note=r.get("note"),
                lang=r.get("lang"),
                en=r.get("en"),
            )
        )
    return items


def load_corpus(path: Path) -> Corpus:
    corpus = Corpus()
    for e in json.loads(path.read_text(encoding="utf-8"))["engagements"]:
        corpus.paths[e["engagement"]] = list(e["index"])
        for name, facts in e["documents"].items():
            corpus.numbered[(e["engagement"], name)] = bool(facts.get("numbered"))
            if facts.get("language"):
                corpus.language[(e["engagement"], name)] = str(facts["language"])
    return corpus


def squash(text: str) -> str:
    return " ".join(text.split()).casefold()


# -- verification ----------------------------------------------------------------------------------
def span_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def verify(items: Sequence[Item], text_of: Any) -> list[str]:
    """Every gold span checked against the indexed text; the problems found (empty when all hold)."""
    problems: list[str] = []
    seen: set[str] = set()
    for it in items:
        if it.id in seen:
            problems.append(f"{it.id}: duplicate id")
        seen.add(it.id)
        if it.covered != bool(it.gold):
            problems.append(f"{it.id}: covered={it.covered} but {len(it.gold)} gold span(s)")
        if it.covered and not it.value:
            problems.append(f"{it.id}: covered without a value")
        inside = False
        for g in it.gold:
            try:
                text = text_of(it.engagement, g.document)
            except Exception as exc:  # a document missing from the index
                problems.append(f"{it.id}: {g.document}: {exc}")
                continue
            if not 0 <= g.start < g.end <= len(text):
                problems.append(f"{it.id}: {g.document} [{g.start}, {g.end}) outside 0..{len(text)}")
                continue
            span = text[g.start : g.end]
            if span_hash(span) != g.sha256:
                problems.append(f"{it.id}: {g.document} [{g.start}, {g.end}) does not hold the text it was written on")
            inside = inside or (it.value is not None and squash(it.value) in squash(span))
        if it.covered and it.value and not inside:
            problems.append(f"{it.id}: value {it.value!r} is in none of its gold spans")
    return problems


# -- scoring ---------------------------------------------------------------------------------------
def overlaps(document: str, start: int, end: int, gold: Iterable[Gold]) -> bool:
    return any(g.document == document and start < g.end and g.start < end for g in gold)


def direct_text(answer: dict[str, Any]) -> str | None:
    """The answer's direct line, when the answerer gives one (a string, or a dict with a text)."""
    d = answer.get("direct")
    if d is None:
        return None
    if isinstance(d, dict):
        return str(d.get("text") or d.get("line") or d.get("answer") or json.dumps(d, ensure_ascii=False))
    return str(d)


def run_item(kb: Any, it: Item, corpus: Corpus, ks: Sequence[int], *, reply_language: bool = False) -> dict[str, Any]:
    """One question answered and searched; `reply_language` adds the language of Liaison's own words."""
    t0 = time.perf_counter()
    answer = kb.answer_question(it.question, engagement=it.engagement, side=it.side)
    answer_ms = 1000 * (time.perf_counter() - t0)
    data = answer.as_dict()
    hits = kb.search(it.question, engagement=it.engagement, side=it.side, k=max(ks))
    lead = answer.citations[0] if answer.found and answer.citations else None
    direct = direct_text(data)
    row: dict[str, Any] = {
        "id": it.id,
        "engagement": it.engagement,
        "kind": it.kind,
        "covered": it.covered,
        "question": it.question,
        "value": it.value,
        "found": answer.found,
        "lead": None if lead is None else {k: getattr(lead, k) for k in LEAD_FIELDS},
        "lead_correct": bool(lead and overlaps(lead.document, lead.start, lead.end, it.gold)),
        "lead_numbered": bool(lead and corpus.numbered.get((it.engagement, lead.document), False)),
        "hits": [{"document": h.chunk.document, "start": h.chunk.start, "end": h.chunk.end} for h in hits],
        "answer_ms": round(answer_ms, 1),
        "direct": direct,
        "direct_has_value": None if direct is None or not it.covered else squash(it.value or "") in squash(direct),
        "gold": [{"document": g.document, "start": g.start, "end": g.end} for g in it.gold],
    }
    for k in ks:
        row[f"hit@{k}"] = any(overlaps(h.chunk.document, h.chunk.start, h.chunk.end, it.gold) for h in hits[:k])
    if reply_language:
        row["reply_language"] = data.get("language")
    return row


def rate(rows: Sequence[dict[str, Any]], key: str) -> float | None:
    return sum(bool(r[key]) for r in rows) / len(rows) if rows else None


def summarise(rows: Sequence[dict[str, Any]], ks: Sequence[int]) -> dict[str, Any]:
    covered = [r for r in rows if r["covered"]]
    uncovered = [r for r in rows if not r["covered"]]
    numbered_leads = [r for r in rows if r["lead"] is not None and r["lead_numbered"]]
    with_direct = [r for r in covered if r["direct"] is not None]
    out: dict[str, Any] = {
        "questions": len(rows),
        "covered": len(covered),
        "uncovered": len(uncovered),
        "lead_correct": rate(covered, "lead_correct"),
        **{f"hit@{k}": rate(covered, f"hit@{k}") for k in ks},
        "false_not_found": sum(not r["found"] for r in covered) / len(covered) if covered else None,
        "true_not_found": sum(not r["found"] for r in uncovered) / len(uncovered) if uncovered else None,
        "section_label": sum(bool(r["lead"]["section"]) for r in numbered_leads) / len(numbered_leads)
        if numbered_leads
        else None,
        "numbered_leads": len(numbered_leads),
        "direct_answers": len(with_direct),
        "direct_has_value": rate(with_direct, "direct_has_value") if with_direct else None,
        # the measure: of all covered questions (no line shown counts as none holding the value)
        "direct_of_covered": sum(bool(r["direct_has_value"]) for r in covered) / len(covered) if covered else None,
    }
    ms = sorted(r["answer_ms"] for r in rows)
    if ms:
        out["answer_p50_ms"] = ms[len(ms) // 2]
        out["answer_p95_ms"] = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return out


def breakdown(rows: Sequence[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["covered"]:
            groups[r[key]].append(r)
    return {g: {"n": len(rs), "lead_correct": rate(rs, "lead_correct")} for g, rs in sorted(groups.items())}


def by_document(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["covered"]:
            groups[r["gold"][0]["document"]].append(r)
    return {d: {"n": len(rs), "lead_correct": rate(rs, "lead_correct")} for d, rs in sorted(groups.items())}


# -- indexing --------------------------------------------------------------------------------------
def open_kb(embedder: str, data_dir: Path) -> Any:
    """A KnowledgeBase on `data_dir` with `embedder` (its local model files built once, reused by every run)."""
    from knowledge.base import KnowledgeBase
    from knowledge.embeddings import make_embeddings
    from knowledge.store import Store, make_client

    models = Path(tempfile.gettempdir()) / "liaison-bench-models"
    return KnowledgeBase(Store(make_client(data_dir=data_dir)), make_embeddings(embedder, data_dir=models))


def index_corpus(kb: Any, corpus: Corpus, bench: Path) -> dict[str, dict[str, Any]]:
    """Every engagement indexed (unchanged files are not re-embedded); what each indexing did, failures printed."""
    indexing = {}
    for engagement, rel in corpus.paths.items():
        report = kb.index([bench / r for r in rel], engagement=engagement)
        if report.failed:
            print(f"{engagement}: failed {[(e.name, e.reason) for e in report.failed]}", file=sys.stderr)
        indexing[engagement] = {
            "indexed": len(report.indexed),
            "unchanged": len(report.unchanged),
            "chunks": report.chunks,
            "seconds": round(report.seconds, 1),
        }
        print(f"{engagement}: {indexing[engagement]}", file=sys.stderr)
    return indexing


def text_reader(kb: Any) -> Any:
    """`text_of(engagement, document)`: the indexed text, read once."""
    texts: dict[tuple[str, str], str] = {}

    def text_of(engagement: str, document: str) -> str:
        if (engagement, document) not in texts:
            texts[(engagement, document)] = kb.document_text(engagement, document)
        return texts[(engagement, document)]

    return text_of


# -- output ----------------------------------------------------------------------------------------
def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def print_table(summary: dict[str, dict[str, Any]], ks: Sequence[int]) -> None:
    cols = ["lead", *[f"hit@{k}" for k in ks], "falseNF", "trueNF", "§label", "direct", "dir/cov"]
    print(f"\n{'':<16}{'n':>5}{'cov':>5}" + "".join(f"{c:>9}" for c in cols))
    for name, s in summary.items():
        vals = [
            s["lead_correct"],
            *[s[f"hit@{k}"] for k in ks],
            s["false_not_found"],
            s["true_not_found"],
            s["section_label"],
            s["direct_has_value"],
            s.get("direct_of_covered"),
        ]
        print(f"{name:<16}{s['questions']:>5}{s['covered']:>5}" + "".join(f"{fmt(v):>9}" for v in vals))


def parser(description: str | None, *, bench: str, data: Path, documents: str, name: str) -> argparse.ArgumentParser:
    """The options a development-set run takes (this script's, and `benchmarks/languages.py`'s)."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("bench", type=Path, help=f"the shared bench folder (holds {bench})")
    p.add_argument("--data", type=Path, default=data, help=f"questions (default benchmarks/data/{data.name})")
    p.add_argument("--documents", type=Path, default=DOCUMENTS, help=documents)
    p.add_argument("--data-dir", type=Path, help="index here and keep it (unchanged files are not re-embedded)")
    p.add_argument("--ks", default="1,4,8", help="comma-separated k values for hit@k (default 1,4,8)")
    p.add_argument("--only", help="comma-separated engagements to run")
    p.add_argument("--out", type=Path, help=f"JSON (default benchmarks/results/{name}-<timestamp>.json)")
    p.add_argument("--embedder", help="a LIAISON_EMBEDDER value (default: the project's default embedder)")
    return p


def write_results(out_path: Path, res: dict[str, Any]) -> None:
    """A run's JSON (summary and per-question results), and where it went."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {out_path}")


def main(argv: list[str] | None = None) -> int:
    p = parser(
        __doc__,
        bench="sla/docs and cuad/contracts",
        data=DATA,
        documents="engagements and their documents",
        name="devset",
    )
    args = p.parse_args(argv)
    ks = sorted({int(k) for k in args.ks.split(",") if k.strip()})
    items, corpus = load_items(args.data), load_corpus(args.documents)
    if args.only:
        keep = {e.strip() for e in args.only.split(",")}
        items = [i for i in items if i.engagement in keep]
        corpus.paths = {e: ps for e, ps in corpus.paths.items() if e in keep}
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_path = args.out or HERE / "results" / f"devset-{stamp}.json"
    print(f"Slack-style development set ({CREDIT}): {len(items)} questions", file=sys.stderr)

    from bot.settings import Settings

    embedder = args.embedder or Settings.model_fields["embedder"].default
    with tempfile.TemporaryDirectory(prefix="liaison-devset-") as tmp:
        kb = open_kb(embedder, args.data_dir or Path(tmp))
        indexing = index_corpus(kb, corpus, args.bench)
        problems = verify(items, text_reader(kb))
        if problems:
            print("\n".join(problems), file=sys.stderr)
            print(f"{len(problems)} gold span problem(s): fix the data before measuring", file=sys.stderr)
            return 2
        print(f"all {sum(len(i.gold) for i in items)} gold spans verified against the indexed text", file=sys.stderr)
        t0 = time.perf_counter()
        rows = [run_item(kb, it, corpus, ks) for it in items]
        seconds = time.perf_counter() - t0

    summary = {"all": summarise(rows, ks)}
    for engagement in corpus.paths:
        summary[engagement] = summarise([r for r in rows if r["engagement"] == engagement], ks)
    print_table(summary, ks)
    res = {
        "dataset": {"questions": str(args.data), "documents": str(args.documents), "bench": str(args.bench)},
        "embedder": embedder,
        "credit": CREDIT,
        "ks": ks,
        "indexing": indexing,
        "seconds_answering": round(seconds, 1),
        "summary": summary,
        "lead_correct_by_kind": breakdown(rows, "kind"),
        "lead_correct_by_document": by_document(rows),
        "results": rows,
    }
    write_results(out_path, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
