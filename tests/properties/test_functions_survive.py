"""Whatever SNS (or a rule on SES's own events) delivers, each record yields at least one
event EventBridge takes.

Invariants, for mutated SES events of every type in both formats, mutated SES
EventBridge events (sending and account-level), malformed SNS envelopes, and mutated
receipts and MIME: nothing raises (only RetryableError may,
and moto gives no cause for one); every record yields at least one event; every
detail is strict JSON under 256 KB, valid against the schema, with an event_id
(tracking, inbound) or an error_type (error events).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from hypothesis import given
from sesbridge.events import ERROR_DETAIL_TYPE, TRACKING_DETAIL_TYPE
from sesbridge.inbound.normalizer import InboundNormalizer
from sesbridge.native import iter_tracking_inputs
from sesbridge.pipeline import process_sns_event
from sesbridge.publishing import EventBridgePublisher
from sesbridge.sns import SES_VALIDATION_MESSAGE_PREFIX
from sesbridge.tracking import tracking_entries

from tests.conftest import REGION
from tests.invariants import CapturingEvents, assert_publishable
from tests.properties import strategies

RAW_BUCKET = "raw-mail"


def records_expected(event: Any) -> int:
    """How many records must each yield an event (all but SES's validation message)."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        return 1  # the malformed event itself
    return sum(
        not (
            isinstance(r, dict)
            and isinstance(r.get("Sns"), dict)
            and isinstance(r["Sns"].get("Message"), str)
            and r["Sns"]["Message"].startswith(SES_VALIDATION_MESSAGE_PREFIX)
        )
        for r in records
    )


def check_published(event: Any, client: CapturingEvents, validate: Any, function: str) -> None:
    assert len(client.entries) >= records_expected(event)
    for entry in client.entries:
        detail = assert_publishable(entry)
        delivered = {
            "source": entry["Source"],
            "detail-type": entry["DetailType"],
            "detail": detail,
            "resources": entry.get("Resources", []),
        }
        errors = list(validate.iter_errors(delivered))
        assert not errors, [
            (list(c.absolute_path), c.message[:200]) for e in errors for c in e.context
        ]
        if entry["DetailType"] == ERROR_DETAIL_TYPE:
            assert detail["function"] == function


def publisher(client: CapturingEvents) -> EventBridgePublisher:
    return EventBridgePublisher("bus", "sesbridge", client=client)


@strategies.LARGE_INPUTS
@given(event=strategies.sns_events(strategies.TRACKING_SAMPLES))
def test_tracking_publishes_every_record(event: Any, schema_validator: Any) -> None:
    client = CapturingEvents()
    outcome = process_sns_event(
        event, function="tracking", normalize=tracking_entries, publisher=publisher(client)
    )
    check_published(event, client, schema_validator, "tracking")
    tracked = [e for e in outcome.entries if e.detail_type == TRACKING_DETAIL_TYPE]
    assert all(e.detail["event_id"] for e in tracked)


@strategies.LARGE_INPUTS
@given(event=strategies.native_events() | strategies.sns_events(strategies.TRACKING_SAMPLES))
def test_tracking_publishes_every_native_event(event: Any, schema_validator: Any) -> None:
    client = CapturingEvents()
    process_sns_event(
        event,
        function="tracking",
        normalize=tracking_entries,
        publisher=publisher(client),
        read_records=iter_tracking_inputs,
    )
    native = isinstance(event, dict) and "detail-type" in event and "Records" not in event
    if native:
        assert len(client.entries) >= 1
    check_published(event, client, schema_validator, "tracking")


@pytest.fixture(scope="module")
def s3() -> Any:
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=RAW_BUCKET)
        client.create_bucket(Bucket="my-ses-receipts")
        yield client


@strategies.LARGE_INPUTS_HALF_THE_EXAMPLES
@given(case=strategies.receipts())
def test_inbound_publishes_every_record(case: dict[str, Any], s3: Any, schema_validator) -> None:
    if case["stored"] is not None:
        bucket, key, raw = case["stored"]
        s3.put_object(Bucket=bucket, Key=key, Body=raw)
    client = CapturingEvents()
    normalizer = InboundNormalizer(s3_client=s3, raw_mail_bucket=RAW_BUCKET, source="sesbridge")
    process_sns_event(
        case["event"],
        function="inbound",
        normalize=normalizer,
        publisher=publisher(client),
        on_error=normalizer.keep_failed_input,
    )
    check_published(case["event"], client, schema_validator, "inbound")


@strategies.LARGE_INPUTS
@given(event=strategies.sns_events(strategies.INBOUND_SAMPLES))
def test_inbound_survives_mutated_envelopes(event: Any, s3: Any, schema_validator) -> None:
    client = CapturingEvents()
    normalizer = InboundNormalizer(s3_client=s3, raw_mail_bucket=RAW_BUCKET, source="sesbridge")
    process_sns_event(
        event,
        function="inbound",
        normalize=normalizer,
        publisher=publisher(client),
        on_error=normalizer.keep_failed_input,
    )
    check_published(event, client, schema_validator, "inbound")
