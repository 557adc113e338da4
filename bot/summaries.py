"""The neutral summary of a mediation: what both sides agree on, where they differ, what the contracts say.

Without an LLM the summary is a deterministic template. A sentence of one position that the other position
also states (near-identical stemmed words, the same numbers, the same negations, the same parties in the same
order, with "we"/"they" read as the speaker/the other side) is an agreed fact; every other sentence is that
side's statement, paired with the other side's closest sentence on the same point. The clauses are those
attached to the mediation plus those retrieved for the title and for each point, within what the channel's
side may see, each checked verbatim against its document. Client and vendor go through the same code in a
fixed order and ties are broken by text, never by side, so swapping their texts swaps only the attribution.

With an LLM, the model writes the summary from fenced data (positions, evidence and clauses are data, never
instructions), and what it returns is checked before anything is shown:
- a contract quote is kept only if it is verbatim inside a clause the model was given, and so in the document;
- an agreed statement is kept only if both positions support it (most of its words, all of its numbers);
- each side's statement must be supported by that side's own position (some of its words, all its numbers),
  and a side that stated a position must not be left out;
- no verdict wording ("is right", "wins", "should pay", "in breach", ...) in the model's own words, nor in a
  side's statement unless that side wrote it.
A model error, invalid JSON or a failed check returns the template summary instead. Not checked: that a
paraphrase keeps the meaning of what a side said, or that a quote is the best one for its point.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from bot.clauses import relevant_clauses
from knowledge.base import KnowledgeBase
from knowledge.errors import UnknownDocumentError
from knowledge.generation import locate
from knowledge.lexical import STOPWORDS, TOKEN, stem, tokenize
from knowledge.store import visible_to
from prompts import load_prompt

log = logging.getLogger(__name__)

SIDES = ("client", "vendor")  # always in this order
LABELS = {"client": "Client", "vendor": "Vendor"}
OTHER = {"client": "vendor", "vendor": "client"}
AGREE_MIN = 0.8  # stemmed-token Jaccard at which two sentences state the same fact
PAIR_MIN = 0.2  # content-token Jaccard at which two sentences are on the same point
AGREED_SUPPORT = 0.6  # share of an LLM's agreed statement's words found in each position
STATED_SUPPORT = 0.4  # share of an LLM's statement for a side found in that side's position
CLAUSES_PER_POINT = 3
MAX_CLAUSES = 30  # a bound, not a budget: the blocks show what fits and say how many more
MAX_POINTS = 12  # points retrieved for, and points read from a model
MIN_QUOTE_CHARS = 12
TEXT_CHARS = 1000  # one statement written by a model
ATTACHED = "Attached to this mediation"
UNTITLED = "(untitled)"
WHOLE = "The dispute as a whole"
NOTHING = "(nothing on this point)"
NOT_STATED = "(no position stated yet)"
MISSING = "The {} has not stated a position yet."
SILENT = "The contracts this channel can see seem silent on this dispute: no clause matched its title or positions."
NOTES = {
    "template": "Neutral summary: it takes no side. Built by a fixed template from both positions; "
    "every contract quote is verbatim.",
    "llm": "Neutral summary: it takes no side. Written by an AI model from both positions; "
    "every contract quote was checked verbatim against the contracts.",
}

_ABBREVIATION = re.compile(r"(?:nos?|mrs?|ms|dr|vs|etc|e\.g|i\.e|inc|ltd|co|corp|art|sec|para|cl|pp?|approx|fig)")
_BREAK = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(\s+)(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_FIRST = re.compile(r"\b(?:[Ww]e|[Uu]s|[Oo]urs?|[Oo]urselves|I|[Mm]e|[Mm]y|[Mm]ine)\b")
_THIRD = re.compile(r"\b(?:[Tt]hey|[Tt]hem|[Tt]heirs?|[Tt]hemselves)\b")
_PARTY = re.compile(r"\b(client|vendor)s?\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nothing|neither|nor|without|cannot)\b|n[\u2019']t\b", re.IGNORECASE)
_PARTIES = frozenset({"client", "vendor"})
_META = frozenset(map(stem, ("state", "says", "said", "claim", "argue", "assert", "maintain", "contend", "position")))
_VERDICT = re.compile(
    r"\b(?:(?:is|are|was|were)\s+(?:(?:clearly|plainly|obviously|entirely)\s+)?(?:right|correct|wrong|mistaken|"
    r"at\s+fault|to\s+blame|liable|justified|unjustified|in\s+breach|in\s+the\s+(?:right|wrong))"
    r"|wins?|won(?![\'\u2019]t)|prevails?|prevailed"
    r"|(?:should|must)\s+(?:win|prevail|pay|accept|concede|compensate|back\s+down)"
    r"|in\s+(?:the\s+)?(?:client|vendor)'?s?\s+favou?r|favou?rs?\s+the\s+(?:client|vendor)|verdict"
    r"|(?:we|i)\s+(?:recommend|conclude|find|side)|(?:stronger|weaker)\s+(?:case|position|argument))\b",
    re.IGNORECASE,
)
_FENCE_TAG = re.compile(r"<(?=\s*/?\s*(?:title|position|evidence|clause)\b)", re.IGNORECASE)
_CODE_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


class _Rejected(ValueError):
    """A model's summary failed a check; the template is used instead."""


