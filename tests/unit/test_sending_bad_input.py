"""Bad input to the sender: a clear TypeError or InvalidMessage naming the argument, never
malformed mail or a stray exception. One test per class of input that used to escape."""

from __future__ import annotations

import email
import json
from email import policy
from typing import Any

import pytest
from sesbridge.exceptions import InvalidMessage, UnsupportedFeature
from sesbridge.sending.message import EmailMessage
from sesbridge.sending.payload import BulkEmailRequest, SendEmailRequest, build_requests
from sesbridge.sending.settings import SenderSettings

FROM = "shop@example.com"
TO = ["zoe@example.net"]
BREAKERS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x7f", "\x00", "\x85", "\u2028", "\udcff"]


def _raw(**kwargs: Any) -> bytes:
    request = build_requests(_message(**kwargs), SenderSettings())
    assert isinstance(request, SendEmailRequest)
    return request.params["Content"]["Raw"]["Data"]


def _parsed(**kwargs: Any) -> email.message.EmailMessage:
    return email.message_from_bytes(_raw(**kwargs), policy=policy.default)


def _message(**kwargs: Any) -> EmailMessage:
    args: dict[str, Any] = {"subject": "Hi", "body": "Hello", "from_email": FROM, "to": TO}
    args.update(kwargs)
    return EmailMessage(**args)


def _bulk(**kwargs: Any) -> list[BulkEmailRequest]:
    requests = build_requests(
        _message(subject="", body="", template_id="t", **kwargs), SenderSettings()
    )
    assert isinstance(requests, list)
    return requests


# -- control characters in header text ---------------------------------------------------


@pytest.mark.parametrize("char", BREAKERS)
@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("subject", lambda c: {"subject": f"Hi{c}there"}),
        ("to", lambda c: {"to": [f"Zo{c}ë <zoe@example.net>"]}),
        ("from_email", lambda c: {"from_email": f"Sh{c}op <shop@example.com>"}),
        ("reply_to", lambda c: {"reply_to": [f"He{c}lp <help@example.com>"]}),
        ("tags", lambda c: {"tags": [f"wel{c}come"]}),
        (r"headers\['X-Campaign'\]", lambda c: {"headers": {"X-Campaign": f"spr{c}ing"}}),
        (r"headers\['To'\]", lambda c: {"headers": {"To": f"A{c} <a@example.com>"}}),
        (r"attachments\[0\] filename", lambda c: {"attachments": [(f"a{c}.pdf", b"%PDF")]}),
    ],
)
def test_control_characters_in_plain_send_headers_are_refused_naming_the_field(
    field: str, kwargs: Any, char: str
) -> None:
    with pytest.raises(InvalidMessage, match=f"^{field}"):
        _raw(**kwargs(char))


@pytest.mark.parametrize("char", BREAKERS)
@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("tags", lambda c: {"tags": [f"wel{c}come"]}),
        (r"headers\['X-Campaign'\]", lambda c: {"headers": {"X-Campaign": f"spr{c}ing"}}),
        (
            r"merge_headers\['zoe@example.net'\]\['X-Code'\]",
            lambda c: {"merge_headers": {"zoe@example.net": {"X-Code": f"a{c}b"}}},
        ),
    ],
)
def test_control_characters_in_template_headers_are_refused_naming_the_field(
    field: str, kwargs: Any, char: str
) -> None:
    with pytest.raises(InvalidMessage, match=f"^{field}"):
        _bulk(**kwargs(char))


@pytest.mark.parametrize("name", ["X-A\n", "X-A\r\nBcc", "Bad Name", "X:A", "", "X" * 127])
def test_invalid_header_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidMessage, match="invalid header name"):
        _raw(headers={name: "x"})


def test_tabs_and_unicode_stay_header_text() -> None:
    message = _parsed(subject="Grüße\t日本 😀", headers={"X-Note": "a\tb"})
    assert message["Subject"] == "Grüße\t日本 😀"
    assert message["X-Note"] == "a\tb"


