"""Scheduled sends (send_at) through EventBridge Scheduler, S3 and SES, all in moto."""

from __future__ import annotations

import base64
import email
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import policy
from typing import Any

import boto3
import pytest
from sesbridge import (
    EmailMessage,
    Sender,
    SenderSettings,
    UnsupportedFeature,
    cancel_scheduled,
    reschedule_scheduled,
)
from sesbridge.sending.schedule import MAX_SCHEDULE_INPUT
from sesbridge.testing import fire_schedule

from tests.conftest import REGION

FROM = "Shop <shop@example.com>"
GROUP = "sesbridge-sends"
ROLE = "arn:aws:iam::123456789012:role/sesbridge-scheduler"
DLQ = "arn:aws:sqs:us-east-1:123456789012:sesbridge-scheduled-dlq"
BUCKET = "sesbridge-scheduled"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:sesbridge-scheduled-send"
LATER = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


@pytest.fixture
def aws(moto_aws: None) -> Iterator[Any]:
    """moto SES (verified sender), a schedule group and a bucket; yields SES's backend."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity="example.com")
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name=GROUP)
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    yield ses_backends[DEFAULT_ACCOUNT_ID][REGION]


def _sender(**settings: Any) -> Sender:
    defaults = {
        "schedule_group": GROUP,
        "scheduler_role_arn": ROLE,
        "schedule_dead_letter_queue_arn": DLQ,
        "schedule_bucket": BUCKET,
        "scheduled_send_function_arn": FUNCTION,
    }
    return Sender(SenderSettings(**{**defaults, **settings}))


def _schedules() -> list[dict[str, Any]]:
    scheduler = boto3.client("scheduler", region_name=REGION)
    return [
        scheduler.get_schedule(Name=s["Name"], GroupName=GROUP)
        for s in scheduler.list_schedules(GroupName=GROUP)["Schedules"]
    ]


def test_a_plain_send_becomes_a_one_time_schedule_of_the_exact_request(aws: Any) -> None:
    message = EmailMessage(
        "Reminder", "Tomorrow!", FROM, ["zoe@example.net"], tags=["reminder"],
        metadata={"order": "1234"}, send_at=LATER,
    )  # fmt: skip
    status = message.send(_sender())
    assert status.status == {"scheduled"} and status.message_id is None
    schedule_id = status.recipients["zoe@example.net"].schedule_id
    assert schedule_id and schedule_id.startswith(f"{GROUP}/sesbridge-")
    assert len(aws.sent_messages) == 0  # nothing sent yet

    (schedule,) = _schedules()
    assert schedule["ScheduleExpression"] == f"at({LATER:%Y-%m-%dT%H:%M:%S})"
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["ActionAfterCompletion"] == "DELETE"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    target = schedule["Target"]
    assert target["Arn"] == "arn:aws:scheduler:::aws-sdk:sesv2:sendEmail"
    assert target["RoleArn"] == ROLE and target["DeadLetterConfig"] == {"Arn": DLQ}
    params = json.loads(target["Input"])
    raw = base64.b64decode(params["Content"]["Raw"]["Data"])
    mime = email.message_from_bytes(raw, policy=policy.default)
    assert mime["X-Tag"] == "reminder" and json.loads(mime["X-Metadata"]) == {"order": "1234"}
    assert params["Destination"] == {"ToAddresses": ["zoe@example.net"]}

    response = fire_schedule(schedule_id, _sender())
    assert response["MessageId"]
    assert len(aws.sent_messages) == 1
    assert _schedules() == []  # deleted after it ran
    assert cancel_scheduled(schedule_id, _sender()) is False  # nothing left to cancel


def test_the_mime_is_fixed_when_scheduled(aws: Any) -> None:
    message = EmailMessage("Fixed", "Body", FROM, ["zoe@example.net"], send_at=LATER)
    schedule_id = message.send(_sender()).recipients["zoe@example.net"].schedule_id
    message.subject, message.body = "Changed", "Changed"
    fire_schedule(schedule_id, _sender())
    (sent,) = aws.sent_messages
    assert "Subject: Fixed" in sent.raw_data and "Changed" not in sent.raw_data


def test_template_sends_schedule_one_bulk_call_per_fifty_recipients(aws: Any) -> None:
    to = [f"r{n}@example.net" for n in range(60)]
    message = EmailMessage(
        from_email=FROM, to=to, template_id="welcome", metadata={"campaign": "spring"},
        send_at=LATER.timestamp(), tenant="acme",
    )  # fmt: skip
    status = message.send(_sender())
    ids = {r.schedule_id for r in status.recipients.values()}
    assert status.status == {"scheduled"} and len(ids) == 2
    targets = [s["Target"] for s in _schedules()]
    assert {t["Arn"] for t in targets} == {"arn:aws:scheduler:::aws-sdk:sesv2:sendBulkEmail"}
    inputs = [json.loads(t["Input"]) for t in targets]
    assert sorted(len(i["BulkEmailEntries"]) for i in inputs) == [10, 50]
    assert {i["TenantName"] for i in inputs} == {"acme"}
    headers = inputs[0]["DefaultContent"]["Template"]["Headers"]
    assert {"Name": "X-Metadata", "Value": '{"campaign": "spring"}'} in headers


def test_an_idempotency_key_makes_one_schedule(aws: Any) -> None:
    def schedule() -> str | None:
        message = EmailMessage(
            "Once", "x", FROM, ["zoe@example.net"], send_at=LATER, idempotency_key="order-1234"
        )
        return message.send(_sender()).recipients["zoe@example.net"].schedule_id

    first, second = schedule(), schedule()
    assert first == second
    assert len(_schedules()) == 1
    other = EmailMessage("x", "x", FROM, ["a@example.net"], send_at=LATER, idempotency_key="k2")
    assert other.send(_sender()).recipients["a@example.net"].schedule_id != first


def test_cancel_and_reschedule(aws: Any) -> None:
    message = EmailMessage("Hi", "x", FROM, ["zoe@example.net"], send_at=LATER)
    schedule_id = message.send(_sender()).recipients["zoe@example.net"].schedule_id
    assert schedule_id is not None
    later = LATER + timedelta(days=1)
    assert reschedule_scheduled(schedule_id, later, _sender()) is True
    (schedule,) = _schedules()
    assert schedule["ScheduleExpression"] == f"at({later:%Y-%m-%dT%H:%M:%S})"
    assert schedule["Target"]["Arn"].endswith(":sendEmail")
    assert cancel_scheduled(schedule_id, _sender()) is True
    assert _schedules() == []
    assert cancel_scheduled(schedule_id, _sender()) is False
    assert reschedule_scheduled(schedule_id, later, _sender()) is False
    with pytest.raises(ValueError, match="schedule id"):
        cancel_scheduled("no-group", _sender())


def test_a_mail_too_large_for_a_schedule_is_stored_and_sent_by_the_function(aws: Any) -> None:
    message = EmailMessage("Big", "x", FROM, ["zoe@example.net"], send_at=LATER)
    message.attach("big.bin", bytes(MAX_SCHEDULE_INPUT), "application/octet-stream")
    schedule_id = message.send(_sender()).recipients["zoe@example.net"].schedule_id
    (schedule,) = _schedules()
    assert schedule["Target"]["Arn"] == FUNCTION
    stored = json.loads(schedule["Target"]["Input"])
    assert stored["operation"] == "SendEmail" and stored["bucket"] == BUCKET
    s3 = boto3.client("s3", region_name=REGION)
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1

    fire_schedule(schedule_id, _sender())  # the function's work, in-process
    assert len(aws.sent_messages) == 1
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


def test_cancelling_a_stored_mail_deletes_it(aws: Any) -> None:
    message = EmailMessage("Big", "x", FROM, ["zoe@example.net"], send_at=LATER)
    message.attach("big.bin", bytes(MAX_SCHEDULE_INPUT), "application/octet-stream")
    schedule_id = message.send(_sender()).recipients["zoe@example.net"].schedule_id
    assert schedule_id is not None and cancel_scheduled(schedule_id, _sender())
    assert boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


def test_a_large_mail_without_the_bucket_settings_is_unsupported(aws: Any) -> None:
    message = EmailMessage("Big", "x", FROM, ["zoe@example.net"], send_at=LATER)
    message.attach("big.bin", bytes(MAX_SCHEDULE_INPUT), "application/octet-stream")
    with pytest.raises(UnsupportedFeature, match="SESBRIDGE_SCHEDULE_BUCKET"):
        message.send(_sender(schedule_bucket=None, ignore_unsupported_features=True))
    assert _schedules() == []


@pytest.mark.parametrize(
    "send_at",
    [
        datetime.now(UTC) - timedelta(days=1),
        datetime.now(UTC) + timedelta(seconds=30),
        date(2000, 1, 1),
        0,
    ],
)
def test_a_time_past_or_within_a_minute_sends_now(aws: Any, send_at: Any) -> None:
    status = EmailMessage("Now", "x", FROM, ["zoe@example.net"], send_at=send_at).send(_sender())
    assert status.status == {"queued"} and len(aws.sent_messages) == 1
    assert _schedules() == []


def test_without_the_scheduler_settings_send_at_says_how_to_enable_it(aws: Any) -> None:
    message = EmailMessage("Later", "x", FROM, ["zoe@example.net"], send_at=LATER)
    with pytest.raises(UnsupportedFeature, match="SESBRIDGE_SCHEDULE_GROUP") as raised:
        message.send(Sender(SenderSettings()))
    assert "SESBRIDGE_SCHEDULER_ROLE_ARN" in str(raised.value)
    assert len(aws.sent_messages) == 0
    ignored = Sender(SenderSettings(ignore_unsupported_features=True))
    assert message.send(ignored).status == {"queued"}  # the feature ignored: sent now


def test_send_defaults_may_schedule(aws: Any) -> None:
    sender = _sender(send_defaults={"send_at": LATER.isoformat()})
    with pytest.raises(TypeError, match="send_at"):
        EmailMessage("x", "x", FROM, ["zoe@example.net"]).send(sender)
    sender = _sender(send_defaults={"send_at": LATER.timestamp()})
    status = EmailMessage("x", "x", FROM, ["zoe@example.net"]).send(sender)
    assert status.status == {"scheduled"}


def test_a_failed_schedule_leaves_none_behind(aws: Any) -> None:
    to = [f"r{n}@example.net" for n in range(60)]
    message = EmailMessage(from_email=FROM, to=to, template_id="t", send_at=LATER)
    sender = _sender()
    calls = 0
    create = sender.service_client("scheduler").create_schedule

    def second_fails(**params: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise boto3.client("scheduler", region_name=REGION).exceptions.ValidationException(
                {"Error": {"Code": "ValidationException", "Message": "no"}}, "CreateSchedule"
            )
        return create(**params)

    sender.service_client("scheduler").create_schedule = second_fails
    with pytest.raises(Exception, match="ValidationException"):
        message.send(sender)
    assert _schedules() == []
