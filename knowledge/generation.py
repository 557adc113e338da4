"""The LLM path: an answer generated from retrieved clauses, kept only where its quotes are real."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from knowledge.errors import ConfigurationError
from knowledge.retrieval import Hit
from prompts import load_prompt

log = logging.getLogger(__name__)

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def make_chat_model(spec: str) -> Any:
    """A langchain chat model from an `init_chat_model` string such as 'openai:gpt-4o-mini'."""
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(spec, temperature=0)
    except (ImportError, ValueError) as exc:
        raise ConfigurationError(f"cannot use LIAISON_LLM={spec!r}: {exc}") from exc


def render_clauses(hits: list[Hit]) -> str:
    parts = []
    for i, hit in enumerate(hits, 1):
        c = hit.chunk
        where = ", ".join(
            p
            for p in (
                c.title,
                f"section {c.section}" if c.section else "",
                f"page {c.page}" if c.page else "",
            )
            if p
        )
        parts.append(f'<clause id="C{i}" source="{where}">\n{c.text}\n</clause>')
    return "\n\n".join(parts)


def locate(quote: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where quote sits verbatim in text[start:end]; whitespace runs may differ, nothing else."""
    if not quote.strip():
        return None
    pos = text.find(quote, start, end)
    if pos >= 0:
        return pos, pos + len(quote)
    words = quote.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.compile(pattern).search(text, start, end)
    return (m.start(), m.end()) if m else None


def generate_answer(question: str, hits: list[Hit], llm: Any, text_of: Callable[[Hit], str]) -> Any:
    """An Answer from the LLM with verified citations, or None to fall back to the extractive one."""
    from knowledge.answers import Answer, citation_for

    messages = [
        ("system", load_prompt("answer_system")),
        ("human", load_prompt("answer_user").format(question=question, clauses=render_clauses(hits))),
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
    citations = []
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
                break
        else:
            log.info("dropped a citation whose quote is not in the cited clause: %r", item.get("quote"))
    answer = str(parsed.get("answer") or "").strip()
    if not citations or not answer:
        return None
    return Answer(question, answer, True, citations, mode="llm")


def _clause_index(value: object, count: int) -> int | None:
    m = re.fullmatch(r"C?(\d+)", str(value or "").strip(), re.IGNORECASE)
    if not m:
        return None
    index = int(m.group(1)) - 1
    return index if 0 <= index < count else None


def parse_json_reply(content: object) -> dict[str, Any] | None:
    """The JSON object in a chat model's reply (code fences and prose around it tolerated), or None."""
    if isinstance(content, list):  # some providers return content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    raw = _FENCE.sub("", str(content)).strip()
    start, end = raw.find("{"), raw.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        parsed = json.loads(raw[start : end + 1])
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None
