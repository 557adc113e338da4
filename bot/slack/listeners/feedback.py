"""Buttons under an answer: 👍 / 👎, and "Share in channel" for a private answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import questions as workflow
from bot.deps import Deps
from bot.slack import blocks


def register(app: App, deps: Deps) -> None:
    @app.action("feedback_up")
    @app.action("feedback_down")
    def on_feedback(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        value = 1 if action["action_id"] == "feedback_up" else -1
        # recorded before the ack: a quick change of mind (👍 then 👎) is applied in the order clicked
        workflow.give_feedback(deps, question_id=action["value"], user_id=body["user"]["id"], value=value)
        ack()
        channel = (body.get("channel") or {}).get("id")
        view = body.get("view") or {}
        if channel:
            client.chat_postEphemeral(
                channel=channel,
                user=body["user"]["id"],
                text="Thanks, noted.",
                thread_ts=(body.get("message") or {}).get("thread_ts"),
            )
        elif view.get("type") == "modal" and view.get("id"):  # an answer in the App Home's "Ask a question"
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=blocks.thanked_view(view))

    @app.action("share_answer")
    def on_share(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        answer = workflow.stored_answer(deps, action["value"])
        if answer is None:
            respond(response_type="ephemeral", replace_original=False, text="That answer is no longer available.")
            return
        user = body["user"]["id"]
        client.chat_postMessage(
            channel=body["channel"]["id"],
            text=f"<@{user}> asked: {blocks.escape(answer.question)}\n" + blocks.answer_text(answer),
            blocks=blocks.shared_answer_blocks(answer, answer_id=action["value"], user=user),
        )
        respond(delete_original=True)

    @app.action("ask_owner")
    def on_ask_owner(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        channel = body["channel"]["id"]
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") or message.get("ts")
        ping = workflow.owner_ping(deps, action["value"])
        if ping is None:
            client.chat_postEphemeral(
                channel=channel,
                user=body["user"]["id"],
                thread_ts=thread_ts,
                text="No contract owners are set for this engagement yet. An admin can add them with "
                "`liaison roles grant --engagement ENGAGEMENT --user USER_ID --role client-owner` (or vendor-owner).",
            )
            return
        owners, question = ping
        client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=blocks.owner_ping_text(owners=owners, question=question)
        )
