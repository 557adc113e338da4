"""Who may do what: one function, `authorize(actor, action, target)`, used by Slack and the CLI alike.

An `Actor` is a person with the roles they hold in the target's engagement (read in the workflow's session)
and a way to ask whether they are a workspace admin or owner: the transport passes that in (Slack asks
`users.info`; the CLI's operator is trusted), and it is asked last, only when the roles do not decide, so a
role holder costs no Slack call. A refusal is a `NotAllowed` whose message says who may, in the
current language (`bot.i18n`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlmodel import Session

from bot.errors import NotAllowed
from bot.i18n import N_, _
from bot.records import roles as role_records
from bot.records.cases import IssueRecord, MediationRecord
from bot.records.tables import ROLES

MANAGERS = ("mediator", "admin")  # open and close mediations, act for either side
SIDE_OWNERS = {"client": "client-owner", "vendor": "vendor-owner"}
PARTIES = (*MANAGERS, *SIDE_OWNERS.values())  # propose, escalate, withdraw, summarise

Action = Literal[
    "bind",
    "rebind",
    "unbind",
    "add-contracts",
    "change-issue-status",
    "attach-clause",
    "open-mediation",
    "state-client-position",
    "state-vendor-position",
    "propose",
    "escalate",
    "withdraw",
    "summarise",
    "close-mediation",
    "review-sla",
    "report-sla",
    "dispute-sla",
    "see-sla-drafts",
    "review-deadlines",
    "see-deadline-drafts",
    "set-language",
]
Target = str | IssueRecord | MediationRecord  # an engagement's name, an issue, a mediation


def nobody(_user: str) -> bool:
    """No one is a workspace admin (a job with no Slack, or a test)."""
    return False


@dataclass(frozen=True)
class Actor:
    """A person, their roles in one engagement, and how to ask if they are a workspace admin."""

    user_id: str
    roles: frozenset[str] = frozenset()
    is_workspace_admin: Callable[[str], bool] = field(default=nobody, compare=False)

    def holds(self, roles: tuple[str, ...]) -> bool:
        return not self.roles.isdisjoint(roles)


def actor_in(
    session: Session, user_id: str, engagement: str, is_workspace_admin: Callable[[str], bool] = nobody
) -> Actor:
    """The person as the engagement's records know them now (a role revoked a moment ago no longer counts)."""
    held = frozenset(
        r.role for r in role_records.roles_of(session=session, user_id=user_id) if r.engagement == engagement
    )
    return Actor(user_id, held, is_workspace_admin)


def _engagement_of(target: Target) -> str:
    return target if isinstance(target, str) else target.engagement


# (roles that allow it, the refusal: a whole sentence with {id}, the mediation's) for the mediation actions the
# roles alone decide
_MEDIATION_RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "state-client-position": (
        (SIDE_OWNERS["client"], *MANAGERS),
        N_("Only the client's owners and mediators can state positions in mediation #{id}."),
    ),
    "state-vendor-position": (
        (SIDE_OWNERS["vendor"], *MANAGERS),
        N_("Only the vendor's owners and mediators can state positions in mediation #{id}."),
    ),
    "propose": (
        PARTIES,
        N_("Only mediators and the client's or vendor's owners can propose outcomes in mediation #{id}."),
    ),
    "escalate": (PARTIES, N_("Only mediators and the client's or vendor's owners can escalate in mediation #{id}.")),
    "withdraw": (PARTIES, N_("Only mediators and the client's or vendor's owners can withdraw in mediation #{id}.")),
}


REVIEWERS = (*MANAGERS, *SIDE_OWNERS.values(), "owner")  # approve, edit and reject the SLA register's levels
DISPUTERS = (*MANAGERS, *SIDE_OWNERS.values())  # dispute or agree with a measurement, for a side
# (roles that allow it, the refusal: a whole sentence with {engagement}) for the registers' actions
_REGISTER_RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "review-sla": (
        REVIEWERS,
        N_("Only mediators, admins and owners of {engagement} can draft, approve, edit or reject service levels."),
    ),
    "see-sla-drafts": (ROLES, N_("Only people with a role of {engagement} can see draft service levels.")),
    "report-sla": (ROLES, N_("Only people with a role of {engagement} can report service level measurements.")),
    "dispute-sla": (
        DISPUTERS,
        N_(
            "Only the client's or vendor's owners and mediators of {engagement} can dispute or agree with a "
            "measurement."
        ),
    ),
    # the deadlines register's, mirroring the SLA register's review
    "review-deadlines": (
        REVIEWERS,
        N_(
            "Only mediators, admins and owners of {engagement} can draft, approve, edit, mark done or waive "
            "deadlines, or change their settings."
        ),
    ),
    "see-deadline-drafts": (ROLES, N_("Only people with a role of {engagement} can see draft deadlines.")),
}


