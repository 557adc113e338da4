"""A hostile review of the access boundary, repeatable: attempts by class, and how many get through.

Everything goes through public surfaces of the real app: signed Slack requests dispatched to the real Bolt app
(`create_app`), whose real WebClient talks to the local Slack Web API stand-in (`bot.localslack.api.SlackAPI`,
a real HTTP server on 127.0.0.1); the knowledge base is the bundled sample engagement indexed with the real
embedder (shared contracts, a client-only renewal memo, a vendor-only delivery plan). Nothing leaves loopback.

An attempt "gets through" when:
- leaks (questions, issue cards, mediation headers and summaries): anything Liaison sends to Slack for it (posts,
  ephemeral replies, responses, views) carries a marker of a document the channel or person may not read (its
  file name or a figure found only in it);
- forged signatures: the app answers anything but 401;
- forged or replayed values: Liaison posts, records or changes anything for it beyond a refusal;
- bindings: a refused binding is made anyway.

    . .venv/bin/activate
    python benchmarks/hostile_review.py                 # prints a table; --out FILE writes JSON too
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slack_bolt import BoltRequest
from slack_sdk import WebClient

from bot import issues, records
from bot.cli.demo import samples_dir
from bot.db import make_engine, session, upgrade
from bot.deps import Deps
from bot.localslack.api import SlackAPI
from bot.localslack.bodies import action_body, event_body, sign
from bot.mediation import queries
from bot.records import questions as question_records
from bot.records import roles as role_records
from bot.records.cases import ISSUE_STATUSES, MEDIATION_STATUSES, IssueCreate
from bot.settings import Settings
from bot.slack.app import create_app
from bot.slack.blocks import home as hb
from bot.slack.blocks import issue_modal
from bot.slack.blocks import issues as ib
from bot.slack.blocks import mediation as mb
from bot.slack.seal import seal
from knowledge.base import KnowledgeBase
from knowledge.embeddings import MiniLMEmbeddings
from knowledge.store import Store, make_client

SECRET = "hostile-secret"
E = "acme-customer-care"
CLIENT_DOC, VENDOR_DOC = "acme-renewal-strategy.md", "meridian-delivery-plan.md"
CLIENT_MARKS = (CLIENT_DOC, "ACME INTERNAL", "Vendor B", "9.6 million", "USD 27.00")
VENDOR_MARKS = (VENDOR_DOC, "MERIDIAN INTERNAL", "17.40", "Margin floor", "USD 18.21")
CLIENT_QUESTIONS = [
    "what is our budget ceiling for outsourced customer care from March 2028?",
    "when is the RFP for customer care issued?",
    "which alternative vendors are in the RFP?",
    "what is the internal deadline to send the non-renewal notice?",
    "what rate per productive hour are we targeting for English voice?",
    "acme renewal strategy: award decision date?",
]
VENDOR_QUESTIONS = [
    "what is meridian's target gross margin for SOW 1?",
    "what does an agent cost per paid hour in Manila?",
    "what is the margin floor and who is it escalated to?",
    "what attrition does meridian assume in Manila?",
    "how much is the service credit reserve?",
    "meridian delivery plan: blended agent cost?",
]


class Review:
    def __init__(self, api: SlackAPI, kb: KnowledgeBase, data: Path) -> None:
        self.api = api
        settings = Settings(
            LIAISON_DATA_DIR=data, SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api.url
        )
        self.engine = make_engine(f"sqlite:///{data / 'liaison.db'}")
        upgrade(self.engine)
        self.deps = Deps(settings=settings, kb=kb, engine=self.engine)
        self.app = create_app(settings, self.deps, client=WebClient(token="xoxb-x", base_url=api.url))
        self.results: dict[str, Counter[str]] = {}
        self.controls: Counter[str] = Counter()
        self.n = 0

    # -- sending ---------------------------------------------------------------------------------
    def send(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> Any:
        signed = {**sign(body, SECRET), "Content-Type": content_type, **(headers or {})}
        return self.app.dispatch(BoltRequest(body=body, headers=signed))

    def _id(self) -> str:
        self.n += 1
        return str(self.n)

    def mention(self, text: str, *, channel: str, user: str) -> None:
        event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "channel": channel}
        self.send(event_body({**event, "ts": f"{self._id()}.1"}, event_id=f"Ev{self.n}"), "application/json")

    def command(self, text: str, *, channel: str, user: str) -> None:
        body = self.api.command_body(text=text, user=user, channel=channel)
        self.send(body, "application/x-www-form-urlencoded")

    def click(
        self, action_id: str, value: str, *, channel: str | None, user: str, sealed: bool = True, menu: bool = False
    ) -> None:
        """A button (or, with `menu`, a menu option) clicked, its value sealed as Liaison writes it or not."""
        sent = seal(value) if sealed else value
        clicked: dict[str, Any] = {"type": "button", "value": sent}
        if menu:
            clicked = {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": sent},
            }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user},
            "team": {"id": "T1"},
            "api_app_id": "A1",
            "trigger_id": f"{self._id()}.trig",
            "actions": [{"action_id": action_id, "block_id": "b", **clicked}],
        }
        if channel:
            payload.update(
                channel={"id": channel},
                container={"type": "message", "message_ts": "9.9", "channel_id": channel},
                message={"ts": "9.9", "text": "x"},
                response_url=self.api.response_url(),
            )
        else:
            payload.update(container={"type": "view", "view_id": "VHOME"}, view={"id": "VHOME", "type": "home"})
        self.send(action_body(payload), "application/x-www-form-urlencoded")

    def submit(self, callback_id: str, metadata: str, values: dict[str, Any], *, user: str, sealed: bool) -> Any:
        payload = {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": user},
            "api_app_id": "A1",
            "view": {
                "id": f"V{self._id()}",
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": seal(metadata) if sealed else metadata,
                "state": {"values": values},
            },
        }
        return self.send(action_body(payload), "application/x-www-form-urlencoded")

    # -- observing -------------------------------------------------------------------------------
    def settle(self, seconds: float = 20.0) -> None:
        """Wait until the app has been quiet for a moment (listeners run in the background)."""
        deadline, last, quiet = time.monotonic() + seconds, -1, 0.0
        while time.monotonic() < deadline:
            now = len(self.api.calls)
            quiet = quiet + 0.1 if now == last else 0.0
            if quiet >= 0.6:
                return
            last = now
            time.sleep(0.1)

    def outgoing(self, since: int) -> str:
        return json.dumps([c.params for c in self.api.calls[since:]], default=str)

    def tally(self, cls: str, got_through: bool) -> None:
        self.results.setdefault(cls, Counter())["attempts"] += 1
        self.results[cls]["through"] += int(got_through)

    def leak_attempt(self, cls: str, marks: tuple[str, ...], act: Callable[[], None]) -> None:
        since = len(self.api.calls)
        act()
        self.settle()
        shown = self.outgoing(since)
        self.tally(cls, any(m in shown for m in marks))

    # -- set-up ----------------------------------------------------------------------------------
    def bind(self, channel: str, side: str, engagement: str = E) -> None:
        with session(self.engine) as s:
            records.bind_channel(
                session=s, channel_id=channel, team_id="T1", engagement=engagement, side=side, user_id="UADMIN"
            )

    def grant(self, user: str, role: str, engagement: str = E) -> None:
        with session(self.engine) as s:
            role_records.grant_role(session=s, engagement=engagement, user_id=user, role=role, granted_by="review")

    def binding(self, channel: str) -> tuple[str, str] | None:
        with session(self.engine) as s:
            row = records.binding_for(session=s, channel_id=channel)
            return None if row is None else (row.engagement, row.side)

    def counts(self) -> tuple[Any, ...]:
        with session(self.engine) as s:
            every = issues.list_issues(session=s, engagement=E, statuses=ISSUE_STATUSES)
            n_media = len(queries.list_mediations(session=s, engagement=E, statuses=MEDIATION_STATUSES))
            return len(every), sum(len(i.clause_refs) for i in every), n_media, tuple(i.status for i in every)


def _issue_values(title: str) -> dict[str, Any]:
    def opt(v: str) -> dict[str, Any]:
        return {"selected_option": {"text": {"type": "plain_text", "text": v}, "value": v}}

    return {
        "title": {"title": {"type": "plain_text_input", "value": title}},
        "description": {"description": {"type": "plain_text_input", "value": title}},
        "category": {"category": {"type": "static_select", **opt("other")}},
        "severity": {"severity": {"type": "static_select", **opt("3")}},
        "risk": {"risk": {"type": "radio_buttons", **opt("low")}},
        "value": {"value": {"type": "radio_buttons", **opt("low")}},
        "side": {"side": {"type": "radio_buttons", "selected_option": None}},
        "clause": {"clause": {"type": "plain_text_input", "value": None}},
        "owner": {"owner": {"type": "users_select", "selected_user": None}},
        "due": {"due": {"type": "datepicker", "selected_date": None}},
    }


def run(review: Review, *, verbose: bool = False) -> None:
    r = review
    r.bind("CC", "client")
    r.bind("CV", "vendor")
    r.bind("CS", "shared")
    r.bind("CX", "client")  # later found to be a Slack Connect channel
    r.bind("CB", "client", engagement="beta-billing")
    r.api.channels = {"CX": {"is_ext_shared": True, "is_shared": True}, "CY": {"is_ext_shared": True}}
    r.api.users = {"UEXT": {"team_id": "T9"}, "UWADMIN": {"is_admin": True}}
    r.grant("UCO", "client-owner")
    r.grant("UVO", "vendor-owner")
    r.grant("UMED", "mediator")
    r.grant("UBADMIN", "admin", engagement="beta-billing")

    # 1. questions from where the other side's documents may not be read
    for q in CLIENT_QUESTIONS:
        for channel, user in (("CV", "U1"), ("CS", "U1"), ("CX", "U1"), ("CC", "UEXT")):
            r.leak_attempt(
                "questions (mention)", CLIENT_MARKS, lambda q=q, c=channel, u=user: r.mention(q, channel=c, user=u)
            )
        r.leak_attempt(
            "questions (/liaison ask)", CLIENT_MARKS, lambda q=q: r.command(f"ask {q}", channel="CV", user="U1")
        )
    for q in VENDOR_QUESTIONS:
        for channel, user in (("CC", "U1"), ("CS", "U1"), ("CX", "U1")):
            r.leak_attempt(
                "questions (mention)", VENDOR_MARKS, lambda q=q, c=channel, u=user: r.mention(q, channel=c, user=u)
            )
        r.leak_attempt(
            "questions (/liaison ask)", VENDOR_MARKS, lambda q=q: r.command(f"ask {q}", channel="CS", user="U1")
        )
    for q in CLIENT_QUESTIONS[:3]:  # the Home's "Ask a question", as a vendor owner
        meta = json.dumps({"engagement": E, "side": "client", "round": 0})
        values = {"question_0": {"question_0": {"type": "plain_text_input", "value": q}}}
        r.leak_attempt(
            "questions (App Home)",
            CLIENT_MARKS,
            lambda m=meta, v=values: r.submit(hb.ASK_CALLBACK, m, v, user="UVO", sealed=True),
        )

    # controls: the same questions where they may be read must show the markers, or the detector is blind
    for q, channel, marks in [(q, "CC", CLIENT_MARKS) for q in CLIENT_QUESTIONS] + [
        (q, "CV", VENDOR_MARKS) for q in VENDOR_QUESTIONS
    ]:
        since = len(r.api.calls)
        r.mention(q, channel=channel, user="U1")
        r.settle()
        r.controls["asked"] += 1
        r.controls["markers shown"] += int(any(m in r.outgoing(since) for m in marks))

    # 2. issue cards: the client's memo titles, logged where the client's documents may not be read
    for q in CLIENT_QUESTIONS:
        for channel in ("CS", "CV", "CX"):
            meta = json.dumps({"channel": channel, "engagement": E})
            r.leak_attempt(
                "issue cards",
                CLIENT_MARKS,
                lambda m=meta, q=q: r.submit(issue_modal.CALLBACK_ID, m, _issue_values(q), user="UCO", sealed=True),
            )

    # 3. mediation headers and summaries in a shared channel, titled like the vendor's plan
    for q in VENDOR_QUESTIONS[:4]:

        def mediate(q: str = q) -> None:
            r.command(f"mediate {q}", channel="CS", user="UMED")
            r.settle()
            with session(r.engine) as s:
                latest = max(queries.list_mediations(session=s, engagement=E), key=lambda m: m.id or 0)
            r.click(mb.SUMMARISE, str(latest.id), channel="CS", user="UMED")

        r.leak_attempt("mediation headers and summaries", VENDOR_MARKS, mediate)

    # 4. forged signatures
    body = event_body(
        {"type": "app_mention", "user": "U1", "text": "<@UBOT> budget ceiling?", "channel": "CV", "ts": "1.1"},
        event_id="EvF",
    )
    good = sign(body, SECRET)
    forged = [
        {**good, "X-Slack-Signature": "v0=" + "0" * 64},
        {**sign(body, "wrong-secret")},
        {**good, "X-Slack-Request-Timestamp": "not-a-number"},
        sign(body, SECRET, timestamp=int(time.time()) - 3600),  # a replay an hour late
        {"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"]},
        {},
    ]
    for headers in forged * 5:
        response = r.app.dispatch(BoltRequest(body=body, headers={**headers, "Content-Type": "application/json"}))
        r.tally("forged signatures", response.status != 401)

    # 5. forged or replayed values
    r.settle()
    with session(r.engine) as s:
        row = question_records.record_question(
            session=s,
            source_key="q-client",
            engagement=E,
            side="client",
            channel_id="CC",
            user_id="UCO",
            thread_ts=None,
            question="Do we move to Vendor B?",
            answer_dict={"answer": "Vendor B", "found": True, "citations": []},
            found=True,
            mode="extractive",
        )
        question_id = row.id
        issue = issues.create_issue(session=s, issue_in=IssueCreate(engagement=E, title="Budget", created_by="UCO"))
        issue_id = issue.id
    text = r.deps.kb.document_text(E, CLIENT_DOC)
    at = text.index("Budget ceiling")
    ref = {
        "document": CLIENT_DOC,
        "section": "2",
        "page": None,
        "title": "memo",
        "start": at,
        "end": at + 80,
        "quote": text[at : at + 80],
    }
    attach_value = ib.clause_value(issue_id, ref)
    attempts: list[Callable[[], Any]] = []
    for channel in ("CV", "CS", "CX", "CB"):  # CB: another engagement's channel
        for sealed in (False, True):  # unsigned values, and Liaison's own values replayed where they do not belong
            attempts += [
                lambda c=channel, s=sealed: r.click("share_answer", question_id, channel=c, user="UCO", sealed=s),
                lambda c=channel, s=sealed: r.click("ask_owner", question_id, channel=c, user="U1", sealed=s),
                lambda c=channel, s=sealed: r.click(ib.ATTACH_ACTION, attach_value, channel=c, user="UCO", sealed=s),
            ]
        attempts += [
            lambda c=channel: r.click("share_answer", question_id, channel=c, user="U1", sealed=False),
            lambda c=channel: r.click(ib.STATUS_ACTION, f"{issue_id}:closed", channel=c, user="UNOBODY", menu=True),
            lambda c=channel: r.click(mb.CLOSE, "1", channel=c, user="UNOBODY", sealed=False),
            lambda c=channel: r.submit(
                issue_modal.CALLBACK_ID,
                json.dumps({"channel": c, "engagement": E}),
                _issue_values("forged"),
                user="U1",
                sealed=False,
            ),
        ]
    attempts += [lambda: r.click(hb.LOG_ISSUE, E, channel=None, user="UNOBODY", sealed=False)]
    attempts += [
        lambda: r.submit(
            issue_modal.CALLBACK_ID,
            json.dumps({"channel": "CV", "engagement": "beta-billing"}),
            _issue_values("stale"),
            user="UCO",
            sealed=True,
        )
    ]
    for attempt in attempts:
        before, since = r.counts(), len(r.api.calls)
        attempt()
        r.settle()
        # a new post or a form opened; a card refreshed in place shows only what its channel may see (checked by
        # the markers below)
        posted = [c for c in r.api.calls[since:] if c.method in ("chat.postMessage", "views.open")]
        shown = r.outgoing(since)
        through = bool(posted) or r.counts() != before or any(m in shown for m in CLIENT_MARKS)
        if through and verbose:
            calls = [(c.method, c.params.get("channel"), str(c.params.get("text"))[:80]) for c in r.api.calls[since:]]
            print(f"got through: {calls}; records {before} -> {r.counts()}", file=sys.stderr)
        r.tally("forged or replayed values", through)

    # 6. bindings
    for user, channel, text, expect in (
        ("UBADMIN", "CC", "bind beta-billing vendor", (E, "client")),
        ("UBADMIN", "CV", "bind beta-billing client", (E, "vendor")),
        ("UBADMIN", "CS", "bind beta-billing shared", (E, "shared")),
        ("UWADMIN", "CY", f"bind {E} client", None),
        ("UWADMIN", "CY", f"bind {E} vendor", None),
        ("U1", "CC", f"bind {E} vendor", (E, "client")),
    ):
        r.command(text, channel=channel, user=user)
        r.settle()
        r.tally("bindings", r.binding(channel) != expect)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--verbose", action="store_true", help="say what each attempt that got through did")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, SlackAPI() as api:
        data = Path(tmp)
        kb = KnowledgeBase(Store(make_client(data_dir=data / "kb")), MiniLMEmbeddings())
        root = samples_dir()
        for folder, visibility in (
            (E, "shared"),
            (f"{E}-client-only", "client-only"),
            (f"{E}-vendor-only", "vendor-only"),
        ):
            kb.index([root / folder], engagement=E, visibility=visibility)
        review = Review(api, kb, data)
        run(review, verbose=args.verbose)
        review.app.listener_runner.listener_executor.shutdown(wait=True)
    rows = [{"class": k, "attempts": v["attempts"], "got_through": v["through"]} for k, v in review.results.items()]
    total = {"attempts": sum(r["attempts"] for r in rows), "got_through": sum(r["got_through"] for r in rows)}
    print(f"{'class':<36} {'attempts':>8} {'got through':>12}")
    for row in rows:
        print(f"{row['class']:<36} {row['attempts']:>8} {row['got_through']:>12}")
    print(f"{'total':<36} {total['attempts']:>8} {total['got_through']:>12}   ({time.perf_counter() - started:.0f} s)")
    controls = dict(review.controls)
    print(f"controls: {controls['markers shown']} of {controls['asked']} questions asked where allowed showed a marker")
    if args.out:
        args.out.write_text(json.dumps({"classes": rows, "total": total, "controls": controls}, indent=2))
    return 0 if total["got_through"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
