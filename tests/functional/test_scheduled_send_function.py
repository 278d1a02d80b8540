"""The scheduled-send function: a stored scheduled mail sent at its time, under moto."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import boto3
import pytest
from sesbridge import EmailMessage, Sender, SenderSettings, get_default_sender
from sesbridge.sending.schedule import MAX_SCHEDULE_INPUT

from tests.conftest import REGION, ROOT

BUCKET = "scheduled-mail"


def _function() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "scheduled_send_app", ROOT / "functions" / "scheduled_send" / "app.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Context:
    function_name = "scheduled-send"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:scheduled-send"
    aws_request_id = "request-1"


def test_the_function_sends_the_stored_mail_and_deletes_it(moto_aws: None) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity="example.com")
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name="g")
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    settings = SenderSettings(
        schedule_group="g",
        scheduler_role_arn="arn:aws:iam::123456789012:role/r",
        schedule_bucket=BUCKET,
        scheduled_send_function_arn=_Context.invoked_function_arn,
    )
    message = EmailMessage(
        "Big", "x", "shop@example.com", ["zoe@example.net"], tags=["big"],
        send_at=datetime.now(UTC) + timedelta(days=1),
    )  # fmt: skip
    message.attach("big.bin", bytes(MAX_SCHEDULE_INPUT), "application/octet-stream")
    message.send(Sender(settings))
    (schedule,) = boto3.client("scheduler", region_name=REGION).list_schedules(GroupName="g")[
        "Schedules"
    ]
    target = boto3.client("scheduler", region_name=REGION).get_schedule(
        Name=schedule["Name"], GroupName="g"
    )["Target"]
    import json

    get_default_sender.cache_clear()
    result = _function().lambda_handler(json.loads(target["Input"]), _Context())
    get_default_sender.cache_clear()
    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert result["message_id"] == sent[-1].id and "X-Tag: big" in sent[-1].raw_data
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


@pytest.mark.parametrize(
    "event",
    [
        {"operation": "DeleteIdentity", "bucket": BUCKET, "key": "scheduled/x.json"},
        {"operation": "SendEmail", "bucket": BUCKET, "key": "elsewhere/x.json"},
    ],
)
def test_an_event_that_is_no_stored_send_fails_loudly(
    moto_aws: None, event: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="not a stored scheduled send"):
        _function().lambda_handler(event, _Context())
