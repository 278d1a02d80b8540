"""Message + settings -> SendEmail / SendBulkEmail parameters, and responses -> statuses."""

from __future__ import annotations

import email
import json
from email import policy
from typing import Any

import pytest
from sesbridge.exceptions import InvalidMessage, SendError, UnsupportedFeature
from sesbridge.sending.message import EmailMessage
from sesbridge.sending.payload import BulkEmailRequest, SendEmailRequest, build_requests
from sesbridge.sending.responses import (
    EntryResult,
    bulk_entry_results,
    bulk_send_status,
    send_email_status,
)
from sesbridge.sending.settings import SenderSettings

FROM = "Shop <shop@example.com>"


def _plain(message: EmailMessage, **settings: Any) -> SendEmailRequest:
    request = build_requests(message, SenderSettings(**settings))
    assert isinstance(request, SendEmailRequest)
    return request


def _bulk(message: EmailMessage, **settings: Any) -> list[BulkEmailRequest]:
    requests = build_requests(message, SenderSettings(**settings))
    assert isinstance(requests, list)
    return requests


def _mime(request: SendEmailRequest) -> email.message.EmailMessage:
    return email.message_from_bytes(request.params["Content"]["Raw"]["Data"], policy=policy.default)


# -- SendEmail ---------------------------------------------------------------------------


def test_plain_send_destination_and_bcc_never_in_the_mime() -> None:
    request = _plain(
        EmailMessage(
            "Hi",
            "Hello",
            FROM,
            ["Zoë <zoe@bücher.example>"],
            bcc=["secret@example.org"],
            cc=["c@example.net"],
            reply_to=["help@example.com"],
        )
    )
    assert request.params["Destination"] == {
        "ToAddresses": ["zoe@xn--bcher-kva.example"],
        "CcAddresses": ["c@example.net"],
        "BccAddresses": ["secret@example.org"],
    }
    assert request.recipients == ["zoe@bücher.example", "c@example.net", "secret@example.org"]
    raw = request.params["Content"]["Raw"]["Data"]
    assert b"secret@example.org" not in raw
    message = _mime(request)
    assert message["To"] == "Zoë <zoe@xn--bcher-kva.example>"
    assert message["Cc"] == "c@example.net"
    assert message["Reply-To"] == "help@example.com"
    assert "ConfigurationSetName" not in request.params


def test_configuration_set_envelope_sender_and_esp_extra_last() -> None:
    request = _plain(
        EmailMessage(
            "Hi",
            "Hello",
            FROM,
            ["a@example.net"],
            envelope_sender="Bounces <bounces@example.com>",
            esp_extra={"ConfigurationSetName": "override", "ListManagementOptions": {"x": 1}},
        ),
        configuration_set_name="from-settings",
    )
    assert request.params["FeedbackForwardingEmailAddress"] == "bounces@example.com"
    assert request.params["ConfigurationSetName"] == "override"
    assert request.params["ListManagementOptions"] == {"x": 1}
    assert (
        _plain(
            EmailMessage("Hi", "x", FROM, ["a@example.net"]), configuration_set_name="cs"
        ).params["ConfigurationSetName"]
        == "cs"
    )


def test_spoofed_to_and_multiple_from_addresses() -> None:
    request = _plain(
        EmailMessage(
            "Hi",
            "x",
            ["one@example.com", "Two <two@example.com>"],
            ["real@example.net"],
            headers={"To": "Everyone <list@example.com>"},
        )
    )
    message = _mime(request)
    assert message["To"] == "Everyone <list@example.com>"
    assert message["From"] == "one@example.com, Two <two@example.com>"
    assert request.params["Destination"] == {"ToAddresses": ["real@example.net"]}
    assert len(message.get_all("To")) == 1


def test_tags_metadata_and_message_tag_name() -> None:
    request = _plain(
        EmailMessage("Hi", "x", FROM, ["a@example.net"], tags=["receipts"], metadata={"id": 7}),
        message_tag_name="Category",
    )
    message = _mime(request)
    assert message.get_all("X-Tag") == ["receipts"]
    assert json.loads(message["X-Metadata"]) == {"id": 7}
    assert request.params["EmailTags"] == [{"Name": "Category", "Value": "receipts"}]
    without = _plain(EmailMessage("Hi", "x", FROM, ["a@example.net"], tags=["a", "b"]))
    assert "EmailTags" not in without.params


