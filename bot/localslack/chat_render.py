"""Block Kit as plain text for a terminal: what `liaison chat` prints of the messages Liaison sends.

Sections and context show their text (mrkdwn block quotes keep their ``>``), links become ``label (url)``,
mentions ``@U123``, emoji shortcodes Liaison uses become characters, buttons ``[👍 Helpful]``; Slack's
``&amp;`` ``&lt;`` ``&gt;`` are undone.
"""

from __future__ import annotations

import re
from typing import Any  # it renders whatever Block Kit the app posted, rich_text included: Slack's open JSON

from bot.slack.blocks.text_fit import unmarked

RULE = "\u2500"

# The emoji shortcodes Liaison's own messages use, as terminal characters (others stay as ":name:").
EMOJI = {
    "mag": "\U0001f50d",
    "robot_face": "\U0001f916",
    "white_check_mark": "\u2705",
    "no_entry": "\u26d4",
    "warning": "\u26a0\ufe0f",
    "hourglass_flowing_sand": "\u23f3",
    "x": "\u274c",
    "eyes": "\U0001f440",
    "+1": "\U0001f44d",
    "-1": "\U0001f44e",
    "thumbsup": "\U0001f44d",
    "thumbsdown": "\U0001f44e",
}
_SHORTCODE = re.compile(r":([a-z0-9_+-]+):")


# -- rendering -----------------------------------------------------------------------------------
def slack_text(text: str) -> str:
    """Slack message text for a terminal: links and mentions spelled out, known emoji, `&amp;` `&lt;` `&gt;` undone."""
    return unmarked(_SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text), urls=True)


def text_of(obj: Any) -> str:
    """A text object's text (mrkdwn or plain_text), rendered; '' for anything else."""
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        return slack_text(obj["text"]) if obj.get("type") == "mrkdwn" else obj["text"]
    return ""


def _element(element: dict[str, Any]) -> str:
    """An interactive element as it would look: a button is `[label]`."""
    kind = element.get("type")
    if kind == "button":
        return f"[{text_of(element.get('text')) or element.get('value', 'button')}]"
    if kind in ("mrkdwn", "plain_text"):
        return text_of(element)
    if kind == "image":
        return f"[image: {element['alt_text']}]" if element.get("alt_text") else ""
    label = text_of(element.get("placeholder")) or str(kind or "element").replace("_", " ")
    return f"[{label} \u25be]"


def _rich_text(element: Any) -> str:
    """The text of a rich_text block or element, best effort."""
    if isinstance(element, dict):
        kind = element.get("type")
        if kind == "text":
            return str(element.get("text", ""))
        if kind == "link":
            return str(element.get("text") or element.get("url", ""))
        if kind == "user":
            return f"@{element.get('user_id', '')}"
        if kind == "emoji":
            return EMOJI.get(str(element.get("name")), f":{element.get('name')}:")
        inner = "".join(_rich_text(e) for e in element.get("elements", []))
        if kind == "rich_text_quote":
            return "\n".join(f"> {line}" for line in inner.rstrip("\n").split("\n")) + "\n"
        if kind == "rich_text_list":
            return "\n".join(f"\u2022 {_rich_text(e).rstrip()}" for e in element.get("elements", [])) + "\n"
        if kind in ("rich_text_section", "rich_text_preformatted"):
            return inner + "\n"
        return inner
    return ""


def _block(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "section":
        lines = [text_of(block.get("text"))]
        lines += [text_of(f) for f in block.get("fields") or []]
        text = "\n".join(line for line in lines if line)
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            text = f"{text} {_element(accessory)}".strip()
        return text
    if kind == "header":
        title = text_of(block.get("text"))
        return title + "\n" + RULE * min(max(len(title), 3), 60)
    if kind == "context":
        return "  ".join(part for part in (_element(e) for e in block.get("elements") or []) if part)
    if kind == "actions":
        return " ".join(_element(e) for e in block.get("elements") or [])
    if kind == "divider":
        return RULE * 20
    if kind == "image":
        return f"[image: {block.get('alt_text', '')}]"
    if kind == "rich_text":
        return _rich_text(block).rstrip("\n")
    return ""


def render_blocks(blocks: list[dict[str, Any]]) -> str:
    """Block Kit as plain text for a terminal, one block after another.

    Sections and context show their text (mrkdwn block quotes keep their ``>``), buttons are listed as
    ``[👍 Helpful] [👎 Not helpful]``, headers are underlined; Slack's ``&amp;`` ``&lt;`` ``&gt;`` are undone.
    """
    return "\n".join(text for text in (_block(b) for b in blocks if isinstance(b, dict)) if text)
