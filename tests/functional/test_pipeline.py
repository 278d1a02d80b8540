"""The shared SNS -> normalize -> publish flow, and its error events."""

from __future__ import annotations

import boto3
import pytest
from sesbridge.events import ERROR_DETAIL_TYPE
from sesbridge.events.entries import EventEntry
from sesbridge.exceptions import NormalizationError
from sesbridge.pipeline import process_sns_event
from sesbridge.publishing import EventBridgePublisher

from tests.conftest import sns_lambda_event

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"


def _publisher(event_bus) -> EventBridgePublisher:
    return EventBridgePublisher(
        event_bus.bus_name, "sesbridge", client=boto3.client("events", region_name="us-east-1")
    )


def _echo(notification):
    if notification.message == "bad":
        raise NormalizationError("cannot read 'bad'")
    return [EventEntry("Email Tracking Event", {"message": notification.message})]


def test_normalized_entries_are_published(event_bus) -> None:
    outcome = process_sns_event(
        sns_lambda_event("hello", topic_arn=TOPIC),
        function="tracking",
        normalize=_echo,
        publisher=_publisher(event_bus),
    )
    assert outcome.errors == 0
    assert [e["detail"] for e in event_bus.read()] == [{"message": "hello"}]


def test_unnormalizable_record_becomes_an_error_event(event_bus, assert_valid_event) -> None:
    event = sns_lambda_event("bad", topic_arn=TOPIC, message_id="m-bad")
    outcome = process_sns_event(
        event, function="tracking", normalize=_echo, publisher=_publisher(event_bus)
    )
    assert outcome.errors == 1
    [published] = event_bus.read()
    assert_valid_event(published)
    assert published["detail-type"] == ERROR_DETAIL_TYPE
    detail = published["detail"]
    assert detail["reason"] == "cannot read 'bad'"
    assert detail["function"] == "tracking"
    assert detail["sns_message_id"] == "m-bad"
    assert detail["raw_record"] == event["Records"][0]
    assert detail["raw_record_truncated"] is False
    assert published["resources"] == [TOPIC]


def test_topic_not_allowed_becomes_an_error_event(event_bus) -> None:
    process_sns_event(
        sns_lambda_event("hello", topic_arn=TOPIC),
        function="tracking",
        normalize=_echo,
        publisher=_publisher(event_bus),
        allowed_topic_arns={"arn:aws:sns:us-east-1:123456789012:other"},
    )
    [published] = event_bus.read()
    assert published["detail"]["error_type"] == "topic_not_allowed"
    assert TOPIC in published["detail"]["reason"]


def test_ses_validation_message_yields_nothing(event_bus) -> None:
    text = "Successfully validated SNS topic for Amazon SES event publishing."
    outcome = process_sns_event(
        sns_lambda_event(text, topic_arn=TOPIC),
        function="tracking",
        normalize=_echo,
        publisher=_publisher(event_bus),
    )
    assert outcome.ignored == 1 and outcome.errors == 0
    assert event_bus.read() == []


def test_oversize_raw_record_is_cut_to_fit_and_flagged(event_bus, assert_valid_event) -> None:
    huge = "x" * (300 * 1024)

    def reject(_):
        raise NormalizationError("no")

    process_sns_event(
        sns_lambda_event(huge, topic_arn=TOPIC),
        function="inbound",
        normalize=reject,
        publisher=_publisher(event_bus),
    )
    [published] = event_bus.read()
    assert_valid_event(published)
    assert published["detail"]["raw_record_truncated"] is True
    assert published["detail"]["raw_record"]["Sns"]["Message"].startswith("xxxx")


def test_non_sns_event_becomes_an_error_event(event_bus) -> None:
    process_sns_event(
        {"not": "sns"}, function="tracking", normalize=_echo, publisher=_publisher(event_bus)
    )
    [published] = event_bus.read()
    assert published["detail"]["error_type"] == "not_sns"
    assert published["detail"]["raw_record"] == {"not": "sns"}


def test_publish_failure_raises(moto_aws) -> None:
    publisher = EventBridgePublisher(
        "missing-bus", client=boto3.client("events", region_name="us-east-1")
    )
    with pytest.raises(Exception):  # noqa: B017 - moto's error class for a missing bus varies
        process_sns_event(
            sns_lambda_event("hello", topic_arn=TOPIC),
            function="tracking",
            normalize=_echo,
            publisher=publisher,
        )
