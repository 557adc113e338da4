"""The LLM path: an answer generated from retrieved clauses, kept only where its citations hold.

The question and the clauses go to the model fenced as data (`knowledge.prompting`). What comes back
is checked before anything is shown:
- a citation is kept only if its quote is verbatim (up to whitespace) in the clause it names, or, when
  it names none that exists, in one of the clauses given;
- a sentence of the model's own prose is kept only if the kept citations support it (`supported`):
  every value it states (a percentage, an amount, a duration) appears in a kept quote, every other
  number in a cited clause, and at least half of its words in the cited clauses;
- an answer left with no citation or no sentence falls back to the extractive one;
- the direct answer line is never the model's: it is the verbatim line of the first kept citation
  that holds what was asked (`knowledge.direct`), shown beside the model's wording, or none.
Not checked: that a supported sentence keeps the meaning of the clause (it is shown as the model's
wording, beside the quotes it rests on).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from knowledge.direct import direct_for
from knowledge.errors import ConfigurationError
from knowledge.prompting import attribute, fenced
from knowledge.retrieval import Hit
from knowledge.sections import sentence_spans
from knowledge.text import locate, parse_json_reply, tokenize
from prompts import load_prompt

if TYPE_CHECKING:
    from knowledge.answers import Answer

log = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")
SUPPORT_SHARE = 0.5  # share of a sentence's words that must be found in the clauses it rests on


def make_chat_model(spec: str) -> Any:
    """A langchain chat model from an `init_chat_model` string such as 'openai:gpt-4o-mini'."""
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(spec, temperature=0)
    except (ImportError, ValueError) as exc:
        raise ConfigurationError(f"cannot use LIAISON_LLM={spec!r}: {exc}") from exc


def render_clauses(hits: list[Hit]) -> str:
    """The clauses as the model reads them: each fenced in its own tag, its source an attribute."""
    parts = []
    for i, hit in enumerate(hits, 1):
        c = hit.chunk
        where = ", ".join(
            p
            for p in (
                f"{c.title} ({c.document})" if c.title and c.title != c.document else c.document,
                f"section {c.section}" if c.section else "",
                f"page {c.page}" if c.page else "",
            )
            if p
        )
        parts.append(f'<clause id="C{i}" source="{attribute(where, 200)}">\n{fenced(c.text)}\n</clause>')
    return "\n\n".join(parts)


def generate_answer(question: str, hits: list[Hit], llm: Any, text_of: Callable[[Hit], str]) -> Answer | None:
    """An Answer from the LLM with verified citations, or None to fall back to the extractive one."""
    from knowledge.answers import Answer, citation_for

    messages = [
        ("system", load_prompt("answer_system")),
        ("human", load_prompt("answer_user").format(question=fenced(question), clauses=render_clauses(hits))),
    ]
    try:
        reply = llm.invoke(messages)
    except Exception as exc:  # a provider outage must not cost the user an answer
        log.warning("LLM call failed, answering extractively: %s", exc)
        return None
    parsed = parse_json_reply(getattr(reply, "content", reply))
    if parsed is None:
        return None
    if parsed.get("found") is False:
        return None  # let the caller's relevance check and extractive path decide
    citations, cited = [], []
    for item in parsed.get("citations") or []:
        if not isinstance(item, dict):
            continue
        index = _clause_index(item.get("clause"), len(hits))
        candidates = [hits[index]] if index is not None else hits
        for hit in candidates:
            text = text_of(hit)
            span = locate(str(item.get("quote", "")), text, hit.chunk.start, hit.chunk.end)
            if span:
                citations.append(citation_for(hit, span[0], span[1], text, "answer"))
                cited.append(hit)
                break
        else:
            log.info("dropped a citation whose quote is not in the cited clause: %r", item.get("quote"))
    if not citations:
        return None
    answer = supported(str(parsed.get("answer") or ""), [c.quote for c in citations], cited)
    if not answer:
        log.info("no sentence of the model's answer is supported by its citations; answering extractively")
        return None
    lead, lead_hit = citations[0], cited[0]
    direct = direct_for(  # the sentences of the cited clause that the model's quote is part of
        question,
        text_of(lead_hit),
        document=lead.document,
        start=lead_hit.chunk.start,
        end=lead_hit.chunk.end,
        around=(lead.start, lead.end),
        title=lead.title,
        section=lead.section,
        page=lead.page,
    )
    return Answer(question, answer, True, citations, mode="llm", direct=direct)


# -- the prose -------------------------------------------------------------------------------------
_WORDS = (
    ("one", "1"), ("two", "2"), ("three", "3"), ("four", "4"), ("five", "5"), ("six", "6"), ("seven", "7"),
    ("eight", "8"), ("nine", "9"), ("ten", "10"), ("eleven", "11"), ("twelve", "12"), ("fifteen", "15"),
    ("twenty", "20"), ("thirty", "30"), ("forty-five", "45"), ("forty", "40"), ("fifty", "50"), ("sixty", "60"),
    ("ninety", "90"), ("hundred", "100"),
)  # fmt: skip
_NUMBER_WORDS = dict(_WORDS)
_NUMBER = re.compile(rf"(?<![\w.])(?:\d+(?:[.,]\d+)*|{'|'.join(w for w, _ in _WORDS)})(?!\w)", re.IGNORECASE)
_UNIT = re.compile(
    r"\s*(?:\(\d+\)\s*)?-?\s*(?:%|percent\b|per\s+cent\b|(?:business\s+|calendar\s+|working\s+)?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?|quarters?)\b)",
    re.IGNORECASE,
)
_CURRENCY = re.compile(r"(?:[$\u20ac\u00a3]|\b(?:usd|eur|gbp))\s?$", re.IGNORECASE)
_CLAUSE_REF = re.compile(r"\(?\bC\d+\b\)?")


def _numbers(text: str) -> tuple[set[str], set[str]]:
    """(values, identifiers) a text states: numbers with a unit or currency ("thirty (30) days" -> "30"),
    and the other numbers written in digits ("Severity 1", "section 5.3")."""
    values, identifiers = set(), set()
    for m in _NUMBER.finditer(text):
        word = m.group().lower()
        number = _NUMBER_WORDS.get(word) or word.replace(",", "")
        if _UNIT.match(text, m.end()) or _CURRENCY.search(text, 0, m.start()):
            values.add(number)
        elif word not in _NUMBER_WORDS:  # "one of the parties" states no number
            identifiers.add(number)
    return values, identifiers


def supported(prose: str, quotes: list[str], hits: list[Hit]) -> str:
    """The sentences of a model's prose that the verified citations support, the others dropped.

    A sentence is supported when every value it states (a number with a unit or a currency: "12%",
    "4 hours", "USD 17.40") appears in one of the quotes, every other number ("Severity 1", "section
    5.3") in a cited clause, and at least SUPPORT_SHARE of its words (stemmed, stopwords aside) in the
    cited clauses, their titles and sections. A sentence with no word to check is dropped.
    """
    quoted = set().union(*_numbers(" ".join(quotes)))
    sources = " ".join(f"{h.chunk.title} {h.chunk.section or ''} {h.chunk.heading or ''} {h.chunk.text}" for h in hits)
    in_clauses = set().union(*_numbers(sources), {str(h.chunk.page) for h in hits if h.chunk.page})
    clause_words = set(tokenize(sources))
    kept = []
    for a, b in sentence_spans(prose, 0, len(prose)):
        sentence = prose[a:b]
        text = _CLAUSE_REF.sub(" ", sentence)
        values, identifiers = _numbers(text)
        words = {w for w in tokenize(text) if not any(ch.isdigit() for ch in w) and w not in _NUMBER_WORDS}
        if (
            words
            and values <= quoted
            and identifiers <= in_clauses
            and len(words & clause_words) >= SUPPORT_SHARE * len(words)
        ):
            kept.append(sentence)
        else:
            log.info("dropped a sentence the citations do not support: %r", sentence)
    return " ".join(kept)


def _clause_index(value: object, count: int) -> int | None:
    m = re.fullmatch(r"C?(\d+)", str(value or "").strip(), re.IGNORECASE)
    if not m:
        return None
    index = int(m.group(1)) - 1
    return index if 0 <= index < count else None


# -- translations of quotes ------------------------------------------------------------------------
LANGUAGE_NAMES = {"en": "English", "it": "Italian", "es": "Spanish", "fr": "French", "de": "German"}
LANGUAGE_NAMES |= {"pt": "Portuguese", "nl": "Dutch"}


def translate_citations(answer: Answer, language: str, llm: Any) -> Answer:
    """The answer with each quote written in another language than `language` translated by the LLM, beside
    the verbatim quote (`Citation.translation`, marked as a machine translation); unchanged when none needs one
    or the model fails. The extractive path never translates: this runs only with LIAISON_LLM."""
    from dataclasses import replace

    from knowledge.languages import detect

    todo = [i for i, c in enumerate(answer.citations) if (found := detect(c.quote)) and found != language]
    if not todo or language not in LANGUAGE_NAMES:
        return answer
    clauses = "\n\n".join(
        f'<clause id="Q{n}">\n{fenced(answer.citations[i].quote)}\n</clause>' for n, i in enumerate(todo, 1)
    )
    messages = [
        ("system", load_prompt("translate_system")),
        ("human", load_prompt("translate_user").format(language=LANGUAGE_NAMES[language], clauses=clauses)),
    ]
    try:
        reply = llm.invoke(messages)
    except Exception as exc:  # a provider outage costs the translation only
        log.warning("LLM translation failed; showing the quotes only: %s", exc)
        return answer
    parsed = parse_json_reply(getattr(reply, "content", reply))
    texts = parsed.get("translations") if parsed else None
    if not isinstance(texts, list) or len(texts) != len(todo):
        log.info("the model's translations do not match the quotes; showing the quotes only")
        return answer
    citations = list(answer.citations)
    for i, text in zip(todo, texts, strict=True):
        if isinstance(text, str) and text.strip():
            citations[i] = replace(citations[i], translation=text.strip(), translation_language=language)
    return replace(answer, citations=citations)
