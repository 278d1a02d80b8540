"""``Email Normalization Error`` events: what a function could not normalize (pure).

The raw SNS record travels in the event so nothing is lost. The event always fits
EventBridge's entry limit, whatever the input: every field but ``raw_record`` is
bounded in UTF-8 bytes, and a record too large (or too deep to serialize) is cut —
first its Message, else the record becomes the start of its JSON text — and
``raw_record_truncated`` is set. The inbound function first writes the input to its
raw-mail bucket, so the full input stays reachable through ``raw``.
"""

from __future__ import annotations

from typing import Any

from sesbridge.events import ERROR_DETAIL_TYPE, SCHEMA_VERSION, strict_json
from sesbridge.events.entries import MAX_ENTRY_BYTES, EventEntry, entry_size, fit_entry
from sesbridge.events.timestamps import utc_now_iso

TRUNCATION_MARK = "...[truncated by sesbridge]"
MAX_REASON_BYTES = 2048
MAX_FIELD_BYTES = 1024  # sns_message_id, topic_arn, exception_type
_SLACK_BYTES = 256  # what the flag and the mark may add around the cut record


def normalization_error_entry(
    *,
    function: str,
    reason: str,
    error_type: str,
    record: Any,
    source: str,
    raw: dict[str, Any] | None = None,
    exception_type: str | None = None,
    now: str | None = None,
) -> EventEntry:
    """Build the error event for a record ``function`` could not normalize. Never raises."""
    sns = record.get("Sns") if isinstance(record, dict) else None
    sns = sns if isinstance(sns, dict) else {}
    topic_arn = _bounded(sns.get("TopicArn"))
    detail = {
        "schema_version": SCHEMA_VERSION,
        "function": function,
        "reason": strict_json.cut_utf8(str(reason), MAX_REASON_BYTES),
        "error_type": error_type,
        "exception_type": _bounded(exception_type),
        "timestamp": now or utc_now_iso(),
        "sns_message_id": _bounded(sns.get("MessageId")),
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
    try:
        return fit_entry(entry, source, [_halve_message])
    except Exception:  # still too large, or too deep to serialize: keep its text's start
        return _with_record_text(entry, source)


def _bounded(value: Any) -> str | None:
    return strict_json.cut_utf8(value, MAX_FIELD_BYTES) if isinstance(value, str) else None


def _halve_message(detail: dict[str, Any]) -> dict[str, Any] | None:
    record = detail["raw_record"]
    sns = record.get("Sns") if isinstance(record, dict) else None
    message = sns.get("Message") if isinstance(sns, dict) else None
    if not isinstance(message, str) or len(message) < 1024:
        return None
    cut = message[: len(message) // 2] + TRUNCATION_MARK
    smaller = {**record, "Sns": {**sns, "Message": cut}}
    return {**detail, "raw_record": smaller, "raw_record_truncated": True}


def _with_record_text(entry: EventEntry, source: str) -> EventEntry:
    """The entry with ``raw_record`` as the start of the record's JSON, cut to fit in bytes."""
    try:
        text = strict_json.dumps(entry.detail["raw_record"])
    except Exception:  # nested deeper than the encoder goes
        text = f"<a {type(entry.detail['raw_record']).__name__} too deep to serialize>"
    detail = {**entry.detail, "raw_record": "", "raw_record_truncated": True}
    bare = EventEntry(entry.detail_type, detail, entry.time, entry.resources)
    budget = MAX_ENTRY_BYTES - entry_size(bare, source) - _SLACK_BYTES
    detail["raw_record"] = _cut_to_json_bytes(text, budget)
    return EventEntry(
        entry.detail_type, detail, entry.time, entry.resources, strict_json.dumps(detail)
    )


def _cut_to_json_bytes(text: str, budget: int) -> str:
    """The longest start of ``text`` (plus the mark) whose JSON string is at most ``budget``."""
    limit = budget
    while limit > 0:
        cut = strict_json.cut_utf8(text, limit) + TRUNCATION_MARK
        size = len(strict_json.dumps(cut).encode("utf-8"))
        if size <= budget:
            return cut
        # Escapes (\" \\ \u0000) make JSON longer than the text: shrink in proportion.
        limit = limit * budget // size - len(TRUNCATION_MARK) - 8
    return TRUNCATION_MARK
