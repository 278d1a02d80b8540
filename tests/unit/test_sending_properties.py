"""Properties of every request the sender builds, over generated EmailMessage arguments.

Each generated message either builds a request that SES would take (botocore's own
parameter validation of the sesv2 model, raw MIME that parses back without defects,
7-bit clean, each header once, no control characters in any header), or is refused
with a TypeError or InvalidMessage that names the argument. Nothing else may escape.
"""

from __future__ import annotations

import email.policy
import json
import re
from email.parser import BytesParser
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from hypothesis import event, given, note
from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.payload import BulkEmailRequest, SendEmailRequest, build_requests
from sesbridge.sending.settings import SenderSettings

from tests.sending_strategies import (
    ARGUMENT_NAMES,
    MessageArguments,
    plain_message_arguments,
    template_message_arguments,
)

_SESV2 = botocore.session.get_session().get_service_model("sesv2")
# Headers the parser reads as structured: those sesbridge writes must parse without defects.
_WRITTEN = {
    "subject",
    "from",
    "to",
    "cc",
    "reply-to",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-id",
    "mime-version",
    "x-tag",
    "x-metadata",
}
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SES_HEADER_NAME = re.compile(r"[!-9;-@A-~]{1,126}")
_SES_HEADER_VALUE = re.compile(r"[ -~]{1,995}")


def _build(arguments: MessageArguments, **settings: Any) -> Any:
    """The request(s), or None when the message was refused as it must be."""
    note(repr(arguments))
    try:
        requests = build_requests(arguments.build(), SenderSettings(**settings))
    except (TypeError, InvalidMessage) as error:
        event(f"refused: {type(error).__name__}")
        words = set(re.findall(r"[a-z_]+", str(error)))
        named = words & set(ARGUMENT_NAMES) or {n for n in ARGUMENT_NAMES if n in str(error)}
        assert named, f"{type(error).__name__} names no argument: {error}"
        return None
    event("built")
    return requests


def _valid_for_ses(operation: str, params: dict[str, Any]) -> None:
    shape = _SESV2.operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    assert not report.has_errors(), report.generate_report()


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} in {text!r}")

    return json.loads(text, parse_constant=refuse)


def assert_well_formed_mime(raw: bytes, arguments: MessageArguments) -> None:
    lines = raw.split(b"\r\n")
    assert raw.isascii() and b"\x00" not in raw, "not 7-bit"
    assert all(b"\r" not in line and b"\n" not in line for line in lines), "bare CR or LF"
    assert max(len(line) for line in lines) <= 998, "line over 998 octets"
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    names = [name.lower() for name in message]
    repeated = {name for name in names if names.count(name) > 1} - {"x-tag"}
    assert not repeated, f"headers sent more than once: {repeated}"
    assert "bcc" not in names
    for part in message.walk():
        assert not part.defects, f"defect in {part.get_content_type()}: {part.defects}"
        for name in part:
            for value in part.get_all(name):
                assert not _CONTROL.search(str(value)), f"control character in {name}"
                if name.lower() in _WRITTEN:
                    assert not value.defects, f"{name}: {value.defects}"
    metadata = arguments.kwargs.get("metadata")
    if metadata and "X-Metadata" not in str(arguments.kwargs.get("headers", "")):
        assert _strict_json(message["X-Metadata"]) == _strict_json(json.dumps(metadata))
    tags = arguments.kwargs.get("tags")
    if tags:
        assert message.get_all("X-Tag") == tags


def _check_plain_send(arguments: MessageArguments, request: Any = None) -> None:
    request = request or _build(arguments)
    if request is None:
        return
    assert isinstance(request, SendEmailRequest)
    _valid_for_ses("SendEmail", request.params)
    assert_well_formed_mime(request.params["Content"]["Raw"]["Data"], arguments)


def _check_template_send(arguments: MessageArguments) -> None:
    requests = _build(arguments)
    if requests is None:
        return
    if arguments.kwargs["template_id"] is None:  # drawn as a "wrong type", but allowed
        _check_plain_send(arguments, requests)
        return
    # Without metadata, a caller's own X-Metadata header goes as given.
    generated_metadata = arguments.kwargs.get("metadata") or arguments.kwargs.get("merge_metadata")
    for request in requests:
        assert isinstance(request, BulkEmailRequest)
        assert 1 <= len(request.params["BulkEmailEntries"]) <= 50
        _valid_for_ses("SendBulkEmail", request.params)
        template = request.params["DefaultContent"]["Template"]
        _strict_json(template["TemplateData"])
        header_lists = [template.get("Headers", [])]
        for entry in request.params["BulkEmailEntries"]:
            replacement = entry["ReplacementEmailContent"]["ReplacementTemplate"]
            _strict_json(replacement["ReplacementTemplateData"])
            header_lists.append(entry.get("ReplacementHeaders", []))
        for header_list in header_lists:
            names = [h["Name"].lower() for h in header_list if h["Name"] != "X-Tag"]
            assert len(set(names)) == len(names), f"headers sent more than once: {names}"
            for header in header_list:
                assert _SES_HEADER_NAME.fullmatch(header["Name"]), header
                assert _SES_HEADER_VALUE.fullmatch(header["Value"]), header
                if header["Name"] == "X-Metadata" and generated_metadata:
                    _strict_json(header["Value"])


@given(plain_message_arguments(hostile=True))
def test_every_hostile_plain_send_is_well_formed_mime_or_a_named_refusal(
    arguments: MessageArguments,
) -> None:
    _check_plain_send(arguments)


@given(plain_message_arguments(hostile=False))
def test_every_plausible_plain_send_is_well_formed_mime_or_a_named_refusal(
    arguments: MessageArguments,
) -> None:
    _check_plain_send(arguments)


@given(template_message_arguments(hostile=True))
def test_every_hostile_template_send_is_valid_for_ses_or_a_named_refusal(
    arguments: MessageArguments,
) -> None:
    _check_template_send(arguments)


@given(template_message_arguments(hostile=False))
def test_every_plausible_template_send_is_valid_for_ses_or_a_named_refusal(
    arguments: MessageArguments,
) -> None:
    _check_template_send(arguments)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"Subject: a\r\nSubject: b\r\n\r\nx", "more than once"),
        (b"Subject: a\x0bb\r\n\r\nx", "control character"),
        (b"Subject: \xc3\xa9\r\n\r\nx", "not 7-bit"),
        (b"Content-Type: multipart/mixed\r\n\r\nx", "defect"),
    ],
)
def test_the_mime_check_catches_what_it_looks_for(raw: bytes, problem: str) -> None:
    with pytest.raises(AssertionError, match=problem):
        assert_well_formed_mime(raw, MessageArguments({}))
