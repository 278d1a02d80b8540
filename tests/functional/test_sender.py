"""The Sender against moto (SendEmail) and botocore's Stubber (SendBulkEmail, errors)."""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from email import policy
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError
from botocore.stub import ANY, Stubber
from sesbridge import EmailMessage, Sender, SendError, SenderSettings, get_default_sender
from sesbridge.exceptions import InvalidMessage
from sesbridge.message_ids import ses_domain

from tests.conftest import REGION

FROM = "Shop <shop@example.com>"


@pytest.fixture
def ses(moto_aws: None) -> Iterator[Any]:
    """moto SES with a verified sender; yields the backend holding what SES received."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity="example.com")
    yield ses_backends[DEFAULT_ACCOUNT_ID][REGION]


class Sleeps(list):
    """Records the pauses a Sender would have slept."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _stubbed(**settings: Any) -> tuple[Sender, Stubber, Sleeps]:
    client = boto3.client("sesv2", region_name=REGION)
    sleeps = Sleeps()
    sender = Sender(SenderSettings(**settings), client=client, sleep=sleeps, jitter=lambda: 1.0)
    return sender, Stubber(client), sleeps


def _template_message(to: list[str], **extra: Any) -> EmailMessage:
    return EmailMessage(from_email=FROM, to=to, template_id="welcome", **extra)


def _results(*statuses: str) -> dict[str, Any]:
    return {
        "BulkEmailEntryResults": [
            {"Status": s, "MessageId": f"m-{i}"} if s == "SUCCESS" else {"Status": s, "Error": s}
            for i, s in enumerate(statuses)
        ]
    }


# -- SendEmail through moto ---------------------------------------------------------------


def test_send_reaches_ses_with_raw_mime_and_all_recipients(ses: Any) -> None:
    message = EmailMessage(
        "Grüße",
        "Hallo",
        FROM,
        ["Zoë <zoe@bücher.example>"],
        cc=["c@example.net"],
        bcc=["hidden@example.org"],
        tags=["welcome"],
        metadata={"user": 7},
    )
    message.attach("report.pdf", b"%PDF\x00\xff", "application/pdf")
    status = message.send(Sender())

    sent = ses.sent_messages[-1]
    assert status.message_id == sent.id
    assert message.send_status is status
    assert status.status == {"queued"}
    assert set(status.recipients) == {"zoe@bücher.example", "c@example.net", "hidden@example.org"}
    assert {"zoe@xn--bcher-kva.example", "c@example.net", "hidden@example.org"} <= set(
        sent.destinations
    )
    assert "hidden@example.org" not in sent.raw_data
    received = email.message_from_string(sent.raw_data, policy=policy.default)
    assert received["Subject"] == "Grüße"
    assert received["X-Tag"] == "welcome" and json.loads(received["X-Metadata"]) == {"user": 7}
    assert status.esp_response["MessageId"] == sent.id
    # What recipients see as Message-ID, and what their replies' In-Reply-To name.
    header = f"<{sent.id}@{ses_domain(REGION)}>"
    assert status.message_id_header == header
    assert status.recipients["c@example.net"].message_id_header == header


def test_client_is_built_lazily_once_from_the_settings(ses: Any) -> None:
    sender = Sender(SenderSettings(client_params={"region_name": REGION}))
    assert sender._client is None
    EmailMessage("a", "b", FROM, ["x@example.net"]).send(sender)
    client = sender.client
    EmailMessage("a", "b", FROM, ["y@example.net"]).send(sender)
    assert sender.client is client
    assert client.meta.region_name == REGION
    # sesbridge owns the retries: botocore makes one attempt per call
    assert client.meta.config.retries["total_max_attempts"] == 1
    assert len(ses.sent_messages) == 2


def test_explicit_botocore_retries_in_client_params_are_kept(moto_aws: None) -> None:
    settings = SenderSettings(client_params={"config": {"retries": {"total_max_attempts": 4}}})
    assert Sender(settings).client.meta.config.retries["total_max_attempts"] == 4


