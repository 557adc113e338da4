"""Channels and their engagements: binding a channel, and who may manage an engagement from a channel.

No Slack imports: what Slack says comes in through a `bot.access.Probe`, and the workspace-admin check is a
function the transport passes in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot import access, records
from bot.access import Probe, Scope
from bot.authorize import actor_in, authorize, nobody
from bot.db import session
from bot.deps import Deps
from bot.errors import Conflict, NotFound
from bot.i18n import _


@dataclass(frozen=True)
class Binding:
    """`/liaison bind ENGAGEMENT SIDE` in a channel, by a person."""

    channel_id: str
    team_id: str
    engagement: str
    side: str
    user_id: str


def bind(
    deps: Deps, binding: Binding, *, probe: Probe | None = None, is_workspace_admin: Callable[[str], bool] = nobody
) -> None:
    """Bind the channel, or raise why not: a channel shared with another organisation (Slack Connect) can only be
    bound `shared` (`Conflict`), and a channel bound to another engagement is rebound only by an admin of that one
    too (or a workspace admin), so no engagement's admin can take over another's channel (`NotAllowed`)."""
    engagement, side, channel = binding.engagement, binding.side, binding.channel_id
    if side != "shared" and (probe is None or probe.channel_is_shared(channel) is not False):
        raise Conflict(
            _(
                "This channel is shared with another organisation (Slack Connect), or Slack could not say it is not, "
                "so it can only be bound as shared: `/liaison bind {engagement} shared`. People of the other "
                "organisation would read one side's documents here."
            ).format(engagement=engagement)
        )
    current = access.scope_of(deps, channel)
    with session(deps.engine) as s:
        if current is not None and current.engagement != engagement:
            authorize(
                actor_in(s, binding.user_id, current.engagement, is_workspace_admin), "rebind", current.engagement
            )
        authorize(actor_in(s, binding.user_id, engagement, is_workspace_admin), "bind", engagement)
        records.bind_channel(
            session=s,
            channel_id=channel,
            team_id=binding.team_id,
            engagement=engagement,
            side=side,
            user_id=binding.user_id,
        )


def unbind(
    deps: Deps, channel_id: str, user_id: str, *, is_workspace_admin: Callable[[str], bool] = nobody
) -> tuple[str, str]:
    """Unbind the channel, by an admin of the engagement it is bound to (or a workspace admin): it stops answering
    from that engagement's contracts. Returns the (engagement, side) it was bound to; `NotFound` if it was not bound.
    Its questions, issues and mediations stay on record."""
    with session(deps.engine) as s:
        row = records.binding_for(session=s, channel_id=channel_id)
        if row is None:
            raise NotFound(_("This channel is not linked to an engagement, so there is nothing to unbind."))
        was = (row.engagement, row.side)
        authorize(actor_in(s, user_id, row.engagement, is_workspace_admin), "unbind", row.engagement)
        records.unbind_channel(session=s, channel_id=channel_id)
    return was


def contracts_scope(
    deps: Deps,
    channel_id: str,
    user_id: str,
    *,
    probe: Probe | None = None,
    is_workspace_admin: Callable[[str], bool] = nobody,
    narrow_for_user: bool = True,
) -> Scope:
    """The scope a contract added from this channel goes into, if the person may add contracts there: raises
    `NotFound` for an unbound channel and `NotAllowed` for someone who is no admin of the engagement."""
    scope = access.scope_of(deps, channel_id, probe=probe, user_id=user_id if narrow_for_user else None)
    if scope is None:
        raise NotFound(_("This channel is not linked to an engagement yet."))
    with session(deps.engine) as s:
        authorize(actor_in(s, user_id, scope.engagement, is_workspace_admin), "add-contracts", scope.engagement)
    return scope


def binding_of(deps: Deps, channel_id: str) -> tuple[str, str] | None:
    """(engagement, side) as the channel's binding records them, or None for an unbound channel."""
    with session(deps.engine) as s:
        row = records.binding_for(session=s, channel_id=channel_id)
        return (row.engagement, row.side) if row else None


def record_binding(deps: Deps, binding: Binding) -> None:
    """Bind a channel with no checks: for the operator at the terminal (`liaison chat --engagement`)."""
    with session(deps.engine) as s:
        records.bind_channel(
            session=s,
            channel_id=binding.channel_id,
            team_id=binding.team_id,
            engagement=binding.engagement,
            side=binding.side,
            user_id=binding.user_id,
        )
