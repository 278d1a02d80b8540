"""Each class of bad input the pipeline and the tracking function must survive (moto bus)."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import pytest
from sesbridge.events import ERROR_DETAIL_TYPE, TRACKING_DETAIL_TYPE
from sesbridge.events.entries import EntryTooLarge
from sesbridge.exceptions import RetryableError
from sesbridge.pipeline import process_sns_event
from sesbridge.publishing import EventBridgePublisher
from sesbridge.tracking import tracking_entries

from tests.conftest import SAMPLE_EVENTS, load_json
from tests.invariants import assert_publishable

TOPIC = "arn:aws:sns:us-east-1:123456789012:sesbridge-tracking"


def run(event_bus: Any, event: Any, normalize: Any = tracking_entries, **options: Any):
    """Run the pipeline, check every entry it put, and return the events read back."""
    client = boto3.client("events", region_name="us-east-1")
    sent: list[dict[str, Any]] = []
    original = client.put_events

    def put_events(**kwargs: Any) -> Any:
        sent.extend(kwargs["Entries"])
        return original(**kwargs)

    client.put_events = put_events
    publisher = EventBridgePublisher(event_bus.bus_name, "sesbridge", client=client)
    process_sns_event(
        event, function="tracking", normalize=normalize, publisher=publisher, **options
    )
    for entry in sent:
        assert_publishable(entry)
    events = event_bus.read()
    assert len(events) == len(sent) >= 1
    return events


def sample(name: str) -> dict[str, Any]:
    return load_json(SAMPLE_EVENTS / f"tracking-{name}.json")


def with_message(name: str, message: str | None = None, change: Any = None) -> dict[str, Any]:
    event = sample(name)
    sns = event["Records"][0]["Sns"]
    if change is not None:
        parsed = json.loads(sns["Message"])
        change(parsed)
        message = json.dumps(parsed)
    if message is not None:
        sns["Message"] = message
    return event


def set_metadata(value: str):
    def change(message: dict[str, Any]) -> None:
        message["mail"]["headers"].append({"name": "X-Metadata", "value": value})

    return change


def only(events: list[dict[str, Any]], detail_type: str) -> dict[str, Any]:
    [event] = events
    assert event["detail-type"] == detail_type, event["detail"].get("reason")
    return event["detail"]


def test_deeply_nested_message_is_an_error_event(event_bus, assert_valid_event) -> None:
    deep = '{"eventType": "Bounce", "mail": ' + "[" * 100_000 + "]" * 100_000 + "}"
    events = run(event_bus, with_message("bounce", deep))
    assert_valid_event(events[0])
    detail = only(events, ERROR_DETAIL_TYPE)
    assert (detail["error_type"], detail["exception_type"]) == ("too_deep", "RecursionError")


@pytest.mark.parametrize("value", ["[" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_deep_metadata_gives_empty_metadata(event_bus, value: str) -> None:
    detail = only(
        run(event_bus, with_message("bounce", change=set_metadata(value))), TRACKING_DETAIL_TYPE
    )
    assert detail["metadata"] == {}


@pytest.mark.parametrize("value", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}'])
def test_nan_in_metadata_gives_empty_metadata(event_bus, value: str) -> None:
    detail = only(
        run(event_bus, with_message("bounce", change=set_metadata(value))), TRACKING_DETAIL_TYPE
    )
    assert detail["metadata"] == {}


def test_nan_in_the_message_is_not_json(event_bus) -> None:
    message = with_message("bounce")["Records"][0]["Sns"]["Message"]
    message = message.replace('"Permanent"', "NaN")
    detail = only(run(event_bus, with_message("bounce", message)), ERROR_DETAIL_TYPE)
    assert detail["error_type"] == "not_json"
    assert "NaN" in detail["reason"]


def test_bad_metadata_value_is_not_logged(event_bus, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="sesbridge")
    secret = "{customer-password-hunter2"
    run(event_bus, with_message("bounce", change=set_metadata(secret)))
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("sesbridge")]
    assert any("X-Metadata" in m for m in ours)
    assert not any("hunter2" in m for m in ours)


@pytest.mark.parametrize("edge", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_timestamps_at_the_calendar_edges(event_bus, edge: str) -> None:
    def change(message: dict[str, Any]) -> None:
        message["bounce"]["timestamp"] = edge

    detail = only(run(event_bus, with_message("bounce", change=change)), TRACKING_DETAIL_TYPE)
    assert detail["timestamp"] == "2026-11-24T10:00:00.000Z"  # mail.timestamp, the next one


def test_calendar_edge_everywhere_is_an_error_event(event_bus) -> None:
    edge = "0001-01-01T00:00:00+01:00"

    def change(message: dict[str, Any]) -> None:
        message["bounce"]["timestamp"] = message["mail"]["timestamp"] = edge

    event = with_message("bounce", change=change)
    event["Records"][0]["Sns"]["Timestamp"] = edge
    detail = only(run(event_bus, event), ERROR_DETAIL_TYPE)
    assert detail["error_type"] == "missing_field"


def test_lone_surrogates_are_replaced(event_bus) -> None:
    message = with_message("bounce")["Records"][0]["Sns"]["Message"]
    message = message.replace("customer@example.net", "cust\\udcffomer@example.net")
    event = with_message("bounce", message)
    event["Records"][0]["Sns"]["Subject"] = "\udcff"
    detail = only(run(event_bus, event), TRACKING_DETAIL_TYPE)
    assert detail["recipient"] == "cust\ufffdomer@example.net"


def test_lone_surrogate_outside_the_message_in_an_error_event(event_bus) -> None:
    event = with_message("bounce", "not json \udcff")
    event["Records"][0]["Sns"]["MessageAttributes"] = {"\udcff": "\ud800"}
    detail = only(run(event_bus, event), ERROR_DETAIL_TYPE)
    assert detail["raw_record"]["Sns"]["MessageAttributes"] == {"\ufffd": "\ufffd"}


@pytest.mark.parametrize("topic_arn", [42, ["a", "b"], {"x": 1}, None, 1.5])
def test_non_string_envelope_fields(event_bus, topic_arn: Any) -> None:
    event = sample("bounce")
    event["Records"][0]["Sns"].update(TopicArn=topic_arn, MessageId=[1], Timestamp=7)
    detail = only(run(event_bus, event), TRACKING_DETAIL_TYPE)
    assert detail["sns_message_id"] is None
    allowed = run(event_bus, event, allowed_topic_arns={TOPIC})
    assert only(allowed, ERROR_DETAIL_TYPE)["error_type"] == "topic_not_allowed"


def test_huge_event_type_gives_an_error_event_that_fits(event_bus) -> None:
    def change(message: dict[str, Any]) -> None:
        message["eventType"] = "X" * (300 * 1024)

    detail = only(run(event_bus, with_message("bounce", change=change)), ERROR_DETAIL_TYPE)
    assert detail["error_type"] == "too_large"
    assert detail["raw_record_truncated"] is True


@pytest.mark.parametrize("char", ["x", "\u20ac", "\U0001f389", "\x00", '"'])
def test_huge_record_outside_the_message_is_cut_in_bytes(event_bus, char: str) -> None:
    event = with_message("bounce", "not json")
    event["Records"][0]["Sns"]["MessageAttributes"] = {"big": {"Value": char * 300_000}}
    detail = only(run(event_bus, event), ERROR_DETAIL_TYPE)
    assert detail["raw_record_truncated"] is True
    assert isinstance(detail["raw_record"], str)
    assert detail["raw_record"].startswith('{"EventSource":"aws:sns"')


@pytest.mark.parametrize("char", ["x", "\u20ac", "\x00"])
def test_huge_multibyte_message_is_cut_in_bytes(event_bus, char: str) -> None:
    detail = only(run(event_bus, with_message("bounce", char * 300_000)), ERROR_DETAIL_TYPE)
    assert detail["raw_record_truncated"] is True


def test_deep_record_outside_the_message(event_bus) -> None:
    event = with_message("bounce", "not json")
    deep: Any = {}
    for _ in range(5000):
        deep = {"a": deep}
    event["Records"][0]["Sns"]["MessageAttributes"] = deep
    detail = only(run(event_bus, event), ERROR_DETAIL_TYPE)
    assert detail["raw_record_truncated"] is True


@pytest.mark.parametrize(
    "error",
    [
        TypeError("t"),
        AttributeError("a"),
        OverflowError("o"),
        UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed"),
        EntryTooLarge("e"),
        KeyError("k"),
        MemoryError(),
        ValueError("\u20ac" * 1_000_000),
    ],
)
def test_any_exception_becomes_an_error_event(event_bus, error: Exception) -> None:
    def fail(_notification: Any) -> Any:
        raise error

    detail = only(run(event_bus, sample("bounce"), normalize=fail), ERROR_DETAIL_TYPE)
    assert detail["exception_type"] == type(error).__name__
    assert detail["error_type"] == "unexpected_error"
    assert detail["raw_record"] == sample("bounce")["Records"][0]


def test_retryable_errors_still_raise(event_bus) -> None:
    def fail(_notification: Any) -> Any:
        raise RetryableError("S3 throttled")

    with pytest.raises(RetryableError):
        run(event_bus, sample("bounce"), normalize=fail)
    assert event_bus.read() == []


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("bounce", "bouncedRecipients"),
        ("bounce-notification", "bouncedRecipients"),
        ("complaint", "complainedRecipients"),
        ("delivery", "recipients"),
        ("delivery-notification", "recipients"),
        ("delivery-delay", "delayedRecipients"),
    ],
)
def test_empty_recipient_list_still_publishes(event_bus, assert_valid_event, name, key) -> None:
    def change(message: dict[str, Any]) -> None:
        obj = next(v for v in message.values() if isinstance(v, dict) and key in v)
        obj[key] = []

    events = run(event_bus, with_message(name, change=change))
    assert_valid_event(events[0])
    detail = only(events, TRACKING_DETAIL_TYPE)
    assert detail["recipient"] is None and detail["event_id"]
