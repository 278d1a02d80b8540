"""The Email Inbound Event detail and its fitting to EventBridge's 256 KB (pure)."""

from __future__ import annotations

import base64
import random

import pytest
from sesbridge.events import INBOUND_DETAIL_TYPE
from sesbridge.events.entries import MAX_ENTRY_BYTES, entry_size
from sesbridge.inbound.detail import inbound_entry
from sesbridge.inbound.message import parse_mime_bytes
from sesbridge.inbound.receipt import parse_receipt

from tests.inbound_samples import PDF, SES_MESSAGE_ID, multipart_mail, s3_action

RAW = {"bucket": "inbox-bucket", "key": "mail/abc", "size": 1, "sha256": "0" * 64}


def build(raw_mail: bytes, notification=None):
    receipt = parse_receipt(notification or s3_action("inbox-bucket", "mail/abc"))
    return inbound_entry(receipt, parse_mime_bytes(raw_mail), raw=RAW, source="sesbridge")


def test_detail_carries_message_envelope_verdicts_and_raw(schema_validator) -> None:
    entry = build(multipart_mail())
    detail = entry.detail
    assert entry.detail_type == INBOUND_DETAIL_TYPE
    assert entry.time == detail["timestamp"] == "2026-11-24T09:00:01.123Z"
    assert detail["event_id"] == SES_MESSAGE_ID
    assert detail["event_type"] == "inbound" and detail["esp_name"] == "Amazon SES"
    message = detail["message"]
    assert message["from_email"] == "D\u00f6rte M\u00fcller <doerte@example.com>"
    assert message["date"] == "2026-11-24T10:00:00+01:00"
    assert message["attachments"] == [
        {"filename": "Rechnung \u00e4.pdf", "content_type": "application/pdf",
         "size": len(PDF), "content_id": None}
    ]  # fmt: skip
    assert message["inlines"][0]["content_id"] == "logo@example.com"
    assert message["envelope_sender"] == "bounces+123@example.com"
    assert message["envelope_recipient"] == "inbox@example.org"
    assert message["envelope_recipients"] == ["inbox@example.org", "second@example.org"]
    assert (message["spam_detected"], message["virus_detected"]) == (False, True)
    assert (message["spf_verdict"], message["dkim_verdict"], message["dmarc_verdict"]) == (
        "PASS",
        "GRAY",
        "PROCESSING_FAILED",
    )
    assert {"name": "Message-ID", "value": "<sample-1@example.com>"} in message["headers"]
    assert not any(message[f] for f in ("text_truncated", "html_truncated", "headers_truncated"))
    assert detail["raw"] == RAW and detail["esp_event_trimmed"] is False
    event = {"source": "sesbridge", "detail-type": entry.detail_type, "detail": detail}
    assert not list(schema_validator.iter_errors(event))


@pytest.mark.parametrize("size", [300 * 1024, 3 * 1024 * 1024])
def test_oversize_bodies_are_cut_and_flagged_to_fit(size: int, schema_validator) -> None:
    text = "\u00e4" * size  # two UTF-8 bytes each
    html = "<p>" + "x" * size + "</p>"
    entry = build(multipart_mail(text=text, html=html))
    message = entry.detail["message"]
    assert entry_size(entry, "sesbridge") <= MAX_ENTRY_BYTES
    assert message["text_truncated"] is True
    assert text.startswith(message["text"]) and len(message["text"]) > 1000
    assert message["html_truncated"] is True and html.startswith(message["html"][:3])
    event = {"source": "sesbridge", "detail-type": entry.detail_type, "detail": entry.detail}
    assert not list(schema_validator.iter_errors(event))


def test_a_small_body_is_not_cut_when_the_other_one_is_the_problem() -> None:
    entry = build(multipart_mail(text="short", html="<p>" + "y" * 400_000 + "</p>"))
    message = entry.detail["message"]
    assert (message["text"], message["text_truncated"]) == ("short\n", False)
    assert message["html_truncated"] is True


def test_huge_headers_are_cut_then_esp_event_headers_dropped() -> None:
    headers = b"".join(b"Received: from relay%d.example.net by mx\r\n" % i for i in range(9000))
    raw = headers + multipart_mail()
    notification = s3_action("inbox-bucket", "mail/abc")
    notification["mail"]["headers"] = [{"name": "Received", "value": "x" * 200}] * 1500
    entry = build(raw, notification)
    assert entry_size(entry, "sesbridge") <= MAX_ENTRY_BYTES
    assert entry.detail["message"]["headers_truncated"] is True
    assert entry.detail["message"]["headers"][0]["name"] == "Received"


