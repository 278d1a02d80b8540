"""Raw MIME: structure, 7bit-cleanliness, encodings, X-Metadata / X-Tag headers, size limit."""

from __future__ import annotations

import email
import json
from email import policy
from email.mime.text import MIMEText

import pytest
from sesbridge.exceptions import InvalidMessage
from sesbridge.sending import mime
from sesbridge.sending.message import Attachment

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def _build(**overrides: object) -> bytes:
    fields: dict[str, object] = {
        "subject": "Grüße",
        "address_headers": {"From": "Shop <shop@example.com>", "To": "a@example.net"},
        "bodies": [
            ("Hallo Zoë", "text/plain", "body"),
            ("<p>Hallo Zoë</p>", "text/html", "alternatives[0]"),
        ],
    }
    fields.update(overrides)
    return mime.build_mime(**fields)  # type: ignore[arg-type]


def test_output_is_7bit_ascii_with_crlf_lines() -> None:
    raw = _build(attachments=[Attachment("ü.bin", bytes(range(256)))])
    assert raw.isascii()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_text_and_html_alternatives_are_quoted_printable_and_round_trip() -> None:
    message = _parse(_build())
    assert message["Subject"] == "Grüße"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text["Content-Transfer-Encoding"] == "quoted-printable"
    assert text.get_content() == "Hallo Zoë"
    assert html.get_content_type() == "text/html" and html.get_content() == "<p>Hallo Zoë</p>"


def test_plain_ascii_text_stays_7bit_but_long_lines_are_encoded() -> None:
    short = _parse(_build(bodies=[("hello", "text/plain", "body")]))
    assert short["Content-Transfer-Encoding"] == "7bit"
    long = _parse(_build(bodies=[("x" * 2000, "text/plain", "body")]))
    assert long["Content-Transfer-Encoding"] == "quoted-printable"
    assert long.get_content() == "x" * 2000


def test_attachments_and_inline_images_are_structured_and_base64() -> None:
    raw = _build(
        attachments=[
            Attachment("report.pdf", b"%PDF-1.7\x00\xff"),
            Attachment("notes.txt", "Notizen für dich"),
            Attachment("logo.png", PNG, content_id="logo@inline"),
        ]
    )
    message = _parse(raw)
    assert message.get_content_type() == "multipart/mixed"
    related, pdf, notes = message.iter_parts()
    assert related.get_content_type() == "multipart/related"
    alternative, image = related.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert image["Content-ID"] == "<logo@inline>"
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == PNG
    assert pdf.get_content_type() == "application/pdf"
    assert pdf["Content-Transfer-Encoding"] == "base64"
    assert pdf.get_filename() == "report.pdf" and pdf.get_content() == b"%PDF-1.7\x00\xff"
    assert notes["Content-Transfer-Encoding"] == "quoted-printable"
    assert notes.get_content() == "Notizen für dich"


def test_non_ascii_filenames_use_rfc_2231() -> None:
    raw = _build(attachments=[Attachment("Übersicht.pdf", b"x")])
    assert b"filename*=utf-8''%C3%9Cbersicht.pdf" in raw
    (_, attachment) = _parse(raw).iter_parts()
    assert attachment.get_filename() == "Übersicht.pdf"


def test_caller_built_8bit_parts_are_reencoded() -> None:
    part = MIMEText("Grüße aus Köln", "plain", "utf-8")
    part.replace_header("Content-Transfer-Encoding", "8bit")
    part.set_payload("Grüße aus Köln".encode().decode("ascii", "surrogateescape"))
    raw = _build(attachments=[part])
    assert raw.isascii()
    (_, attached) = _parse(raw).iter_parts()
    assert attached["Content-Transfer-Encoding"] == "quoted-printable"
    assert attached.get_content() == "Grüße aus Köln"


def test_metadata_and_tags_headers() -> None:
    message = _parse(_build(metadata={"order": 12, "name": "Zoë"}, tags=["receipts", "eu"]))
    assert json.loads(message["X-Metadata"]) == {"order": 12, "name": "Zoë"}
    assert message.get_all("X-Tag") == ["receipts", "eu"]


def test_metadata_must_be_json() -> None:
    with pytest.raises(InvalidMessage, match="metadata is not strict JSON"):
        _build(metadata={"when": object()})


def test_extra_headers_and_non_ascii_values() -> None:
    message = _parse(_build(headers={"X-Campaign": "Frühling", "List-Unsubscribe": "<x@y.z>"}))
    assert message["X-Campaign"] == "Frühling"
    assert message["List-Unsubscribe"] == "<x@y.z>"
    assert message["Date"]


def test_bodies_must_be_text() -> None:
    with pytest.raises(InvalidMessage, match="body: a body must be text/"):
        _build(bodies=[("x", "application/json", "body")])


def test_message_over_the_ses_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mime, "MAX_MESSAGE_BYTES", 10_000)
    with pytest.raises(InvalidMessage, match="at most 10000"):
        _build(attachments=[Attachment("big.bin", bytes(20_000))])


def test_forty_megabytes_is_the_default_limit() -> None:
    assert mime.MAX_MESSAGE_BYTES == 40 * 1024 * 1024


def test_long_metadata_folds_at_spaces_and_round_trips() -> None:
    metadata = {"note": "a,b;c " * 40, "items": list(range(300))}
    raw = _build(metadata=metadata)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert json.loads(_parse(raw)["X-Metadata"]) == metadata


def test_a_header_line_that_cannot_fold_is_refused() -> None:
    with pytest.raises(InvalidMessage, match=r"^metadata: the X-Metadata header has a line of"):
        _build(metadata={"token": "x" * 1200})
