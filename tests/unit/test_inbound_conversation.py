"""Threading, verdicts and mailbox hash of the Email Inbound Event (pure)."""

from __future__ import annotations

import copy

import pytest
from sesbridge.inbound.conversation import mailbox_fields, thread_fields, verdict_fields
from sesbridge.inbound.detail import inbound_entry
from sesbridge.inbound.message import MAX_HEADER_CHARS, parse_mime_bytes
from sesbridge.inbound.receipt import parse_receipt

from tests.inbound_samples import s3_action

RAW = {"bucket": "inbox-bucket", "key": "mail/abc", "size": 1, "sha256": "0" * 64}
OURS = "0102018c1a2b3c4d-5e6f7a8b-1234-4cde-9f00-0123456789ab-000000"


def mime(**headers: str) -> bytes:
    lines = [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(["From: a@example.net", *lines, "", "Thanks!", ""])).encode()


def test_a_reply_to_our_send_names_its_ses_message_id(schema_validator) -> None:
    raw = mime(
        Message_ID="<reply-1@mail.example.net>",
        In_Reply_To=f"<{OURS}@eu-west-1.amazonses.com>",
        References=f"<root@app.example.com>\r\n <{OURS}@eu-west-1.amazonses.com>",
    )
    receipt = parse_receipt(s3_action("inbox-bucket", "mail/abc"))
    entry = inbound_entry(receipt, parse_mime_bytes(raw), raw=RAW, source="sesbridge")
    message = entry.detail["message"]
    assert message["message_id"] == "<reply-1@mail.example.net>"
    assert message["in_reply_to"] == f"<{OURS}@eu-west-1.amazonses.com>"
    assert message["references"] == [
        "<root@app.example.com>",
        f"<{OURS}@eu-west-1.amazonses.com>",
    ]
    assert message["reply_to_message_id"] == OURS
    assert message["thread_id"] == "<root@app.example.com>"
    event = {"source": "sesbridge", "detail-type": entry.detail_type, "detail": entry.detail}
    assert not list(schema_validator.iter_errors(event))


def test_references_alone_find_the_newest_ses_id() -> None:
    # Some clients drop In-Reply-To (or name a non-SES id in it); References still lead back.
    older, newer = "0100aaaa-000000", "0100bbbb-000000"
    fields = thread_fields(
        parse_mime_bytes(
            mime(
                In_Reply_To="<their-own@example.net>",
                References=f"<{older}@email.amazonses.com> <x@y> <{newer}@email.amazonses.com>",
            )
        )
    )
    assert fields["reply_to_message_id"] == newer
    assert fields["thread_id"] == f"<{older}@email.amazonses.com>"


def test_a_new_mail_starts_its_own_thread() -> None:
    fields = thread_fields(parse_mime_bytes(mime(Message_ID="<first@example.net>")))
    assert fields == {
        "message_id": "<first@example.net>",
        "in_reply_to": None,
        "references": [],
        "reply_to_message_id": None,
        "thread_id": "<first@example.net>",
    }


def test_no_ids_at_all() -> None:
    fields = thread_fields(parse_mime_bytes(mime(Subject="hi")))
    assert fields["message_id"] is None and fields["thread_id"] is None


def test_a_huge_references_header_is_read_within_the_header_budget() -> None:
    ids = " ".join(f"<{n:06d}@example.net>" for n in range(50_000))
    fields = thread_fields(parse_mime_bytes(mime(References=ids)))
    assert 0 < len(fields["references"]) <= 100
    assert sum(len(r) for r in fields["references"]) <= MAX_HEADER_CHARS
    assert fields["thread_id"] == "<000000@example.net>"


def _receipt(**verdicts: str | None):
    notification = copy.deepcopy(s3_action("inbox-bucket", "mail/abc"))
    for name, status in verdicts.items():
        key = "dmarcPolicy" if name == "dmarc_policy" else f"{name}Verdict"
        if status is None:
            notification["receipt"].pop(key, None)
        elif name == "dmarc_policy":
            notification["receipt"][key] = status
        else:
            notification["receipt"][key] = {"status": status}
    return parse_receipt(notification)


@pytest.mark.parametrize(
    ("spf", "dkim", "dmarc", "authenticated"),
    [
        ("PASS", "FAIL", "PASS", True),
        ("FAIL", "PASS", "GRAY", True),
        ("PASS", "PASS", "FAIL", False),  # aligned neither: DMARC says spoofed
        ("FAIL", "FAIL", "GRAY", False),
        ("GRAY", "PROCESSING_FAILED", "DISABLED", False),
        (None, None, None, None),
    ],
)
def test_authenticated_rule(spf, dkim, dmarc, authenticated) -> None:
    fields = verdict_fields(_receipt(spf=spf, dkim=dkim, dmarc=dmarc))
    assert fields["authenticated"] is authenticated
    assert (fields["verdicts"]["spf"], fields["verdicts"]["dkim"]) == (spf, dkim)


def test_verdicts_as_ses_reports_them_with_the_dmarc_policy() -> None:
    fields = verdict_fields(_receipt(dmarc="FAIL", dmarc_policy="reject"))
    assert fields["verdicts"] == {
        "spf": "PASS",
        "dkim": "GRAY",
        "dmarc": "FAIL",
        "spam": "PASS",
        "virus": "FAIL",
        "dmarc_policy": "REJECT",
    }
    assert verdict_fields(_receipt())["verdicts"]["dmarc_policy"] is None


@pytest.mark.parametrize(
    ("recipient", "separator", "mailbox_hash", "base"),
    [
        ("support+ticket-42@example.com", "+", "ticket-42", "support@example.com"),
        ("support+a+b@example.com", "+", "a+b", "support@example.com"),
        ("support+@example.com", "+", "", "support@example.com"),
        ("support@example.com", "+", None, "support@example.com"),
        ("support--t-7@example.com", "--", "t-7", "support@example.com"),
        ("support+x@example.com", "-", None, "support+x@example.com"),
        ('"odd@local"+h@example.com', "+", "h", '"odd@local"@example.com'),
        (None, "+", None, None),
    ],
)
def test_mailbox_hash(recipient, separator, mailbox_hash, base) -> None:
    assert mailbox_fields(recipient, separator) == {
        "mailbox_hash": mailbox_hash,
        "envelope_recipient_base": base,
    }


def test_the_separator_reaches_the_event() -> None:
    notification = s3_action("inbox-bucket", "mail/abc")
    notification["receipt"]["recipients"] = ["help_ticket-9@example.org"]
    entry = inbound_entry(
        parse_receipt(notification),
        parse_mime_bytes(mime(Subject="x")),
        raw=RAW,
        source="sesbridge",
        mailbox_hash_separator="_",
    )
    message = entry.detail["message"]
    assert message["mailbox_hash"] == "ticket-9"
    assert message["envelope_recipient_base"] == "help@example.org"
    assert message["envelope_recipient"] == "help_ticket-9@example.org"  # kept as it was


def test_ids_written_as_encoded_words_are_decoded() -> None:
    # Python's email package (and some others) encodes a long unbroken id as words.
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"] = "a@example.net"
    mail["In-Reply-To"] = f"<{OURS}@email.amazonses.com>"
    mail.set_content("x")
    assert b"=?utf-8?q?" in mail.as_bytes()
    assert thread_fields(parse_mime_bytes(mail.as_bytes()))["reply_to_message_id"] == OURS
