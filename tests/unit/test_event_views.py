"""Typed views of published events: in step with schema.json, built from real entries."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from sesbridge.events import (
    AccountStatusEvent,
    InboundEvent,
    NormalizationErrorEvent,
    RawMailLocation,
    TrackingEvent,
    load_schema,
)
from sesbridge.events.entries import EventEntry
from sesbridge.events.errors import normalization_error_entry
from sesbridge.native import iter_tracking_inputs
from sesbridge.sns import iter_notifications
from sesbridge.tracking import tracking_entries

from tests.conftest import SAMPLE_EVENTS, load_json

VIEWS = {
    "TrackingEvent": TrackingEvent,
    "InboundEvent": InboundEvent,
    "NormalizationError": NormalizationErrorEvent,
    "RawMailLocation": RawMailLocation,
    "AccountStatusEvent": AccountStatusEvent,
}


def published(entry: EventEntry) -> dict[str, Any]:
    """The event as an EventBridge rule delivers it to a Lambda (JSON in, JSON out)."""
    return json.loads(
        json.dumps(
            {
                "version": "0",
                "id": "0d9d9c3a-0000-4000-8000-000000000000",
                "detail-type": entry.detail_type,
                "source": "sesbridge",
                "time": entry.time,
                "resources": list(entry.resources),
                "detail": entry.detail,
            }
        )
    )


def bounce_event() -> dict[str, Any]:
    [notification] = iter_notifications(load_json(SAMPLE_EVENTS / "tracking-bounce.json"))
    return published(tracking_entries(notification)[0])


@pytest.mark.parametrize("definition", sorted(VIEWS))
def test_every_schema_field_is_an_attribute_and_back(definition: str) -> None:
    schema = load_schema()["definitions"][definition]["properties"]
    view = VIEWS[definition]
    attributes = {f.name for f in dataclasses.fields(view)} - {"detail"}
    missing = [name for name in schema if name not in attributes]
    assert not missing, (
        f"schema.json's {definition} has fields {view.__name__} lacks: add to the class in"
        " layers/sesbridge/sesbridge/events/views.py, in schema order, "
        + "; ".join(f"`{name}: {_python_type(schema[name])}`" for name in missing)
        + " (and a converter in _converters for a time, a list or an object)"
    )
    extra = sorted(attributes - set(schema))
    assert not extra, f"{view.__name__} has attributes schema.json's {definition} lacks: {extra}"


def _python_type(prop: dict[str, Any]) -> str:
    if prop.get("$ref", "").endswith(("nullableString", "verdictStatus")):
        return "str | None"
    names = {"string": "str", "boolean": "bool", "integer": "int", "number": "float"}
    names |= {"array": "list[Any]", "object": "dict[str, Any]", "null": "None"}
    kinds = prop.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return " | ".join(names[k] for k in kinds) or "Any"


def test_a_bounce_reads_as_typed_attributes() -> None:
    event = bounce_event()
    view = TrackingEvent.from_eventbridge(event)
    detail = event["detail"]
    assert view.event_type == "bounced" and view.recipient == detail["recipient"]
    assert isinstance(view.timestamp, datetime) and view.timestamp.tzinfo is not None
    assert view.timestamp == datetime.fromisoformat(detail["timestamp"])
    assert view.tags == detail["tags"] and isinstance(view.tags, list)
    assert view.metadata == detail["metadata"] and isinstance(view.metadata, dict)
    assert view.bounce_type == detail["bounce_type"]
    assert view.detail == detail  # everything, fields newer than this version included
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.recipient = "someone@example.com"  # type: ignore[misc]


def test_powertools_event_and_bare_detail_give_the_same_view() -> None:
    event = bounce_event()
    expected = TrackingEvent.from_eventbridge(event)
    assert TrackingEvent.from_eventbridge(EventBridgeEvent(event)) == expected
    assert TrackingEvent.from_detail(event["detail"]) == expected


def test_another_detail_type_or_no_detail_is_refused() -> None:
    with pytest.raises(ValueError, match="'Email Tracking Event' event, not 'Email Inbound"):
        InboundEvent.from_eventbridge(bounce_event())
    with pytest.raises(ValueError, match="not an EventBridge event with a detail"):
        TrackingEvent.from_eventbridge({"detail-type": "Email Tracking Event"})


def test_an_older_event_without_a_field_reads_none() -> None:
    detail = dict(bounce_event()["detail"])
    del detail["contact_list"], detail["delay_expires_at"]
    view = TrackingEvent.from_detail(detail)
    assert view.contact_list is None and view.delay_expires_at is None


def test_error_event_view() -> None:
    raw = {"bucket": "b", "key": "k", "size": 3, "sha256": "00", "encrypted": False}
    entry = normalization_error_entry(
        function="tracking",
        reason="not JSON",
        error_type="not_json",
        record={"Sns": {"MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-1:1:t"}},
        source="sesbridge",
        raw=raw,
        now="2026-12-01T10:00:00.000Z",
    )
    view = NormalizationErrorEvent.from_eventbridge(published(entry))
    assert (view.error_type, view.sns_message_id) == ("not_json", "m-1")
    assert view.timestamp == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert view.raw == RawMailLocation(**raw)


def test_inbound_view_of_a_detail() -> None:
    detail = {
        "schema_version": "1",
        "event_type": "inbound",
        "event_id": "abc",
        "timestamp": "2026-12-01T10:00:00.000Z",
        "esp_name": "Amazon SES",
        "message": {"subject": "hi"},
        "raw": None,
        "esp_event": {},
        "esp_event_trimmed": False,
    }
    view = InboundEvent.from_detail(detail)
    assert view.raw is None and view.message == {"subject": "hi"}


def test_account_status_view_of_a_published_event() -> None:
    ses_event = {
        "version": "0",
        "id": "5e1f0a52-0000-4000-8000-000000000001",
        "detail-type": "Sending Status Disabled",
        "source": "aws.ses",
        "account": "123456789012",
        "time": "2026-12-01T10:00:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:ses:eu-west-1:123456789012:account"],
        "detail": {"reason": "review"},
    }
    [native] = iter_tracking_inputs(ses_event)
    [entry] = tracking_entries(native)
    view = AccountStatusEvent.from_eventbridge(published(entry))
    assert view.event_type == "sending_disabled"
    assert view.ses_detail_type == "Sending Status Disabled"
    assert view.event_id == ses_event["id"]
    assert view.timestamp == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert (view.account, view.region) == ("123456789012", "eu-west-1")
    assert view.resources == ses_event["resources"]
    assert view.esp_event == {"reason": "review"}
    with pytest.raises(ValueError, match="'Email Account Status' event, not 'Email Tracking"):
        TrackingEvent.from_eventbridge(published(entry))


def test_the_views_cost_nothing_to_who_does_not_use_them() -> None:
    code = "import sys, sesbridge.events; print('sesbridge.events.views' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
