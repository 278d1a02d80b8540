"""Reading SES "Received" notifications (pure)."""

from __future__ import annotations

import base64

import pytest
from sesbridge.exceptions import MissingField, WrongNotification
from sesbridge.inbound.errors import BadBase64, UnsupportedAction
from sesbridge.inbound.receipt import detected, parse_receipt, verdict_status

from tests.inbound_samples import multipart_mail, receipt_notification, s3_action, sns_action


@pytest.mark.parametrize(
    ("status", "expected"),
    [("PASS", False), ("FAIL", True), ("GRAY", None), ("PROCESSING_FAILED", None),
     ("DISABLED", None), ("pass", False)],
)  # fmt: skip
def test_verdicts_map_pass_to_false_fail_to_true_else_unknown(status, expected) -> None:
    assert detected({"status": status}) is expected


def test_missing_or_odd_verdicts_are_unknown() -> None:
    assert detected(None) is None
    assert detected({"status": 3}) is None
    assert verdict_status({"status": "gray"}) == "GRAY"
    assert verdict_status("PASS") is None


@pytest.mark.parametrize("encoding", ["UTF8", "BASE64"])
def test_sns_action_gives_back_the_exact_mail(encoding: str) -> None:
    raw = multipart_mail()
    receipt = parse_receipt(sns_action(raw, encoding))
    assert receipt.action_type == "SNS"
    assert receipt.raw_mail_bytes() == raw
    assert "content" not in receipt.esp_event()
    assert receipt.esp_event()["receipt"]["action"]["encoding"] == encoding


def test_base64_with_line_breaks_is_accepted() -> None:
    raw = multipart_mail()
    wrapped = base64.encodebytes(raw).decode()
    notification = sns_action(raw, "BASE64") | {"content": wrapped}
    assert parse_receipt(notification).raw_mail_bytes() == raw


def test_bad_base64_is_a_clear_error() -> None:
    notification = sns_action(b"x", "BASE64") | {"content": "not base64 at all!"}
    with pytest.raises(BadBase64, match="not base64") as caught:
        parse_receipt(notification).raw_mail_bytes()
    assert caught.value.error_type == "bad_base64"


def test_s3_action_names_the_object() -> None:
    receipt = parse_receipt(s3_action("inbox-bucket", "mail/abc"))
    assert (receipt.s3_bucket, receipt.s3_key) == ("inbox-bucket", "mail/abc")
    assert receipt.envelope_recipients == ["inbox@example.org", "second@example.org"]
    assert receipt.envelope_sender == "bounces+123@example.com"
    assert receipt.timestamp == "2026-11-24T09:00:01.123Z"


@pytest.mark.parametrize(
    "tracking",
    [
        {"notificationType": "Bounce", "mail": {}, "bounce": {}},
        {"eventType": "Click", "mail": {}, "click": {}},
    ],
)
def test_a_sending_event_is_the_wrong_notification(tracking) -> None:
    with pytest.raises(WrongNotification, match="not a received mail"):
        parse_receipt(tracking)


@pytest.mark.parametrize("action_type", ["Lambda", "Bounce", "WorkMail", "Stop"])
def test_actions_without_mail_are_unsupported(action_type: str) -> None:
    with pytest.raises(UnsupportedAction, match=action_type) as caught:
        parse_receipt(receipt_notification({"type": action_type}))
    assert caught.value.error_type == "unsupported_action"


def test_sns_action_without_content_is_unsupported() -> None:
    with pytest.raises(UnsupportedAction, match="150 KB"):
        parse_receipt(receipt_notification({"type": "SNS", "encoding": "UTF8"}))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda n: n.pop("receipt"), "receipt"),
        (lambda n: n["mail"].pop("messageId"), "messageId"),
        (lambda n: n["receipt"].pop("action"), "action"),
        (lambda n: n["receipt"]["action"].pop("objectKey"), "objectKey"),
    ],
)
def test_missing_fields_are_named(change, field: str) -> None:
    notification = s3_action("inbox-bucket", "mail/abc")
    change(notification)
    with pytest.raises(MissingField, match=field):
        parse_receipt(notification)
