"""`liaison digest` (being written)."""

from __future__ import annotations

COMMANDS: tuple = ()
