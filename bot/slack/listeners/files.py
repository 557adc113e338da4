"""Contracts added from Slack: the "Add to contracts" message shortcut on a message with files."""

from __future__ import annotations

import tempfile
import urllib.error
import urllib.request
from http.client import HTTPMessage
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import channels, contracts
from bot.access import Scope
from bot.deps import Deps
from bot.errors import NotAllowed, NotFound
from bot.i18n import _, ngettext
from bot.slack.blocks import answers as blocks
from bot.slack.blocks import text_fit
from bot.slack.blocks.kit import wire
from bot.slack.facts import SlackProbe, workspace_admin
from bot.slack.payloads import Command, File, Handler, Shortcut, SlackMessage
from bot.slack.replies import not_linked


def register(app: App) -> None:
    app.shortcut("add_to_contracts")(on_add)


def on_add(ack: Ack, shortcut: Shortcut, client: WebClient, context: BoltContext) -> None:
    ack()
    deps: Deps = context["deps"]
    channel, user = shortcut["channel"]["id"], shortcut["user"]["id"]
    message = shortcut.get("message") or {}
    thread_ts = message.get("thread_ts") or message.get("ts")

    def tell(text: str) -> None:
        client.chat_postEphemeral(channel=channel, user=user, text=text)

    try:
        scope = channels.contracts_scope(
            deps, channel, user, probe=SlackProbe(client), is_workspace_admin=workspace_admin(client)
        )
    except NotFound:
        tell(_("This channel is not linked to an engagement yet: /liaison bind ENGAGEMENT client|vendor|shared"))
        return
    except NotAllowed as err:
        tell(str(err))
        return
    if not message.get("files"):
        tell(_("That message has no file to add. Use the shortcut on a message with a PDF or DOCX."))
        return
    for file in message["files"]:
        add_file(deps, client, file, channel=channel, thread_ts=thread_ts, scope=scope)


def add_file(deps: Deps, client: WebClient, file: File, *, channel: str, thread_ts: str | None, scope: Scope) -> None:
    """Download, index and report in the thread: 'Indexing…', then the result in place."""
    name = Path(str(file.get("name") or "contract")).name
    shown = text_fit.escape(name)  # a file name is the sharer's text: never mrkdwn, not even in the fallback
    status = client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=_("Indexing {file}…").format(file=shown),
        blocks=wire(blocks.indexing_blocks(name=name, status="indexing")),
    )

    def report(state: str, detail: str | None, text: str) -> None:
        client.chat_update(
            channel=channel,
            ts=status["ts"],
            text=text,
            blocks=wire(blocks.indexing_blocks(name=name, status=state, detail=detail)),
        )

    def failed(reason: str, short: str | None = None) -> None:
        report(
            "failed",
            reason,
            _("Could not index {file}: {reason}").format(file=shown, reason=text_fit.escape(short or reason)),
        )

    refusal = contracts.refusal(deps, name, file.get("size"))
    if refusal:
        failed(refusal)
        return
    url = str(file.get("url_private_download") or "")
    if not is_slack_file_url(url, api_url=deps.settings.slack_api_url):
        failed(
            _("its download address is not on Slack's file host ({host}), so it was not fetched").format(
                host=SLACK_FILE_HOST
            )
        )
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        try:
            fetched = _download(
                url,
                deps.settings.slack_bot_token or "",
                path,
                limit=deps.settings.max_file_bytes,
                api_url=deps.settings.slack_api_url,
            )
        except OSError as err:  # URLError, HTTPError (a refused redirect too), a timeout
            failed(_("the download failed ({reason})").format(reason=getattr(err, "reason", None) or err))
            return
        if not fetched:
            failed(_("over the {limit:g} MB limit").format(limit=deps.settings.max_file_mb), _("too large"))
            return
        result = contracts.index_file(deps, path=path, engagement=scope.engagement, side=scope.side)
    if result.failed:
        failed(result.failed[0].reason)
    elif result.indexed:
        chunks = result.indexed[0][1]
        report(
            "indexed",
            indexed_detail(contracts.VISIBILITY_OF_SIDE[scope.side], chunks),
            ngettext("Indexed {file}: {n} clause", "Indexed {file}: {n} clauses", chunks).format(file=shown, n=chunks),
        )
    else:
        report("unchanged", _("already indexed, unchanged"), _("{file} is already indexed").format(file=shown))


