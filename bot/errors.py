"""What a workflow refuses with: the transports (Slack, the CLI) turn these into a reply, a workflow never does."""

from __future__ import annotations


class LiaisonError(Exception):
    """Base of the workflows' errors; the message is a sentence meant for the person who asked, in their language
    (made with `bot.i18n._` when raised, under the language the transport set)."""


class NotAllowed(LiaisonError):
    """The person may not do this (the message says who may); `action` names what was refused."""

    def __init__(self, message: str, *, action: str | None = None) -> None:
        super().__init__(message)
        self.action = action


class NotFound(LiaisonError):
    """The issue, mediation or question is gone (or never existed)."""


class Conflict(LiaisonError):
    """The record is not in a state that allows this now (e.g. a mediation already closed)."""
