"""``Email Normalization Error`` events: what a function could not normalize (pure).

The raw SNS record travels in the event so nothing is lost; when it would not fit
EventBridge's entry limit, its Message is cut and ``raw_record_truncated`` is set
(the inbound function first writes any mail content to its raw-mail bucket, so the
full input stays reachable through ``raw``).
"""

from __future__ import annotations

import copy
from typing import Any

from sesbridge.events import ERROR_DETAIL_TYPE, SCHEMA_VERSION
from sesbridge.events.entries import EventEntry, fit_entry
from sesbridge.events.timestamps import utc_now_iso

_TRUNCATION_MARK = "...[truncated by sesbridge]"


def normalization_error_entry(
    *,
    function: str,
    reason: str,
    error_type: str,
    record: Any,
    source: str,
    raw: dict[str, Any] | None = None,
    now: str | None = None,
) -> EventEntry:
    """Build the error event for a record ``function`` could not normalize."""
    sns = record.get("Sns") if isinstance(record, dict) else None
    sns = sns if isinstance(sns, dict) else {}
    topic_arn = sns.get("TopicArn") if isinstance(sns.get("TopicArn"), str) else None
    detail = {
        "schema_version": SCHEMA_VERSION,
        "function": function,
        "reason": reason,
        "error_type": error_type,
        "timestamp": now or utc_now_iso(),
        "sns_message_id": sns.get("MessageId") if isinstance(sns.get("MessageId"), str) else None,
        "topic_arn": topic_arn,
        "raw_record": record,
        "raw_record_truncated": False,
        "raw": raw,
    }
    entry = EventEntry(
        ERROR_DETAIL_TYPE,
        detail,
        time=detail["timestamp"],
        resources=(topic_arn,) if topic_arn else (),
    )
    return fit_entry(entry, source, [_halve_message, _drop_record])


def _halve_message(detail: dict[str, Any]) -> dict[str, Any] | None:
    record = detail["raw_record"]
    message = record.get("Sns", {}).get("Message") if isinstance(record, dict) else None
    if not isinstance(message, str) or len(message) < 1024:
        return None
    smaller = copy.deepcopy(record)
    keep = len(message) // 2
    smaller["Sns"]["Message"] = message[:keep] + _TRUNCATION_MARK
    return {**detail, "raw_record": smaller, "raw_record_truncated": True}


def _drop_record(detail: dict[str, Any]) -> dict[str, Any] | None:
    # Last resort for a record that is huge outside its Message: keep its repr's start.
    if isinstance(detail["raw_record"], str):
        return None
    text = repr(detail["raw_record"])[: 128 * 1024] + _TRUNCATION_MARK
    return {**detail, "raw_record": text, "raw_record_truncated": True}
