"""sesbridge.testing.outbox(): sends captured with real statuses, nothing reaches AWS."""

from __future__ import annotations

import pytest
from sesbridge import EmailMessage, InvalidMessage, Sender, SenderSettings, get_default_sender
from sesbridge.testing import outbox


class _Unreachable:
    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"the real client was used: {name}")


def test_plain_and_template_sends_are_captured_with_their_statuses() -> None:
    get_default_sender.cache_clear()
    with outbox() as sent:
        plain = EmailMessage(
            "Welcome",
            "Hi",
            "shop@example.com",
            ["zoe@example.net"],
            bcc=["audit@example.com"],
            tags=["welcome"],
        ).send()
        template = EmailMessage(
            from_email="shop@example.com",
            to=[f"r{n}@example.net" for n in range(60)],
            template_id="news",
            merge_data={"r1@example.net": {"name": "R1"}},
        ).send(Sender(SenderSettings(), client=_Unreachable()))
    get_default_sender.cache_clear()
    first, second = sent
    assert first.status is plain and plain.status == {"queued"}
    assert set(plain.recipients) == {"zoe@example.net", "audit@example.com"}
    assert first.message.subject == "Welcome"
    assert first.mime()["X-Tag"] == "welcome" and "Bcc" not in first.mime()
    assert [operation for operation, _ in second.calls] == ["SendBulkEmail", "SendBulkEmail"]
    assert len(template.recipients) == 60 and template.status == {"queued"}
    assert len({r.message_id for r in template.recipients.values()}) == 60
    with pytest.raises(ValueError, match="template send"):
        second.mime()


def test_refused_messages_raise_and_are_not_captured() -> None:
    with outbox() as sent:
        with pytest.raises(InvalidMessage):
            EmailMessage("a\x0b", "b", "shop@example.com", ["z@example.net"]).send(Sender())
        status = EmailMessage("a\x0b", "b", "shop@example.com", ["z@example.net"]).send(
            Sender(), fail_silently=True
        )
    assert sent == [] and status.status == {"failed"}


def test_parameters_are_validated_as_boto3_would() -> None:
    from sesbridge import SendError

    message = EmailMessage("a", "b", "shop@example.com", ["z@example.net"])
    message.esp_extra = {"ConfigurationSetName": 5}
    with outbox() as sent, pytest.raises(SendError, match="Parameter validation failed"):
        message.send(Sender())
    assert sent == []


def test_the_outbox_is_gone_after_the_block() -> None:
    with outbox():
        pass
    assert Sender(SenderSettings(), client=client_sentinel).client is client_sentinel


client_sentinel = object()


def test_statuses_carry_the_message_id_header_of_the_outbox_region() -> None:
    with outbox() as sent:
        status = EmailMessage("Hi", "Body", "shop@example.com", ["zoe@example.net"]).send()
    assert status.message_id_header == f"<{status.message_id}@email.amazonses.com>"
    assert sent[0].status is status


def test_scheduled_sends_are_captured_with_their_schedule() -> None:
    from datetime import UTC, datetime, timedelta

    from sesbridge import cancel_scheduled

    settings = SenderSettings(
        schedule_group="sends", scheduler_role_arn="arn:aws:iam::123456789012:role/scheduler"
    )
    later = datetime.now(UTC) + timedelta(hours=3)
    with outbox() as sent:
        status = EmailMessage(
            "Later", "x", "shop@example.com", ["zoe@example.net"], send_at=later
        ).send(Sender(settings, client=_Unreachable()))
        schedule_id = status.recipients["zoe@example.net"].schedule_id
        assert schedule_id is not None
        assert cancel_scheduled(schedule_id, Sender(settings)) is True
    (mail,) = sent
    assert mail.status.status == {"scheduled"}
    ((operation, params),) = mail.calls
    assert operation == "CreateSchedule" and params["GroupName"] == "sends"
    assert params["Target"]["Arn"].endswith(":sesv2:sendEmail")
    assert mail.mime()["Subject"] == "Later"
