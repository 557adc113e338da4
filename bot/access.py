"""Who reads what Liaison posts: a channel's scope, derived at the moment of use, never taken from a payload.

A channel sees one engagement from one side: its binding says which. Two things narrow it to the shared
documents whatever the binding says, because people of the other organisation read along:

- the channel is shared with another organisation (Slack Connect): Slack reports it `is_ext_shared` or
  `is_shared`. Such a binding is turned into a `shared` one the first time it is seen, and a channel that is
  shared already can only be bound `shared`;
- the person asking belongs to another organisation than the workspace's (their Slack team differs): they
  are treated as the other side, and a side's documents are never shown to the other side.

What Slack says is asked through a `Probe` (the transport's `bot.slack.facts.SlackProbe`); when Slack cannot
answer, the scope narrows too (fail closed). No Slack imports here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session

from bot import home, records
from bot.db import session
from bot.deps import Deps
from knowledge.visibility import visible_to

log = logging.getLogger(__name__)

SLACK_CONNECT = "slack-connect"
EXTERNAL_USER = "external-user"
UNKNOWN = "unknown"


class Probe(Protocol):
    """What Slack says about a channel and a person, asked at the moment of use."""

    def channel_is_shared(self, channel_id: str) -> bool | None:
        """True if people of another organisation are in the channel; None if Slack could not say."""

    def user_is_foreign(self, user_id: str) -> bool | None:
        """True if the person belongs to another organisation than the workspace's; None if Slack could not say."""


@dataclass(frozen=True)
class Scope:
    """What a channel may see: one engagement, from one side (narrowed to `shared` for the reason given)."""

    engagement: str
    side: str
    narrowed: str | None = None  # SLACK_CONNECT, EXTERNAL_USER or UNKNOWN when the binding's side was narrowed


def scope_of(deps: Deps, channel_id: str, *, probe: Probe | None = None, user_id: str | None = None) -> Scope | None:
    """The engagement and side a channel reads from now, or None for an unbound channel (see `scope_in`)."""
    with session(deps.engine) as s:
        return scope_in(s, channel_id, probe=probe, user_id=user_id)


def scope_in(s: Session, channel_id: str, *, probe: Probe | None = None, user_id: str | None = None) -> Scope | None:
    """The engagement and side a channel reads from now, or None for an unbound channel, in the caller's session.

    With a `probe`, a one-sided binding is checked against Slack: a channel shared with another organisation
    reads only shared documents (and its binding is made `shared` for good), and so does a person of another
    organisation. Without one (a job with no Slack client), the binding as recorded.
    """
    binding = records.binding_for(session=s, channel_id=channel_id)
    if binding is None:
        return None
    engagement, side = binding.engagement, binding.side
    if side == "shared" or probe is None:
        return Scope(engagement, side)
    shared = probe.channel_is_shared(channel_id)
    if shared:
        log.warning("channel %s of %s is shared with another organisation: bound shared", channel_id, engagement)
        records.bind_channel(
            session=s,
            channel_id=channel_id,
            team_id=binding.team_id,
            engagement=engagement,
            side="shared",
            user_id="liaison:slack-connect",
        )
        return Scope(engagement, "shared", SLACK_CONNECT)
    if shared is None:
        return Scope(engagement, "shared", UNKNOWN)
    if user_id and probe.user_is_foreign(user_id) is not False:
        return Scope(engagement, "shared", EXTERNAL_USER)
    return Scope(engagement, side)


def may_repost(asked_side: str, scope: Scope) -> bool:
    """Whether an answer given to `asked_side` may be shown where `scope` reads: it quotes nothing hidden there."""
    return set(visible_to(asked_side)) <= set(visible_to(scope.side))


def audience_side(deps: Deps, *, channel: str, user: str, engagement: str, probe: Probe | None = None) -> str | None:
    """The side whose documents may be quoted in `channel` about `engagement` now, or None if none may.

    A bound channel reads from its scope (narrowed for Slack Connect and people of another organisation), and only
    for its own engagement; a DM (or a user id, where a card goes when no channel is bound) reads as the person
    stands in the engagement now.
    """
    scope = scope_of(deps, channel, probe=probe, user_id=user)
    if scope is not None:
        return scope.side if scope.engagement == engagement else None
    if channel.startswith(("D", "U", "W")):
        with session(deps.engine) as s:
            standing = home.standing_in(session=s, user_id=user, engagement=engagement)
        return standing.side if standing is not None else None
    return None
