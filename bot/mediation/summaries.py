"""The neutral summary of a mediation: what both sides agree on, where they differ, what the contracts say.

Without an LLM the summary is a deterministic template. A sentence of one position that the other position
also states (near-identical stemmed words, the same numbers, the same negations, the same parties in the same
order, with "we"/"they" read as the speaker/the other side) is an agreed fact; every other sentence is that
side's statement, paired with the other side's closest sentence on the same point. The clauses are those
attached to the mediation plus those retrieved for the title and for each point, within what the channel's
side may see, each checked verbatim against its document. Client and vendor go through the same code in a
fixed order and ties are broken by text, never by side, so swapping their texts swaps only the attribution.

With an LLM, the model writes the summary instead and `bot.mediation.summary_llm` checks it (its quotes, agreed
statements, each side's statements, neutrality); a model error, invalid JSON or a failed check returns the
template summary.

The framing (headings, point names, what is missing) is in the reader's language (`bot.i18n`), never the
parties' own words or the contracts' quotes. The module's constants are English msgids marked `N_()`: the
renderers pass them through `_()` (a model's prompt keeps the English).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.contracts.clauses import relevant_clauses
from bot.i18n import N_, _
from bot.issues.timeline import entry_text
from bot.mediation.summary_llm import write_summary
from bot.mediation.summary_text import (
    CLAUSES_PER_POINT,
    MAX_CLAUSES,
    MAX_POINTS,
    NOT_STATED,
    PARTIES,
    SIDES,
    WHOLE,
    Clauses,
    clause_label,
    clip,
    overlaps,
    resolve_pronouns,
    uses_pronouns,
)
from bot.records.cases import ClauseRef
from knowledge.base import KnowledgeBase
from knowledge.text import STOPWORDS, TOKEN, sentences, stem, tokenize

LABELS = {"client": N_("Client"), "vendor": N_("Vendor")}
AGREE_MIN = 0.8  # stemmed-token Jaccard at which two sentences state the same fact
PAIR_MIN = 0.2  # content-token Jaccard at which two sentences are on the same point
ATTACHED = N_("Attached to this mediation")
UNTITLED = "(untitled)"
NOTHING = N_("(nothing on this point)")
MISSING = {
    "client": N_("The client has not stated a position yet."),
    "vendor": N_("The vendor has not stated a position yet."),
}
SILENT = N_("The contracts this channel can see seem silent on this dispute: no clause matched its title or positions.")
NOTES = {
    "template": N_(
        "Neutral summary: it takes no side. Built by a fixed template from both positions; "
        "every contract quote is verbatim."
    ),
    "llm": N_(
        "Neutral summary: it takes no side. Written by an AI model from both positions; "
        "every contract quote was checked verbatim against the contracts."
    ),
}
IN_WORDS = {  # an agreed fact in one side's wording
    "client": N_("{text} (in the client's words)"),
    "vendor": N_("{text} (in the vendor's words)"),
}
STATES = {"client": N_("Client states: {text}"), "vendor": N_("Vendor states: {text}")}
WITH_POSITION = {
    "client": N_("{who} (with the client's position)"),
    "vendor": N_("{who} (with the vendor's position)"),
}

_PARTY = re.compile(r"\b(client|vendor)s?\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nothing|neither|nor|without|cannot)\b|n[\u2019']t\b", re.IGNORECASE)


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
    clauses: list[ClauseRef]


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

    def clauses(self) -> list[ClauseRef]:
        """Every clause ref the summary quotes, in order."""
        return [c for p in self.contract for c in p.clauses]

    @property
    def silent(self) -> bool:
        """Whether no clause bears on the dispute."""
        return not any(p.clauses for p in self.contract)

    def stated(self, side: str) -> bool:
        """Whether a side has stated a position."""
        said = MISSING.get(side, "")
        return said not in self.missing and _(said) not in self.missing  # built in English or the reader's

    def shown(self, side: str, text: str) -> str:
        """A side's statement on a point, or what to show when it has none."""
        return text or (NOTHING if self.stated(side) else NOT_STATED)

    @property
    def note(self) -> str:
        return NOTES.get(self.mode, NOTES["template"])

    def as_text(self) -> str:
        """The summary as plain text, for the timeline and logs, in the reader's language (as it was posted)."""
        lines = [_("Neutral summary: {title}").format(title=self.title), "", _("Both sides agree:")]
        lines += [f"- {a}" for a in self.agreed] or ["- " + _("(no statement appears in both positions)")]
        lines += ["", _("Where they differ:")]
        for d in self.differences:
            lines.append(f"{d.point}:")
            lines += ["  " + _(STATES[side]).format(text=_(self.shown(side, text))) for side, text in d.sides()]
        if not self.differences:
            lines.append("- " + _("(no differing statements)"))
        lines += ["", _("What the contracts say:")]
        if self.silent:
            lines.append(_(SILENT))
        for p in self.contract:
            lines.append(f"{p.point}:")
            lines += [f"  \u201c{' '.join((c['quote'] or '').split())}\u201d ({clause_label(c)})" for c in p.clauses]
        if self.evidence:
            lines += ["", _("Evidence:")] + [f"- {evidence_label(e)}: {e.text}" for e in self.evidence]
        if self.missing:
            lines += ["", _("Not yet stated:")] + [f"- {m}" for m in self.missing]
        return "\n".join([*lines, "", _(self.note)])


