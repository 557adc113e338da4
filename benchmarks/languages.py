"""Questions and contracts in different languages (issue #14): the Italian development set, by language pair.

Data: `benchmarks/data/sla_it_dev.jsonl` (each question's language in `lang`, and for the Italian questions on
English documents their English twin in `en`) and `benchmarks/data/sla_it_dev_documents.json` (the engagements,
each document's language). The documents are those of the shared bench folder: `sla-it/docs` (5 real Italian
documents), `sla/docs` (11 English SLA and cloud terms) and CUAD's service contracts, plus one mixed engagement
holding Cloud Temple's Italian documents beside five English SLA documents. See `benchmarks/data/README.md`.
Run from the repository root:

    nice -n 10 .venv/bin/python benchmarks/languages.py ../shared/bench --data-dir /tmp/H-data
    .venv/bin/python benchmarks/languages.py ../shared/bench --data-dir /tmp/H-data --only sla-it --out /tmp/it.json
    .venv/bin/python benchmarks/languages.py ../shared/bench --data-dir /tmp/H-data \
        --data benchmarks/data/sla_it_heldout.jsonl --only sla-terms,cuad-services   # 40 held-out questions

Indexing, verification (every gold span in range and with its SHA-256 prefix, the run stops otherwise) and
answering are those of `benchmarks/devset.py`: the public `KnowledgeBase` API, the default embedder, each
question answered (`answer_question`, Liaison's words in the question's own detected language) and searched.

Reported per pair, in one run: `it->it`, `it->en`, `en->it` (a question's language -> its answer's document's),
the mixed engagements (`mixed`, and below it each pair inside them), and `en->en twins`: every question that has
an English twin asked again in English, on the same gold, beside the same items asked in Italian (`it twinned`),
so the gap between the two is measured on the same questions. Columns are devset's (lead correct, hit@k, false
and true not-found, ...) plus `reply`: the share of answers whose own words came in the question's language.
Language detection (`knowledge.languages.detect`) is scored on every question and twin longer than three words
(expected: the item's `lang`; None counts as wrong). Per-question results, with the pair, the detected language
and the twin's id, are in the JSON output. `--english-set` also asks `slack_dev.jsonl` (334 English questions on
`sla-terms` and `cuad-services`, the same engagements) in the same run: the English numbers, in a row of their own.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import devset  # noqa: E402  (also sets the offline / telemetry environment)

DATA = HERE / "data" / "sla_it_dev.jsonl"
DOCUMENTS = HERE / "data" / "sla_it_dev_documents.json"
CREDIT = (
    "Italian documents: Comune di Palermo / SISPI convention (cirospat/pianotriennaleict-palermo-monitoraggio2019, "
    "CC BY 4.0), Cloud Temple (CC0 1.0), AgID PDND guidelines (CC0 1.0); " + devset.CREDIT
)
TWIN = "/en"  # a twin's id: its item's id + TWIN
MIN_WORDS = 4  # detection is scored on questions longer than three words
GROUP_ORDER = ("it->it", "it->en", "en->it", "en->en", "mixed")
ENGLISH_SET = "english set"  # slack_dev.jsonl asked in the same run (--english-set): the English numbers


# -- pairs -----------------------------------------------------------------------------------------
def engagement_languages(corpus: devset.Corpus) -> dict[str, set[str]]:
    langs: dict[str, set[str]] = defaultdict(set)
    for (engagement, _doc), lang in corpus.language.items():
        langs[engagement].add(lang)
    return langs


def pair_of(it: devset.Item, corpus: devset.Corpus) -> tuple[str, bool]:
    """The item's pair ('it->en': asked in Italian, answered by an English document) and whether its engagement
    mixes languages. An uncovered question's documents are its engagement's ('it->mixed' when they differ)."""
    langs = engagement_languages(corpus).get(it.engagement, set())
    if it.gold:
        target = corpus.language.get((it.engagement, it.gold[0].document), "?")
    else:
        target = next(iter(langs)) if len(langs) == 1 else "mixed"
    return f"{it.lang or '?'}->{target}", len(langs) > 1


def group_of(row: dict[str, Any]) -> str:
    return f"mixed {row['pair']}" if row["mixed"] else row["pair"]


def twin_of(it: devset.Item) -> devset.Item | None:
    """The item asked in English (same engagement, gold and value), when the set gives its English twin."""
    if not it.en:
        return None
    return replace(it, id=it.id + TWIN, question=it.en, lang="en", en=None)


# -- detection -------------------------------------------------------------------------------------
def counted(question: str) -> bool:
    return len(question.split()) >= MIN_WORDS


def detection_summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Detection accuracy over the rows' questions longer than three words, overall and per expected language."""
    scored = [r for r in rows if r["detect_counted"]]
    out: dict[str, Any] = {
        "questions": len(scored),
        "accuracy": devset.rate(scored, "detect_correct"),
        "undecided": sum(r["detected"] is None for r in scored),
    }
    for lang in sorted({r["lang"] for r in scored}):
        mine = [r for r in scored if r["lang"] == lang]
        out[lang] = {"questions": len(mine), "accuracy": devset.rate(mine, "detect_correct")}
    out["wrong"] = [
        {"id": r["id"], "question": r["question"], "expected": r["lang"], "detected": r["detected"]}
        for r in scored
        if not r["detect_correct"]
    ]
    return out


