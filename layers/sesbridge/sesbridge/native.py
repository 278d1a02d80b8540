"""Reading SES's own EventBridge events, as a rule on the default bus hands them to Lambda (pure).

A configuration set event destination of type EventBridge puts one event per SES
event on the account's default bus: ``source`` ``aws.ses``, a detail-type such as
``Email Bounced``, and as ``detail`` the same record SES publishes to SNS. SES also
puts account-level events there (sending paused or resumed, VDM advisor
recommendations). The tracking function accepts these as well as SNS events.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from sesbridge.events import strict_json
from sesbridge.exceptions import NormalizationError
from sesbridge.sns import MalformedRecord, SnsNotification, iter_notifications

SES_SOURCE = "aws.ses"

# The sending-event detail-types SES's EventBridge destination uses (AWS's EventBridge
# event reference for Amazon SES); ``detail`` is an event publishing record.
SENDING_DETAIL_TYPES = frozenset(
    {
        "Email Sent",
        "Email Delivered",
        "Email Bounced",
        "Email Complaint Received",
        "Email Rejected",
        "Email Opened",
        "Email Clicked",
        "Email Rendering Failed",
        "Email Delivery Delayed",
        "Email Subscribed",
    }
)

# Account-level detail-types -> the ``event_type`` of the ``Email Account Status`` event.
ACCOUNT_DETAIL_TYPES: dict[str, str] = {
    "Sending Status Enabled": "sending_enabled",
    "Sending Status Disabled": "sending_disabled",
    "Advisor Recommendation Status Open": "advisor_recommendation_open",
    "Advisor Recommendation Status Resolved": "advisor_recommendation_resolved",
}


class NativeEvent(NamedTuple):
    """One EventBridge event from SES, as the rule delivered it.

    Envelope strings are None unless they are strings (lone surrogates replaced);
    ``record`` is the whole event, kept for error events.
    """

    event_id: str | None
    detail_type: str
    time: str | None
    account: str | None
    region: str | None
    resources: tuple[str, ...]
    detail: Mapping[str, Any]
    record: Mapping[str, Any]

    @property
    def is_account_event(self) -> bool:
        return self.detail_type in ACCOUNT_DETAIL_TYPES


class NotSesEvent(MalformedRecord):
    """An EventBridge event that does not come from SES, or lacks its detail object."""

    error_type = "not_ses_event"


class UnknownSesEvent(NormalizationError):
    """An SES EventBridge event of a detail-type sesbridge does not know, without an
    event publishing record to normalize."""

    error_type = "unknown_ses_event"


def is_eventbridge_event(event: Any) -> bool:
    """Whether a Lambda event has EventBridge's envelope (rather than SNS's Records)."""
    return isinstance(event, Mapping) and "detail-type" in event and "Records" not in event


def iter_tracking_inputs(event: Any) -> Iterator[SnsNotification | NativeEvent | MalformedRecord]:
    """The tracking function's inputs: SNS records, or the one EventBridge event."""
    if not is_eventbridge_event(event):
        yield from iter_notifications(event)
        return
    yield _native(event)


def _native(event: Mapping[str, Any]) -> NativeEvent | NotSesEvent:
    detail_type, detail = event.get("detail-type"), event.get("detail")
    if event.get("source") != SES_SOURCE or not isinstance(detail_type, str):
        return NotSesEvent(
            f"the EventBridge event's source is {_text(event.get('source'))!r}, not"
            f" {SES_SOURCE!r} with a detail-type",
            event,
        )
    if not isinstance(detail, Mapping):
        return NotSesEvent("the SES EventBridge event has no 'detail' object", event)
    resources = event.get("resources")
    return NativeEvent(
        event_id=_text(event.get("id")),
        detail_type=strict_json.clean_text(detail_type),
        time=_text(event.get("time")),
        account=_text(event.get("account")),
        region=_text(event.get("region")),
        resources=tuple(strict_json.clean_text(r) for r in resources if isinstance(r, str))
        if isinstance(resources, list)
        else (),
        detail=detail,
        record=event,
    )


def _text(value: Any) -> str | None:
    return strict_json.clean_text(value) if isinstance(value, str) else None
