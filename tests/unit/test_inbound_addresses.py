"""Inbound addresses as objects: the formatted text as before, with its parts."""

from __future__ import annotations

import json
import pickle
from datetime import UTC

from sesbridge.inbound.addresses import EmailAddress
from sesbridge.inbound.message import parse_mime_bytes

MAIL = (
    b"From: =?utf-8?q?D=C3=B6rte?= <doerte@example.com>\r\n"
    b'To: "Smith, J" <j@example.org>, plain@example.net\r\n'
    b"Cc: Team <team@example.org>\r\n"
    b"Bcc: hidden@example.org\r\n"
    b"Date: Tue, 1 Dec 2026 10:00:00 -0000\r\n"
    b"Subject: hi\r\n\r\nbody\r\n"
)


def test_address_parts_and_formatted_text() -> None:
    message = parse_mime_bytes(MAIL)
    sender = message.from_email
    assert isinstance(sender, EmailAddress)
    assert (sender.addr_spec, sender.display_name) == ("doerte@example.com", "Dörte")
    assert (sender.username, sender.domain) == ("doerte", "example.com")
    assert str(sender) == sender.address == "Dörte <doerte@example.com>"
    assert [a.addr_spec for a in message.to] == ["j@example.org", "plain@example.net"]
    assert [str(a) for a in message.to] == ['"Smith, J" <j@example.org>', "plain@example.net"]
    assert message.to[1].display_name == "" and message.to[1].address == "plain@example.net"
    assert [a.display_name for a in message.cc] == ["Team"]
    assert [a.addr_spec for a in message.bcc] == ["hidden@example.org"]


def test_addresses_still_behave_as_the_strings_they_were() -> None:
    message = parse_mime_bytes(MAIL)
    assert message.from_email == "Dörte <doerte@example.com>"
    assert ", ".join(message.to) == '"Smith, J" <j@example.org>, plain@example.net'
    assert json.loads(json.dumps({"from": message.from_email})) == {
        "from": "Dörte <doerte@example.com>"
    }
    copy = pickle.loads(pickle.dumps(message.from_email))
    assert (copy, copy.addr_spec, copy.display_name) == (
        message.from_email,
        "doerte@example.com",
        "Dörte",
    )


def test_no_bcc_header_is_an_empty_list_and_no_score() -> None:
    message = parse_mime_bytes(b"From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n")
    assert message.bcc == [] and message.cc == []
    assert message.spam_score is None


def test_date_is_timezone_aware_even_for_unknown_zones() -> None:
    date = parse_mime_bytes(MAIL).date
    assert date is not None and date.tzinfo is not None
    assert date.astimezone(UTC).hour == 10
    zoned = parse_mime_bytes(MAIL.replace(b"-0000", b"+0200")).date
    assert zoned is not None and zoned.astimezone(UTC).hour == 8


def test_parse_and_address_without_at() -> None:
    address = EmailAddress.parse("Name <user@host.example>")
    assert (address.display_name, address.addr_spec) == ("Name", "user@host.example")
    bare = EmailAddress("", "postmaster")
    assert (bare.username, bare.domain) == ("postmaster", "")
