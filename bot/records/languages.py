"""Which language Liaison speaks where no one asked in one: an engagement's default and a channel's own (which
overrides the engagement's), for the posts that answer no one (digests, reminders) and as a fallback for short
questions.

A channel's setting is kept by channel: it stays when the channel is bound to another engagement (its people
still speak the same language), and it names the engagement it was set for. The data functions take the caller's
session and never commit; `bot.languages` checks the codes and who may change them.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from bot.records.tables import insert_once, utcnow


class EngagementLanguage(SQLModel, table=True):
    """The language of an engagement's posts that answer no one, unless a channel sets its own."""

    __tablename__ = "engagement_languages"

    engagement: str = Field(primary_key=True)
    language: str  # an ISO 639-1 code with a complete catalogue when set ("it")
    set_by: str
    set_at: datetime = Field(default_factory=utcnow)


class ChannelLanguage(SQLModel, table=True):
    """A channel's own language, over its engagement's."""

    __tablename__ = "channel_languages"

    channel_id: str = Field(primary_key=True)
    engagement: str = Field(index=True)  # the engagement it was set for (shown with it)
    language: str
    set_by: str
    set_at: datetime = Field(default_factory=utcnow)


def engagement_language(session: Session, *, engagement: str) -> EngagementLanguage | None:
    return session.get(EngagementLanguage, engagement)


def channel_language(session: Session, *, channel_id: str) -> ChannelLanguage | None:
    return session.get(ChannelLanguage, channel_id)


def put_engagement_language(session: Session, *, engagement: str, language: str, actor: str) -> EngagementLanguage:
    """Set the engagement's language (created on first use, whichever process writes first)."""
    now = utcnow()
    values = {"engagement": engagement, "language": language, "set_by": actor, "set_at": now}
    if not insert_once(session, EngagementLanguage, values, key=("engagement",)):
        row = session.get_one(EngagementLanguage, engagement, with_for_update=True)
        row.language, row.set_by, row.set_at = language, actor, now
        session.add(row)
    session.flush()
    return session.get_one(EngagementLanguage, engagement)


def put_channel_language(
    session: Session, *, channel_id: str, engagement: str, language: str, actor: str
) -> ChannelLanguage:
    """Set the channel's language (created on first use, whichever process writes first)."""
    now = utcnow()
    values = {"channel_id": channel_id, "engagement": engagement, "language": language, "set_by": actor, "set_at": now}
    if not insert_once(session, ChannelLanguage, values, key=("channel_id",)):
        row = session.get_one(ChannelLanguage, channel_id, with_for_update=True)
        row.engagement, row.language, row.set_by, row.set_at = engagement, language, actor, now
        session.add(row)
    session.flush()
    return session.get_one(ChannelLanguage, channel_id)


def clear_engagement_language(session: Session, *, engagement: str) -> bool:
    """Forget the engagement's language (the process default applies again): True if one was set."""
    return _delete(session, session.get(EngagementLanguage, engagement))


def clear_channel_language(session: Session, *, channel_id: str) -> bool:
    """Forget the channel's language (its engagement's applies again): True if one was set."""
    return _delete(session, session.get(ChannelLanguage, channel_id))


def _delete(session: Session, row: EngagementLanguage | ChannelLanguage | None) -> bool:
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def engagement_languages(session: Session) -> list[EngagementLanguage]:
    """Every engagement's language, by engagement."""
    return list(session.exec(select(EngagementLanguage).order_by(col(EngagementLanguage.engagement))))


def channel_languages(session: Session, *, engagement: str | None = None) -> list[ChannelLanguage]:
    """The channels' languages (set for `engagement`, or for any), by engagement and channel."""
    query = select(ChannelLanguage)
    if engagement is not None:
        query = query.where(ChannelLanguage.engagement == engagement)
    return list(session.exec(query.order_by(col(ChannelLanguage.engagement), col(ChannelLanguage.channel_id))))