def test_a_lone_surrogate_in_a_body_is_refused_naming_it() -> None:
    with pytest.raises(InvalidMessage, match=r"^body: surrogates not allowed"):
        _raw(body="caf\udce9")
    message = _message()
    message.attach_alternative("<p>\ud800</p>", "text/html")
    with pytest.raises(InvalidMessage, match=r"^alternatives\[0\]"):
        build_requests(message, SenderSettings())


def test_template_header_values_are_printable_ascii_and_never_empty() -> None:
    (request,) = _bulk(headers={"X-Note": "a\tb", "X-Name": "Zoë"})
    headers = request.params["DefaultContent"]["Template"]["Headers"]
    assert {"Name": "X-Note", "Value": "a b"} in headers
    assert {"Name": "X-Name", "Value": "=?utf-8?q?Zo=C3=AB?="} in headers
    with pytest.raises(InvalidMessage, match="X-Empty is empty"):
        _bulk(headers={"X-Empty": ""})
    for blank in ("", " ", "\t"):
        with pytest.raises(InvalidMessage, match=r"^tags: a blank tag"):
            _bulk(tags=[blank])
        with pytest.raises(InvalidMessage, match=r"^tags: a blank tag"):
            _raw(tags=[blank])
    with pytest.raises(InvalidMessage, match=r"^tags: ' news' has outer whitespace"):
        _raw(tags=[" news"])


# -- a header the message also writes is sent once --------------------------------------


def test_caller_headers_replace_the_generated_subject_addresses_and_date() -> None:
    message = _parsed(
        headers={
            "subject": "From the header",
            "To": "Everyone <list@example.com>",
            "From": "Shop Team <team@example.com>",
            "Reply-To": "help@example.com",
            "Date": "Tue, 01 Dec 2026 10:00:00 +0000",
            "message-id": "<1@example.com>",
        },
        reply_to=["other@example.com"],
    )
    names = [name.lower() for name in message]
    assert len(names) == len(set(names))
    assert message["Subject"] == "From the header"
    assert message["To"] == "Everyone <list@example.com>"
    assert message["From"] == "Shop Team <team@example.com>"
    assert message["Reply-To"] == "help@example.com"
    assert message["Date"] == "Tue, 01 Dec 2026 10:00:00 +0000"
    assert message["Message-ID"] == "<1@example.com>"


def test_the_envelope_still_comes_from_the_fields_when_to_is_spoofed() -> None:
    request = build_requests(
        _message(headers={"To": "list@example.com"}, bcc=["audit@example.com"]), SenderSettings()
    )
    assert request.params["Destination"] == {  # type: ignore[union-attr]
        "ToAddresses": ["zoe@example.net"],
        "BccAddresses": ["audit@example.com"],
    }


@pytest.mark.parametrize(
    ("headers", "extra", "problem"),
    [
        ({"Message-ID": "<a@x>", "message-id": "<b@x>"}, {}, "same header; give it once"),
        ({"Content-Type": "text/html"}, {}, "Content-Type is written by sesbridge"),
        ({"MIME-Version": "1.0"}, {}, "MIME-Version is written by sesbridge"),
        ({"content-transfer-encoding": "8bit"}, {}, "written by sesbridge"),
        ({"Bcc": "x@example.com"}, {}, "Bcc header would show"),
        ({"X-Metadata": "{}"}, {"metadata": {"a": 1}}, "X-Metadata is written from metadata"),
        ({"x-tag": "b"}, {"tags": ["a"]}, "X-Tag is written from tags"),
    ],
)
def test_headers_that_would_contradict_the_message_are_refused(
    headers: dict[str, str], extra: dict[str, Any], problem: str
) -> None:
    with pytest.raises(InvalidMessage, match=f"^headers: .*{problem}"):
        _raw(headers=headers, **extra)


def test_own_headers_without_their_field_are_sent_once_as_given() -> None:
    message = _parsed(headers={"X-Metadata": '{"from": "header"}', "X-Tag": "manual"})
    assert message.get_all("X-Metadata") == ['{"from": "header"}']
    assert message.get_all("X-Tag") == ["manual"]


