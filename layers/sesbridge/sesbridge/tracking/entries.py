"""An SES event (SNS notification or native EventBridge event) -> EventBridge entries that
fit PutEvents' limit."""

from __future__ import annotations

from typing import Any

from sesbridge.events import ACCOUNT_STATUS_DETAIL_TYPE, DEFAULT_EVENT_SOURCE, TRACKING_DETAIL_TYPE
from sesbridge.events.entries import EntryTooLarge, EventEntry, fit_entry
from sesbridge.exceptions import NormalizationError
from sesbridge.native import SENDING_DETAIL_TYPES, NativeEvent, UnknownSesEvent
from sesbridge.sns import SnsNotification, message_json
from sesbridge.tracking.account import account_status_detail
from sesbridge.tracking.normalize import normalize_tracking
from sesbridge.tracking.size import TRACKING_REDUCERS


class TrackingEventTooLarge(NormalizationError):
    """Even trimmed, a tracking event exceeds EventBridge's entry limit."""

    error_type = "too_large"


def tracking_entries(
    record: SnsNotification | NativeEvent, *, source: str = DEFAULT_EVENT_SOURCE
) -> list[EventEntry]:
    """The entries for one SES event, from SNS or from SES's EventBridge destination.

    Sending events become ``Email Tracking Event`` entries: ``Time`` is the event's
    timestamp, ``Resources`` the topic ARN (SNS) or the SES event's resources (native).
    Account-level native events become one ``Email Account Status`` entry. Raises a
    ``NormalizationError`` (``not_json``, ``missing_field``, ``wrong_notification``,
    ``unknown_ses_event``, ``too_large``) for an event that cannot be normalized.
    """
    if isinstance(record, NativeEvent):
        if record.is_account_event:
            detail = account_status_detail(record)
            entry = EventEntry(
                ACCOUNT_STATUS_DETAIL_TYPE,
                detail,
                time=detail["timestamp"],
                resources=record.resources,
            )
            return [_fit(entry, source)]
        ses_event = _sending_record(record)
        details = normalize_tracking(ses_event, fallback_timestamp=record.time)
        resources = record.resources
    else:
        details = normalize_tracking(
            message_json(record),
            sns_message_id=record.message_id,
            sns_timestamp=record.timestamp,
            topic_arn=record.topic_arn,
        )
        resources = (record.topic_arn,) if record.topic_arn else ()
    return [
        _fit(
            EventEntry(TRACKING_DETAIL_TYPE, detail, time=detail["timestamp"], resources=resources),
            source,
        )
        for detail in details
    ]


def _sending_record(record: NativeEvent) -> dict[str, Any]:
    """The event publishing record a native sending event carries as its detail."""
    detail = dict(record.detail)
    known = record.detail_type in SENDING_DETAIL_TYPES
    if not known and not ("eventType" in detail and "mail" in detail):
        raise UnknownSesEvent(
            f"SES EventBridge event of detail-type {record.detail_type!r} is neither a"
            " sending event nor an account event sesbridge knows"
        )
    return detail


def _fit(entry: EventEntry, source: str) -> EventEntry:
    try:
        return fit_entry(entry, source, TRACKING_REDUCERS)
    except EntryTooLarge as error:
        raise TrackingEventTooLarge(str(error)) from error
