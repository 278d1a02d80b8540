"""SES's own EventBridge events as the tracking function's input, under moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tracking import app

from tests.conftest import SAMPLE_EVENTS, load_json, native_ses_event
from tests.functional.test_tracking_function import TOPIC, LambdaContext, RuleQueues, sample

# SES event type of each sample -> the detail-type SES's EventBridge destination gives it.
NATIVE_DETAIL_TYPES = {
    "send": "Email Sent",
    "reject": "Email Rejected",
    "bounce": "Email Bounced",
    "complaint": "Email Complaint Received",
    "delivery": "Email Delivered",
    "open": "Email Opened",
    "click": "Email Clicked",
    "rendering-failure": "Email Rendering Failed",
    "delivery-delay": "Email Delivery Delayed",
    "subscription": "Email Subscribed",
}


@pytest.fixture
def bus(event_bus, monkeypatch):
    monkeypatch.setenv("EVENT_BUS_NAME", event_bus.bus_name)
    for name in ("EVENT_SOURCE", "ALLOWED_TOPIC_ARNS"):
        monkeypatch.delenv(name, raising=False)
    app.settings.cache_clear()
    app.publisher.cache_clear()
    yield event_bus
    app.settings.cache_clear()
    app.publisher.cache_clear()


def invoke(event: Any) -> dict[str, int]:
    return app.lambda_handler(event, LambdaContext())


def ses_record(name: str) -> dict[str, Any]:
    return json.loads(sample(name)["Records"][0]["Sns"]["Message"])


def detail_of(event: dict[str, Any]) -> dict[str, Any]:
    return event["detail"]


@pytest.mark.parametrize("name", sorted(NATIVE_DETAIL_TYPES))
def test_native_event_gives_what_sns_gives_with_the_same_event_ids(
    bus, assert_valid_event, name
) -> None:
    invoke(sample(name))
    via_sns = sorted(bus.read(), key=lambda e: e["detail"]["event_id"])
    result = invoke(native_ses_event(ses_record(name), detail_type=NATIVE_DETAIL_TYPES[name]))
    via_native = sorted(bus.read(), key=lambda e: e["detail"]["event_id"])

    assert result == {"published": len(via_sns), "errors": 0, "ignored": 0}
    assert [detail_of(e)["event_id"] for e in via_native] == [
        detail_of(e)["event_id"] for e in via_sns
    ]
    for native, sns in zip(via_native, via_sns, strict=True):
        assert_valid_event(native)
        assert native["detail-type"] == "Email Tracking Event"
        assert native["resources"] == [
            "arn:aws:ses:us-east-1:123456789012:configuration-set/sesbridge"
        ]
        assert sns["resources"] == [TOPIC]
        assert native["detail"]["sns_message_id"] is None
        # Every other field is the same, timestamp included.
        assert {**native["detail"], "sns_message_id": None} == {
            **sns["detail"],
            "sns_message_id": None,
        }


def test_sample_native_event_file_is_normalized(bus, assert_valid_event) -> None:
    event = load_json(SAMPLE_EVENTS / "tracking-native-bounce.json")
    assert invoke(event) == {"published": 1, "errors": 0, "ignored": 0}
    [published] = bus.read()
    assert_valid_event(published)
    assert published["detail"]["event_type"] == "bounced"
    assert published["detail"]["recipient"] == "customer@example.net"
    assert published["detail"]["esp_event"] == event["detail"]


def test_timestamp_falls_back_to_the_eventbridge_time(bus) -> None:
    record = ses_record("send")
    record["send"] = {}
    del record["mail"]["timestamp"]
    invoke(native_ses_event(record, detail_type="Email Sent", time="2026-11-24T11:12:13Z"))
    assert {e["detail"]["timestamp"] for e in bus.read()} == {"2026-11-24T11:12:13.000Z"}


@pytest.mark.parametrize(
    ("detail_type", "event_type"),
    [
        ("Sending Status Disabled", "sending_disabled"),
        ("Sending Status Enabled", "sending_enabled"),
        ("Advisor Recommendation Status Open", "advisor_recommendation_open"),
        ("Advisor Recommendation Status Resolved", "advisor_recommendation_resolved"),
    ],
)
def test_account_events_become_email_account_status(
    bus, assert_valid_event, detail_type, event_type
) -> None:
    detail = {"anything": "SES says", "nested": {"n": 1}}
    result = invoke(native_ses_event(detail, detail_type=detail_type, event_id="eb-42"))
    [published] = bus.read()
    assert result == {"published": 1, "errors": 0, "ignored": 0}
    assert_valid_event(published)
    assert published["detail-type"] == "Email Account Status"
    assert published["detail"]["event_type"] == event_type
    assert published["detail"]["ses_detail_type"] == detail_type
    assert published["detail"]["event_id"] == "eb-42"
    assert published["detail"]["esp_event"] == detail
    assert published["detail"]["account"] == "123456789012"


def readme_account_and_tenant_rules() -> list[dict[str, Any]]:
    page = (SAMPLE_EVENTS.parent / "docs" / "tracking.md").read_text(encoding="utf-8")
    section = page.split("## Rules on account status and tenants", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block.split("```", 1)[0]) for block in section.split("```json")[1:]]


def test_readme_rules_on_account_status_and_tenants_match(bus) -> None:
    rules = RuleQueues(bus.bus_name, readme_account_and_tenant_rules())
    invoke(native_ses_event({}, detail_type="Sending Status Disabled"))
    invoke(native_ses_event({}, detail_type="Sending Status Enabled"))
    tenant_send = ses_record("send")
    tenant_send["mail"]["tags"]["ses:tenant-name"] = ["acme"]
    invoke(native_ses_event(tenant_send, detail_type="Email Sent"))
    invoke(sample("send"))
    own_tag = ses_record("bounce")
    own_tag["mail"]["tags"]["tenant"] = ["acme"]
    invoke(native_ses_event(own_tag))
    invoke(sample("bounce"))

    [paused] = rules.matched(0)
    assert paused["ses_detail_type"] == "Sending Status Disabled"
    assert {(d["event_type"], d["tenant"]) for d in rules.matched(1)} == {("sent", "acme")}
    [bounce] = rules.matched(2)
    assert bounce["ses_tags"]["tenant"] == ["acme"] and bounce["tenant"] is None


@pytest.mark.parametrize(
    ("event", "error_type"),
    [
        (native_ses_event({"x": 1}, source="aws.s3"), "not_ses_event"),
        (native_ses_event("not an object"), "not_ses_event"),
        (native_ses_event({"x": 1}, detail_type="Email Teleported"), "unknown_ses_event"),
        (native_ses_event({"eventType": "Bounce"}), "missing_field"),
        (native_ses_event({}, detail_type="Email Bounced"), "missing_field"),
    ],
)
def test_bad_or_unknown_native_events_become_error_events(
    bus, assert_valid_event, event, error_type
) -> None:
    result = invoke(event)
    [published] = bus.read()
    assert result == {"published": 1, "errors": 1, "ignored": 0}
    assert_valid_event(published)
    assert published["detail-type"] == "Email Normalization Error"
    assert published["detail"]["error_type"] == error_type
    assert published["detail"]["raw_record"] == event
    assert published["detail"]["sns_message_id"] is None


def test_unknown_detail_type_with_a_sending_record_is_normalized(bus) -> None:
    invoke(native_ses_event(ses_record("bounce"), detail_type="Email Bounced Twice"))
    assert [e["detail"]["event_type"] for e in bus.read()] == ["bounced"]


def test_tenant_comes_from_the_record_else_is_null(bus, assert_valid_event) -> None:
    tagged = ses_record("send")
    tagged["mail"]["tags"]["ses:tenant-name"] = ["acme"]
    named = ses_record("send")
    named["mail"]["tenantName"] = "globex"
    invoke(native_ses_event(tagged, detail_type="Email Sent"))
    invoke(native_ses_event(named, detail_type="Email Sent"))
    invoke(native_ses_event(ses_record("send"), detail_type="Email Sent"))
    events = bus.read()
    for event in events:
        assert_valid_event(event)
    assert sorted(str(e["detail"]["tenant"]) for e in events) == sorted(
        ["acme", "acme", "globex", "globex", "None", "None"]
    )