def test_template_sends_map_from_and_reply_to_and_refuse_what_ses_writes() -> None:
    (request,) = _bulk(headers={"From": "Team <team@example.com>", "Reply-To": "h@example.com"})
    assert request.params["FromEmailAddress"] == "Team <team@example.com>"
    assert request.params["ReplyToAddresses"] == ["h@example.com"]
    assert "Headers" not in request.params["DefaultContent"]["Template"]
    for name in ("Subject", "Date", "Message-ID", "Cc"):
        with pytest.raises(UnsupportedFeature, match=f"a {name} header with template_id"):
            _bulk(headers={name: "x@example.com"})
        with pytest.raises(UnsupportedFeature, match=f"a {name} header in merge_headers"):
            _bulk(merge_headers={"zoe@example.net": {name: "x@example.com"}})
    with pytest.raises(InvalidMessage, match="X-Metadata is written from metadata"):
        _bulk(
            merge_metadata={"zoe@example.net": {"a": 1}},
            merge_headers={"zoe@example.net": {"X-Metadata": "{}"}},
        )


def test_ignored_unsupported_headers_are_dropped_not_sent() -> None:
    message = _message(subject="", body="", template_id="t", headers={"Subject": "x"})
    (request,) = build_requests(message, SenderSettings(ignore_unsupported_features=True))  # type: ignore[misc]
    assert "Headers" not in request.params["DefaultContent"]["Template"]


# -- strict JSON ------------------------------------------------------------------------


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused_naming_the_field(number: float) -> None:
    with pytest.raises(InvalidMessage, match=r"^metadata is not strict JSON"):
        _raw(metadata={"score": number})
    with pytest.raises(InvalidMessage, match=r"^metadata is not strict JSON"):
        _bulk(metadata={"score": [number]})
    with pytest.raises(InvalidMessage, match=r"^merge_global_data is not strict JSON"):
        _bulk(merge_global_data={"score": number})
    with pytest.raises(InvalidMessage, match=r"^merge_data\['zoe@example.net'\] is not strict"):
        _bulk(merge_data={"zoe@example.net": {"score": number}})
    with pytest.raises(InvalidMessage, match=r"^merge_metadata\['zoe@example.net'\] is not"):
        _bulk(merge_metadata={"zoe@example.net": {"score": {"deep": number}}})


def test_json_text_is_ascii_without_control_characters_and_round_trips() -> None:
    metadata = {"note": "a\x7fb\x00c\u2028é", "nested": [{"x": 1}]}
    message = _parsed(metadata=metadata)
    assert json.loads(message["X-Metadata"]) == metadata
    with pytest.raises(InvalidMessage, match=r"^metadata holds a lone surrogate"):
        _raw(metadata={"bad": "\udcff"})
    deep: dict[str, Any] = {}
    for _ in range(100_000):
        deep = {"d": deep}
    with pytest.raises(InvalidMessage, match=r"^metadata is not strict JSON"):
        _raw(metadata=deep)


# -- attachments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "transfer_encoding",
    ["", "Content-Transfer-Encoding: 8bit\r\n", "Content-Transfer-Encoding: 7bit\r\n"],
)
def test_an_8bit_message_attachment_is_reencoded_7bit_clean(transfer_encoding: str) -> None:
    nested_8bit = (
        "From: a@example.com\r\nSubject: Forwarded\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n{transfer_encoding}\r\nGrüße aus Köln\r\n"
    ).encode()
    raw = _raw(attachments=[("fwd.eml", nested_8bit, "message/rfc822")])
    assert raw.isascii()
    message = email.message_from_bytes(raw, policy=policy.default)
    (attached,) = message.iter_attachments()
    assert attached.get_content_type() == "message/rfc822"
    nested = attached.get_content()
    assert nested["Subject"] == "Forwarded"
    assert nested.get_content().rstrip() == "Grüße aus Köln"
    assert not [d for part in message.walk() for d in part.defects]


def test_message_attachments_the_sender_cannot_keep_7bit_are_refused() -> None:
    with pytest.raises(InvalidMessage, match=r"^attachments\[0\]: .*Subject header is not 7-bit"):
        _raw(attachments=[("m.eml", "Subject: Grüße\r\n\r\nx".encode(), "message/rfc822")])
    with pytest.raises(InvalidMessage, match=r"^attachments\[0\]: not a well-formed"):
        _raw(attachments=[("m.eml", b"\x00\x01 not a message", "message/rfc822")])