def test_message_tag_name_allows_one_tag_with_safe_characters() -> None:
    message = EmailMessage("Hi", "x", FROM, ["a@example.net"], tags=["a", "b"])
    with pytest.raises(UnsupportedFeature, match="multiple tags"):
        _plain(message, message_tag_name="Category")
    bad = EmailMessage("Hi", "x", FROM, ["a@example.net"], tags=["spring sale!"])
    with pytest.raises(InvalidMessage, match="A-Z a-z 0-9 _ -"):
        _plain(bad, message_tag_name="Category")
    with pytest.raises(InvalidMessage, match="message tag name"):
        _plain(
            EmailMessage("Hi", "x", FROM, ["a@example.net"], tags=["ok"]), message_tag_name="a b"
        )


def test_html_body_via_content_subtype_and_alternatives() -> None:
    message = EmailMessage("Hi", "<b>bold</b>", FROM, ["a@example.net"])
    message.content_subtype = "html"
    assert _mime(_plain(message)).get_content_type() == "text/html"


def test_inline_image_content_id_is_returned_and_used() -> None:
    message = EmailMessage("Hi", "text", FROM, ["a@example.net"])
    cid = message.attach_inline_image(b"\x89PNG\r\n\x1a\nrest", "logo.png")
    message.attach_alternative(f'<img src="cid:{cid}">', "text/html")
    message.attach("a.csv", "x,y\n1,2\n", "text/csv")
    assert cid.endswith("@inline") and "<" not in cid
    parsed = _mime(_plain(message))
    related = next(p for p in parsed.walk() if p.get_content_type() == "multipart/related")
    image = list(related.iter_parts())[1]
    assert image["Content-ID"] == f"<{cid}>"
    assert image.get_content_type() == "image/png"


@pytest.mark.parametrize(
    ("message", "match"),
    [
        (EmailMessage("Hi", "x", None, ["a@example.net"]), "from_email is required"),
        (EmailMessage("Hi", "x", FROM, []), "no recipients"),
        (EmailMessage("Hi", "x", FROM, ["not an address"]), "to: invalid address"),
        (EmailMessage("Hi\r\nBcc: x@example.com", "x", FROM, ["a@example.net"]), "line break"),
        (EmailMessage("Hi", "x", FROM, ["a@example.net"], headers={"X-A": "1\n2"}), "line break"),
        (
            EmailMessage("Hi", "x", FROM, ["a@example.net"], metadata={"t": {1, 2}}),
            "metadata is not strict JSON",
        ),
        (
            EmailMessage(
                "Hi",
                "x",
                FROM,
                [f"r{i}@example.net" for i in range(40)],
                cc=[f"c{i}@example.net" for i in range(11)],
            ),
            "51 recipients",
        ),
        (
            EmailMessage("Hi", "x", FROM, ["a@example.net"], envelope_sender="a@x.com, b@x.com"),
            "envelope_sender: expected one address",
        ),
    ],
)
def test_bad_input_raises_before_any_call(message: EmailMessage, match: str) -> None:
    with pytest.raises(InvalidMessage, match=match):
        build_requests(message, SenderSettings())


def test_a_bare_string_recipient_list_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="list or tuple"):
        EmailMessage("Hi", "x", FROM, "a@example.net")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("extra", "feature"),
    [
        ({"track_opens": True}, "track_opens"),
        ({"track_clicks": False}, "track_clicks"),
        ({"merge_data": {"a@example.net": {"x": 1}}}, "merge_data without template_id"),
        ({"merge_headers": {"a@example.net": {"X": "1"}}}, "merge_headers without template_id"),
        ({"merge_data": {}}, "merge_data without template_id"),
        ({"merge_headers": {}}, "merge_headers without template_id"),
        ({"merge_global_data": {}}, "merge_global_data without template_id"),
    ],
)
def test_unsupported_features_raise_unless_ignored(extra: dict[str, Any], feature: str) -> None:
    message = EmailMessage("Hi", "x", FROM, ["a@example.net"], **extra)
    with pytest.raises(UnsupportedFeature, match=feature) as raised:
        build_requests(message, SenderSettings())
    assert isinstance(raised.value, ValueError)
    assert "SESBRIDGE_IGNORE_UNSUPPORTED_FEATURES" in str(raised.value)
    assert isinstance(
        build_requests(message, SenderSettings(ignore_unsupported_features=True)),
        SendEmailRequest,
    )


def test_send_defaults_apply_to_the_request() -> None:
    request = _plain(
        EmailMessage("Hi", "x", None, ["a@example.net"], tags=["own"]),
        send_defaults={"from_email": FROM, "tags": ["all"], "esp_extra": {"EndpointId": "e"}},
    )
    assert _mime(request).get_all("X-Tag") == ["all", "own"]
    assert _mime(request)["From"] == FROM
    assert request.params["EndpointId"] == "e"


