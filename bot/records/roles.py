"""Who may do what in an engagement: granting, revoking and looking up `EngagementRole`s.

Like every data function in `bot.records`, they take the caller's session by keyword
and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from bot.records.tables import ROLES, EngagementRole, check_choice, insert_once, utcnow

OWNER_ROLES = ("owner", "client-owner", "vendor-owner", "admin")


def _role(session: Session, engagement: str, user_id: str, role: str) -> EngagementRole | None:
    query = select(EngagementRole).where(
        EngagementRole.engagement == engagement, EngagementRole.user_id == user_id, EngagementRole.role == role
    )
    return session.exec(query).first()


def grant_role(*, session: Session, engagement: str, user_id: str, role: str, granted_by: str) -> EngagementRole:
    """Give someone a role in an engagement; granting it again returns the existing grant."""
    check_choice(role, ROLES, "role")
    existing = _role(session, engagement, user_id, role)
    if existing is not None:
        return existing
    values = {"engagement": engagement, "user_id": user_id, "role": role, "granted_by": granted_by}
    insert_once(session, EngagementRole, {**values, "granted_at": utcnow()}, key=("engagement", "user_id", "role"))
    granted = _role(session, engagement, user_id, role)
    assert granted is not None
    return granted


def revoke_role(*, session: Session, engagement: str, user_id: str, role: str) -> bool:
    """Take a role away: True if the person had it."""
    row = _role(session, engagement, user_id, role)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def has_role(*, session: Session, engagement: str, user_id: str, roles: Iterable[str]) -> bool:
    """Whether the person has any of `roles` in the engagement."""
    wanted = [roles] if isinstance(roles, str) else list(roles)
    if not wanted:
        return False
    query = select(EngagementRole.id).where(
        EngagementRole.engagement == engagement, EngagementRole.user_id == user_id, col(EngagementRole.role).in_(wanted)
    )
    return session.exec(query.limit(1)).first() is not None


def roles_of(*, session: Session, user_id: str) -> list[EngagementRole]:
    """Every role a person holds, by engagement."""
    query = (
        select(EngagementRole)
        .where(EngagementRole.user_id == user_id)
        .order_by(col(EngagementRole.engagement), col(EngagementRole.role))
    )
    return list(session.exec(query).all())


def owners_of(*, session: Session, engagement: str, side: str | None = None) -> list[str]:
    """User ids of the engagement's owners and admins (who hear about escalations and digests), sorted.

    With a side, only the owners that side's channel may ping: a client channel never pings the vendor's.
    """
    roles: tuple[str, ...] = OWNER_ROLES
    if side == "client":
        roles = tuple(r for r in OWNER_ROLES if r != "vendor-owner")
    elif side == "vendor":
        roles = tuple(r for r in OWNER_ROLES if r != "client-owner")
    query = (
        select(EngagementRole.user_id)
        .where(EngagementRole.engagement == engagement, col(EngagementRole.role).in_(roles))
        .distinct()
        .order_by(col(EngagementRole.user_id))
    )
    return list(session.exec(query).all())