@pytest.mark.parametrize(
    "mimetype", ["multipart/mixed", "multipart/alternative", "message/partial", "message/global"]
)
def test_structured_types_cannot_be_attached_as_bytes(mimetype: str) -> None:
    with pytest.raises(InvalidMessage, match=rf"^attachments\[0\]: {mimetype} cannot be attached"):
        _raw(attachments=[("x", b"--b\r\n", mimetype)])


@pytest.mark.parametrize("mimetype", ["text/plain; charset=latin-1", "nonsense", "a/b/c", "é/x"])
def test_invalid_mimetypes_are_refused(mimetype: str) -> None:
    with pytest.raises(InvalidMessage, match=r"^attachments\[0\] mimetype: invalid mimetype"):
        _raw(attachments=[("x.bin", b"x", mimetype)])


def test_content_ids_are_checked() -> None:
    message = _message()
    message.attach_inline_image(b"\x89PNG\r\n\x1a\n", "logo.png", idstring="ok")
    build_requests(message, SenderSettings())
    message.attachments[0].content_id = "a b>"
    with pytest.raises(InvalidMessage, match=r"^attachments\[0\]: invalid content_id"):
        build_requests(message, SenderSettings())


# -- wrong types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"body": 5}, '"body" must be a string, not int'),
        ({"subject": None}, '"subject" must be a string, not NoneType'),
        ({"headers": 47}, '"headers" must be a dict, not int'),
        ({"headers": {"X-Count": 3}}, "\"headers['X-Count']\" must be a string, not int"),
        ({"bcc": 0}, '"bcc" must be a list or tuple of addresses, not int'),
        ({"cc": "a@example.com"}, '"cc" must be a list or tuple of addresses, not str'),
        ({"to": [None]}, '"to" must hold addresses as strings, not NoneType'),
        ({"from_email": 5}, '"from_email" must be an address string or a list of them'),
        ({"template_id": 5}, '"template_id" must be a string, not int'),
        ({"tags": "welcome"}, '"tags" must be a list or tuple of tags, not str'),
        ({"tags": [1]}, '"tags" must hold tags as strings, not int'),
        ({"metadata": ["a"]}, '"metadata" must be a dict, not list'),
        ({"merge_data": {"a@example.com": 1}}, '"merge_data values" must be a dict, not int'),
        ({"esp_extra": "x"}, '"esp_extra" must be a dict, not str'),
        ({"envelope_sender": b"a@b.c"}, '"envelope_sender" must be a string, not bytes'),
        ({"track_opens": "yes"}, '"track_opens" must be True, False or None'),
        ({"attachments": [("a.txt", None)]}, '"content" must be str or bytes, not NoneType'),
        ({"attachments": [("a.txt", 5)]}, '"content" must be str or bytes, not int'),
        ({"attachments": 5}, '"attachments" must be a list or tuple of attachments, not int'),
        ({"attachments": [object()]}, "attachments must be Attachments, .* not object"),
    ],
)
def test_wrong_types_raise_type_error_naming_the_argument(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _message(**kwargs)


@pytest.mark.parametrize(
    ("attribute", "value", "name"),
    [("body", 5, "body"), ("to", "a@example.com", "to"), ("extra_headers", 47, "headers")],
)
def test_attributes_changed_after_construction_are_checked_when_sending(
    attribute: str, value: Any, name: str
) -> None:
    message = _message()
    setattr(message, attribute, value)
    with pytest.raises(TypeError, match=f'^"{name}" must be'):
        build_requests(message, SenderSettings())


def test_attach_checks_its_arguments() -> None:
    message = _message()
    with pytest.raises(TypeError, match='"content" must be str or bytes, not NoneType'):
        message.attach("a.txt")
    with pytest.raises(TypeError, match='"content" must be str or bytes, not int'):
        message.attach("a.txt", 5)
    with pytest.raises(TypeError, match="attach_alternative"):
        message.attach_alternative(b"<p>x</p>", "text/html")  # type: ignore[arg-type]
    assert message.attachments == [] and message.alternatives == []
