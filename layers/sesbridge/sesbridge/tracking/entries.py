"""An SNS notification from SES -> EventBridge entries that fit PutEvents' limit."""

from __future__ import annotations

from sesbridge.events import DEFAULT_EVENT_SOURCE, TRACKING_DETAIL_TYPE
from sesbridge.events.entries import EntryTooLarge, EventEntry, fit_entry
from sesbridge.exceptions import NormalizationError
from sesbridge.sns import SnsNotification, message_json
from sesbridge.tracking.normalize import normalize_tracking
from sesbridge.tracking.size import TRACKING_REDUCERS


class TrackingEventTooLarge(NormalizationError):
    """Even trimmed, a tracking event exceeds EventBridge's entry limit."""

    error_type = "too_large"


def tracking_entries(
    notification: SnsNotification, *, source: str = DEFAULT_EVENT_SOURCE
) -> list[EventEntry]:
    """``Email Tracking Event`` entries for one SNS notification carrying an SES event.

    ``Time`` is the event's timestamp and ``Resources`` the topic ARN. Raises a
    ``NormalizationError`` (``not_json``, ``missing_field``, ``wrong_notification``,
    ``too_large``) for a notification that cannot become tracking events.
    """
    details = normalize_tracking(
        message_json(notification),
        sns_message_id=notification.message_id,
        sns_timestamp=notification.timestamp,
        topic_arn=notification.topic_arn,
    )
    resources = (notification.topic_arn,) if notification.topic_arn else ()
    try:
        return [
            fit_entry(
                EventEntry(
                    TRACKING_DETAIL_TYPE, detail, time=detail["timestamp"], resources=resources
                ),
                source,
                TRACKING_REDUCERS,
            )
            for detail in details
        ]
    except EntryTooLarge as error:
        raise TrackingEventTooLarge(str(error)) from error