# -- scoring ---------------------------------------------------------------------------------------
def annotate(
    row: dict[str, Any],
    it: devset.Item,
    corpus: devset.Corpus,
    detect: Callable[[str], str | None],
    *,
    english_set: bool = False,
) -> None:
    """The language facts of one answered row: pair, group, detection, whether Liaison replied in the asker's."""
    pair, mixed = ("en->en", False) if english_set else pair_of(it, corpus)
    detected = detect(it.question)
    row.update(
        lang=it.lang,
        pair="en->en" if it.id.endswith(TWIN) else pair,
        mixed=mixed,
        twin_of=it.id[: -len(TWIN)] if it.id.endswith(TWIN) else None,
        detected=detected,
        detect_counted=counted(it.question),
        detect_correct=detected == it.lang,
        reply_in_language=row.get("reply_language") == it.lang,
    )
    row["english_set"] = english_set
    # every twin in one row, mixed pool or not; the English set's questions in a row of their own
    row["group"] = ENGLISH_SET if english_set else "en->en" if row["twin_of"] else group_of(row)


def summarise_groups(rows: Sequence[dict[str, Any]], ks: Sequence[int]) -> dict[str, dict[str, Any]]:
    """devset's summary per pair: the single-language engagements' pairs, the twins, then the mixed pools."""

    def with_reply(rs: Sequence[dict[str, Any]]) -> dict[str, Any]:
        return {**devset.summarise(rs, ks), "reply_in_language": devset.rate(rs, "reply_in_language")}

    out: dict[str, dict[str, Any]] = {}
    asked = [r for r in rows if r["twin_of"] is None and not r["english_set"]]
    out["all (no twins)"] = with_reply(asked)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r["group"]].append(r)
    twinned = {r["twin_of"] for r in rows if r["twin_of"]}
    for name in GROUP_ORDER:
        if name == "en->en":
            if twinned:
                out["it twinned"] = with_reply([r for r in asked if r["id"] in twinned])
                out["en->en twins"] = with_reply(groups.get("en->en", []))
        elif name == "mixed":
            mixed = [r for r in asked if r["mixed"]]
            if mixed:
                out["mixed"] = with_reply(mixed)
                for g in sorted(k for k in groups if k.startswith("mixed ")):
                    out[g] = with_reply(groups[g])
        elif groups.get(name):
            out[name] = with_reply(groups[name])
    planned = {"en->en", ENGLISH_SET} | {k for k in groups if k.startswith("mixed ")}
    for g in sorted(set(groups) - set(out) - planned):
        out[g] = with_reply(groups[g])  # a pair the set did not plan for ('it->?'): shown, not hidden
    if groups.get(ENGLISH_SET):
        out[ENGLISH_SET] = with_reply(groups[ENGLISH_SET])
    return out