@dataclass(frozen=True)
class Difference:
    """One point on which the positions differ: what each side states on it ("" when it says nothing)."""

    point: str
    client: str
    vendor: str

    def sides(self) -> list[tuple[str, str]]:
        """(side, statement) for the client then the vendor."""
        return [("client", self.client), ("vendor", self.vendor)]


@dataclass(frozen=True)
class ContractPoint:
    """The clauses bearing on one point: clause refs {document, title, section, page, quote, start, end}."""

    point: str
    clauses: list[dict[str, Any]]


@dataclass(frozen=True)
class Evidence:
    """A message pinned as evidence, or the evidence a side gave with its position (then `side` is set)."""

    text: str
    author: str
    ts: str | None = None
    side: str | None = None


@dataclass
class Summary:
    """A neutral summary of a mediation; `mode` is "template" or "llm"."""

    title: str
    agreed: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    contract: list[ContractPoint] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    mode: str = "template"

    def clauses(self) -> list[dict[str, Any]]:
        """Every clause ref the summary quotes, in order."""
        return [c for p in self.contract for c in p.clauses]

    @property
    def silent(self) -> bool:
        """Whether no clause bears on the dispute."""
        return not any(p.clauses for p in self.contract)

    def stated(self, side: str) -> bool:
        """Whether a side has stated a position."""
        return MISSING.format(side) not in self.missing

    def shown(self, side: str, text: str) -> str:
        """A side's statement on a point, or what to show when it has none."""
        return text or (NOTHING if self.stated(side) else NOT_STATED)

    @property
    def note(self) -> str:
        return NOTES.get(self.mode, NOTES["template"])

    def as_text(self) -> str:
        """The summary as plain text, for the timeline and logs."""
        lines = [f"Neutral summary: {self.title}", "", "Both sides agree:"]
        lines += [f"- {a}" for a in self.agreed] or ["- (no statement appears in both positions)"]
        lines += ["", "Where they differ:"]
        for d in self.differences:
            lines.append(f"{d.point}:")
            lines += [f"  {LABELS[side]} states: {self.shown(side, text)}" for side, text in d.sides()]
        if not self.differences:
            lines.append("- (no differing statements)")
        lines += ["", "What the contracts say:"]
        if self.silent:
            lines.append(SILENT)
        for p in self.contract:
            lines.append(f"{p.point}:")
            lines += [f"  \u201c{' '.join(c['quote'].split())}\u201d ({clause_label(c)})" for c in p.clauses]
        if self.evidence:
            lines += ["", "Evidence:"] + [f"- {evidence_label(e)}: {e.text}" for e in self.evidence]
        if self.missing:
            lines += ["", "Not yet stated:"] + [f"- {m}" for m in self.missing]
        return "\n".join([*lines, "", self.note])


def clause_label(ref: Mapping[str, Any]) -> str:
    """Where a clause is: "document · §section · p. page"."""
    parts = [str(ref.get("title") or ref.get("document") or "")]
    parts += [f"\u00a7{ref['section']}"] if ref.get("section") else []
    parts += [f"p. {ref['page']}"] if ref.get("page") else []
    return " \u00b7 ".join(parts)


def evidence_label(e: Evidence) -> str:
    return f"{e.author or 'someone'}" + (f" (with the {e.side}'s position)" if e.side else "")


