"""Publishing to EventBridge: batching, partial failures, total failure."""

from __future__ import annotations

import json
import math

import boto3
import pytest
from botocore.stub import Stubber
from sesbridge.events.entries import EventEntry
from sesbridge.exceptions import PublishError
from sesbridge.publishing import EventBridgePublisher


def _entries(n: int) -> list[EventEntry]:
    return [EventEntry("Email Tracking Event", {"n": i}) for i in range(n)]


@pytest.mark.parametrize("n", [1, 10, 11, 25])
def test_publishes_every_entry_in_ceil_n_over_10_calls(event_bus, n: int) -> None:
    publisher = EventBridgePublisher(
        event_bus.bus_name, "sesbridge", client=boto3.client("events", region_name="us-east-1")
    )
    publisher.publish(_entries(n))
    assert publisher.calls == math.ceil(n / 10)
    published = event_bus.read()
    assert sorted(e["detail"]["n"] for e in published) == list(range(n))
    assert {e["source"] for e in published} == {"sesbridge"}
    assert {e["detail-type"] for e in published} == {"Email Tracking Event"}


def _ok(n: int) -> dict:
    return {"FailedEntryCount": 0, "Entries": [{"EventId": f"id{i}"} for i in range(n)]}


def test_partial_failure_resends_only_the_failed_entries() -> None:
    client = boto3.client("events", region_name="us-east-1")
    sleeps: list[float] = []
    publisher = EventBridgePublisher("bus", client=client, sleep=sleeps.append)
    entries = _entries(3)
    requests = [e.to_request_entry("bus", "sesbridge") for e in entries]
    with Stubber(client) as stub:
        stub.add_response(
            "put_events",
            {
                "FailedEntryCount": 2,
                "Entries": [
                    {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"},
                    {"EventId": "ok"},
                    {"ErrorCode": "InternalFailure", "ErrorMessage": "oops"},
                ],
            },
            {"Entries": requests},
        )
        stub.add_response("put_events", _ok(2), {"Entries": [requests[0], requests[2]]})
        publisher.publish(entries)
        stub.assert_no_pending_responses()
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= publisher.base_delay


def test_raises_with_codes_when_retries_are_exhausted() -> None:
    client = boto3.client("events", region_name="us-east-1")
    sleeps: list[float] = []
    publisher = EventBridgePublisher("bus", client=client, max_attempts=3, sleep=sleeps.append)
    failure = {
        "FailedEntryCount": 1,
        "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "slow"}],
    }
    with Stubber(client) as stub:
        for _ in range(3):
            stub.add_response("put_events", failure)
        with pytest.raises(PublishError, match="ThrottlingException") as raised:
            publisher.publish(_entries(1))
    assert len(raised.value.failed) == 1
    assert len(sleeps) == 2 and sleeps[1] <= publisher.base_delay * 2


def test_permanent_entry_errors_raise_without_retrying() -> None:
    client = boto3.client("events", region_name="us-east-1")
    publisher = EventBridgePublisher("bus", client=client, sleep=lambda s: None)
    with Stubber(client) as stub:
        stub.add_response(
            "put_events",
            {
                "FailedEntryCount": 1,
                "Entries": [{"ErrorCode": "MalformedDetail", "ErrorMessage": "bad"}],
            },
        )
        with pytest.raises(PublishError, match="MalformedDetail"):
            publisher.publish(_entries(1))
        stub.assert_no_pending_responses()


def test_transport_failure_raises() -> None:
    client = boto3.client("events", region_name="us-east-1")
    publisher = EventBridgePublisher("bus", client=client)
    with Stubber(client) as stub:
        stub.add_client_error("put_events", "AccessDeniedException", http_status_code=400)
        with pytest.raises(client.exceptions.ClientError):
            publisher.publish(_entries(1))


def test_requires_a_bus() -> None:
    with pytest.raises(ValueError, match="EVENT_BUS_NAME"):
        EventBridgePublisher("")


def test_request_carries_time_and_resources(event_bus) -> None:
    publisher = EventBridgePublisher(
        event_bus.bus_name, "custom.source", client=boto3.client("events", region_name="us-east-1")
    )
    publisher.publish(
        [
            EventEntry(
                "Email Tracking Event",
                {"k": "v"},
                time="2026-11-24T10:00:00Z",
                resources=("arn:aws:sns:x",),
            )
        ]
    )
    [event] = event_bus.read()
    assert event["source"] == "custom.source"
    assert event["resources"] == ["arn:aws:sns:x"]
    assert event["time"].startswith("2026-11-24T10:00:00")
    assert json.dumps(event["detail"]) == '{"k": "v"}'