def test_default_sender_comes_from_the_environment_once(
    ses: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESBRIDGE_CONFIGURATION_SET_NAME", "env-set")
    get_default_sender.cache_clear()
    try:
        sender = get_default_sender()
        assert get_default_sender() is sender
        assert sender.settings.configuration_set_name == "env-set"
    finally:
        get_default_sender.cache_clear()


def test_message_send_without_sender_uses_the_default(ses: Any) -> None:
    get_default_sender.cache_clear()
    try:
        status = EmailMessage("a", "b", FROM, ["x@example.net"]).send()
    finally:
        get_default_sender.cache_clear()
    assert status.message_id == ses.sent_messages[-1].id


def test_unverified_sender_is_a_permanent_send_error(ses: Any) -> None:
    sleeps = Sleeps()
    sender = Sender(SenderSettings(), sleep=sleeps)
    with pytest.raises(SendError) as raised:
        EmailMessage("a", "b", "nobody@unverified.example", ["x@example.net"]).send(sender)
    assert raised.value.code == "MessageRejected"
    assert raised.value.transient is False
    assert "Did not have authority" in raised.value.ses_message
    assert raised.value.__cause__ is not None
    assert sender.calls == 1 and sleeps == []


def test_fail_silently_returns_a_failed_status_instead_of_raising(ses: Any) -> None:
    message = EmailMessage("a", "b", "nobody@unverified.example", ["x@example.net"], cc=["c@x.org"])
    status = message.send(Sender(SenderSettings()), fail_silently=True)
    assert message.send_status is status
    assert status.status == {"failed"} and status.message_id is None
    assert set(status.recipients) == {"x@example.net", "c@x.org"}
    assert status.recipients["c@x.org"].status == "failed"
    assert (
        status.error
        and status.error.startswith("SendError: ")
        and "MessageRejected" in status.error
    )
    assert status.recipients["x@example.net"].error == status.error
    assert status.esp_response["Error"]["Code"] == "MessageRejected"


def test_fail_silently_covers_invalid_messages_but_not_type_errors() -> None:
    sender, stubber, _ = _stubbed()
    with stubber:
        status = EmailMessage("a\x0b", "b", FROM, ["x@example.net"]).send(
            sender, fail_silently=True
        )
        message = EmailMessage("a", "b", FROM, ["x@example.net"])
        message.body = 5  # type: ignore[assignment]
        with pytest.raises(TypeError, match='"body" must be a string'):
            message.send(sender, fail_silently=True)
    assert status.status == {"failed"}
    assert status.error == "InvalidMessage: subject: control character U+000B in 'a\\x0b'"
    assert sender.calls == 0


def test_bad_input_makes_no_call() -> None:
    sender, stubber, _ = _stubbed()
    with stubber, pytest.raises(InvalidMessage):
        sender.send(EmailMessage("a", "b", FROM, [f"r{i}@example.net" for i in range(51)]))
    assert sender.calls == 0
    stubber.assert_no_pending_responses()


# -- retries (Stubber) ------------------------------------------------------------------


def test_throttling_is_retried_with_growing_jittered_pauses() -> None:
    sender, stubber, sleeps = _stubbed(retry_base_delay=0.1, retry_max_delay=0.3)
    stubber.add_client_error(
        "send_email", "TooManyRequestsException", "Maximum sending rate exceeded.", 429
    )
    stubber.add_client_error("send_email", "InternalFailure", "oops", 500)
    stubber.add_client_error("send_email", "ThrottlingException", "slow", 400)
    stubber.add_response("send_email", {"MessageId": "m-1"}, {"Content": ANY, "Destination": ANY})
    with stubber:
        status = sender.send(EmailMessage("a", "b", FROM, ["x@example.net"]))
    assert status.message_id == "m-1"
    assert sleeps == [0.1, 0.2, 0.3]  # base * 2**n, capped; jitter fixed at its maximum
    assert sender.calls == 4


def test_default_retries_are_at_least_three_within_a_few_seconds() -> None:
    sender, stubber, sleeps = _stubbed()
    for _ in range(4):
        stubber.add_client_error("send_email", "Throttling", "Maximum sending rate exceeded.", 400)
    with stubber, pytest.raises(SendError) as raised:
        sender.send(EmailMessage("a", "b", FROM, ["x@example.net"]))
    assert len(sleeps) == 3 and sum(sleeps) < 5
    assert raised.value.transient is True
    assert raised.value.code == "Throttling"
    assert "Maximum sending rate exceeded" in str(raised.value)


@pytest.mark.parametrize(
    "code",
    [
        "MessageRejected",
        "AccountSendingPausedException",
        "MailFromDomainNotVerifiedException",
        "LimitExceededException",
        "BadRequestException",
    ],
)
def test_permanent_errors_raise_at_once(code: str) -> None:
    sender, stubber, sleeps = _stubbed()
    stubber.add_client_error("send_email", code, "no", 400)
    with stubber, pytest.raises(SendError) as raised:
        sender.send(EmailMessage("a", "b", FROM, ["x@example.net"]))
    assert raised.value.code == code and raised.value.transient is False
    assert raised.value.response["Error"]["Code"] == code
    assert sleeps == [] and sender.calls == 1


class _FailingClient:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)

    def send_email(self, **params: Any) -> dict[str, Any]:
        if self.errors:
            raise self.errors.pop(0)
        return {"MessageId": "m-ok"}