def evidence_label(e: Evidence) -> str:
    who = e.author or _("someone")
    return _(WITH_POSITION[e.side]).format(who=who) if e.side in WITH_POSITION else who


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
    clauses = Clauses(kb, engagement, side)
    stated = {s: str((positions.get(s) or {}).get("text") or "").strip() for s in SIDES}
    stated = {s: t for s, t in stated.items() if t}
    title = " ".join(str(title or "").split()) or UNTITLED
    template = _template(kb, clauses, title=title, stated=stated, attached=clause_refs)
    template.evidence = _evidence(positions, stated, evidence)
    if llm is None or not stated:
        return template
    support = {s: f"{t} {(positions.get(s) or {}).get('evidence') or ''}" for s, t in stated.items()}
    return _from_model(llm, template, support, clauses) or template


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
        return self.terms - PARTIES


def _sentence(side: str, index: int, text: str) -> _Sentence:
    resolved = resolve_pronouns(side, text)
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
        uses_pronouns(text),
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
        only = _("Point {n} (client only)") if a.side == "client" else _("Point {n} (vendor only)")
        return only.format(n=n)
    shown = _canonical(a, b)
    common, words = a.content & b.content, []
    for token in TOKEN.findall(shown.text.lower()):
        if token not in STOPWORDS and stem(token.replace("'", "")) in common and token not in words:
            words.append(token)
    if words:
        return _("Point {n} ({words})").format(n=n, words=", ".join(words[:4]))
    return _("Point {n}").format(n=n)


def _template(
    kb: KnowledgeBase, clauses: Clauses, *, title: str, stated: dict[str, str], attached: Sequence[Mapping[str, Any]]
) -> Summary:
    said = {s: [_sentence(s, i, t) for i, t in enumerate(sentences(stated.get(s, "")))] for s in SIDES}
    agreed_pairs = sorted(_match(said["client"], said["vendor"], _agree, AGREE_MIN), key=lambda p: _order(*p))
    done = {id(s) for pair in agreed_pairs for s in pair}
    rest = {s: [x for x in said[s] if id(x) not in done] for s in SIDES}
    paired = _match(rest["client"], rest["vendor"], lambda a, b: _jaccard(a.content, b.content), PAIR_MIN)
    done |= {id(s) for pair in paired for s in pair}
    points: list[tuple[_Sentence, _Sentence | None]] = [*paired]
    points += [(x, None) for s in SIDES for x in rest[s] if id(x) not in done]
    points.sort(key=lambda p: _order(*[s for s in p if s is not None]))

    agreed = []
    for first, second in agreed_pairs:
        shown = _canonical(first, second)
        agreed.append(_(IN_WORDS[shown.side]).format(text=shown.text) if shown.personal else shown.text)
    differences = []
    # the dispute as titled, then the points in dispute, then what is agreed: each clause goes where it matters most
    queries = [(_(WHOLE), title)] if title != UNTITLED else []
    for n, (a, b) in enumerate(points, 1):
        says = {x.side: x.text for x in (a, b) if x is not None}
        label = _label(n, a, b)
        differences.append(Difference(label, says.get("client", ""), says.get("vendor", "")))
        queries.append((label, "\n".join(sorted(says.values()))))
    missing = [_(MISSING[s]) for s in SIDES if s not in stated]
    queries += [(_("Agreed: {text}").format(text=clip(text, 80)), text) for text in agreed]
    contract = _contract(kb, clauses, queries, attached)
    return Summary(title, agreed, differences, contract, [], missing, "template")


# -- clauses and evidence ------------------------------------------------------------------------
def _contract(
    kb: KnowledgeBase, clauses: Clauses, queries: list[tuple[str, str]], attached: Sequence[Mapping[str, Any]]
) -> list[ContractPoint]:
    """Attached clauses first, then those retrieved for each query; each clause once, at its first point."""
    kept: list[ClauseRef] = []
    groups: list[ContractPoint] = []

    def add(point: str, refs: Sequence[Mapping[str, Any]]) -> None:
        group = []
        for ref in refs:
            checked = clauses.checked(ref)
            if checked and len(kept) < MAX_CLAUSES and not overlaps(checked, kept):
                kept.append(checked)
                group.append(checked)
        if group:
            groups.append(ContractPoint(point, group))

    add(_(ATTACHED), attached)
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
    for item in pinned:  # a pinned message as written; a record of Liaison's (credits) said in the reader's language
        text = entry_text({**item, "kind": "evidence"}).strip()
        if text:
            ts = item.get("ts")
            out.append(Evidence(text, str(item.get("author") or ""), None if ts is None else str(ts)))
    return out


# -- the model -----------------------------------------------------------------------------------
def _from_model(llm: Any, template: Summary, support: dict[str, str], clauses: Clauses) -> Summary | None:
    """The model's summary of what the template summarises, or None if it failed (see bot.mediation.summary_llm)."""
    draft = write_summary(
        llm,
        clauses,
        title=template.title,
        support=support,
        pinned=[(e.author, e.text) for e in template.evidence if e.side is None],  # a side's own is in its position
        given=template.clauses(),
        claimed={s for d in template.differences for s, text in d.sides() if text},
    )
    if draft is None:
        return None
    differences = [Difference(*d) for d in draft.differences]
    contract = [ContractPoint(*c) for c in draft.contract] or template.contract
    return Summary(template.title, draft.agreed, differences, contract, template.evidence, template.missing, "llm")
