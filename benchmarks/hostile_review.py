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
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from slack_bolt import BoltRequest  # noqa: E402

from benchmarks.hostile_harness import SECRET, E, Review, issue_values  # noqa: E402
from bot import issues  # noqa: E402
from bot.cli.demo import samples_dir  # noqa: E402
from bot.db import session  # noqa: E402
from bot.localslack.api import SlackAPI  # noqa: E402
from bot.localslack.bodies import event_body, sign  # noqa: E402
from bot.mediation import queries  # noqa: E402
from bot.records import questions as question_records  # noqa: E402
from bot.records.case_schemas import IssueCreate  # noqa: E402
from bot.slack.blocks import home as hb  # noqa: E402
from bot.slack.blocks import issue_modal  # noqa: E402
from bot.slack.blocks import issues as ib  # noqa: E402
from bot.slack.blocks import mediation as mb  # noqa: E402
from knowledge.base import KnowledgeBase  # noqa: E402
from knowledge.embeddings import MiniLMEmbeddings  # noqa: E402
from knowledge.store import Store, make_client  # noqa: E402

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
                lambda m=meta, q=q: r.submit(issue_modal.CALLBACK_ID, m, issue_values(q), user="UCO", sealed=True),
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
                issue_values("forged"),
                user="U1",
                sealed=False,
            ),
        ]
    attempts += [lambda: r.click(hb.LOG_ISSUE, E, channel=None, user="UNOBODY", sealed=False)]
    attempts += [
        lambda: r.submit(
            issue_modal.CALLBACK_ID,
            json.dumps({"channel": "CV", "engagement": "beta-billing"}),
            issue_values("stale"),
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
