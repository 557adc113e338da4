"""Who may read what: a document's visibility, a channel's side, and which visibilities a side reads.

A document is `shared`, `client-only` or `vendor-only`; a channel is on the `client` or `vendor` side,
or `shared` (a channel with both sides in it), which reads shared documents only.
"""

from __future__ import annotations

VISIBILITIES = ("shared", "client-only", "vendor-only")
HIDDEN = "hidden"  # readable by no side: a record between two one-sided visibilities
SIDES = ("client", "vendor", "shared")


def visible_to(side: str) -> list[str]:
    """The visibilities a side may read: a shared channel sees only shared documents."""
    if side == "client":
        return ["shared", "client-only"]
    if side == "vendor":
        return ["shared", "vendor-only"]
    if side == "shared":
        return ["shared"]
    raise ValueError(f"unknown side {side!r}: use client, vendor or shared")


def narrowest(*visibilities: str) -> str:
    """The visibility that only sides allowed to read every one of these may read (HIDDEN if none)."""
    one_sided = {v for v in visibilities if v and v != "shared"}
    if not one_sided:
        return "shared"
    return one_sided.pop() if len(one_sided) == 1 else HIDDEN