def test_connection_errors_are_transient_and_credentials_errors_are_not() -> None:
    sleeps = Sleeps()
    flaky = _FailingClient(EndpointConnectionError(endpoint_url="https://email.example"))
    sender = Sender(SenderSettings(), client=flaky, sleep=sleeps)
    assert sender.send(EmailMessage("a", "b", FROM, ["x@example.net"])).message_id == "m-ok"
    assert len(sleeps) == 1

    broken = Sender(SenderSettings(), client=_FailingClient(NoCredentialsError()), sleep=sleeps)
    with pytest.raises(SendError) as raised:
        broken.send(EmailMessage("a", "b", FROM, ["x@example.net"]))
    assert raised.value.transient is False
    assert isinstance(raised.value.__cause__, NoCredentialsError)


# -- SendBulkEmail (Stubber: moto lacks it) ------------------------------------------


def test_template_send_gives_every_recipient_a_status() -> None:
    sender, stubber, _ = _stubbed()
    message = _template_message(
        ["ann@example.net", "bob@example.net"],
        cc=["carol@example.net"],
        bcc=["dave@example.net"],
        merge_data={"ann@example.net": {"name": "Ann"}},
    )
    stubber.add_response(
        "send_bulk_email",
        _results("SUCCESS", "SUCCESS", "SUCCESS", "MESSAGE_REJECTED"),
        {
            "FromEmailAddress": FROM,
            "DefaultContent": {"Template": {"TemplateName": "welcome", "TemplateData": "{}"}},
            "BulkEmailEntries": ANY,
        },
    )
    with stubber:
        status = sender.send(message)
    assert status.status == {"queued", "failed"}
    assert status.recipients["ann@example.net"].message_id == "m-0"
    assert status.recipients["carol@example.net"].status == "queued"
    assert status.recipients["dave@example.net"].status == "failed"
    assert status.message_id == {"m-0", "m-1", "m-2", None}
    assert status.recipients["ann@example.net"].message_id_header == (f"<m-0@{ses_domain(REGION)}>")
    assert status.recipients["dave@example.net"].message_id_header is None
    assert len(status.message_id_header) == 4
    assert len(status.esp_response) == 1


def test_template_send_of_120_recipients_makes_three_calls() -> None:
    sender, stubber, _ = _stubbed()
    to = [f"r{i}@example.net" for i in range(120)]
    for size in (50, 50, 20):
        stubber.add_response("send_bulk_email", _results(*["SUCCESS"] * size))
    with stubber:
        status = sender.send(_template_message(to))
    stubber.assert_no_pending_responses()
    assert sender.calls == 3
    assert set(status.recipients) == set(to) and status.status == {"queued"}


def test_transiently_failed_entries_are_sent_again_alone() -> None:
    sender, stubber, sleeps = _stubbed()
    stubber.add_response(
        "send_bulk_email", _results("SUCCESS", "ACCOUNT_THROTTLED", "TRANSIENT_FAILURE")
    )
    stubber.add_response(
        "send_bulk_email",
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": "late-b"},
                {"Status": "SUCCESS", "MessageId": "late-c"},
            ]
        },
        {
            "FromEmailAddress": FROM,
            "DefaultContent": ANY,
            "BulkEmailEntries": [
                {"Destination": {"ToAddresses": ["b@example.net"]}, "ReplacementEmailContent": ANY},
                {"Destination": {"ToAddresses": ["c@example.net"]}, "ReplacementEmailContent": ANY},
            ],
        },
    )
    with stubber:
        status = sender.send(_template_message(["a@example.net", "b@example.net", "c@example.net"]))
    assert status.status == {"queued"}
    assert status.recipients["b@example.net"].message_id == "late-b"
    assert len(sleeps) == 1 and len(status.esp_response) == 2


def test_entries_still_throttled_after_the_retries_are_reported_failed() -> None:
    sender, stubber, sleeps = _stubbed(max_retries=1)
    stubber.add_response("send_bulk_email", _results("SUCCESS", "ACCOUNT_THROTTLED"))
    stubber.add_response("send_bulk_email", _results("ACCOUNT_THROTTLED"))
    with stubber:
        status = sender.send(_template_message(["a@example.net", "b@example.net"]))
    assert status.recipients["b@example.net"].status == "failed"
    assert status.recipients["b@example.net"].error.startswith("ACCOUNT_THROTTLED")
    assert len(sleeps) == 1


