"""SES's account-level EventBridge events -> ``Email Account Status`` details (pure).

SES tells the default bus when it pauses or resumes the account's sending and when
a Virtual Deliverability Manager advisor recommendation opens or is resolved. These
are about the account, not a message, so they get their own detail-type: one rule
on it alerts when SES paused sending.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sesbridge.events import ESP_NAME, SCHEMA_VERSION
from sesbridge.events.timestamps import first_utc_iso, utc_now_iso
from sesbridge.native import ACCOUNT_DETAIL_TYPES, NativeEvent


def account_status_detail(event: NativeEvent) -> dict[str, Any]:
    """The ``Email Account Status`` detail of one account-level SES event.

    ``event_id`` is EventBridge's event id (the same across a rule's retries); the SES
    detail travels as ``esp_event``, whatever its shape.
    """
    detail = dict(event.detail)
    return {
        "schema_version": SCHEMA_VERSION,
        "event_type": ACCOUNT_DETAIL_TYPES[event.detail_type],
        "event_id": event.event_id or _content_id(event),
        "timestamp": first_utc_iso(event.time) or utc_now_iso(),
        "ses_detail_type": event.detail_type,
        "account": event.account,
        "region": event.region,
        "resources": list(event.resources),
        "esp_name": ESP_NAME,
        "esp_event": detail,
    }


def _content_id(event: NativeEvent) -> str:
    # An event without an id (only hand-made ones): its content is the only stable key.
    key = "\x1f".join((event.detail_type, event.time or "", repr(sorted(event.detail.items()))))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