def summarise(
    kb: KnowledgeBase,
    *,
    engagement: str,
    side: str,
    title: str,
    positions: Mapping[str, Mapping[str, Any]],
    evidence: Sequence[Mapping[str, Any]],
    clause_refs: Sequence[Mapping[str, Any]],
    llm: Any = None,
) -> Summary:
    """The neutral summary of a mediation, quoting only clauses that `side` may see (see the module doc)."""
    clauses = _Clauses(kb, engagement, side)
    stated = {s: str((positions.get(s) or {}).get("text") or "").strip() for s in SIDES}
    stated = {s: t for s, t in stated.items() if t}
    title = " ".join(str(title or "").split()) or UNTITLED
    template = _template(kb, clauses, title=title, stated=stated, attached=clause_refs)
    template.evidence = _evidence(positions, stated, evidence)
    if llm is None or not stated:
        return template
    support = {s: f"{t} {(positions.get(s) or {}).get('evidence') or ''}" for s, t in stated.items()}
    return _from_model(llm, template, stated, support, clauses) or template


# -- the template --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sentence:
    side: str
    index: int
    text: str
    terms: frozenset[str]  # stemmed tokens, "we"/"they" resolved to parties
    numbers: frozenset[str]
    negations: int
    parties: tuple[str, ...]  # parties in order of mention
    personal: bool  # uses person pronouns: its wording only makes sense from its speaker

    @property
    def content(self) -> frozenset[str]:
        return self.terms - _PARTIES


def split_sentences(text: str) -> list[str]:
    """Sentences and bullet lines of a text, as written (bullet markers dropped)."""
    out: list[str] = []
    for line in (text or "").splitlines():
        line = _BULLET.sub("", line).strip()
        start = 0
        for m in _BREAK.finditer(line):
            words = line[start : m.start(1)].split()
            if words and _ABBREVIATION.fullmatch(words[-1].rstrip(".").lower()):
                continue  # "SOW No. 1" is one sentence
            out.append(line[start : m.start(1)].strip())
            start = m.end(1)
        out.append(line[start:].strip())
    return [s for s in out if s]


