"""Buttons under an answer: 👍 / 👎, and "Share in channel" for a private answer."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import questions as workflow
from bot.access import may_repost
from bot.deps import Deps
from bot.i18n import _
from bot.slack.blocks import answers as blocks
from bot.slack.blocks import kit, text_fit
from bot.slack.blocks.kit import wire, wire_view
from bot.slack.facts import SlackProbe
from bot.slack.payloads import Action, ActionBody


def register(app: App) -> None:
    app.action("feedback_up")(on_feedback)
    app.action("feedback_down")(on_feedback)
    app.action("share_answer")(on_share)
    app.action("ask_owner")(on_ask_owner)


def on_feedback(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    deps: Deps = context["deps"]
    value = 1 if action["action_id"] == "feedback_up" else -1
    # recorded before the ack: a quick change of mind (👍 then 👎) is applied in the order clicked
    workflow.give_feedback(deps, question_id=action["value"], user_id=body["user"]["id"], value=value)
    ack()
    channel = (body.get("channel") or {}).get("id")
    view = body.get("view")
    if channel:
        client.chat_postEphemeral(
            channel=channel,
            user=body["user"]["id"],
            text=_("Thanks, noted."),
            thread_ts=(body.get("message") or {}).get("thread_ts"),
        )
    elif view and view.get("type") == "modal" and view.get("id"):  # an answer in the App Home's "Ask a question"
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=wire_view(kit.thanked_view(view)))


def on_share(
    ack: Ack, body: ActionBody, action: Action, respond: Respond, client: WebClient, context: BoltContext
) -> None:
    deps: Deps = context["deps"]
    ack()
    user, channel = body["user"]["id"], (body.get("channel") or {}).get("id") or ""
    refusal = share_refusal(deps, client, question_id=str(action.get("value") or ""), user=user, channel=channel)
    answer = None if refusal else workflow.stored_answer(deps, action["value"])
    if answer is None:
        text = refusal or _("That answer is no longer available.")
        respond(response_type="ephemeral", replace_original=False, text=text)
        return
    client.chat_postMessage(
        channel=body["channel"]["id"],
        text=_("<@{user}> asked: {question}").format(user=user, question=text_fit.escape(answer.question))
        + "\n"
        + blocks.answer_text(answer),
        blocks=wire(blocks.shared_answer_blocks(answer, answer_id=action["value"], user=user)),
    )
    respond(delete_original=True)


def on_ask_owner(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    deps: Deps = context["deps"]
    ack()
    channel = body["channel"]["id"]
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts") or message.get("ts")
    asker = workflow.asker_of(deps, str(action.get("value") or ""))
    if asker is None or asker.channel_id != channel:  # the button belongs to an answer given in this channel
        client.chat_postEphemeral(
            channel=channel, user=body["user"]["id"], thread_ts=thread_ts, text=_("That question is not from here.")
        )
        return
    ping = workflow.owner_ping(deps, action["value"])
    if ping is None:
        client.chat_postEphemeral(
            channel=channel,
            user=body["user"]["id"],
            thread_ts=thread_ts,
            text=_(
                "No contract owners are set for this engagement yet. An admin can add them with "
                "`liaison roles grant --engagement ENGAGEMENT --user USER_ID --role client-owner` (or vendor-owner)."
            ),
        )
        return
    owners, question = ping
    client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=blocks.owner_ping_text(owners=owners, question=question)
    )


def share_refusal(deps: Deps, client: WebClient, *, question_id: str, user: str, channel: str) -> str | None:
    """Why this private answer may not be shared in `channel` now, or None if it may: only its asker shares it,
    in a channel of the same engagement whose readers may see every document it quotes."""
    asker = workflow.asker_of(deps, question_id)
    if asker is None:
        return _("That answer is no longer available.")
    if asker.user_id != user:
        return _("Only the person who asked can share this answer.")
    scope = workflow.scope_of(deps, channel, probe=SlackProbe(client), user_id=user)
    if scope is None or scope.engagement != asker.engagement or not may_repost(asker.side, scope):
        return _("This answer quotes documents that this channel may not see, so I can't share it here.")
    return None
