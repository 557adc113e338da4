"""Sealed values: what Liaison carries in Slack (button values, menu options, modal metadata) is signed.

A button's value or a modal's `private_metadata` comes back to us with the click or the submission. Slack's
request signature proves Slack sent the request, not that Liaison wrote the value: a forwarded message keeps
its live buttons, and anyone holding the signing secret can forge a payload. So every value Liaison writes
carries an HMAC (`value~signature`), keyed by the server's secret (`Settings.seal_key`), and the
`verify_seals` middleware refuses any action or submission whose values do not verify, before a listener
runs. Listeners then see the values as they were written (the seals stripped).

The builders are pure functions: they seal with the key configured once by the composition root
(`configure`, called by `create_app` and by the CLI before it posts), or, if none was, the one the settings
derive.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any  # the gate sees every request body before Bolt routes it: Slack's open JSON, of any kind

from slack_bolt.response import BoltResponse

from bot.i18n import N_, _

log = logging.getLogger(__name__)

SEPARATOR = "~"
_SIG_BYTES = 16  # 128 bits
SEAL_CHARS = 1 + 22  # the separator and the base64url signature
_key: bytes | None = None
_lock = threading.Lock()

REFUSED = N_("That button or form was not made by Liaison (or has expired), so I did nothing. Use a fresh one.")


def configure(key: bytes) -> None:
    """Use `key` for every seal from now on (the composition root calls this with `Settings.seal_key`)."""
    global _key
    with _lock:
        _key = bytes(key)


def _current_key() -> bytes:
    global _key
    with _lock:
        if _key is None:
            from bot.settings import Settings

            _key = Settings().seal_key
        return _key


def _signature(value: str, key: bytes) -> str:
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()[:_SIG_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def seal(value: str) -> str:
    """`value` with its signature appended."""
    return f"{value}{SEPARATOR}{_signature(value, _current_key())}"


def unseal(sealed: str | None) -> str | None:
    """The value Liaison wrote, or None when `sealed` carries no valid signature."""
    if not isinstance(sealed, str) or SEPARATOR not in sealed:
        return None
    value, _, signature = sealed.rpartition(SEPARATOR)
    return value if hmac.compare_digest(signature, _signature(value, _current_key())) else None


def seal_metadata(meta: Mapping[str, object]) -> str:
    """A modal's `private_metadata`: the JSON of `meta`, sealed."""
    return seal(json.dumps(meta, separators=(",", ":"), sort_keys=True))


def clip(value: str, limit: int) -> str:
    """A value cut so that, sealed, it fits in `limit` characters."""
    return value[: limit - SEAL_CHARS]


# -- the gate --------------------------------------------------------------------------------------
def _open_actions(body: dict[str, Any]) -> bool:
    """Replace each action's value (and selected option's value) by what Liaison wrote; False if one is forged."""
    for action in body.get("actions") or []:
        if not isinstance(action, dict):
            return False
        if "value" in action:
            opened = unseal(action.get("value"))
            if opened is None:
                return False
            action["value"] = opened
        option = action.get("selected_option")
        if isinstance(option, dict) and "value" in option:
            opened = unseal(option.get("value"))
            if opened is None:
                return False
            option["value"] = opened
    return True


def _open_view(body: dict[str, Any]) -> bool:
    """Replace the view's private_metadata by what Liaison wrote (a view with none is left alone)."""
    view = body.get("view")
    if not isinstance(view, dict) or not view.get("private_metadata"):
        return True
    opened = unseal(view.get("private_metadata"))
    if opened is None:
        return False
    view["private_metadata"] = opened
    return True


def verify_seals(body: dict[str, Any], next: Callable[[], None], respond: Any) -> BoltResponse | None:
    """Bolt middleware: let an interaction through only if every value it carries is one Liaison sealed."""
    kind = body.get("type") if isinstance(body, dict) else None
    if kind not in ("block_actions", "view_submission", "view_closed"):
        next()
        return None
    if _open_actions(body) and _open_view(body):
        next()
        return None
    log.warning("refused a %s whose values Liaison did not sign (user %s)", kind, (body.get("user") or {}).get("id"))
    if kind == "view_submission":
        notice = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Liaison"},
            "close": {"type": "plain_text", "text": _("Close")},
            "blocks": [{"type": "section", "text": {"type": "plain_text", "text": _(REFUSED)}}],
        }
        body_json = json.dumps({"response_action": "update", "view": notice})
        return BoltResponse(status=200, body=body_json, headers={"content-type": "application/json"})
    if body.get("response_url") and respond is not None:
        try:
            respond(response_type="ephemeral", replace_original=False, text=_(REFUSED))
        except Exception as error:  # telling the user is a courtesy; the refusal stands
            log.info("could not tell the user about a refused action: %s", error)
    return BoltResponse(status=200, body="")