def _sentence(side: str, index: int, text: str) -> _Sentence:
    resolved = _THIRD.sub(OTHER[side], _FIRST.sub(side, text))
    terms = frozenset(tokenize(resolved))
    parties: list[str] = []
    for m in _PARTY.finditer(resolved):
        if not parties or parties[-1] != m.group(1).lower():
            parties.append(m.group(1).lower())
    return _Sentence(
        side,
        index,
        text,
        terms,
        frozenset(t for t in terms if any(ch.isdigit() for ch in t)),
        len(_NEGATION.findall(text)),
        tuple(parties),
        bool(_FIRST.search(text) or _THIRD.search(text)),
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _agree(a: _Sentence, b: _Sentence) -> float:
    same = a.numbers == b.numbers and a.negations == b.negations and a.parties == b.parties
    return _jaccard(a.terms, b.terms) if same else 0.0


def _match(
    left: list[_Sentence], right: list[_Sentence], score: Callable[[_Sentence, _Sentence], float], threshold: float
) -> list[tuple[_Sentence, _Sentence]]:
    """Greedy one-to-one matching, best score first; ties broken by the texts, never by side."""
    scored = [(score(a, b), a, b) for a in left for b in right]
    scored.sort(key=lambda t: (-t[0], sorted((t[1].text, t[2].text))))
    used: set[int] = set()
    pairs = []
    for value, a, b in scored:
        if value >= threshold and id(a) not in used and id(b) not in used:
            used.update((id(a), id(b)))
            pairs.append((a, b))
    return pairs


def _canonical(*sentences: _Sentence) -> _Sentence:
    """The wording shown for a pair: impersonal first, then the shortest, then by text."""
    return min(sentences, key=lambda s: (s.personal, len(s.text), s.text))


def _order(*sentences: _Sentence) -> tuple[int, str]:
    return min(s.index for s in sentences), _canonical(*sentences).text


def _label(n: int, a: _Sentence, b: _Sentence | None) -> str:
    if b is None:
        return f"Point {n} ({a.side} only)"
    shown = _canonical(a, b)
    common, words = a.content & b.content, []
    for token in TOKEN.findall(shown.text.lower()):
        if token not in STOPWORDS and stem(token.replace("'", "")) in common and token not in words:
            words.append(token)
    return f"Point {n} ({', '.join(words[:4])})" if words else f"Point {n}"


def _template(
    kb: KnowledgeBase, clauses: _Clauses, *, title: str, stated: dict[str, str], attached: Sequence[Mapping[str, Any]]
) -> Summary:
    said = {s: [_sentence(s, i, t) for i, t in enumerate(split_sentences(stated.get(s, "")))] for s in SIDES}
    agreed_pairs = sorted(_match(said["client"], said["vendor"], _agree, AGREE_MIN), key=lambda p: _order(*p))
    done = {id(s) for pair in agreed_pairs for s in pair}
    rest = {s: [x for x in said[s] if id(x) not in done] for s in SIDES}
    paired = _match(rest["client"], rest["vendor"], lambda a, b: _jaccard(a.content, b.content), PAIR_MIN)
    done |= {id(s) for pair in paired for s in pair}
    points: list[tuple[_Sentence, _Sentence | None]] = [*paired]
    points += [(x, None) for s in SIDES for x in rest[s] if id(x) not in done]
    points.sort(key=lambda p: _order(*[s for s in p if s is not None]))

    agreed = []
    for a, b in agreed_pairs:
        shown = _canonical(a, b)
        agreed.append(f"{shown.text} (in the {shown.side}'s words)" if shown.personal else shown.text)
    differences = []
    # the dispute as titled, then the points in dispute, then what is agreed: each clause goes where it matters most
    queries = [(WHOLE, title)] if title != UNTITLED else []
    for n, (a, b) in enumerate(points, 1):
        says = {x.side: x.text for x in (a, b) if x is not None}
        label = _label(n, a, b)
        differences.append(Difference(label, says.get("client", ""), says.get("vendor", "")))
        queries.append((label, "\n".join(sorted(says.values()))))
    missing = [MISSING.format(s) for s in SIDES if s not in stated]
    queries += [(f"Agreed: {_clip(text, 80)}", text) for text in agreed]
    contract = _contract(kb, clauses, queries, attached)
    return Summary(title, agreed, differences, contract, [], missing, "template")


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# -- clauses -------------------------------------------------------------------------------------
class _Clauses:
    """Clause refs checked against the documents one side may see, each document read once."""

    def __init__(self, kb: KnowledgeBase, engagement: str, side: str) -> None:
        allowed = set(visible_to(side))
        self.kb, self.engagement, self.side = kb, engagement, side
        self.names = {d.name for d in kb.documents(engagement) if d.visibility in allowed}
        self.texts: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        if name not in self.names:
            return None  # another side's document, or none at all
        if name not in self.texts:
            try:
                self.texts[name] = self.kb.document_text(self.engagement, name)
            except UnknownDocumentError:
                return None
        return self.texts[name]

    def checked(self, ref: Mapping[str, Any]) -> dict[str, Any] | None:
        """The ref with its exact span in the document, or None if its quote is not there verbatim."""
        name, quote = str(ref.get("document") or ""), str(ref.get("quote") or "")
        text = self.text(name)
        if text is None or len(quote.strip()) < MIN_QUOTE_CHARS:
            return None
        start, end = ref.get("start"), ref.get("end")
        exact = isinstance(start, int) and isinstance(end, int) and text[start:end] == quote
        span = (start, end) if exact else locate(quote, text, 0, len(text))
        if span is None:
            log.info("dropped a clause whose quote is not in %s: %r", name, quote[:80])
            return None
        return _ref(ref, text, *span)


def _ref(ref: Mapping[str, Any], text: str, start: int, end: int) -> dict[str, Any]:
    return {
        "document": ref["document"],
        "title": ref.get("title") or ref["document"],
        "section": ref.get("section"),
        "page": ref.get("page"),
        "quote": text[start:end],
        "start": start,
        "end": end,
    }


def _overlaps(ref: Mapping[str, Any], kept: list[dict[str, Any]]) -> bool:
    return any(k["document"] == ref["document"] and k["start"] < ref["end"] and ref["start"] < k["end"] for k in kept)


def _contract(
    kb: KnowledgeBase, clauses: _Clauses, queries: list[tuple[str, str]], attached: Sequence[Mapping[str, Any]]
) -> list[ContractPoint]:
    """Attached clauses first, then those retrieved for each query; each clause once, at its first point."""
    kept: list[dict[str, Any]] = []
    groups: list[ContractPoint] = []

    def add(point: str, refs: Sequence[Mapping[str, Any]]) -> None:
        group = []
        for ref in refs:
            checked = clauses.checked(ref)
            if checked and len(kept) < MAX_CLAUSES and not _overlaps(checked, kept):
                kept.append(checked)
                group.append(checked)
        if group:
            groups.append(ContractPoint(point, group))

    add(ATTACHED, attached)
    for point, query in queries[:MAX_POINTS]:
        found = relevant_clauses(kb, query, engagement=clauses.engagement, side=clauses.side, limit=CLAUSES_PER_POINT)
        add(point, found)
    return groups


def _evidence(
    positions: Mapping[str, Mapping[str, Any]], stated: dict[str, str], pinned: Sequence[Mapping[str, Any]]
) -> list[Evidence]:
    out = []
    for s in SIDES:
        position = positions.get(s) or {}
        text = " ".join(str(position.get("evidence") or "").split())
        if s in stated and text:
            out.append(Evidence(text, str(position.get("author") or ""), None, s))
    for item in pinned:
        text = str(item.get("text") or "").strip()
        if text:
            ts = item.get("ts")
            out.append(Evidence(text, str(item.get("author") or ""), None if ts is None else str(ts)))
    return out


# -- the model -----------------------------------------------------------------------------------
def _from_model(
    llm: Any, template: Summary, stated: dict[str, str], support: dict[str, str], clauses: _Clauses
) -> Summary | None:
    given = template.clauses()
    human = load_prompt("mediation_summary_user").format(
        title=_fenced(template.title),
        positions=_render_positions(stated, support),
        evidence=_render_evidence(template.evidence),
        clauses=_render_clauses(given),
    )
    try:
        reply = llm.invoke([("system", load_prompt("mediation_summary_system")), ("human", human)])
    except Exception as exc:  # a provider outage must not cost the mediation its summary
        log.warning("LLM call failed, summarising by template: %s", exc)
        return None
    parsed = _parse(getattr(reply, "content", reply))
    if parsed is None:
        log.warning("LLM reply is not a JSON object, summarising by template")
        return None
    try:
        return _checked(parsed, template, support, given, clauses)
    except _Rejected as why:
        log.warning("LLM summary rejected, summarising by template: %s", why)
        return None


def _fenced(text: str) -> str:
    """Data with anything that looks like one of our fence tags defused, so it cannot close its fence."""
    return _FENCE_TAG.sub("\u2039", text)


def _attr(value: object) -> str:
    return re.sub(r"[^\w.@:+ -]", "", str(value or ""))[:80]


def _render_positions(stated: dict[str, str], support: dict[str, str]) -> str:
    parts = []
    for s in SIDES:
        body = _fenced(support[s].strip()) if s in stated else NOT_STATED
        parts.append(f'<position side="{s}">\n{body}\n</position>')
    return "\n\n".join(parts)


def _render_evidence(evidence: list[Evidence]) -> str:
    pinned = [e for e in evidence if e.side is None]  # a side's own evidence is inside its position
    items = [
        f'<evidence n="{i}" author="{_attr(e.author)}">\n{_fenced(e.text)}\n</evidence>'
        for i, e in enumerate(pinned, 1)
    ]
    return "\n\n".join(items) or "(none)"


def _render_clauses(given: list[dict[str, Any]]) -> str:
    parts = []
    for i, c in enumerate(given, 1):
        parts.append(
            f'<clause id="C{i}" document="{_attr(c["document"])}" source="{_attr(clause_label(c))}">\n'
            f"{_fenced(c['quote'])}\n</clause>"
        )
    return "\n\n".join(parts) or "(no clause found)"


def _parse(content: object) -> dict[str, Any] | None:
    if isinstance(content, list):  # some providers return content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    raw = _CODE_FENCE.sub("", str(content)).strip()
    start, end = raw.find("{"), raw.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        parsed = json.loads(raw[start : end + 1])
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _string(value: object, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Rejected(f"{what} is not a string")
    return _clip(value, TEXT_CHARS)


def _items(parsed: dict[str, Any], key: str) -> list[Any]:
    value = parsed.get(key) or []
    if not isinstance(value, list):
        raise _Rejected(f"{key!r} is not a list")
    return value[:MAX_POINTS]


def _verdicts(text: str) -> set[str]:
    return {" ".join(m.group(0).lower().split()) for m in _VERDICT.finditer(text)}


def _no_verdict(text: str, what: str, allowed: AbstractSet[str] = frozenset()) -> None:
    extra = _verdicts(text) - allowed
    if extra:
        raise _Rejected(f"{what} takes a side ({', '.join(sorted(extra))})")


def _supported(statement: str, source: str, share: float) -> bool:
    """Whether most of a statement's words and all its numbers are in the source text."""
    words = set(tokenize(statement)) - _PARTIES - _META
    if not words:
        return True
    have = set(tokenize(source))
    numbers = {w for w in words if any(ch.isdigit() for ch in w)}
    return numbers <= have and len(words & have) / len(words) >= share


def _resolved(side: str, text: str) -> str:
    return f"{text} {_THIRD.sub(OTHER[side], _FIRST.sub(side, text))}"


def _checked(
    parsed: dict[str, Any], template: Summary, support: dict[str, str], given: list[dict[str, Any]], clauses: _Clauses
) -> Summary:
    sources = {s: _resolved(s, t) for s, t in support.items()}
    said_by = {s: _verdicts(t) for s, t in support.items()}
    both = said_by["client"] & said_by["vendor"] if len(said_by) == 2 else set()
    agreed = []
    for item in _items(parsed, "agreed"):
        text = _string(item, "an agreed statement")
        _no_verdict(text, "an agreed statement", both)
        if text and len(sources) == 2 and all(_supported(text, src, AGREED_SUPPORT) for src in sources.values()):
            agreed.append(text)
        elif text:
            log.info("dropped an agreed statement not found in both positions: %r", text)
    differences = []
    for n, item in enumerate(_items(parsed, "differences"), 1):
        if not isinstance(item, dict):
            raise _Rejected("a difference is not an object")
        point = _string(item.get("point"), "a point") or f"Point {n}"
        _no_verdict(point, "a point")
        says = {}
        for s in SIDES:
            text = _string(item.get(s), f"the {s}'s statement")
            if text and s not in sources:
                raise _Rejected(f"it attributes a statement to the {s}, who has stated no position")
            if text:
                _no_verdict(text, f"the {s}'s statement", said_by[s])
                if not _supported(text, sources[s], STATED_SUPPORT):
                    raise _Rejected(f"the {s}'s statement is not in the {s}'s position: {text!r}")
            says[s] = text
        if says["client"] or says["vendor"]:
            differences.append(Difference(_clip(point, 200), says["client"], says["vendor"]))
    for s in {s for d in template.differences for s, text in d.sides() if text}:  # sides with claims of their own
        if not any(getattr(d, s) for d in differences):
            raise _Rejected(f"it leaves out what the {s} states")
    contract = _cited_contract(parsed, given, clauses) or template.contract
    return Summary(template.title, agreed, differences, contract, template.evidence, template.missing, "llm")


def _cited_contract(parsed: dict[str, Any], given: list[dict[str, Any]], clauses: _Clauses) -> list[ContractPoint]:
    """The model's contract points, keeping only quotes verbatim inside a clause it was given."""
    kept: list[dict[str, Any]] = []
    groups = []
    for item in _items(parsed, "contract"):
        if not isinstance(item, dict):
            continue
        point = _string(item.get("point"), "a point") or WHOLE
        _no_verdict(point, "a contract point")
        group = []
        for citation in (item.get("citations") or [])[: CLAUSES_PER_POINT + 1]:
            ref = _cited(citation, given, clauses) if isinstance(citation, dict) else None
            if ref is None:
                log.info("dropped a citation not verbatim in a given clause: %r", citation)
            elif len(kept) < MAX_CLAUSES and not _overlaps(ref, kept):
                kept.append(ref)
                group.append(ref)
        if group:
            groups.append(ContractPoint(_clip(point, 200), group))
    return groups


def _cited(citation: dict[str, Any], given: list[dict[str, Any]], clauses: _Clauses) -> dict[str, Any] | None:
    quote = citation.get("quote")
    if not isinstance(quote, str) or len(quote.strip()) < MIN_QUOTE_CHARS:
        return None
    m = re.fullmatch(r"C?(\d+)", str(citation.get("clause") or "").strip(), re.IGNORECASE)
    named = int(m.group(1)) - 1 if m else -1
    document = citation.get("document")
    ranked = sorted(range(len(given)), key=lambda i: (i != named, given[i]["document"] != document, i))
    for i in ranked:
        clause = given[i]
        text = clauses.text(clause["document"])
        span = locate(quote, text, clause["start"], clause["end"]) if text is not None else None
        if text is not None and span:
            return _ref(clause, text, *span)
    return None
