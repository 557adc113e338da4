"""Issue #9 item 1 (digests) and item 3: a weekly digest is filtered by the side of the channel it is posted in,
as Slack says that channel is when it is posted: a one-sided channel shared with another organisation (Slack
Connect), or one Slack cannot describe, gets the digest a shared channel gets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.localslack.api import SlackAPI
from bot.slack import posting as digest
from tests.test_digest import NOW, client_for, deps_for, posts, seed


@pytest.fixture
def api() -> Iterator[SlackAPI]:
    with SlackAPI() as running:
        yield running


def test_a_vendor_channel_shared_with_the_client_gets_the_shared_digest(
    db: Engine, api: SlackAPI, tmp_path: Path
) -> None:
    seed(db)  # CCLIENT, CVENDOR and CSHARED bound; the vendor's questions mention its margin and agent cost
    api.channels = {"CVENDOR": {"is_ext_shared": True, "is_shared": True}}
    outcomes = digest.post_due_digests(deps_for(db, tmp_path), client_for(api), now=NOW)
    sides = {o.channel_id: o.side for o in outcomes}
    assert sides == {"CCLIENT": "client", "CVENDOR": "shared", "CSHARED": "shared"}
    vendor_channel = json.dumps(posts(api)["CVENDOR"])
    for vendor_only in ("target margin", "agent cost", "Staffing plan", "Vendor-internal staffing plan"):
        assert vendor_only not in vendor_channel


def test_a_channel_slack_cannot_describe_gets_the_shared_digest(db: Engine, api: SlackAPI, tmp_path: Path) -> None:
    seed(db)
    api.fail("conversations.info", error="missing_scope", times=10, status=200)
    outcomes = digest.post_due_digests(deps_for(db, tmp_path), client_for(api), now=NOW)
    assert {o.side for o in outcomes} == {"shared"}
    assert "margin" not in json.dumps(posts(api))