def indexed_detail(visibility: str, chunks: int) -> str:
    """ "12 clauses, visible to: vendor-only", in the reader's language (one sentence per visibility)."""
    if visibility == "client-only":
        said = ngettext("{n} clause, visible to: client-only", "{n} clauses, visible to: client-only", chunks)
    elif visibility == "vendor-only":
        said = ngettext("{n} clause, visible to: vendor-only", "{n} clauses, visible to: vendor-only", chunks)
    else:
        said = ngettext("{n} clause, visible to: shared", "{n} clauses, visible to: shared", chunks)
    return said.format(n=chunks)


SLACK_FILE_HOST = "files.slack.com"
_DEFAULT_PORTS = {"https": 443, "http": 80}


def is_slack_file_url(url: str, *, api_url: str) -> bool:
    """Whether `url` is on Slack's file host (https://files.slack.com), or on the configured Web API's host
    (the local stand-in in tests, files.<domain> beside another Slack domain's API): the only places the
    bot token may be sent."""
    try:
        target, api = urlsplit(url), urlsplit(api_url)
        origin = (target.scheme, target.hostname, target.port or _DEFAULT_PORTS.get(target.scheme))
        api_port = api.port or _DEFAULT_PORTS.get(api.scheme)
    except ValueError:  # e.g. a port that is not a number
        return False
    allowed = {
        ("https", SLACK_FILE_HOST, 443),
        (api.scheme, api.hostname, api_port),
        (api.scheme, f"files.{api.hostname}", api_port),
    }
    return target.hostname is not None and target.username is None and origin in allowed


class _SlackOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect (with the token) only to Slack's file hosts; refuses any other."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not is_slack_file_url(newurl, api_url=self.api_url):
            refused = _("redirected away from Slack's file host")  # the reason the person is told
            raise urllib.error.HTTPError(req.full_url, code, refused, headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(url: str, token: str, path: Path, *, limit: int, api_url: str) -> bool:
    """Fetch a private Slack file with the bot token; False (and nothing kept) past `limit` bytes."""
    if not is_slack_file_url(url, api_url=api_url):  # checked by the caller too: the token never leaves Slack
        raise urllib.error.URLError(f"not a Slack file URL: {url}")
    opener = urllib.request.build_opener(_SlackOnlyRedirects(api_url))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with opener.open(request, timeout=60) as response, path.open("wb") as out:
        total = 0
        while chunk := response.read(1 << 20):
            total += len(chunk)
            if total > limit:
                return False
            out.write(chunk)
    return True


def index_latest_file(deps: Deps, rest: str, ack: Ack, command: Command, respond: Respond, client: WebClient) -> None:
    """`/liaison index`: add the most recent file the caller shared in this channel to the contracts."""
    ack(response_type="ephemeral", text=_("Looking for the latest file shared here…"))
    channel, user = command["channel_id"], command["user_id"]
    try:
        scope = channels.contracts_scope(
            deps,
            channel,
            user,
            probe=SlackProbe(client),
            is_workspace_admin=workspace_admin(client),
            narrow_for_user=False,
        )
    except NotFound:
        not_linked(respond, channel)
        return
    except NotAllowed as err:
        respond(response_type="ephemeral", text=str(err))
        return
    history = client.conversations_history(channel=channel, limit=50)
    messages: list[SlackMessage] = history.get("messages", [])
    message = next((m for m in messages if m.get("files") and m.get("user") == user), None)
    if message is None:
        respond(
            response_type="ephemeral",
            text=_(
                "I found no file you shared here recently. Share the PDF or DOCX "
                "first, then run /liaison index (or use the message shortcut Add to contracts)."
            ),
        )
        return
    for file in message["files"]:
        add_file(deps, client, file, channel=channel, thread_ts=message.get("thread_ts") or message["ts"], scope=scope)


VERBS: dict[str, Handler] = {"index": index_latest_file}
