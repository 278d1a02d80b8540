"""Parsing received MIME with AnymailInboundMessage's conveniences (pure)."""

from __future__ import annotations

import pytest
from sesbridge.inbound.errors import CorruptMime
from sesbridge.inbound.message import parse_mime_bytes, parse_mime_chunks

from tests.inbound_samples import LOGO, PDF, multipart_mail


def test_addresses_subject_and_date_are_decoded() -> None:
    message = parse_mime_bytes(multipart_mail())
    assert message.from_email == "D\u00f6rte M\u00fcller <doerte@example.com>"
    assert message.to == ["\u00dcnic\u00f8de Inbox <inbox@example.org>", "second@example.org"]
    assert message.cc == ["Caf\u00e9 <cafe@example.net>"]
    assert message.subject == "Gr\u00fc\u00dfe aus K\u00f6ln \U0001f389"
    assert message.date.isoformat() == "2026-11-24T10:00:00+01:00"
    assert ("Subject", "Gr\u00fc\u00dfe aus K\u00f6ln \U0001f389") in message.header_pairs()


def test_bodies_attachments_and_inlines_are_told_apart() -> None:
    message = parse_mime_bytes(multipart_mail())
    assert message.text == "Hallo Welt \u2713\nZweite Zeile\n"
    assert "cid:logo@example.com" in message.html
    [attachment] = message.attachments
    assert attachment.get_filename() == "Rechnung \u00e4.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content_bytes() == PDF
    [inline] = message.inlines
    assert inline.get_filename() == "logo.png"
    assert message.content_id_map == {"logo@example.com": inline}
    assert inline.get_content_bytes() == LOGO


def test_parsing_in_chunks_equals_parsing_whole() -> None:
    raw = multipart_mail()
    chunks = [raw[i : i + 7] for i in range(0, len(raw), 7)]
    streamed = parse_mime_chunks(chunks)
    whole = parse_mime_bytes(raw)
    assert streamed.text == whole.text
    assert streamed.attachments[0].get_content_bytes() == PDF


def test_a_part_without_disposition_is_neither_attachment_nor_inline() -> None:
    raw = (
        b"From: a@example.com\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        b"--b\r\nContent-Type: image/gif\r\nContent-ID: <x@y>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nR0lGODlh\r\n--b--\r\n"
    )
    message = parse_mime_bytes(raw)
    assert message.text == "body"
    assert message.attachments == [] and message.inlines == [] and message.content_id_map == {}


def test_unknown_charset_falls_back_to_utf8() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: text/plain; charset=x-no-such\r\n\r\ncaf\xc3\xa9\r\n"
    )
    assert parse_mime_bytes(raw).text == "caf\u00e9\n"


def test_attached_message_gives_its_bytes() -> None:
    inner = b"From: inner@example.com\r\nSubject: inner\r\n\r\nhi\r\n"
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        + inner
        + b"--b--\r\n"
    )
    [attached] = parse_mime_bytes(raw).attachments
    assert b"Subject: inner" in attached.get_content_bytes()


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\x01\x02 binary garbage, no header at all",
        b"",
        b"From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary given\r\n",
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\nnone\r\n",
    ],
)
def test_corrupt_mime_is_a_clear_error(raw: bytes) -> None:
    with pytest.raises(CorruptMime) as caught:
        parse_mime_bytes(raw)
    assert caught.value.error_type == "corrupt_mime"


def test_unlabelled_8bit_utf8_headers_and_body_are_read_as_utf8() -> None:
    raw = (
        "From: J\u00fcrgen <j@example.com>\r\nTo: Zo\u00eb <z@example.org>\r\n"
        "Subject: Gr\u00fc\u00dfe\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nh\u00e4llo\r\n--b\r\n"
        "Content-Type: application/pdf\r\n"
        'Content-Disposition: attachment; filename="R\u00fcb.pdf"\r\n\r\nxx\r\n--b--\r\n'
    ).encode()
    message = parse_mime_bytes(raw)
    assert message.from_email == "J\u00fcrgen <j@example.com>"
    assert message.to == ["Zo\u00eb <z@example.org>"]
    assert message.subject == "Gr\u00fc\u00dfe"
    assert ("To", "Zo\u00eb <z@example.org>") in message.header_pairs()
    assert message.text == "h\u00e4llo"
    assert message.attachments[0].get_filename() == "R\u00fcb.pdf"
