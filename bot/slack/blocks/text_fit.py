"""Escaping Slack's mrkdwn and fitting text to Slack's limits; pure.

Escaping (`&`, `<`, `>`), reading Slack's markup back as plain text, block quotes, and the splitting and
shortening of long text at line, sentence or word boundaries so that its rendering fits a limit. The Block
Kit pieces that use these live in `bot.slack.blocks.kit`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

ELLIPSIS = " \u2026"  # what a shortened text ends with

_SENTENCE_END = re.compile(r"[.!?;:][\"'\u201d\u2019)\]]*$")


# -- text ----------------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Escape `&`, `<` and `>` the way Slack's mrkdwn requires."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def unmarked(text: str, *, urls: bool = False) -> str:
    """Slack message text without its markup: <@U1> -> @U1, <#C1|general> -> #general, <!here> -> @here,
    <https://x|label> -> label (with `urls`: "label (https://x)"), and `&amp;` `&lt;` `&gt;` undone.

    Links are read before entities are undone: a literal "&lt;b&gt;" is text, not a link."""

    def readable(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):  # <@U123>, <@U123|name>, <#C123|general>
            return target[0] + (label or target[1:])
        if target.startswith("!"):  # <!channel>, <!subteam^S1|@team>, <!date^...|fallback>
            return label or "@" + target[1:].split("^", 1)[0]
        if urls:
            return f"{label} ({target})" if label and label != target else target
        return label or target

    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], _SLACK_LINK.sub(readable, text or ""))


def normalize(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def quoted(text: str) -> str:
    """Text as an mrkdwn block quote: every line starts with `>`."""
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.split("\n"))


def _max_fit(text: str, start: int, render: Callable[[str], str], limit: int) -> int:
    """The largest end such that render(text[start:end]) fits in limit characters."""
    lo, hi = start, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(render(text[start:mid])) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _break_before(text: str, start: int, fit: int) -> int:
    """Where a piece starting at start and ending by fit should end: a line, sentence or word boundary."""
    line = sentence = word = None
    for b in range(min(fit, len(text) - 1), start, -1):
        if not text[b].isspace() or text[b - 1].isspace():
            continue  # b must be the first blank after a word
        run_end = b
        while run_end < len(text) and text[run_end].isspace():
            run_end += 1
        if line is None and "\n" in text[b:run_end]:
            line = b
        elif sentence is None and _SENTENCE_END.search(text[max(start, b - 4) : b]):
            sentence = b
        elif word is None:
            word = b
        if line is not None:
            break
    half = start + (fit - start) // 2
    for candidate in (line, sentence, word):
        if candidate is not None and candidate > half:
            return candidate
    found = [b for b in (line, sentence, word) if b is not None]
    return max(found) if found else fit  # a single word longer than the limit is the only mid-word cut


def chunks(text: str, render: Callable[[str], str], limit: int) -> list[tuple[int, int]]:
    """Spans of text whose rendering fits in limit, cut at line, then sentence, then word boundaries."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(text):
        if len(render(text[pos:])) <= limit:
            spans.append((pos, len(text)))
            break
        cut = _break_before(text, pos, _max_fit(text, pos, render, limit))
        cut = max(cut, pos + 1)
        end = cut
        while end > pos and text[end - 1].isspace():
            end -= 1
        spans.append((pos, end))
        pos = cut
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return spans


def shorten(text: str, render: Callable[[str], str], limit: int) -> str:
    """The longest head of text, ending at a boundary, whose rendering with " …" fits in limit."""
    if len(render(text)) <= limit:
        return text
    fit = _max_fit(text, 0, lambda s: render(s + ELLIPSIS), limit)
    return text[: _break_before(text, 0, fit)].rstrip() + ELLIPSIS


def escaped_fit(text: str, limit: int) -> str:
    """Escaped text, shortened at a word boundary so that it fits in limit characters."""
    return escape(shorten(normalize(text), escape, limit))


def plain_fit(text: str, limit: int) -> str:
    return shorten(" ".join(text.split()), lambda s: s, limit)