def test_send_email_status_and_missing_message_id() -> None:
    request = _plain(EmailMessage("Hi", "x", FROM, ["a@example.net"], cc=["b@example.net"]))
    status = send_email_status({"MessageId": "m-1"}, request)
    assert status.message_id == "m-1" and status.status == {"queued"}
    assert set(status.recipients) == {"a@example.net", "b@example.net"}
    assert status.recipients["b@example.net"].message_id == "m-1"
    with pytest.raises(SendError, match="no MessageId"):
        send_email_status({}, request)


def test_statuses_name_the_message_id_header_of_the_client_region() -> None:
    request = _plain(EmailMessage("Hi", "x", FROM, ["a@example.net"]))
    status = send_email_status({"MessageId": "m-1"}, request, region="eu-west-1")
    assert status.message_id_header == "<m-1@eu-west-1.amazonses.com>"
    assert status.recipients["a@example.net"].message_id_header == status.message_id_header
    assert send_email_status({"MessageId": "m-1"}, request).message_id_header is None
    bulk = bulk_send_status(
        {
            "a@example.net": EntryResult("SUCCESS", "m1", None),
            "b@example.net": EntryResult("MESSAGE_REJECTED", None, "no"),
        },
        ["resp"],
        region="us-east-1",
    )
    assert bulk.recipients["a@example.net"].message_id_header == "<m1@email.amazonses.com>"
    assert bulk.recipients["b@example.net"].message_id_header is None
    assert bulk.message_id_header == {"<m1@email.amazonses.com>", None}


# -- SendBulkEmail -----------------------------------------------------------------------


def _template_message(**extra: Any) -> EmailMessage:
    fields: dict[str, Any] = {
        "from_email": FROM,
        "to": ["Ann <ann@example.net>", "bob@bücher.example"],
        "template_id": "welcome",
        "merge_global_data": {"shop": "Shop"},
        "merge_data": {"ann@example.net": {"name": "Ann"}, "bob@bücher.example": {"name": "Bob"}},
    }
    fields.update(extra)
    return EmailMessage(**fields)


def test_template_send_entries_with_merge_data() -> None:
    (request,) = _bulk(
        _template_message(reply_to=["help@example.com"]), configuration_set_name="cs"
    )
    params = request.params
    assert params["FromEmailAddress"] == FROM
    assert params["ReplyToAddresses"] == ["help@example.com"]
    assert params["ConfigurationSetName"] == "cs"
    assert params["DefaultContent"] == {
        "Template": {"TemplateName": "welcome", "TemplateData": '{"shop":"Shop"}'}
    }
    ann, bob = params["BulkEmailEntries"]
    assert ann["Destination"] == {"ToAddresses": ["Ann <ann@example.net>"]}
    assert json.loads(
        ann["ReplacementEmailContent"]["ReplacementTemplate"]["ReplacementTemplateData"]
    ) == {"name": "Ann"}
    assert bob["Destination"] == {"ToAddresses": ["bob@xn--bcher-kva.example"]}
    assert request.recipients == ["ann@example.net", "bob@bücher.example"]
    assert "ReplacementHeaders" not in ann


def test_template_tags_metadata_and_merge_headers_travel_as_headers() -> None:
    (request,) = _bulk(
        _template_message(
            tags=["welcome"],
            metadata={"campaign": "spring"},
            merge_metadata={"ann@example.net": {"user": 1}},
            merge_headers={"bob@bücher.example": {"List-Unsubscribe": "<https://x.example/b>"}},
            headers={"X-Brand": "Shöp"},
        ),
        message_tag_name="Category",
    )
    template = request.params["DefaultContent"]["Template"]
    assert template["Headers"] == [
        {"Name": "X-Brand", "Value": "=?utf-8?b?U2jDtnA=?="},
        {"Name": "X-Tag", "Value": "welcome"},
        {"Name": "X-Metadata", "Value": '{"campaign": "spring"}'},
    ]
    assert request.params["DefaultEmailTags"] == [{"Name": "Category", "Value": "welcome"}]
    ann, bob = request.params["BulkEmailEntries"]
    assert ann["ReplacementHeaders"] == [
        {"Name": "X-Metadata", "Value": '{"campaign": "spring", "user": 1}'}
    ]
    assert bob["ReplacementHeaders"] == [
        {"Name": "List-Unsubscribe", "Value": "<https://x.example/b>"}
    ]


