"""Fixtures shared by every test: fake AWS credentials, moto, and an EventBridge readback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tests.hypothesis_profiles  # noqa: F401  (registers and loads the profile)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_EVENTS = ROOT / "events"
TEST_EVENTS = Path(__file__).with_name("events")
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach a real account: fake credentials, a fixed region, no profiles."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in list(__import__("os").environ):
        if name.startswith("SESBRIDGE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def moto_aws() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class EventBusReadback:
    """A bus with a rule sending every event to an SQS queue, read back by tests."""

    def __init__(self, bus_name: str = "sesbridge-test") -> None:
        import boto3

        self.bus_name = bus_name
        self.events = boto3.client("events", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.events.create_event_bus(Name=bus_name)
        self.queue_url = self.sqs.create_queue(QueueName=f"{bus_name}-readback")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.events.put_rule(
            Name="everything",
            EventBusName=bus_name,
            EventPattern=json.dumps({"account": [{"exists": True}]}),
        )
        self.events.put_targets(
            Rule="everything",
            EventBusName=bus_name,
            Targets=[{"Id": "readback", "Arn": queue_arn}],
        )

    def read(self) -> list[dict[str, Any]]:
        """Every event published since the last read, as EventBridge delivered it."""
        found: list[dict[str, Any]] = []
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )


@pytest.fixture
def event_bus(moto_aws: None) -> EventBusReadback:
    return EventBusReadback()


@pytest.fixture(scope="session")
def schema_validator() -> Any:
    import jsonschema
    from sesbridge.events import load_schema

    schema = load_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


@pytest.fixture
def assert_valid_event(schema_validator: Any) -> Any:
    """Check an event as EventBridge delivered it against the schema file."""

    def check(event: dict[str, Any]) -> None:
        errors = sorted(schema_validator.iter_errors(event), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)

    return check


def sns_lambda_event(
    message: str,
    *,
    topic_arn: str,
    message_id: str = "sns-1",
    timestamp: str = "2026-11-24T10:00:00.000Z",
) -> dict[str, Any]:
    """The event Lambda receives from an SNS subscription, carrying ``message``."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:subscription-1",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": None,
                    "Message": message,
                    "Timestamp": timestamp,
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def native_ses_event(
    detail: Any,
    *,
    detail_type: str = "Email Bounced",
    event_id: str = "eb-1",
    time: str = "2026-11-24T10:00:00Z",
    source: str = "aws.ses",
) -> dict[str, Any]:
    """The event Lambda receives from a rule matching SES's own events on the default bus."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": time,
        "region": "us-east-1",
        "resources": ["arn:aws:ses:us-east-1:123456789012:configuration-set/sesbridge"],
        "detail": detail,
    }
