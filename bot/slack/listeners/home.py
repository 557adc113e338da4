"""The App Home tab: the person's engagements, with buttons to log an issue or ask a question from there."""

from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import home
from bot import questions as workflow
from bot.deps import Deps
from bot.i18n import _
from bot.slack.blocks import home as hb
from bot.slack.blocks.home import AskMeta
from bot.slack.blocks.issue_modal import issue_modal
from bot.slack.blocks.kit import ShownView, View, wire_view
from bot.slack.blocks.text_fit import escape
from bot.slack.homes import publish_home, workspace_url
from bot.slack.payloads import Action, ActionBody, HomeOpenedEvent, ViewBody
from knowledge.errors import KnowledgeError

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Add the app_home_opened listener and the Home tab's buttons."""
    app.event("app_home_opened")(on_home_opened)
    app.action(hb.REFRESH)(on_refresh)
    app.action(hb.LOG_ISSUE)(on_log_issue)
    app.action(hb.ASK)(on_ask)
    app.view(hb.ASK_CALLBACK)(on_question)


def on_home_opened(event: HomeOpenedEvent, client: WebClient, context: BoltContext) -> None:
    if event.get("tab") == "home":  # the Messages tab opens too
        publish_home(context["deps"], client, event["user"], workspace_url(client, context))


def on_refresh(ack: Ack, body: ActionBody, client: WebClient, context: BoltContext) -> None:
    ack()
    publish_home(context["deps"], client, body["user"]["id"], workspace_url(client, context))


def on_log_issue(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    ack()
    user = body["user"]["id"]
    standing = home.standing_of(context["deps"], user_id=user, engagement=action["value"])
    if standing is None:
        view = hb.notice_modal(_gone(action["value"]))
    else:  # no channel bound on their side: the confirmation comes to them as a DM
        view = issue_modal(channel=standing.channel or user, engagement=standing.engagement, side=standing.side)
    client.views_open(trigger_id=body["trigger_id"], view=wire_view(view))


def on_ask(ack: Ack, body: ActionBody, action: Action, client: WebClient, context: BoltContext) -> None:
    ack()
    standing = home.standing_of(context["deps"], user_id=body["user"]["id"], engagement=action["value"])
    if standing is None:
        view = hb.notice_modal(_gone(action["value"]))
    else:
        view = hb.ask_modal(engagement=standing.engagement, side=standing.side)
    client.views_open(trigger_id=body["trigger_id"], view=wire_view(view))


def on_question(ack: Ack, body: ViewBody, view: ShownView, client: WebClient, context: BoltContext) -> None:
    deps: Deps = context["deps"]
    question = hb.read_question((view.get("state") or {}).get("values") or {})
    meta = _meta(view)
    if not question:
        ack(response_action="errors", errors={f"{hb.QUESTION}_{meta.get('round', 0)}": _("Type a question.")})
        return
    user, engagement, round_ = body["user"]["id"], str(meta.get("engagement", "")), int(meta.get("round", 0))
    source_key = f"home:view:{view['id']}:{round_}"
    if not workflow.first_time(deps, source_key):  # a retried or double-clicked submission
        ack(response_action="update", view=wire_view(_answered_or_asking(deps, source_key, meta, question)))
        return
    ack(response_action="update", view=wire_view(hb.asking_modal(question=question)))
    answer_in_modal(
        deps,
        client,
        view_id=view["id"],
        user=user,
        engagement=engagement,
        round_=round_,
        question=question,
        source_key=source_key,
    )


def _meta(view: ShownView) -> AskMeta:
    """The ask modal's metadata ({"engagement", "side", "round"}); {} if missing or not ours."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    if not isinstance(meta, dict):
        return {}
    out: AskMeta = {"round": meta["round"] if isinstance(meta.get("round"), int) else 0}
    for key in ("engagement", "side"):
        if isinstance(meta.get(key), str):
            out[key] = meta[key]
    return out


def answer_in_modal(
    deps: Deps,
    client: WebClient,
    *,
    view_id: str,
    user: str,
    engagement: str,
    round_: int,
    question: str,
    source_key: str,
) -> None:
    """Answer from the side the person asks from now (never the side the modal was opened with), into the modal."""
    try:
        standing = home.standing_of(deps, user_id=user, engagement=engagement)
        if standing is None:
            view = hb.notice_modal(_gone(engagement))
        else:
            asked = workflow.ask(
                deps,
                source_key=source_key,
                scope=workflow.Scope(engagement, standing.side),
                channel_id=standing.channel or user,
                user_id=user,
                thread_ts=None,
                question=question,
            )
            view = hb.answer_modal(
                engagement=engagement,
                side=standing.side,
                answer=asked.answer,
                answer_id=asked.question_id,
                round_=round_,
                channel=standing.channel,
            )
    except Exception as error:  # the modal must not stay on "Looking…"; the app's error handler cannot reach it
        log.exception("answering from the Home failed")
        view = hb.notice_modal(_apology(error))
    # No hash: our response_action "update" already changed the view's hash since the submission.
    client.views_update(view_id=view_id, view=wire_view(view))


def _answered_or_asking(deps: Deps, source_key: str, meta: AskMeta, question: str) -> View:
    """For a repeated submission: the answer if it is already recorded, else the "Looking…" view again."""
    row = workflow.recorded_answer(deps, source_key)
    if row is None:
        return hb.asking_modal(question=question)
    return hb.answer_modal(
        engagement=row.engagement,
        side=row.side,
        answer=row.answer,
        answer_id=row.question_id,
        round_=int(meta.get("round", 0)),
        channel=None if row.channel_id == row.user_id else row.channel_id,
    )


def _gone(engagement: str) -> str:
    name = escape(engagement)
    return _(
        "You are no longer part of *{name}*, so I cannot do that for it. Refresh your Home to see where you are."
    ).format(name=name)


def _apology(error: Exception) -> str:
    if isinstance(error, KnowledgeError):
        return ":warning: " + _("Sorry, I could not answer that: {error}").format(error=escape(str(error)))
    return ":warning: " + _("Sorry, something went wrong on my side. Please try again in a moment.")
