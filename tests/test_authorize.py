"""Who may do what, as one rule table (`bot.authorize`): the same answers for Slack and the CLI."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.authorize import Actor, agreeing_side, authorize, refusal
from bot.errors import NotAllowed
from bot.records.cases import IssueRecord, MediationRecord

ISSUE = IssueRecord(id=7, engagement="acme", title="Late report", created_by="UREP", owner="UOWN")
MEDIATION = MediationRecord(id=3, engagement="acme", title="Credits", channel_id="C1", opened_by="UMED")


def asked(calls: list[str], answer: bool) -> Callable[[str], bool]:
    """A workspace-admin check answering `answer`, noting whom it was asked about."""

    def is_admin(user: str) -> bool:
        calls.append(user)
        return answer

    return is_admin


def test_an_engagement_admin_binds_without_asking_slack() -> None:
    calls: list[str] = []
    authorize(Actor("U1", frozenset({"admin"}), asked(calls, False)), "bind", "acme")
    assert calls == []


def test_a_workspace_admin_binds_and_anyone_else_is_told_who_may() -> None:
    authorize(Actor("U1", frozenset(), asked([], True)), "bind", "acme")
    with pytest.raises(NotAllowed, match="people made admins of `acme`") as refused:
        authorize(Actor("U2", frozenset({"mediator"}), asked([], False)), "bind", "acme")
    assert refused.value.action == "bind"


def test_an_issue_status_is_changed_by_its_people_role_holders_and_workspace_admins() -> None:
    for actor in (
        Actor("UREP"),
        Actor("UOWN"),
        Actor("U9", frozenset({"owner"})),
        Actor("U9", is_workspace_admin=asked([], True)),
    ):
        assert refusal(actor, "change-issue-status", ISSUE) is None
    assert "change issue #7's status" in (refusal(Actor("U9"), "change-issue-status", ISSUE) or "")


def test_clauses_are_attached_by_the_reporter_or_a_mediator_only() -> None:
    assert refusal(Actor("UREP"), "attach-clause", ISSUE) is None
    assert refusal(Actor("U9", frozenset({"mediator"})), "attach-clause", ISSUE) is None
    workspace_admin = Actor("UOWN", is_workspace_admin=asked([], True))  # not even the owner or a workspace admin
    assert refusal(workspace_admin, "attach-clause", ISSUE) == (
        "Only the person who logged issue #7 (or a mediator) attaches clauses to it."
    )


def test_each_side_owner_states_only_their_sides_position() -> None:
    client_owner = Actor("UC", frozenset({"client-owner"}))
    assert refusal(client_owner, "state-client-position", MEDIATION) is None
    assert refusal(client_owner, "state-vendor-position", MEDIATION) == (
        "Only the vendor's owners and mediators can state positions in mediation #3."
    )
    assert refusal(client_owner, "propose", MEDIATION) is None
    assert refusal(client_owner, "close-mediation", MEDIATION) is not None


def test_agreeing_is_for_exactly_one_side() -> None:
    assert agreeing_side(Actor("UV", frozenset({"vendor-owner"})), MEDIATION) == "vendor"
    with pytest.raises(NotAllowed, match="each for their side"):
        agreeing_side(Actor("UM", frozenset({"mediator"})), MEDIATION)
    with pytest.raises(NotAllowed, match="both sides"):
        agreeing_side(Actor("UB", frozenset({"client-owner", "vendor-owner"})), MEDIATION)
