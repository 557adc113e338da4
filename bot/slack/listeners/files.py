"""Contracts added from Slack: the "Add to contracts" message shortcut on a message with files."""

from __future__ import annotations

import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import contracts
from bot import questions as workflow
from bot.deps import Deps
from bot.slack import blocks
from bot.slack.permissions import may_manage


def register(app: App, deps: Deps) -> None:
    @app.shortcut("add_to_contracts")
    def on_add(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        channel, user = shortcut["channel"]["id"], shortcut["user"]["id"]
        message = shortcut.get("message") or {}
        thread_ts = message.get("thread_ts") or message.get("ts")

        def tell(text: str) -> None:
            client.chat_postEphemeral(channel=channel, user=user, text=text)

        scope = workflow.scope_of(deps, channel)
        if scope is None:
            tell("This channel is not linked to an engagement yet: /liaison bind ENGAGEMENT client|vendor|shared")
        elif not may_manage(deps, client, user, scope.engagement):
            tell(f"Only workspace admins and admins of {scope.engagement} can add contracts.")
        elif not message.get("files"):
            tell("That message has no file to add. Use the shortcut on a message with a PDF or DOCX.")
        else:
            for file in message["files"]:
                add_file(deps, client, file, channel=channel, thread_ts=thread_ts, scope=scope)


def add_file(
    deps: Deps, client: WebClient, file: dict[str, Any], *, channel: str, thread_ts: str | None, scope: workflow.Scope
) -> None:
    """Download, index and report in the thread: 'Indexing…', then the result in place."""
    name = Path(str(file.get("name") or "contract")).name
    status = client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=f"Indexing {name}…",
        blocks=blocks.indexing_blocks(name=name, status="indexing"),
    )

    def report(state: str, detail: str | None, text: str) -> None:
        client.chat_update(
            channel=channel,
            ts=status["ts"],
            text=text,
            blocks=blocks.indexing_blocks(name=name, status=state, detail=detail),
        )

    refusal = contracts.refusal(deps, name, file.get("size"))
    if refusal:
        report("failed", refusal, f"Could not index {name}: {refusal}")
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        if not _download(
            file["url_private_download"], deps.settings.slack_bot_token or "", path, limit=deps.settings.max_file_bytes
        ):
            report("failed", f"over the {deps.settings.max_file_mb:g} MB limit", f"Could not index {name}: too large")
            return
        result = contracts.index_file(deps, path=path, engagement=scope.engagement, side=scope.side)
    if result.failed:
        report("failed", result.failed[0].reason, f"Could not index {name}: {result.failed[0].reason}")
    elif result.indexed:
        chunks = result.indexed[0][1]
        report(
            "indexed",
            f"{chunks} clauses, visible to: {contracts.VISIBILITY_OF_SIDE[scope.side]}",
            f"Indexed {name}: {chunks} clauses",
        )
    else:
        report("unchanged", "already indexed, unchanged", f"{name} is already indexed")


def _download(url: str, token: str, path: Path, *, limit: int) -> bool:
    """Fetch a private Slack file with the bot token; False (and nothing kept) past `limit` bytes."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response, path.open("wb") as out:
        total = 0
        while chunk := response.read(1 << 20):
            total += len(chunk)
            if total > limit:
                return False
            out.write(chunk)
    return True