def test_an_event_that_cannot_fit_is_an_error_that_keeps_raw() -> None:
    from sesbridge.inbound.errors import EventTooLarge

    to = ", ".join(f"r{i}@example.org" for i in range(5000))
    raw = f"From: a@example.com\r\nTo: {to}\r\nCc: {to}\r\n\r\nhi\r\n".encode()
    notification = s3_action("inbox-bucket", "mail/abc")
    notification["mail"]["commonHeaders"]["to"] = to.split(", ") * 4
    with pytest.raises(EventTooLarge) as caught:
        build(raw, notification)
    assert caught.value.raw == RAW and caught.value.error_type == "event_too_large"


def test_a_multipart_marked_as_attachment_is_described_by_its_mime_size() -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n"
        b"--o\r\nContent-Type: text/plain\r\n\r\nhi\r\n--o\r\n"
        b"Content-Type: multipart/alternative; boundary=i\r\n"
        b"Content-Disposition: attachment; filename=fwd\r\n\r\n"
        b"--i\r\nContent-Type: text/plain\r\n\r\nforwarded\r\n--i--\r\n--o--\r\n"
    )
    [info] = build(raw).detail["message"]["attachments"]
    assert info["content_type"] == "multipart/alternative" and info["size"] > 20


def test_timestamp_is_normalized_and_a_malformed_one_falls_back() -> None:
    offset = s3_action("inbox-bucket", "mail/abc")
    offset["mail"]["timestamp"] = "2026-11-24T11:00:01.123+01:00"
    assert build(multipart_mail(), offset).detail["timestamp"] == "2026-11-24T10:00:01.123Z"

    broken = s3_action("inbox-bucket", "mail/abc")
    broken["mail"]["timestamp"] = "yesterday"
    receipt = parse_receipt(broken)
    entry = inbound_entry(
        receipt,
        parse_mime_bytes(multipart_mail()),
        raw=RAW,
        source="sesbridge",
        received_at="2026-11-24T09:00:05Z",
    )
    assert entry.time == entry.detail["timestamp"] == "2026-11-24T09:00:05.000Z"


def _part(cte: str, body: bytes) -> bytes:
    return (
        b"From: a@example.com\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="f.bin"\r\n'
        b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body + b"\r\n--b--\r\n"
    )


def _base64_variants(rng: random.Random) -> list[bytes]:
    variants = []
    for n in (0, 1, 2, 3, 4, 5, 57, 58, 59, 1000, 4099):
        encoded = base64.b64encode(rng.randbytes(n))
        lines = b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
        variants += [
            lines,
            encoded,  # one long line
            lines.replace(b"\r\n", b"\n"),
            b" " + lines + b"  \r\n\r\n",  # blanks around
            encoded.rstrip(b"="),  # padding left out
            encoded + b"==",  # too much padding
            encoded[:-1] if encoded else b"Q",  # a truncated quantum
            encoded[: len(encoded) // 2] + b"*!" + encoded[len(encoded) // 2 :],  # junk
            encoded[:4] + b"=" + encoded[4:],  # padding in the middle
        ]
    return variants


def test_attachment_size_is_the_decoded_size_without_decoding_clean_parts() -> None:
    from sesbridge.inbound.detail import attachment_info
    from sesbridge.inbound.message import parse_mime_bytes

    rng = random.Random(9)
    cases = [("base64", body) for body in _base64_variants(rng)]
    text = b"caf\xc3\xa9 au lait\r\nline two \xff\xfe\r\n"
    cases += [(cte, body) for cte in ("7bit", "8bit", "binary") for body in (b"plain", text)]
    cases += [("quoted-printable", b"caf=C3=A9 =\r\nsoft break=20\r\n"), ("x-unknown", text)]
    for cte, body in cases:
        [part] = parse_mime_bytes(_part(cte, body)).attachments
        assert attachment_info(part)["size"] == len(part.get_content_bytes()), (cte, body[:40])


def test_clean_base64_is_sized_without_decoding(monkeypatch) -> None:
    from sesbridge.inbound.detail import attachment_info
    from sesbridge.inbound.message import InboundMessage, parse_mime_bytes

    data = random.Random(3).randbytes(100_000)
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    [part] = parse_mime_bytes(_part("base64", encoded)).attachments

    def no_decoding(self):
        raise AssertionError("decoded only to be sized")

    monkeypatch.setattr(InboundMessage, "get_content_bytes", no_decoding)
    assert attachment_info(part)["size"] == len(data)
