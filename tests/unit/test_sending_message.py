"""EmailMessage's django-anymail methods: files, inline images from files, recipients."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.message import Attachment, EmailMessage
from sesbridge.sending.payload import SendEmailRequest, build_requests
from sesbridge.sending.settings import SenderSettings

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def _message() -> EmailMessage:
    return EmailMessage("Hi", "Hello", "shop@example.com", ["zoe@example.net"])


def _parsed(message: EmailMessage) -> email.message.EmailMessage:
    request = build_requests(message, SenderSettings())
    assert isinstance(request, SendEmailRequest)
    return email.message_from_bytes(request.params["Content"]["Raw"]["Data"], policy=policy.default)


def test_attach_file_reads_the_file_and_guesses_its_type(tmp_path: Path) -> None:
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(b"%PDF-1.7\x00\xff")
    notes = tmp_path / "notes.bin"
    notes.write_bytes(b"Notizen")
    message = _message()
    message.attach_file(pdf)
    message.attach_file(str(notes), "text/plain")
    assert message.attachments == [
        Attachment("invoice.pdf", b"%PDF-1.7\x00\xff", None),
        Attachment("notes.bin", b"Notizen", "text/plain"),
    ]
    first, second = _parsed(message).iter_attachments()
    assert first.get_content_type() == "application/pdf"
    assert first.get_filename() == "invoice.pdf" and first.get_content() == b"%PDF-1.7\x00\xff"
    assert second.get_content_type() == "text/plain" and second.get_content() == "Notizen"


def test_attach_file_of_a_missing_path_raises_at_once(tmp_path: Path) -> None:
    message = _message()
    with pytest.raises(FileNotFoundError):
        message.attach_file(tmp_path / "nope.pdf")
    assert message.attachments == []


def test_attach_inline_image_file_returns_the_content_id(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    message = _message()
    cid = message.attach_inline_image_file(logo, domain="example.com")
    assert cid.endswith("@example.com") and "<" not in cid
    message.attach_alternative(f'<img src="cid:{cid}">', "text/html")
    root = _parsed(message)
    assert root.get_content_type() == "multipart/related"
    (image,) = root.iter_attachments()
    assert image["Content-ID"] == f"<{cid}>"
    assert image.get_content_disposition() == "inline"
    assert image.get_filename() == "logo.png" and image.get_content() == PNG


def test_recipients_are_every_to_cc_and_bcc_address_as_given() -> None:
    message = EmailMessage(
        to=["Zoë <zoe@bücher.example>", "b@example.com"],
        cc=["c@example.com"],
        bcc=["d@example.com"],
    )
    assert message.recipients() == [
        "Zoë <zoe@bücher.example>",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ]
    assert EmailMessage().recipients() == []


def test_message_is_the_mail_a_plain_send_sends() -> None:
    message = EmailMessage(
        "Grüße",
        "Hallo",
        "Shop <shop@example.com>",
        ["Zoë <zoe@bücher.example>"],
        bcc=["audit@example.com"],
        tags=["welcome"],
        metadata={"user": 7},
    )
    mail = message.message()
    assert isinstance(mail, email.message.EmailMessage)
    assert mail["Subject"] == "Grüße"
    assert mail["To"] == "Zoë <zoe@xn--bcher-kva.example>"
    assert mail["X-Tag"] == "welcome" and mail["X-Metadata"] == '{"user": 7}'
    assert "Bcc" not in mail and mail.get_content() == "Hallo"


def test_message_applies_the_send_defaults_and_refuses_what_send_refuses() -> None:
    settings = SenderSettings(send_defaults={"tags": ["app"]})
    assert _message().message(settings).get_all("X-Tag") == ["app"]
    with pytest.raises(InvalidMessage, match=r"^subject: control character"):
        EmailMessage("a\x0b", "b", "shop@example.com", ["z@example.net"]).message()
    template = EmailMessage(from_email="shop@example.com", to=["z@example.net"], template_id="t")
    with pytest.raises(InvalidMessage, match="template sends"):
        template.message()
