"""The inbound function end to end under moto: SNS/S3 actions, encryption, bad input."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from inbound import app
from sesbridge import load_message
from sesbridge.events import InboundEvent
from sesbridge.exceptions import RetryableError
from sesbridge.inbound.decryption import ObjectDecryptor
from sesbridge.inbound.errors import DecryptionUnavailable, RawMailMismatch
from sesbridge.inbound.normalizer import InboundNormalizer
from sesbridge.pipeline import process_sns_event
from sesbridge.publishing import EventBridgePublisher

from tests.conftest import REGION, SAMPLE_EVENTS, sns_lambda_event
from tests.inbound_samples import (
    INBOUND_TOPIC,
    LOGO,
    PDF,
    SES_MESSAGE_ID,
    as_message,
    multipart_mail,
    s3_action,
    sns_action,
)

RAW_BUCKET = "sesbridge-raw-mail"
RECEIPT_BUCKET = "ses-receipts"
CONTEXT = SimpleNamespace(
    function_name="inbound",
    memory_limit_in_mb=1024,
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:inbound",
    aws_request_id="req-1",
)
SES_CONTEXT = {
    "aws:ses:message-id": SES_MESSAGE_ID,
    "aws:ses:rule-name": "store",
    "aws:ses:source-account": "123456789012",
}


def fresh_environment() -> None:
    """Settings, normalizer and publisher are built again, as in a new execution environment."""
    for factory in (app.settings, app.normalizer, app.publisher):
        factory.cache_clear()


@pytest.fixture
def aws(event_bus: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    s3 = boto3.client("s3", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    for bucket in (RAW_BUCKET, RECEIPT_BUCKET):
        s3.create_bucket(Bucket=bucket)
    key_arn = kms.create_key(Description="ses receipts")["KeyMetadata"]["Arn"]
    monkeypatch.setenv("EVENT_BUS_NAME", event_bus.bus_name)
    monkeypatch.setenv("EVENT_SOURCE", "sesbridge")
    monkeypatch.setenv("RAW_MAIL_BUCKET", RAW_BUCKET)
    monkeypatch.setenv("RECEIPT_KMS_KEY_ID", key_arn)
    monkeypatch.delenv("ALLOWED_TOPIC_ARNS", raising=False)
    fresh_environment()
    yield SimpleNamespace(s3=s3, kms=kms, key_arn=key_arn, bus=event_bus)
    fresh_environment()


def invoke(notification: dict[str, Any] | str) -> dict[str, int]:
    message = notification if isinstance(notification, str) else as_message(notification)
    return app.lambda_handler(sns_lambda_event(message, topic_arn=INBOUND_TOPIC), CONTEXT)


def read_one(aws: SimpleNamespace, assert_valid_event: Any, detail_type: str) -> dict[str, Any]:
    [event] = aws.bus.read()
    assert_valid_event(event)
    assert event["source"] == "sesbridge"
    assert event["detail-type"] == detail_type
    return event


def put_encrypted(aws: SimpleNamespace, key: str, raw: bytes) -> None:
    """Write an object the way an encrypting SES receipt rule does (V2 format, KMS)."""
    from s3_encryption import S3EncryptionClient, S3EncryptionClientConfig
    from s3_encryption.materials.kms_keyring import KmsKeyring
    from s3_encryption.materials.materials import AlgorithmSuite, CommitmentPolicy

    config = S3EncryptionClientConfig(
        KmsKeyring(aws.kms, aws.key_arn),
        encryption_algorithm=AlgorithmSuite.ALG_AES_256_GCM_IV12_TAG16_NO_KDF,
        commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    )
    client = S3EncryptionClient(boto3.client("s3", region_name=REGION), config)
    client.put_object(Bucket=RECEIPT_BUCKET, Key=key, Body=raw, EncryptionContext=SES_CONTEXT)


def assert_sample_message(detail: dict[str, Any]) -> None:
    message = detail["message"]
    assert detail["event_id"] == SES_MESSAGE_ID
    assert message["subject"] == "Gr\u00fc\u00dfe aus K\u00f6ln \U0001f389"
    assert message["from_email"] == "D\u00f6rte M\u00fcller <doerte@example.com>"
    assert message["text"] == "Hallo Welt \u2713\nZweite Zeile\n"
    assert message["stripped_text"] == "Hallo Welt \u2713\nZweite Zeile"
    assert [a["filename"] for a in message["attachments"]] == ["Rechnung \u00e4.pdf"]
    assert message["attachments"][0]["size"] == len(PDF)
    assert [(i["filename"], i["content_id"]) for i in message["inlines"]] == [
        ("logo.png", "logo@example.com")
    ]
    assert "content" not in detail["esp_event"]


def assert_loads_back(event: dict[str, Any], raw: bytes, **options: Any) -> None:
    message = load_message(event, **options)
    assert message.text == "Hallo Welt \u2713\nZweite Zeile\n"
    assert message.stripped_text == "Hallo Welt \u2713\nZweite Zeile"
    assert message.attachments[0].get_content_bytes() == PDF
    assert message.content_id_map["logo@example.com"].get_content_bytes() == LOGO
    assert message.to == ["\u00dcnic\u00f8de Inbox <inbox@example.org>", "second@example.org"]
    assert message.envelope_recipient == "inbox@example.org"
    # The same strings as before, as address objects.
    assert (message.to[0].addr_spec, message.to[0].display_name) == (
        "inbox@example.org",
        "\u00dcnic\u00f8de Inbox",
    )
    assert message.from_email.username == "doerte" and message.from_email.domain == "example.com"
    assert message.envelope_recipient.addr_spec == "inbox@example.org"
    assert [a.domain for a in message.envelope_recipients] == ["example.org"] * len(
        message.envelope_recipients
    )
    assert message.date is None or message.date.tzinfo is not None
    assert (message.spam_detected, message.virus_detected) == (False, True)
    # Threading, verdicts and mailbox hash come back as the event has them.
    fields = event["detail"]["message"]
    assert message.message_id == fields["message_id"] == "<sample-1@example.com>"
    assert message.thread_id == "<sample-1@example.com>" and message.references == []
    assert message.verdicts == fields["verdicts"] and message.verdicts["dkim"] == "GRAY"
    assert message.authenticated is True and message.mailbox_hash is None
    assert message.envelope_recipient_base == "inbox@example.org"
    assert message.spam_score is None  # SES gives verdicts, no score
    view = InboundEvent.from_eventbridge(event)
    assert view.raw is not None and view.raw.sha256 == hashlib.sha256(raw).hexdigest()
    assert view.timestamp.tzinfo is not None and view.message["subject"] == message.subject
    assert event["detail"]["raw"]["sha256"] == hashlib.sha256(raw).hexdigest()


# -- mail in, events out --


@pytest.mark.parametrize("encoding", ["UTF8", "BASE64"])
def test_sns_action_mail_is_stored_and_published(aws, assert_valid_event, encoding) -> None:
    raw = multipart_mail()
    assert invoke(sns_action(raw, encoding)) == {"inbound": 1, "errors": 0, "ignored": 0}
    event = read_one(aws, assert_valid_event, "Email Inbound Event")
    detail = event["detail"]
    assert_sample_message(detail)
    assert detail["raw"] == {
        "bucket": RAW_BUCKET,
        "key": f"received/{SES_MESSAGE_ID}",
        "size": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "encrypted": False,
    }
    stored = aws.s3.get_object(Bucket=RAW_BUCKET, Key=detail["raw"]["key"])
    assert stored["Body"].read() == raw
    assert stored["ContentType"] == "message/rfc822"
    assert_loads_back(event, raw, s3_client=aws.s3)


def test_plain_and_encrypted_objects_in_one_bucket(aws, assert_valid_event) -> None:
    raw = multipart_mail()
    aws.s3.put_object(Bucket=RECEIPT_BUCKET, Key="inbox/plain", Body=raw)
    put_encrypted(aws, "inbox/encrypted", raw)
    assert aws.s3.get_object(Bucket=RECEIPT_BUCKET, Key="inbox/encrypted")["Body"].read() != raw

    for key, encrypted in (("inbox/plain", False), ("inbox/encrypted", True)):
        assert invoke(s3_action(RECEIPT_BUCKET, key))["inbound"] == 1
        event = read_one(aws, assert_valid_event, "Email Inbound Event")
        assert_sample_message(event["detail"])
        assert event["detail"]["raw"] == {
            "bucket": RECEIPT_BUCKET,
            "key": key,
            "size": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "encrypted": encrypted,
        }
        assert_loads_back(event, raw, s3_client=aws.s3, kms_key_id=aws.key_arn)
    # the S3 action's mail is not copied: the receipt object is the raw mail
    assert "Contents" not in aws.s3.list_objects_v2(Bucket=RAW_BUCKET)


def test_oversize_bodies_are_truncated_and_flagged(aws, assert_valid_event) -> None:
    text = "long line of text \u00e9\n" * 60_000  # about 1.3 MB
    raw = multipart_mail(text=text, html="<p>" + "x" * 500_000 + "</p>")
    aws.s3.put_object(Bucket=RECEIPT_BUCKET, Key="inbox/big", Body=raw)
    invoke(s3_action(RECEIPT_BUCKET, "inbox/big"))
    message = read_one(aws, assert_valid_event, "Email Inbound Event")["detail"]["message"]
    assert message["text_truncated"] is True and message["html_truncated"] is True
    assert text.startswith(message["text"]) and message["text"]
    assert (
        load_message({"raw": {"bucket": RECEIPT_BUCKET, "key": "inbox/big"}}, s3_client=aws.s3).text
        == text
    )


def test_only_allowed_topics_are_processed(aws, assert_valid_event, monkeypatch) -> None:
    monkeypatch.setenv("ALLOWED_TOPIC_ARNS", " arn:aws:sns:us-east-1:123456789012:other , ")
    fresh_environment()
    assert invoke(sns_action(multipart_mail()))["errors"] == 1
    detail = read_one(aws, assert_valid_event, "Email Normalization Error")["detail"]
    assert detail["error_type"] == "topic_not_allowed"


def test_missing_settings_fail_the_invocation(aws, monkeypatch) -> None:
    monkeypatch.delenv("RAW_MAIL_BUCKET")
    fresh_environment()
    with pytest.raises(app.ConfigurationError, match="RAW_MAIL_BUCKET"):
        invoke(sns_action(multipart_mail()))
    assert aws.bus.read() == []


# -- bad input: an error event, the input kept --


def error_detail(aws, assert_valid_event, notification, error_type: str) -> dict[str, Any]:
    assert invoke(notification)["errors"] == 1
    detail = read_one(aws, assert_valid_event, "Email Normalization Error")["detail"]
    assert detail["function"] == "inbound"
    assert detail["error_type"] == error_type, detail["reason"]
    assert detail["raw_record"]["Sns"]["TopicArn"] == INBOUND_TOPIC
    return detail


def test_tracking_event_on_the_inbound_topic(aws, assert_valid_event) -> None:
    bounce = {"notificationType": "Bounce", "bounce": {}, "mail": {"messageId": "m"}}
    detail = error_detail(aws, assert_valid_event, bounce, "wrong_notification")
    assert "not a received mail" in detail["reason"] and detail["raw"] is None


def test_not_json(aws, assert_valid_event) -> None:
    detail = error_detail(aws, assert_valid_event, "plain words", "not_json")
    assert detail["raw_record"]["Sns"]["Message"] == "plain words"


def test_unsupported_action(aws, assert_valid_event) -> None:
    notification = sns_action(multipart_mail())
    notification["receipt"]["action"] = {"type": "Lambda", "functionArn": "arn:x"}
    detail = error_detail(aws, assert_valid_event, notification, "unsupported_action")
    assert "'Lambda'" in detail["reason"]
    # the mail it carried is kept whole in the raw-mail bucket
    stored = aws.s3.get_object(Bucket=RAW_BUCKET, Key=detail["raw"]["key"])["Body"].read()
    assert stored == notification["content"].encode()


def test_bad_base64_content_is_kept_as_sent(aws, assert_valid_event) -> None:
    notification = sns_action(multipart_mail(), "BASE64")
    notification["content"] = "%%% not base64 " + notification["content"]
    detail = error_detail(aws, assert_valid_event, notification, "bad_base64")
    assert detail["raw"]["key"] == "failed/sns-1"
    stored = aws.s3.get_object(Bucket=RAW_BUCKET, Key="failed/sns-1")["Body"].read()
    assert stored == notification["content"].encode()
    assert detail["raw"]["sha256"] == hashlib.sha256(stored).hexdigest()


def test_corrupt_mime_by_sns_points_at_the_stored_mail(aws, assert_valid_event) -> None:
    raw = b"From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n"
    detail = error_detail(aws, assert_valid_event, sns_action(raw), "corrupt_mime")
    assert detail["raw"]["key"] == f"received/{SES_MESSAGE_ID}"
    assert aws.s3.get_object(Bucket=RAW_BUCKET, Key=detail["raw"]["key"])["Body"].read() == raw


def test_corrupt_mime_by_s3_points_at_the_receipt_object(aws, assert_valid_event) -> None:
    aws.s3.put_object(Bucket=RECEIPT_BUCKET, Key="inbox/junk", Body=b"\x00\x01 no headers")
    detail = error_detail(
        aws, assert_valid_event, s3_action(RECEIPT_BUCKET, "inbox/junk"), "corrupt_mime"
    )
    assert detail["raw"] == {
        "bucket": RECEIPT_BUCKET,
        "key": "inbox/junk",
        "size": len(b"\x00\x01 no headers"),
        "sha256": hashlib.sha256(b"\x00\x01 no headers").hexdigest(),
        "encrypted": False,
    }


@pytest.mark.parametrize("bucket", [RECEIPT_BUCKET, "no-such-bucket-here"])
def test_missing_s3_object(aws, assert_valid_event, bucket: str) -> None:
    notification = s3_action(bucket, "inbox/gone")
    detail = error_detail(aws, assert_valid_event, notification, "raw_mail_not_found")
    assert "inbox/gone" in detail["reason"] and detail["raw"] is None


def test_encrypted_object_with_the_wrong_key(aws, assert_valid_event, monkeypatch) -> None:
    put_encrypted(aws, "inbox/encrypted", multipart_mail())
    other_key = aws.kms.create_key()["KeyMetadata"]["Arn"]
    monkeypatch.setenv("RECEIPT_KMS_KEY_ID", other_key)
    fresh_environment()
    notification = s3_action(RECEIPT_BUCKET, "inbox/encrypted")
    detail = error_detail(aws, assert_valid_event, notification, "decryption_failed")
    assert "KMS" in detail["reason"]


def test_tampered_encrypted_object(aws, assert_valid_event) -> None:
    put_encrypted(aws, "inbox/encrypted", multipart_mail())
    stored = aws.s3.get_object(Bucket=RECEIPT_BUCKET, Key="inbox/encrypted")
    body = bytearray(stored["Body"].read())
    body[100] ^= 1  # one flipped bit: the GCM tag no longer matches
    aws.s3.put_object(
        Bucket=RECEIPT_BUCKET, Key="inbox/encrypted", Body=bytes(body), Metadata=stored["Metadata"]
    )
    notification = s3_action(RECEIPT_BUCKET, "inbox/encrypted")
    error_detail(aws, assert_valid_event, notification, "decryption_failed")


def test_encrypted_object_without_the_decryption_client(aws, assert_valid_event, monkeypatch):
    raw = multipart_mail()
    put_encrypted(aws, "inbox/encrypted", raw)
    stored = aws.s3.get_object(Bucket=RECEIPT_BUCKET, Key="inbox/encrypted")["Body"].read()
    monkeypatch.setitem(sys.modules, "s3_encryption", None)  # as without its layer
    fresh_environment()
    notification = s3_action(RECEIPT_BUCKET, "inbox/encrypted")
    detail = error_detail(aws, assert_valid_event, notification, "decryption_unavailable")
    assert "amazon-s3-encryption-client-python" in detail["reason"]
    assert "ReceiptKmsKeyArn" in detail["reason"]
    assert json.loads(detail["raw_record"]["Sns"]["Message"]) == notification
    # nothing lost: the mail is where SES put it, untouched
    assert aws.s3.get_object(Bucket=RECEIPT_BUCKET, Key="inbox/encrypted")["Body"].read() == stored


def test_encrypted_object_when_no_key_is_configured(aws, assert_valid_event, monkeypatch):
    put_encrypted(aws, "inbox/encrypted", multipart_mail())
    monkeypatch.setenv("RECEIPT_KMS_KEY_ID", "")  # the template's default: no encryption
    fresh_environment()
    notification = s3_action(RECEIPT_BUCKET, "inbox/encrypted")
    detail = error_detail(aws, assert_valid_event, notification, "decryption_unavailable")
    assert "RECEIPT_KMS_KEY_ID" in detail["reason"] and "ReceiptKmsKeyArn" in detail["reason"]


def test_plain_objects_need_no_key_and_no_decryption_client(aws, assert_valid_event, monkeypatch):
    aws.s3.put_object(Bucket=RECEIPT_BUCKET, Key="inbox/plain", Body=multipart_mail())
    monkeypatch.setenv("RECEIPT_KMS_KEY_ID", "")
    monkeypatch.setitem(sys.modules, "s3_encryption", None)
    fresh_environment()
    assert invoke(s3_action(RECEIPT_BUCKET, "inbox/plain"))["inbound"] == 1
    assert_sample_message(read_one(aws, assert_valid_event, "Email Inbound Event")["detail"])


# -- what moto cannot do (IAM denials, service trouble): botocore Stubber --


def run_with(aws: SimpleNamespace, s3_client: Any, notification: dict[str, Any], **kw: Any):
    normalizer = InboundNormalizer(
        s3_client=s3_client, raw_mail_bucket=RAW_BUCKET, source="sesbridge", **kw
    )
    return process_sns_event(
        sns_lambda_event(as_message(notification), topic_arn=INBOUND_TOPIC),
        function="inbound",
        normalize=normalizer,
        publisher=EventBridgePublisher(aws.bus.bus_name, "sesbridge"),
        on_error=normalizer.keep_failed_input,
    )


@pytest.mark.parametrize(
    ("code", "error_type"),
    [("AccessDenied", "raw_mail_access_denied"), ("InvalidObjectState", "raw_mail_unreadable")],
)
def test_s3_refusals_are_error_events(aws, assert_valid_event, code, error_type) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    with Stubber(s3) as stub:
        stub.add_client_error("get_object", code, "refused", 403)
        outcome = run_with(aws, s3, s3_action(RECEIPT_BUCKET, "inbox/secret"))
    assert outcome.errors == 1
    detail = read_one(aws, assert_valid_event, "Email Normalization Error")["detail"]
    assert detail["error_type"] == error_type
    assert "s3://ses-receipts/inbox/secret" in detail["reason"]


@pytest.mark.parametrize(("code", "status"), [("SlowDown", 503), ("InternalError", 500)])
def test_s3_trouble_raises_for_a_retry(aws, code: str, status: int) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    with Stubber(s3) as stub, pytest.raises(RetryableError, match=code) as caught:
        stub.add_client_error("get_object", code, "try again", status)
        run_with(aws, s3, s3_action(RECEIPT_BUCKET, "inbox/any"))
    assert isinstance(caught.value.__cause__, ClientError)
    assert aws.bus.read() == []


@pytest.mark.parametrize("code", ["ThrottlingException", "KMSInternalException"])
def test_kms_trouble_raises_for_a_retry(aws, code: str) -> None:
    put_encrypted(aws, "inbox/encrypted", multipart_mail())
    kms = boto3.client("kms", region_name=REGION)
    with Stubber(kms) as stub, pytest.raises(Exception) as caught:
        stub.add_client_error("decrypt", code, "try again", 500)
        decryptor = ObjectDecryptor(aws.key_arn, kms_client=kms)
        run_with(aws, aws.s3, s3_action(RECEIPT_BUCKET, "inbox/encrypted"), decryptor=decryptor)
    assert code in str(caught.value)
    assert aws.bus.read() == []


# -- load_message --


def test_load_message_refuses_a_replaced_object(aws, assert_valid_event) -> None:
    aws.s3.put_object(Bucket=RECEIPT_BUCKET, Key="inbox/plain", Body=multipart_mail())
    invoke(s3_action(RECEIPT_BUCKET, "inbox/plain"))
    event = read_one(aws, assert_valid_event, "Email Inbound Event")
    aws.s3.put_object(Bucket=RECEIPT_BUCKET, Key="inbox/plain", Body=multipart_mail(text="x"))
    with pytest.raises(RawMailMismatch, match="replaced or altered"):
        load_message(event["detail"], s3_client=aws.s3)


def test_load_message_names_the_package_an_encrypted_mail_needs(aws, monkeypatch) -> None:
    put_encrypted(aws, "inbox/encrypted", multipart_mail())
    monkeypatch.setitem(sys.modules, "s3_encryption", None)  # a consumer without the package
    raw = {"bucket": RECEIPT_BUCKET, "key": "inbox/encrypted"}
    with pytest.raises(DecryptionUnavailable) as raised:
        load_message({"raw": raw}, s3_client=aws.s3, kms_client=aws.kms)
    assert "pip install amazon-s3-encryption-client-python" in str(raised.value)
    assert "ReceiptKmsKeyArn" not in str(raised.value)  # a deployment setting, not the fix here


def test_load_message_needs_a_raw_location() -> None:
    with pytest.raises(ValueError, match="'raw'"):
        load_message({"message": {}})


@pytest.mark.parametrize(
    "name", ["inbound-sns-utf8.json", "inbound-sns-base64.json", "inbound-s3.json"]
)
def test_sample_events_run_through_the_function(aws, assert_valid_event, name: str) -> None:
    event = json.loads((SAMPLE_EVENTS / name).read_text(encoding="utf-8"))
    notification = json.loads(event["Records"][0]["Sns"]["Message"])
    action = notification["receipt"]["action"]
    if action["type"] == "S3":  # the object SES would have stored
        bucket = action["bucketName"]
        aws.s3.create_bucket(Bucket=bucket)
        aws.s3.put_object(Bucket=bucket, Key=action["objectKey"], Body=multipart_mail())
    assert app.lambda_handler(event, CONTEXT)["inbound"] == 1
    assert_sample_message(read_one(aws, assert_valid_event, "Email Inbound Event")["detail"])


# -- inputs that used to crash the function --


def nested_mail(depth: int, kind: str) -> bytes:
    if kind == "rfc822":
        return (
            b"From: a@example.com\r\n"
            + b"Content-Type: message/rfc822\r\n\r\n" * depth
            + (b"Subject: inner\r\n\r\nbody\r\n")
        )
    body = "Content-Type: text/plain\r\n\r\nthe body"
    for i in range(depth):
        body = (
            f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n'
            f"--b{i}\r\n{body}\r\n--b{i}--\r\n"
        )
    return ("From: a@example.com\r\n" + body).encode()


def test_deeply_nested_comments_in_addresses(aws, assert_valid_event) -> None:
    raw = ("From: " + "(" * 400 + "x" + ")" * 400 + " a@example.com\r\n\r\nbody").encode()
    assert invoke(sns_action(raw))["inbound"] == 1
    message = read_one(aws, assert_valid_event, "Email Inbound Event")["detail"]["message"]
    assert message["header_values_limited"] is True
    assert message["from_email"].endswith("a@example.com>") or message["from_email"] is None


@pytest.mark.parametrize("kind", ["multipart", "rfc822"])
def test_deep_parts_are_cut_and_flagged(aws, assert_valid_event, kind: str) -> None:
    assert invoke(sns_action(nested_mail(60, kind)))["inbound"] == 1
    message = read_one(aws, assert_valid_event, "Email Inbound Event")["detail"]["message"]
    assert message["parts_truncated"] is True


@pytest.mark.parametrize("kind", ["multipart", "rfc822"])
def test_parts_too_deep_to_parse_point_at_the_stored_mail(aws, assert_valid_event, kind) -> None:
    raw = nested_mail(1500, kind)
    detail = error_detail(aws, assert_valid_event, sns_action(raw), "too_deep")
    assert detail["exception_type"] == "MimeTooDeep"
    assert aws.s3.get_object(Bucket=RAW_BUCKET, Key=detail["raw"]["key"])["Body"].read() == raw
    # the mail is kept once, by pointer: the error event does not carry it inline
    assert "content" not in json.loads(detail["raw_record"]["Sns"]["Message"])


def test_encoded_word_floods_are_parsed_under_a_cap(aws, assert_valid_event) -> None:
    words = " ".join(["=?utf-8?q?abc=C3=A4?="] * 3000)
    raw = f"From: {words} <a@example.com>\r\nSubject: {words}\r\n\r\nbody".encode()
    assert invoke(sns_action(raw, "BASE64"))["inbound"] == 1
    event = read_one(aws, assert_valid_event, "Email Inbound Event")
    message = event["detail"]["message"]
    assert message["header_values_limited"] is True
    assert message["subject"].startswith("abc\u00e4abc\u00e4")
    assert len(message["subject"]) < len(words)
    stored = aws.s3.get_object(Bucket=RAW_BUCKET, Key=event["detail"]["raw"]["key"])
    assert stored["Body"].read() == raw  # the full mail stays reachable


def test_invalid_bucket_name_in_the_receipt_is_an_error_event(aws, assert_valid_event) -> None:
    notification = s3_action("Not A Bucket!", "inbox/x")
    detail = error_detail(aws, assert_valid_event, notification, "invalid_s3_location")
    assert detail["exception_type"] == "InvalidS3Location"


def test_a_refused_write_to_the_raw_mail_bucket_is_retried(aws) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    with Stubber(s3) as stub, pytest.raises(RetryableError, match="RAW_MAIL_BUCKET"):
        stub.add_client_error("put_object", "NoSuchBucket", "gone", 404)
        run_with(aws, s3, sns_action(multipart_mail()))
    assert aws.bus.read() == []


@pytest.mark.parametrize("message_id", ["", "   "])
def test_empty_message_id_is_refused(aws, assert_valid_event, message_id: str) -> None:
    notification = sns_action(multipart_mail())
    notification["mail"]["messageId"] = message_id
    detail = error_detail(aws, assert_valid_event, notification, "missing_field")
    assert "messageId" in detail["reason"]


def test_an_odd_message_id_gives_a_plain_object_key(aws, assert_valid_event) -> None:
    notification = sns_action(multipart_mail())
    notification["mail"]["messageId"] = "../" + "\u00e9" * 2000
    assert invoke(notification)["inbound"] == 1
    detail = read_one(aws, assert_valid_event, "Email Inbound Event")["detail"]
    assert detail["raw"]["key"].startswith("received/sha256-")


def test_error_events_carry_sns_content_by_pointer(aws, assert_valid_event) -> None:
    notification = sns_action(multipart_mail(), "BASE64")
    notification["content"] = "%%% not base64 " + notification["content"]
    detail = error_detail(aws, assert_valid_event, notification, "bad_base64")
    carried = json.loads(detail["raw_record"]["Sns"]["Message"])
    assert "content" not in carried and carried["mail"]["messageId"] == SES_MESSAGE_ID
    stored = aws.s3.get_object(Bucket=RAW_BUCKET, Key=detail["raw"]["key"])["Body"].read()
    assert stored == notification["content"].encode()


def test_a_huge_failed_record_is_stored_whole(aws, assert_valid_event) -> None:
    event = sns_lambda_event("not json", topic_arn=INBOUND_TOPIC)
    event["Records"][0]["Sns"]["MessageAttributes"] = {"big": "\u20ac" * 200_000}
    assert app.lambda_handler(event, CONTEXT)["errors"] == 1
    detail = read_one(aws, assert_valid_event, "Email Normalization Error")["detail"]
    assert detail["raw_record_truncated"] is True and detail["raw"]["key"].endswith(".json")
    stored = aws.s3.get_object(Bucket=RAW_BUCKET, Key=detail["raw"]["key"])
    assert json.loads(stored["Body"].read()) == event["Records"][0]
    assert stored["ContentType"] == "application/json"


def test_an_attached_mail_is_sized_as_received(aws, assert_valid_event) -> None:
    words = " ".join(["=?utf-8?q?abc=C3=A4?="] * 3000)
    inner = f"From: {words} <a@example.com>\r\nSubject: {'(' * 3000}x\r\n\r\ninner\r\n"
    raw = (
        'From: a@example.com\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        f"{inner}\r\n--B--\r\n"
    ).encode()
    assert invoke(sns_action(raw))["inbound"] == 1
    message = read_one(aws, assert_valid_event, "Email Inbound Event")["detail"]["message"]
    # written back as received, not re-parsed to refold each long header field
    assert abs(message["attachments"][0]["size"] - len(inner)) < 100
