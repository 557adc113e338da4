"""Block Kit for a mediation's modals (positions, a proposal, escalation, withdrawal) and reading what they submit.

A mediation arrives as `bot.records.cases`' JSON of it (`Mapping[str, Any]`: that shape is the records' to type).

Pure functions, like `bot.slack.blocks.answers`: nothing here talks to Slack or the database. Each modal carries the
mediation's id (and the side, for a position) in its private_metadata; plain-text fields are clipped to Slack's
limits. The header's buttons that open these modals are in `bot.slack.blocks.mediation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from bot.i18n import N_, _
from bot.slack.blocks.kit import Block, Element, InputState, View
from bot.slack.blocks.kit import clip as _clip
from bot.slack.blocks.kit import context as _context
from bot.slack.blocks.kit import plain as _plain
from bot.slack.seal import seal_metadata

# Modals (callback ids) and their inputs (block ids; each input's action_id is the same string)
POSITION_VIEW, PROPOSAL_VIEW = "mediation_position", "mediation_proposal"
ESCALATE_VIEW, WITHDRAW_VIEW = "mediation_escalate", "mediation_withdraw"
POSITION, EVIDENCE, PROPOSAL, REASON, TO_USER, TO_TEXT = "position", "evidence", "proposal", "reason", "to_user", "to"

TEXT_CHARS = 3000  # Slack's plain_text_input maximum
TO_CHARS = 150
MODAL_TITLE_CHARS = 24  # Slack's limit on a modal's title
POSITION_TITLES = {"client": N_("Client position"), "vendor": N_("Vendor position")}  # translated where shown


# -- small pieces ----------------------------------------------------------------------------------
# -- the modals ----------------------------------------------------------------------------------
def _input(block_id: str, label: str, element: Element, *, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, 2000),
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _long_text(placeholder: str) -> Element:
    return {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": TEXT_CHARS,
        "placeholder": _plain(placeholder, 150),
    }


class MediationMeta(TypedDict, total=False):
    """What a mediation's modal carries (sealed) in its private_metadata: the mediation, where it was opened from,
    and for a position the side."""

    mediation_id: int
    channel: str
    side: str


def _modal(callback_id: str, title: str, submit: str, meta: MediationMeta, blocks: list[Block]) -> View:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": seal_metadata(meta),
        "title": _plain(title, MODAL_TITLE_CHARS),
        "submit": _plain(submit, MODAL_TITLE_CHARS),
        "close": _plain(_("Cancel"), MODAL_TITLE_CHARS),
        "blocks": blocks,
    }


def _about(case: Mapping[str, Any]) -> Block:
    return _context(_("Mediation #{id}: {title}").format(id=case["id"], title=_clip(case["title"], 300)))


def position_modal(case: Mapping[str, Any], *, side: str, channel: str) -> View:
    """The "Add client/vendor position" modal: the position, and evidence for it."""
    meta: MediationMeta = {"mediation_id": case["id"], "side": side, "channel": channel}
    if side == "client":
        label, placeholder = _("The client's position"), _("What the client holds, and why")
    else:
        label, placeholder = _("The vendor's position"), _("What the vendor holds, and why")
    blocks = [
        _about(case),
        _input(POSITION, label, _long_text(placeholder)),
        _input(
            EVIDENCE,
            _("Evidence"),
            _long_text(_("Documents, figures, ticket numbers...")),
            optional=True,
            hint=_("You can also react with \U0001f4cc to a message in the thread to add it as evidence."),
        ),
    ]
    return _modal(POSITION_VIEW, _(POSITION_TITLES[side]), _("Save position"), meta, blocks)


def proposal_modal(case: Mapping[str, Any], *, channel: str) -> View:
    """The "Propose outcome" modal."""
    meta: MediationMeta = {"mediation_id": case["id"], "channel": channel}
    blocks = [
        _about(case),
        _input(
            PROPOSAL,
            _("Proposed outcome"),
            _long_text(_("What both sides would agree to")),
            hint=_("Both sides then agree to it; a new proposal replaces it and asks both again."),
        ),
    ]
    return _modal(PROPOSAL_VIEW, _("Propose an outcome"), _("Propose"), meta, blocks)


def escalate_modal(case: Mapping[str, Any], *, channel: str) -> View:
    """The "Escalate" modal: why, and to whom (a person, or a body such as the steering committee)."""
    meta: MediationMeta = {"mediation_id": case["id"], "channel": channel}
    blocks = [
        _about(case),
        _input(REASON, _("Why escalate"), _long_text(_("What the parties could not settle"))),
        _input(
            TO_USER,
            _("Escalate to a person"),
            {"type": "users_select", "placeholder": _plain(_("Choose someone"))},
            optional=True,
        ),
        _input(
            TO_TEXT,
            _("...or to a group"),
            {"type": "plain_text_input", "max_length": TO_CHARS, "placeholder": _plain(_("e.g. Steering committee"))},
            optional=True,
            hint=_("Choose a person or name a group."),
        ),
    ]
    return _modal(ESCALATE_VIEW, _("Escalate"), _("Escalate"), meta, blocks)


def withdraw_modal(case: Mapping[str, Any], *, channel: str) -> View:
    """The "Withdraw" modal: why the mediation is dropped."""
    meta: MediationMeta = {"mediation_id": case["id"], "channel": channel}
    blocks = [_about(case), _input(REASON, _("Why withdraw"), _long_text(_("e.g. settled directly between the teams")))]
    return _modal(WITHDRAW_VIEW, _("Withdraw mediation"), _("Withdraw"), meta, blocks)


# -- reading their submissions --------------------------------------------------------------------
Values = Mapping[str, Mapping[str, InputState]]  # a submitted view's `state.values`: {block_id: {action_id: state}}


def _field(values: Values, block_id: str) -> InputState:
    return (values.get(block_id) or {}).get(block_id) or {}


def _text_of(values: Values, block_id: str) -> str:
    return (_field(values, block_id).get("value") or "").strip()


def read_position_form(values: Values) -> tuple[tuple[str, str | None] | None, dict[str, str]]:
    """(position, evidence or None) from the modal's `state.values`, or None and Slack's `errors`."""
    position = _text_of(values, POSITION)
    if not position:
        return None, {POSITION: _("State the position.")}
    return (position, _text_of(values, EVIDENCE) or None), {}


def read_proposal_form(values: Values) -> tuple[str | None, dict[str, str]]:
    proposal = _text_of(values, PROPOSAL)
    return (proposal, {}) if proposal else (None, {PROPOSAL: _("Describe the proposed outcome.")})


def read_escalate_form(values: Values) -> tuple[tuple[str, str] | None, dict[str, str]]:
    """(reason, to whom: a user id or a group's name) from the modal, or None and Slack's `errors`."""
    errors: dict[str, str] = {}
    reason = _text_of(values, REASON)
    if not reason:
        errors[REASON] = _("Say why the mediation is escalated.")
    to = _field(values, TO_USER).get("selected_user") or " ".join(_text_of(values, TO_TEXT).split())
    if not to:
        errors[TO_USER] = _("Choose a person, or name a group below.")
    return (None, errors) if errors else ((reason, to), {})


def read_withdraw_form(values: Values) -> tuple[str | None, dict[str, str]]:
    reason = _text_of(values, REASON)
    return (reason, {}) if reason else (None, {REASON: _("Say why the mediation is withdrawn.")})