def test_template_send_where_every_entry_failed_alike_raises() -> None:
    sender, stubber, _ = _stubbed()
    stubber.add_response("send_bulk_email", _results("TEMPLATE_NOT_FOUND", "TEMPLATE_NOT_FOUND"))
    with stubber, pytest.raises(SendError) as raised:
        sender.send(_template_message(["a@example.net", "b@example.net"]))
    assert raised.value.code == "TEMPLATE_NOT_FOUND"
    assert raised.value.transient is False


def test_throttled_bulk_call_is_retried() -> None:
    sender, stubber, sleeps = _stubbed()
    stubber.add_client_error("send_bulk_email", "TooManyRequestsException", "slow", 429)
    stubber.add_response("send_bulk_email", _results("SUCCESS"))
    with stubber:
        status = sender.send(_template_message(["a@example.net"]))
    assert status.message_id == "m-0" and len(sleeps) == 1


def test_a_later_call_failing_reports_its_recipients_failed_instead_of_raising() -> None:
    sender, stubber, _ = _stubbed(max_retries=0)
    to = [f"r{i}@example.net" for i in range(120)]
    stubber.add_response("send_bulk_email", _results(*["SUCCESS"] * 50))
    stubber.add_client_error("send_bulk_email", "TooManyRequestsException", "slow", 429)
    with stubber:
        status = sender.send(_template_message(to))
    stubber.assert_no_pending_responses()  # the third call is not attempted
    assert status.status == {"queued", "failed"}
    assert {status.recipients[a].status for a in to[:50]} == {"queued"}
    late = status.recipients[to[119]]
    assert late.status == "failed" and late.message_id is None
    assert "TooManyRequestsException" in late.error and "not sent" in late.error


def test_a_first_call_failing_raises_since_nothing_was_sent() -> None:
    sender, stubber, _ = _stubbed()
    stubber.add_client_error("send_bulk_email", "NotFoundException", "no template", 404)
    with stubber, pytest.raises(SendError) as raised:
        sender.send(_template_message([f"r{i}@example.net" for i in range(60)]))
    assert raised.value.code == "NotFoundException" and sender.calls == 1


def test_a_failing_entry_retry_keeps_the_entries_already_sent() -> None:
    sender, stubber, _ = _stubbed()
    stubber.add_response("send_bulk_email", _results("SUCCESS", "ACCOUNT_THROTTLED"))
    stubber.add_client_error("send_bulk_email", "AccountSendingPausedException", "paused", 400)
    with stubber:
        status = sender.send(_template_message(["a@example.net", "b@example.net"]))
    assert status.recipients["a@example.net"].status == "queued"
    assert status.recipients["b@example.net"].status == "failed"
    assert status.recipients["b@example.net"].error.startswith("ACCOUNT_THROTTLED")


def test_template_headers_tags_and_metadata_match_the_sesv2_model() -> None:
    # botocore validates the parameters against the SES v2 service model before the stub
    # answers, so a wrong shape for Headers / ReplacementHeaders / tags would fail here.
    sender, stubber, _ = _stubbed(message_tag_name="Category", configuration_set_name="cs")
    message = _template_message(
        ["ann@example.net", "bob@example.net"],
        bcc=["audit@example.com"],
        reply_to=["help@example.com"],
        envelope_sender="bounces@example.com",
        tags=["welcome"],
        metadata={"campaign": "spring"},
        merge_metadata={"ann@example.net": {"user": 1}},
        merge_headers={"bob@example.net": {"List-Unsubscribe": "<https://example.com/u/2>"}},
        merge_global_data={"shop": "Shop"},
        headers={"X-Brand": "Shöp"},
    )
    stubber.add_response(
        "send_bulk_email",
        _results("SUCCESS", "SUCCESS", "SUCCESS"),
        {
            "FromEmailAddress": FROM,
            "ReplyToAddresses": ["help@example.com"],
            "FeedbackForwardingEmailAddress": "bounces@example.com",
            "ConfigurationSetName": "cs",
            "DefaultEmailTags": [{"Name": "Category", "Value": "welcome"}],
            "DefaultContent": ANY,
            "BulkEmailEntries": ANY,
        },
    )
    with stubber:
        status = sender.send(message)
    stubber.assert_no_pending_responses()
    assert status.status == {"queued"} and len(status.recipients) == 3
