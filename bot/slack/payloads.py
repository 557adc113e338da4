"""What Slack sends Liaison: events, actions, slash commands, shortcuts and view submissions, typed.

Each TypedDict names the keys the listeners read. They are all `total=False`: what Slack includes depends on
where the person clicked or typed (a button in a modal has no channel, a top-level message no thread_ts), so
the listeners read with `.get` where a key may be missing. Slack sends more keys than these; nothing here reads
them. Bolt hands the listeners plain dicts: the types are for mypy and the reader, and change nothing at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.slack.blocks.kit import Block, Option, ShownView

if TYPE_CHECKING:
    from bot.deps import Deps


class UserRef(TypedDict, total=False):
    id: str
    team_id: str
    username: str


class ChannelRef(TypedDict, total=False):
    id: str
    name: str


class File(TypedDict, total=False):
    """Slack's file object: a file shared in a message, `files.info`'s `file`, `files.completeUploadExternal`'s
    (name and title are null until an upload is completed)."""

    id: str
    name: str | None
    title: str | None
    size: int
    mimetype: str
    filetype: str
    url_private_download: str
    permalink: str
    channels: list[str]


class SlackMessage(TypedDict, total=False):
    """A message, as events, `conversations.history` and `conversations.replies` carry it."""

    type: str
    subtype: str
    ts: str
    thread_ts: str
    user: str
    bot_id: str
    text: str
    files: list[File]
    blocks: list[Block]


class MessageEvent(SlackMessage, total=False):
    """A `message` or `app_mention` event."""

    channel: str
    channel_type: str  # "im" in a DM
    event_ts: str


class ReactedItem(TypedDict, total=False):
    type: str  # "message" (or "file")
    channel: str
    ts: str


class ReactionEvent(TypedDict, total=False):
    """A `reaction_added` event."""

    type: str
    user: str
    reaction: str  # the emoji's name, without colons
    item: ReactedItem


class HomeOpenedEvent(TypedDict, total=False):
    """An `app_home_opened` event."""

    type: str
    user: str
    tab: str  # "home" or "messages"


class ChannelEvent(TypedDict, total=False):
    """A `channel_shared` or `channel_unshared` event."""

    type: str
    channel: str
    connected_team_id: str


class EventBody(TypedDict, total=False):
    """The envelope of an Events API delivery (its `event` is one of the events above)."""

    type: str
    event_id: str
    team_id: str
    api_app_id: str


class Action(TypedDict, total=False):
    """One action of a `block_actions` body: the button clicked, or the option chosen."""

    type: str
    action_id: str
    block_id: str
    value: str  # opened by `bot.slack.seal.verify_seals`: as Liaison wrote it
    selected_option: Option


class Container(TypedDict, total=False):
    """Where the clicked element is: a message (in a channel) or a view."""

    type: str
    channel_id: str
    message_ts: str
    thread_ts: str
    view_id: str
    is_ephemeral: bool


class ActionBody(TypedDict, total=False):
    """A `block_actions` body: who clicked what, where."""

    type: str
    user: UserRef
    channel: ChannelRef  # missing in a modal and on the Home tab
    message: SlackMessage
    container: Container
    view: ShownView  # in a modal or on the Home tab
    actions: list[Action]
    trigger_id: str
    response_url: str


class ViewBody(TypedDict, total=False):
    """A `view_submission` (or `view_closed`) body."""

    type: str
    user: UserRef
    view: ShownView
    trigger_id: str


class Command(TypedDict, total=False):
    """A slash command's form fields."""

    command: str
    text: str
    user_id: str
    channel_id: str
    team_id: str
    trigger_id: str
    response_url: str


class Shortcut(TypedDict, total=False):
    """A `message_action` body (a message shortcut, e.g. "Log as issue" or "Add to contracts")."""

    type: str
    callback_id: str
    trigger_id: str
    response_url: str
    user: UserRef
    channel: ChannelRef
    message: SlackMessage
    message_ts: str


def channel_of(body: ActionBody) -> str:
    """The channel an action came from: the body's, else its container's ("" in a modal or on the Home tab)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""


# A /liaison verb's handler: the deps, the text after the verb, and Bolt's ack / command / respond / client.
Handler = Callable[["Deps", str, Ack, "Command", Respond, WebClient], None]