def refusal(actor: Actor, action: Action, target: Target) -> str | None:
    """Why `actor` may not do `action` to `target` now (a sentence in the current language), or None if they may."""
    engagement = _engagement_of(target)
    if action in ("bind", "rebind", "unbind", "add-contracts", "set-language"):
        if actor.holds(("admin",)) or actor.is_workspace_admin(actor.user_id):
            return None
        if action == "set-language":
            return _(
                "Only workspace admins or owners, and people made admins of `{engagement}`, can change the language "
                "it speaks in its channels."
            ).format(engagement=engagement)
        if action == "bind":
            return _(
                "Only workspace admins or owners, and people made admins of `{engagement}`, can bind a channel to it."
            ).format(engagement=engagement)
        if action == "unbind":
            return _(
                "This channel is bound to `{engagement}`. Only its admins (or workspace admins) can unbind it."
            ).format(engagement=engagement)
        if action == "rebind":
            return _(
                "This channel is bound to `{engagement}`. Only its admins (or workspace admins) can rebind it "
                "to another engagement."
            ).format(engagement=engagement)
        return _("Only workspace admins and admins of {engagement} can add contracts.").format(engagement=engagement)
    if action == "change-issue-status" and isinstance(target, IssueRecord):
        if actor.user_id in (target.created_by, target.owner) or actor.holds(ROLES):
            return None
        if actor.is_workspace_admin(actor.user_id):
            return None
        return _(
            "Only the reporter, the owner and the people with a role in {engagement} can change issue #{id}'s status."
        ).format(engagement=engagement, id=target.id)
    if action == "attach-clause" and isinstance(target, IssueRecord):
        if actor.user_id == target.created_by or actor.holds(MANAGERS):
            return None
        return _("Only the person who logged issue #{id} (or a mediator) attaches clauses to it.").format(id=target.id)
    if action in _REGISTER_RULES:
        allowed, why = _REGISTER_RULES[action]
        if actor.holds(allowed):
            return None
        return _(why).format(engagement=engagement)
    if action == "open-mediation":
        if actor.holds(MANAGERS):
            return None
        return _("Only mediators and admins of {engagement} can open a mediation. Ask one to run it.").format(
            engagement=engagement
        )
    if isinstance(target, MediationRecord):
        if action == "close-mediation":
            if actor.holds(MANAGERS):
                return None
            return _("Only mediators and admins of {engagement} can close mediation #{id}.").format(
                engagement=engagement, id=target.id
            )
        if action == "summarise":
            if actor.holds(PARTIES):
                return None
            return _("Only mediators and the client's or vendor's owners can summarise mediation #{id}.").format(
                id=target.id
            )
        if action in _MEDIATION_RULES:
            allowed, why = _MEDIATION_RULES[action]
            if actor.holds(allowed):
                return None
            return _(why).format(id=target.id)
    raise ValueError(f"no rule for {action!r} on {type(target).__name__}")


def may(actor: Actor, action: Action, target: Target) -> bool:
    """Whether `actor` may do `action` to `target` now (what to show; `authorize` guards the doing)."""
    return refusal(actor, action, target) is None


def authorize(actor: Actor, action: Action, target: Target) -> None:
    """Return if `actor` may do `action` to `target`; raise `NotAllowed` saying who may otherwise."""
    why = refusal(actor, action, target)
    if why is not None:
        raise NotAllowed(why, action=action)


def agreeing_side(actor: Actor, mediation: MediationRecord) -> str:
    """The side the actor agrees for (from their owner role); mediators propose but never agree for a side."""
    sides = [side for side, role in SIDE_OWNERS.items() if role in actor.roles]
    if not sides:
        raise NotAllowed(_("Only the client's owner or the vendor's owner can agree, each for their side."))
    if len(sides) > 1:
        raise NotAllowed(_("You own both sides of this engagement, so I can't tell which side you agree for."))
    return sides[0]