def test_cc_and_bcc_each_get_one_copy_of_their_own() -> None:
    (request,) = _bulk(
        _template_message(
            cc=["Carol <carol@example.net>"],
            bcc=["dave@example.net"],
            merge_data={"carol@example.net": {"name": "Carol"}},
        )
    )
    entries = request.params["BulkEmailEntries"]
    assert [e["Destination"] for e in entries] == [
        {"ToAddresses": ["Ann <ann@example.net>"]},
        {"ToAddresses": ["bob@xn--bcher-kva.example"]},
        {"CcAddresses": ["Carol <carol@example.net>"]},
        {"BccAddresses": ["dave@example.net"]},
    ]
    carol = entries[2]["ReplacementEmailContent"]["ReplacementTemplate"]
    assert json.loads(carol["ReplacementTemplateData"]) == {"name": "Carol"}
    assert request.recipients[2:] == ["carol@example.net", "dave@example.net"]


def test_template_sends_are_chunked_at_50_destinations() -> None:
    to = [f"r{i}@example.net" for i in range(120)]
    requests = _bulk(_template_message(to=to, merge_data={}, bcc=["audit@example.com"]))
    assert [len(r.params["BulkEmailEntries"]) for r in requests] == [50, 50, 21]
    assert [len(r.recipients) for r in requests] == [50, 50, 21]
    assert requests[2].recipients[-1] == "audit@example.com"
    assert all(r.params["DefaultContent"] == requests[0].params["DefaultContent"] for r in requests)


@pytest.mark.parametrize(
    ("extra", "feature"),
    [
        ({"attachments": [("a.txt", "x", "text/plain")]}, "attachments with template_id"),
        ({"subject": "Hi"}, "overriding the template subject"),
        ({"body": "text"}, "overriding the template body"),
        ({"from_email": ["a@example.com", "b@example.com"]}, "multiple from addresses"),
        ({"headers": {"To": "x@example.com"}}, "a To header with template_id"),
    ],
)
def test_template_unsupported_features(extra: dict[str, Any], feature: str) -> None:
    with pytest.raises(UnsupportedFeature, match=feature):
        _bulk(_template_message(**extra))
    assert _bulk(_template_message(**extra), ignore_unsupported_features=True)


def test_template_header_limits() -> None:
    with pytest.raises(InvalidMessage, match="at most 15"):
        _bulk(_template_message(tags=[f"t{i}" for i in range(16)]))
    with pytest.raises(InvalidMessage, match="995"):
        _bulk(_template_message(metadata={"x": "y" * 1000}))
    with pytest.raises(InvalidMessage, match="not strict JSON"):
        _bulk(_template_message(merge_data={"ann@example.net": {"when": object()}}))


def test_bulk_results_parse_and_mismatch_is_an_error() -> None:
    (request,) = _bulk(_template_message())
    results = bulk_entry_results(
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": "m1"},
                {"Status": "ACCOUNT_THROTTLED", "Error": "slow down"},
            ]
        },
        request,
    )
    assert results[0] == EntryResult("SUCCESS", "m1", None)
    assert results[1].transient
    with pytest.raises(SendError, match="returned 1 results"):
        bulk_entry_results({"BulkEmailEntryResults": [{"Status": "SUCCESS"}]}, request)
    with pytest.raises(SendError, match="parsing"):
        bulk_entry_results({}, request)


def test_bulk_status_mixed_results_are_per_recipient() -> None:
    status = bulk_send_status(
        {
            "a@example.net": EntryResult("SUCCESS", "m1", None),
            "b@example.net": EntryResult(
                "MESSAGE_REJECTED", None, "Email address is not verified."
            ),
        },
        ["resp"],
    )
    assert status.status == {"queued", "failed"}
    assert status.message_id == {"m1", None}
    assert status.recipients["b@example.net"].error == (
        "MESSAGE_REJECTED: Email address is not verified."
    )
    assert status.esp_response == ["resp"]


def test_bulk_status_raises_when_every_entry_failed_the_same_way() -> None:
    with pytest.raises(SendError) as raised:
        bulk_send_status(
            {
                "a@example.net": EntryResult("TEMPLATE_NOT_FOUND", None, "no template"),
                "b@example.net": EntryResult("TEMPLATE_NOT_FOUND", None, "no template"),
            },
            ["resp"],
        )
    assert raised.value.code == "TEMPLATE_NOT_FOUND"
    assert raised.value.ses_message == "no template"
    assert raised.value.transient is False