def twin_comparison(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Lead correct on the same covered questions asked in Italian and in English (issue #14: within 10 points)."""
    by_id = {r["id"]: r for r in rows}
    pairs = [(by_id[r["twin_of"]], r) for r in rows if r["twin_of"] and r["twin_of"] in by_id and r["covered"]]
    if not pairs:
        return {}
    it_ok = sum(a["lead_correct"] for a, _b in pairs)
    en_ok = sum(b["lead_correct"] for _a, b in pairs)
    return {
        "covered_pairs": len(pairs),
        "lead_it": it_ok / len(pairs),
        "lead_en": en_ok / len(pairs),
        "gap_points": round(100 * (en_ok - it_ok) / len(pairs), 1),
        "both": sum(a["lead_correct"] and b["lead_correct"] for a, b in pairs),
        "only_it": [a["id"] for a, b in pairs if a["lead_correct"] and not b["lead_correct"]],
        "only_en": [a["id"] for a, b in pairs if b["lead_correct"] and not a["lead_correct"]],
    }


def missing_documents(items: Sequence[devset.Item], kb: Any) -> set[tuple[str, str]]:
    """The (engagement, document) pairs of gold spans that are not in the index (a format not loaded yet)."""
    indexed = {(d.engagement, d.name) for d in kb.documents()}
    return {(it.engagement, g.document) for it in items for g in it.gold} - indexed


# -- output ----------------------------------------------------------------------------------------
def print_report(
    summary: dict[str, dict[str, Any]], ks: Sequence[int], twins: dict[str, Any], det: dict[str, Any]
) -> None:
    cols = ["lead", *[f"hit@{k}" for k in ks], "falseNF", "trueNF", "reply"]
    print(f"\n{'':<18}{'n':>5}{'cov':>5}" + "".join(f"{c:>9}" for c in cols))
    for name, s in summary.items():
        vals = [
            s["lead_correct"],
            *[s[f"hit@{k}"] for k in ks],
            s["false_not_found"],
            s["true_not_found"],
            s["reply_in_language"],
        ]
        print(f"{name:<18}{s['questions']:>5}{s['covered']:>5}" + "".join(f"{devset.fmt(v):>9}" for v in vals))
    if twins:
        print(
            f"\nsame {twins['covered_pairs']} covered questions: lead {twins['lead_it']:.3f} in Italian, "
            f"{twins['lead_en']:.3f} in English ({twins['gap_points']:+.1f} points for English); "
            f"only in Italian {len(twins['only_it'])}, only in English {len(twins['only_en'])}"
        )
    per = ", ".join(
        f"{lang} {devset.fmt(det[lang]['accuracy'])} of {det[lang]['questions']}"
        for lang in ("it", "en")
        if lang in det
    )
    print(
        f"language detection on {det['questions']} questions of 4+ words: {devset.fmt(det['accuracy'])} ({per}; "
        f"{det['undecided']} undecided)"
    )
    for w in det["wrong"]:
        print(f"  {w['id']}: {w['detected']!r} for {w['expected']!r}: {w['question']}")
    if ENGLISH_SET in det:
        e = det[ENGLISH_SET]
        print(
            f"the English set's {e['questions']} questions of 4+ words: {devset.fmt(e['accuracy'])} "
            f"({e['undecided']} undecided, {len(e['wrong']) - e['undecided']} wrong)"
        )


def main(argv: list[str] | None = None) -> int:
    p = devset.parser(
        __doc__,
        bench="sla-it/docs, sla/docs and cuad/contracts",
        data=DATA,
        documents="engagements, documents and their languages",
        name="languages",
    )
    p.set_defaults(documents=DOCUMENTS)
    p.add_argument(
        "--english-set",
        nargs="?",
        type=Path,
        const=devset.DATA,
        help="also ask the English set (default benchmarks/data/slack_dev.jsonl) on its engagements of the same run",
    )
    p.add_argument(
        "--skip-missing",
        action="store_true",
        help="leave out (and list) the questions whose gold documents did not index, instead of stopping",
    )
    args = p.parse_args(argv)
    ks = sorted({int(k) for k in args.ks.split(",") if k.strip()})
    items, corpus = devset.load_items(args.data), devset.load_corpus(args.documents)
    if args.only:
        keep = {e.strip() for e in args.only.split(",")}
        items = [i for i in items if i.engagement in keep]
        corpus.paths = {e: ps for e, ps in corpus.paths.items() if e in keep}
    unlabelled = [i.id for i in items if i.lang not in ("it", "en")]
    if unlabelled:
        print(f"questions without a 'lang' ('it' or 'en'): {unlabelled}", file=sys.stderr)
        return 2
    english = [] if args.english_set is None else devset.load_items(args.english_set)
    if args.only:
        english = [i for i in english if i.engagement in corpus.paths]
    foreign = sorted({i.engagement for i in english} - set(corpus.paths))
    if foreign:
        print(f"the English set's engagements {foreign} are not in {args.documents}", file=sys.stderr)
        return 2
    english = [replace(i, lang="en") for i in english]
    out_path = args.out or HERE / "results" / f"languages-{time.strftime('%Y%m%d-%H%M%S')}.json"
    twins = [t for t in map(twin_of, items) if t is not None]
    print(f"Italian development set ({CREDIT}): {len(items)} questions, {len(twins)} English twins", file=sys.stderr)

    from bot.settings import Settings
    from knowledge.languages import detect, warm

    warm()
    embedder = args.embedder or Settings.model_fields["embedder"].default
    skipped: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="liaison-languages-") as tmp:
        kb = devset.open_kb(embedder, args.data_dir or Path(tmp))
        indexing = devset.index_corpus(kb, corpus, args.bench)
        missing = missing_documents(items, kb)
        if missing:
            print(f"not indexed: {sorted(d for _e, d in missing)}", file=sys.stderr)
            if not args.skip_missing:
                print("stopping: index them first, or pass --skip-missing", file=sys.stderr)
                return 2
            for it in [i for i in items if any((i.engagement, g.document) in missing for g in i.gold)]:
                skipped.append({"id": it.id, "documents": sorted({g.document for g in it.gold})})
            dropped = {s["id"] for s in skipped}
            items = [i for i in items if i.id not in dropped]
            twins = [t for t in twins if t.id[: -len(TWIN)] not in dropped]
            print(f"left out {len(skipped)} questions on those documents", file=sys.stderr)
        problems = devset.verify([*items, *english], devset.text_reader(kb))
        if problems:
            print("\n".join(problems), file=sys.stderr)
            print(f"{len(problems)} gold span problem(s): fix the data before measuring", file=sys.stderr)
            return 2
        print(f"all {sum(len(i.gold) for i in items)} gold spans verified against the indexed text", file=sys.stderr)
        t0 = time.perf_counter()
        rows = []
        asking = [(it, False) for it in [*items, *twins]] + [(it, True) for it in english]
        for it, of_english_set in asking:
            row = devset.run_item(kb, it, corpus, ks, reply_language=True)
            annotate(row, it, corpus, detect, english_set=of_english_set)
            rows.append(row)
        seconds = time.perf_counter() - t0

    summary = summarise_groups(rows, ks)
    asked = [r for r in rows if r["twin_of"] is None and not r["english_set"]]
    comparison = twin_comparison(rows)
    detection = detection_summary([r for r in rows if not r["english_set"]])
    if english:
        detection[ENGLISH_SET] = detection_summary([r for r in rows if r["english_set"]])
    print_report(summary, ks, comparison, detection)
    if skipped:
        print(f"left out (documents not indexed): {len(skipped)} questions", file=sys.stderr)
    res = {
        "dataset": {"questions": str(args.data), "documents": str(args.documents), "bench": str(args.bench)},
        "embedder": embedder,
        "credit": CREDIT,
        "ks": ks,
        "indexing": indexing,
        "seconds_answering": round(seconds, 1),
        "summary": summary,
        "twins": comparison,
        "detection": detection,
        "skipped": skipped,
        "lead_correct_by_kind": devset.breakdown(asked, "kind"),
        "lead_correct_by_document": devset.by_document(asked),
        "results": rows,
    }
    devset.write_results(out_path, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
