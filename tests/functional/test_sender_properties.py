"""Generated messages sent through a real client: moto for SendEmail, botocore's Stubber
for SendBulkEmail (moto lacks it). What builds is accepted by the client's parameter
validation and reaches SES as built; what is refused never makes a call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import HealthCheck, given, settings
from sesbridge import EmailMessage, Sender, SenderSettings
from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.payload import build_requests

from tests.conftest import REGION
from tests.sending_strategies import (
    MessageArguments,
    plain_message_arguments,
    template_message_arguments,
)

FROM = "Shop <shop@example.com>"
# The moto backend lives for the whole test, across generated examples.
_SHARED_BACKEND = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def ses(moto_aws: None) -> Iterator[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity="example.com")
    yield ses_backends[DEFAULT_ACCOUNT_ID][REGION]


def _message(arguments: MessageArguments) -> EmailMessage | None:
    arguments.kwargs["from_email"] = FROM  # a verified identity, so that SES takes it
    try:
        return arguments.build()
    except (TypeError, InvalidMessage):
        return None


@_SHARED_BACKEND
@given(plain_message_arguments(hostile=False))
def test_plain_sends_reach_ses_as_built(ses: Any, arguments: MessageArguments) -> None:
    message = _message(arguments)
    if message is None:
        return
    sender = Sender(SenderSettings(), client=boto3.client("sesv2", region_name=REGION))
    try:
        request = build_requests(message, sender.settings)
    except InvalidMessage:
        sent_before = len(ses.sent_messages)
        with pytest.raises(InvalidMessage):
            sender.send(message)
        assert len(ses.sent_messages) == sent_before and sender.calls == 0
        return
    status = sender.send(message)
    sent = ses.sent_messages[-1]
    assert status.message_id == sent.id and status.status == {"queued"}
    assert set(status.recipients) == set(request.recipients)  # type: ignore[union-attr]
    built = request.params["Content"]["Raw"]["Data"]  # type: ignore[union-attr]
    # The same MIME but for the Date and the boundaries, made anew on each build.
    assert _stable(sent.raw_data.encode("ascii")) == _stable(built)


@given(template_message_arguments(hostile=False))
def test_template_sends_pass_the_clients_validation(arguments: MessageArguments) -> None:
    message = _message(arguments)
    if message is None:
        return
    client = boto3.client("sesv2", region_name=REGION)
    sender = Sender(SenderSettings(), client=client, sleep=lambda _: None)
    try:
        requests = build_requests(message, sender.settings)
    except InvalidMessage:
        with Stubber(client), pytest.raises(InvalidMessage):
            sender.send(message)  # a call would fail: the Stubber has no response queued
        return
    with Stubber(client) as stubber:
        for request in requests:  # type: ignore[union-attr]
            results = [
                {"Status": "SUCCESS", "MessageId": f"m-{n}"}
                for n, _ in enumerate(request.params["BulkEmailEntries"])
            ]
            stubber.add_response(
                "send_bulk_email", {"BulkEmailEntryResults": results}, request.params
            )
        status = sender.send(message)
        stubber.assert_no_pending_responses()
    assert status.status == {"queued"}


def _stable(raw: bytes) -> bytes:
    lines = (line for line in raw.split(b"\r\n") if not line.startswith(b"Date: "))
    return re.sub(rb"={15}\d+==", b"BOUNDARY", b"\r\n".join(lines))
