"""Reviewed prompt templates, kept as files and loaded by name."""

from __future__ import annotations

from importlib.resources import files


def load_prompt(name: str) -> str:
    """The text of prompts/NAME.md."""
    return files(__name__).joinpath(f"{name}.md").read_text(encoding="utf-8")
