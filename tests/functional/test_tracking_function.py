"""The tracking function under moto: SNS event in, events read back from bus -> rule -> SQS."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from sesbridge.exceptions import PublishError
from sesbridge.pipeline import ConfigurationError
from sesbridge.publishing import EventBridgePublisher
from tracking import app

from tests.conftest import SAMPLE_EVENTS, load_json, sns_lambda_event

TOPIC = "arn:aws:sns:us-east-1:123456789012:sesbridge-tracking"


@dataclass
class LambdaContext:
    function_name: str = "sesbridge-tracking"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:sesbridge-tracking"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):
    """A fresh execution environment: settings and publisher are built again."""
    built = (app.settings, app.publisher)  # before a test swaps app.publisher

    def configure(**variables: str) -> None:
        for name in ("EVENT_SOURCE", "ALLOWED_TOPIC_ARNS"):
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        for factory in built:
            factory.cache_clear()

    yield configure
    for factory in built:
        factory.cache_clear()


@pytest.fixture
def bus(event_bus, environment):
    environment(EVENT_BUS_NAME=event_bus.bus_name)
    return event_bus


def invoke(event: dict[str, Any]) -> dict[str, int]:
    return app.lambda_handler(event, LambdaContext())


def sample(name: str) -> dict[str, Any]:
    return load_json(SAMPLE_EVENTS / f"tracking-{name}.json")


def with_message(name: str, change) -> dict[str, Any]:
    event = sample(name)
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    change(message)
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    return event


@pytest.mark.parametrize(
    ("name", "event_types"),
    [
        ("send", ["sent", "sent"]),
        ("reject", ["rejected", "rejected"]),
        ("bounce", ["bounced"]),
        ("bounce-notification", ["bounced"]),
        ("complaint", ["complained"]),
        ("complaint-notification", ["complained"]),
        ("delivery", ["delivered", "delivered"]),
        ("delivery-notification", ["delivered", "delivered"]),
        ("open", ["opened", "opened"]),
        ("click", ["clicked", "clicked"]),
        ("rendering-failure", ["failed"]),
        ("delivery-delay", ["deferred", "deferred"]),
        ("subscription", ["unsubscribed"]),
    ],
)
def test_each_ses_type_is_published_as_a_valid_tracking_event(
    bus, assert_valid_event, name, event_types
) -> None:
    event = sample(name)
    result = invoke(event)
    published = bus.read()
    assert result == {"published": len(event_types), "errors": 0, "ignored": 0}
    assert sorted(e["detail"]["event_type"] for e in published) == sorted(event_types)
    ses_event = json.loads(event["Records"][0]["Sns"]["Message"])
    for delivered in published:
        assert_valid_event(delivered)
        assert delivered["source"] == "sesbridge"
        assert delivered["detail-type"] == "Email Tracking Event"
        assert delivered["resources"] == [TOPIC]
        assert delivered["detail"]["esp_event"] == ses_event
        assert delivered["detail"]["sns_message_id"] == event["Records"][0]["Sns"]["MessageId"]
        assert delivered["time"].startswith(delivered["detail"]["timestamp"][:19])


def test_event_source_setting_is_used(event_bus, environment) -> None:
    environment(EVENT_BUS_NAME=event_bus.bus_name, EVENT_SOURCE="shop.email")
    invoke(sample("bounce"))
    assert [e["source"] for e in event_bus.read()] == ["shop.email"]


def test_sns_redelivery_gives_the_same_event_id(bus) -> None:
    invoke(sample("bounce"))
    invoke(sample("bounce"))
    first, again = bus.read()
    assert first["detail"]["event_id"] == again["detail"]["event_id"]


@pytest.mark.parametrize("kind", ["bounce", "complaint", "delivery"])
def test_both_ses_formats_give_the_same_event_ids(bus, kind) -> None:
    invoke(sample(kind))
    publishing = bus.read()
    invoke(sample(f"{kind}-notification"))
    notification = bus.read()
    key = lambda e: e["detail"]["recipient"]  # noqa: E731
    publishing.sort(key=key)
    notification.sort(key=key)
    assert [e["detail"]["event_id"] for e in publishing] == [
        e["detail"]["event_id"] for e in notification
    ]
    assert publishing[0]["detail"]["sns_message_id"] != notification[0]["detail"]["sns_message_id"]


def test_fan_out_gives_each_recipient_its_own_event_id(bus) -> None:
    invoke(sample("click"))
    published = bus.read()
    assert {e["detail"]["recipient"] for e in published} == {
        "customer@example.net",
        "other@example.org",
    }
    assert len({e["detail"]["event_id"] for e in published}) == 2


def test_oversize_event_is_trimmed_flagged_and_valid(bus, assert_valid_event) -> None:
    filler = [{"name": f"X-Filler-{i}", "value": "y" * 1000} for i in range(300)]
    event = with_message("bounce", lambda m: m["mail"]["headers"].extend(filler))
    assert len(event["Records"][0]["Sns"]["Message"]) > 250 * 1000
    invoke(event)
    [published] = bus.read()
    assert_valid_event(published)
    assert published["detail"]["esp_event_trimmed"] is True
    assert "headers" not in published["detail"]["esp_event"]["mail"]
    assert published["detail"]["metadata"] == {"order_id": "1234", "customer": 42}


def stubbed_publisher(bus_name: str) -> tuple[EventBridgePublisher, Stubber]:
    client = boto3.client("events", region_name="us-east-1")
    publisher = EventBridgePublisher(bus_name, client=client, sleep=lambda _: None)
    return publisher, Stubber(client)


def test_partial_failure_resends_only_the_failed_entry(environment, monkeypatch) -> None:
    environment(EVENT_BUS_NAME="sesbridge-test")
    publisher, stubber = stubbed_publisher("sesbridge-test")
    monkeypatch.setattr(app, "publisher", lambda: publisher)
    sent: list[list[dict[str, Any]]] = []
    stubber.add_response(
        "put_events",
        {
            "FailedEntryCount": 1,
            "Entries": [
                {"EventId": "e-1"},
                {"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"},
            ],
        },
        {"Entries": ANY},
    )
    stubber.add_response("put_events", {"FailedEntryCount": 0, "Entries": [{"EventId": "e-2"}]})
    publisher.client.meta.events.register(
        "provide-client-params.events.PutEvents", lambda params, **_: sent.append(params["Entries"])
    )
    with stubber:
        result = invoke(sample("send"))
        stubber.assert_no_pending_responses()
    assert result["published"] == 2
    assert len(sent) == 2 and len(sent[0]) == 2
    assert sent[1] == [sent[0][1]]  # only the throttled entry went again


def test_total_failure_raises_so_lambda_retries(environment, monkeypatch) -> None:
    environment(EVENT_BUS_NAME="sesbridge-test")
    publisher, stubber = stubbed_publisher("sesbridge-test")
    monkeypatch.setattr(app, "publisher", lambda: publisher)
    failure = {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
    for _ in range(publisher.max_attempts):
        stubber.add_response("put_events", {"FailedEntryCount": 1, "Entries": [failure]})
    with stubber, pytest.raises(PublishError, match="InternalFailure"):
        invoke(sample("bounce"))


def test_transport_failure_raises(environment, monkeypatch) -> None:
    environment(EVENT_BUS_NAME="sesbridge-test")
    publisher, stubber = stubbed_publisher("sesbridge-test")
    monkeypatch.setattr(app, "publisher", lambda: publisher)
    stubber.add_client_error("put_events", "ServiceUnavailable", http_status_code=503)
    with stubber, pytest.raises(Exception, match="ServiceUnavailable"):
        invoke(sample("bounce"))


def the_error_event(bus, assert_valid_event) -> dict[str, Any]:
    [published] = bus.read()
    assert_valid_event(published)
    assert published["detail-type"] == "Email Normalization Error"
    assert published["detail"]["function"] == "tracking"
    return published["detail"]


def test_non_json_message_becomes_an_error_event(bus, assert_valid_event) -> None:
    event = sns_lambda_event("<html>not json</html>", topic_arn=TOPIC)
    assert invoke(event) == {"published": 1, "errors": 1, "ignored": 0}
    detail = the_error_event(bus, assert_valid_event)
    assert detail["error_type"] == "not_json"
    assert detail["raw_record"] == event["Records"][0]


def test_missing_field_becomes_an_error_event(bus, assert_valid_event) -> None:
    invoke(with_message("bounce", lambda m: m["mail"].pop("messageId")))
    detail = the_error_event(bus, assert_valid_event)
    assert detail["error_type"] == "missing_field"
    assert "mail.messageId" in detail["reason"]


def test_inbound_notification_on_the_tracking_topic_is_an_error_event(
    bus, assert_valid_event
) -> None:
    received = {
        "notificationType": "Received",
        "mail": {"messageId": "inbound-1", "destination": ["support@example.com"]},
        "receipt": {"action": {"type": "SNS", "topicArn": TOPIC, "encoding": "UTF8"}},
        "content": "From: a@example.net\r\n\r\nhello",
    }
    invoke(sns_lambda_event(json.dumps(received), topic_arn=TOPIC))
    detail = the_error_event(bus, assert_valid_event)
    assert detail["error_type"] == "wrong_notification"
    assert "inbound" in detail["reason"]


def test_topic_not_in_allowed_topic_arns_is_an_error_event(
    event_bus, environment, assert_valid_event
) -> None:
    other = "arn:aws:sns:us-east-1:123456789012:mine"
    environment(EVENT_BUS_NAME=event_bus.bus_name, ALLOWED_TOPIC_ARNS=f" {other} , x")
    assert app.settings().allowed_topic_arns == {other, "x"}
    invoke(sample("bounce"))
    detail = the_error_event(event_bus, assert_valid_event)
    assert detail["error_type"] == "topic_not_allowed"
    assert detail["topic_arn"] == TOPIC


def test_allowed_topic_is_processed(event_bus, environment) -> None:
    environment(EVENT_BUS_NAME=event_bus.bus_name, ALLOWED_TOPIC_ARNS=TOPIC)
    invoke(sample("bounce"))
    assert [e["detail-type"] for e in event_bus.read()] == ["Email Tracking Event"]


def test_event_too_large_even_trimmed_is_an_error_event(bus, assert_valid_event) -> None:
    invoke(with_message("reject", lambda m: m["reject"].update(reason="z" * (300 * 1024))))
    detail = the_error_event(bus, assert_valid_event)
    assert detail["error_type"] == "too_large"
    assert detail["raw_record_truncated"] is True


def test_ses_validation_message_yields_nothing(bus) -> None:
    text = "Successfully validated SNS topic for Amazon SES event publishing."
    assert invoke(sns_lambda_event(text, topic_arn=TOPIC)) == {
        "published": 0,
        "errors": 0,
        "ignored": 1,
    }
    assert bus.read() == []


def test_metrics_count_events_per_event_type(bus, capsys) -> None:
    invoke(sample("delivery-delay"))
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    per_type = [b for b in blobs if "TrackingEvents" in b]
    assert [(b["event_type"], b["TrackingEvents"]) for b in per_type] == [("deferred", [2.0])]
    assert any(b.get("NormalizationErrors") == [0.0] for b in blobs)
    # a complete EMF blob: CloudWatch turns it into the metric with both dimensions
    [blob] = per_type
    assert blob["service"] == "sesbridge-tracking"
    assert isinstance(blob["_aws"]["Timestamp"], int)
    assert blob["_aws"]["CloudWatchMetrics"] == [
        {
            "Namespace": "sesbridge",
            "Dimensions": [["service", "event_type"]],
            "Metrics": [{"Name": "TrackingEvents", "Unit": "Count"}],
        }
    ]


def test_missing_bus_setting_is_a_clear_error(environment, monkeypatch) -> None:
    environment()
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    with pytest.raises(ConfigurationError, match="EVENT_BUS_NAME is not set"):
        invoke(sample("bounce"))


def readme_rules() -> list[dict[str, Any]]:
    page = (SAMPLE_EVENTS.parent / "docs" / "tracking.md").read_text(encoding="utf-8")
    section = page.split("## Example rules", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block.split("```", 1)[0]) for block in section.split("```json")[1:]]


class RuleQueues:
    """One rule per pattern on the test bus, each sending to its own SQS queue."""

    def __init__(self, bus_name: str, patterns: list[dict[str, Any]]) -> None:
        self.events = boto3.client("events", region_name="us-east-1")
        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.queues = []
        for n, pattern in enumerate(patterns):
            url = self.sqs.create_queue(QueueName=f"rule-{n}")["QueueUrl"]
            arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            self.events.put_rule(
                Name=f"rule-{n}", EventBusName=bus_name, EventPattern=json.dumps(pattern)
            )
            self.events.put_targets(
                Rule=f"rule-{n}",
                EventBusName=bus_name,
                Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}],
            )
            self.queues.append(url)

    def matched(self, rule: int) -> list[dict[str, Any]]:
        messages = self.sqs.receive_message(QueueUrl=self.queues[rule], MaxNumberOfMessages=10)
        return [json.loads(m["Body"])["detail"] for m in messages.get("Messages", [])]


def test_readme_example_rules_match_what_the_function_publishes(bus) -> None:
    rules = RuleQueues(bus.bus_name, readme_rules())
    invoke(sample("bounce"))
    invoke(with_message("bounce", lambda m: m["bounce"].update(bounceType="Transient")))
    tag = {"name": "X-Tag", "value": "newsletter"}
    invoke(with_message("complaint", lambda m: m["mail"]["headers"].append(tag)))
    invoke(sample("complaint"))
    invoke(sample("click"))
    invoke(with_message("click", lambda m: m["click"].update(link="https://other.example/")))
    filler = [{"name": f"X-Filler-{i}", "value": "y" * 1000} for i in range(300)]
    invoke(with_message("send", lambda m: m["mail"]["headers"].extend(filler)))
    invoke(sns_lambda_event("not json", topic_arn=TOPIC))

    [hard] = rules.matched(0)
    assert hard["bounce_type"] == "Permanent"
    [complaint] = rules.matched(1)
    assert "newsletter" in complaint["tags"]
    clicks = rules.matched(2)
    assert {c["click_url"] for c in clicks} == {
        "https://shop.example.com/orders/1234?utm_source=email"
    }
    assert len(clicks) == 2  # one per recipient
    assert [t["event_type"] for t in rules.matched(3)] == ["sent", "sent"]
    [error] = rules.matched(4)
    assert error["error_type"] == "not_json"
