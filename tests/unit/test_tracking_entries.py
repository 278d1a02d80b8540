"""SNS notification -> EventBridge entries: envelope fields and the oversize rule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from sesbridge.events.entries import MAX_ENTRY_BYTES, entry_size
from sesbridge.sns import iter_notifications
from sesbridge.tracking import tracking_entries
from sesbridge.tracking.entries import TrackingEventTooLarge

from tests.conftest import SAMPLE_EVENTS, load_json, sns_lambda_event

TOPIC = "arn:aws:sns:us-east-1:123456789012:sesbridge-tracking"


def notification(event: dict[str, Any]):
    [item] = iter_notifications(event)
    return item


def ses_event(name: str) -> dict[str, Any]:
    record = load_json(SAMPLE_EVENTS / f"tracking-{name}.json")["Records"][0]
    return json.loads(record["Sns"]["Message"])


def test_entries_carry_time_resources_and_detail_type() -> None:
    entries = tracking_entries(notification(load_json(SAMPLE_EVENTS / "tracking-send.json")))
    assert [e.detail_type for e in entries] == ["Email Tracking Event"] * 2
    assert {e.time for e in entries} == {"2026-11-24T10:00:00.000Z"}
    assert {e.resources for e in entries} == {(TOPIC,)}


def big_headers_event(total_bytes: int) -> dict[str, Any]:
    event = ses_event("bounce")
    filler = [{"name": f"X-Filler-{i}", "value": "y" * 1000} for i in range(total_bytes // 1000)]
    event["mail"]["headers"] = event["mail"]["headers"] + filler
    return event


def test_oversize_entry_drops_mail_headers_and_says_so() -> None:
    event = big_headers_event(250 * 1024)
    [entry] = tracking_entries(notification(sns_lambda_event(json.dumps(event), topic_arn=TOPIC)))
    assert entry_size(entry, "sesbridge") <= MAX_ENTRY_BYTES
    detail = entry.detail
    assert detail["esp_event_trimmed"] is True
    assert "headers" not in detail["esp_event"]["mail"]
    assert detail["esp_event"]["mail"]["commonHeaders"]["subject"] == "Your order 1234"
    assert detail["tags"] == ["orders", "receipt"]  # read before the headers went
    assert detail["esp_event"]["bounce"] == event["bounce"]


def test_small_entry_is_untouched() -> None:
    [entry] = tracking_entries(notification(load_json(SAMPLE_EVENTS / "tracking-bounce.json")))
    assert entry.detail["esp_event_trimmed"] is False
    assert entry.detail["esp_event"] == ses_event("bounce")


def test_trimming_one_recipients_entry_leaves_the_others_whole() -> None:
    event = big_headers_event(100 * 1024)
    event["bounce"]["bouncedRecipients"].append(
        {"emailAddress": "other@example.org", "diagnosticCode": "x" * (100 * 1024)}
    )
    first, second = tracking_entries(
        notification(sns_lambda_event(json.dumps(event), topic_arn=TOPIC))
    )
    assert first.detail["esp_event_trimmed"] is False
    assert "headers" in first.detail["esp_event"]["mail"]
    assert second.detail["esp_event_trimmed"] is True


def test_entry_too_large_even_trimmed_is_a_normalization_error() -> None:
    event = ses_event("reject")
    event["reject"]["reason"] = "z" * (300 * 1024)
    with pytest.raises(TrackingEventTooLarge, match="after every reduction"):
        tracking_entries(notification(sns_lambda_event(json.dumps(event), topic_arn=TOPIC)))


def test_the_tracking_normalizer_loads_no_aws_sdk() -> None:
    code = "import sys, sesbridge.tracking; print(sorted(sys.modules))"
    layer = str(SAMPLE_EVENTS.parent / "layers" / "sesbridge")
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": layer},
    ).stdout
    assert "boto3" not in out and "botocore" not in out
    assert "sesbridge.tracking.normalize" in out
