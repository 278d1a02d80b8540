"""Typed, read-only views of the events sesbridge publishes (standard library only).

The event JSON is the contract; these are its Python side for a consumer: times as
timezone-aware datetimes, tags a list, metadata a dict, every field of ``schema.json``
an attribute (a test keeps the two in step). ``detail`` keeps the detail as received,
for fields added to the schema after this version. An event from Powertools
(``EventBridgeEvent``) works as well as the plain dict Lambda passes.

Example (a Lambda on an EventBridge rule for bounces)::

    from sesbridge.events import TrackingEvent

    def handler(event, context):
        bounce = TrackingEvent.from_eventbridge(event)
        suppress(bounce.recipient, since=bounce.timestamp, tags=bounce.tags)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from sesbridge.events import (
    ACCOUNT_STATUS_DETAIL_TYPE,
    ERROR_DETAIL_TYPE,
    INBOUND_DETAIL_TYPE,
    TRACKING_DETAIL_TYPE,
)
from sesbridge.events.timestamps import parse_time

View = TypeVar("View", bound="_EventView")


class _EventView:
    """What the views share: building one from an event or its detail."""

    __slots__ = ()

    detail_type: ClassVar[str]
    # field name -> conversion from its JSON value (the others are copied as they are)
    _converters: ClassVar[dict[str, Any]] = {}

    @classmethod
    def from_eventbridge(cls: type[View], event: Any) -> View:
        """The view of an EventBridge event (a dict, or Powertools' ``EventBridgeEvent``).

        Raises ValueError when the event is of another detail-type or has no detail.
        """
        event = getattr(event, "raw_event", event)  # Powertools' data classes wrap the dict
        if not isinstance(event, Mapping) or not isinstance(event.get("detail"), Mapping):
            raise ValueError(f"not an EventBridge event with a detail: {type(event).__name__}")
        detail_type = event.get("detail-type")
        if detail_type is not None and detail_type != cls.detail_type:
            raise ValueError(f"a {detail_type!r} event, not {cls.detail_type!r}")
        return cls.from_detail(event["detail"])

    @classmethod
    def from_detail(cls: type[View], detail: Mapping[str, Any]) -> View:
        """The view of an event's ``detail``; a field it lacks (an older event) is None."""
        values: dict[str, Any] = {}
        for item in fields(cls):  # type: ignore[arg-type]
            if item.name == "detail":
                continue
            value = detail.get(item.name)
            convert = cls._converters.get(item.name)
            values[item.name] = convert(value) if convert else value
        return cls(detail=dict(detail), **values)  # type: ignore[call-arg]


def _tags(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else []


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True)
class TrackingEvent(_EventView):
    """An ``Email Tracking Event``: one SES sending event for one recipient."""

    detail_type: ClassVar[str] = TRACKING_DETAIL_TYPE
    _converters: ClassVar[dict[str, Any]] = {
        "timestamp": parse_time,
        "delay_expires_at": parse_time,
        "tags": _tags,
        "metadata": _mapping,
        "esp_event": _mapping,
        "ses_tags": _mapping,
    }

    schema_version: str
    event_type: str
    timestamp: datetime
    event_id: str
    message_id: str | None
    recipient: str | None
    reject_reason: str | None
    description: str | None
    mta_response: str | None
    tags: list[str]
    metadata: dict[str, Any]
    click_url: str | None
    user_agent: str | None
    esp_name: str
    esp_event: dict[str, Any]
    ses_event_type: str
    ses_tags: dict[str, list[str]]
    sns_message_id: str | None
    headers_truncated: bool
    esp_event_trimmed: bool
    bounce_type: str | None
    bounce_subtype: str | None
    smtp_status: str | None
    delay_type: str | None
    delay_expires_at: datetime | None
    contact_list: str | None
    tenant: str | None
    message_id_header: str | None
    detail: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class RawMailLocation:
    """Where the full mail (or input) was kept in the raw-mail bucket."""

    bucket: str
    key: str
    size: int | None
    sha256: str | None
    encrypted: bool | None

    @classmethod
    def from_json(cls, value: Any) -> RawMailLocation | None:
        if not isinstance(value, Mapping):
            return None
        return cls(**{item.name: value.get(item.name) for item in fields(cls)})


@dataclass(frozen=True, slots=True)
class InboundEvent(_EventView):
    """An ``Email Inbound Event``: a received mail; ``load_message`` reads all of it."""

    detail_type: ClassVar[str] = INBOUND_DETAIL_TYPE
    _converters: ClassVar[dict[str, Any]] = {
        "timestamp": parse_time,
        "message": _mapping,
        "raw": RawMailLocation.from_json,
        "esp_event": _mapping,
    }

    schema_version: str
    event_type: str
    event_id: str
    timestamp: datetime
    esp_name: str
    message: dict[str, Any]
    raw: RawMailLocation | None
    esp_event: dict[str, Any]
    esp_event_trimmed: bool
    detail: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class NormalizationErrorEvent(_EventView):
    """An ``Email Normalization Error``: input a function could not normalize, kept."""

    detail_type: ClassVar[str] = ERROR_DETAIL_TYPE
    _converters: ClassVar[dict[str, Any]] = {
        "timestamp": parse_time,
        "raw": RawMailLocation.from_json,
    }

    schema_version: str
    function: str
    reason: str
    error_type: str
    exception_type: str | None
    timestamp: datetime
    sns_message_id: str | None
    topic_arn: str | None
    raw_record: Any
    raw_record_truncated: bool
    raw: RawMailLocation | None
    detail: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class AccountStatusEvent(_EventView):
    """An ``Email Account Status``: SES paused or resumed the account's sending, or a
    Virtual Deliverability Manager advisor recommendation opened or was resolved."""

    detail_type: ClassVar[str] = ACCOUNT_STATUS_DETAIL_TYPE
    _converters: ClassVar[dict[str, Any]] = {
        "timestamp": parse_time,
        "resources": _tags,
        "esp_event": _mapping,
    }

    schema_version: str
    event_type: str
    event_id: str
    timestamp: datetime
    ses_detail_type: str
    account: str | None
    region: str | None
    resources: list[str]
    esp_name: str
    esp_event: dict[str, Any]
    detail: dict[str, Any] = field(repr=False, compare=False)
