"""Sample received mail and SES receipt notifications for the inbound tests."""

from __future__ import annotations

import base64
import copy
import json
from email.message import EmailMessage
from typing import Any

ACCOUNT = "123456789012"
INBOUND_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:ses-inbound"
SES_MESSAGE_ID = "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1"
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.4\n" + b"\x00\xff binary \x80" * 300


def multipart_mail(
    *, text: str = "Hallo Welt \u2713\nZweite Zeile", html: str | None = None
) -> bytes:
    """A mail with non-ASCII headers, text+html bodies, an inline image and an attachment."""
    mail = EmailMessage()
    mail["From"] = "D\u00f6rte M\u00fcller <doerte@example.com>"
    mail["To"] = "\u00dcnic\u00f8de Inbox <inbox@example.org>, second@example.org"
    mail["Cc"] = "Caf\u00e9 <cafe@example.net>"
    mail["Subject"] = "Gr\u00fc\u00dfe aus K\u00f6ln \U0001f389"
    mail["Date"] = "Tue, 24 Nov 2026 10:00:00 +0100"
    mail["Message-ID"] = "<sample-1@example.com>"
    mail.set_content(text)
    mail.add_alternative(
        html or "<p>Hallo <b>Welt</b> \u2713 <img src='cid:logo@example.com'></p>", subtype="html"
    )
    mail.get_payload()[1].add_related(
        LOGO,
        maintype="image",
        subtype="png",
        cid="<logo@example.com>",
        disposition="inline",
        filename="logo.png",
    )
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="Rechnung \u00e4.pdf")
    return mail.as_bytes()


def receipt_notification(action: dict[str, Any], *, content: str | None = None) -> dict[str, Any]:
    """An SES "Received" notification (the SNS Message) for ``action``."""
    notification: dict[str, Any] = {
        "notificationType": "Received",
        "mail": {
            "timestamp": "2026-11-24T09:00:01.123Z",
            "source": "bounces+123@example.com",
            "messageId": SES_MESSAGE_ID,
            "destination": ["inbox@example.org", "second@example.org"],
            "headersTruncated": False,
            "headers": [
                {"name": "From", "value": "=?utf-8?q?D=C3=B6rte?= <doerte@example.com>"},
                {"name": "Subject", "value": "=?utf-8?b?R3LDvMOfZQ==?="},
            ],
            "commonHeaders": {
                "returnPath": "bounces+123@example.com",
                "from": ["D\u00f6rte M\u00fcller <doerte@example.com>"],
                "to": ["inbox@example.org"],
                "subject": "Gr\u00fc\u00dfe",
                "messageId": "<sample-1@example.com>",
            },
        },
        "receipt": {
            "timestamp": "2026-11-24T09:00:01.123Z",
            "processingTimeMillis": 420,
            "recipients": ["inbox@example.org", "second@example.org"],
            "spamVerdict": {"status": "PASS"},
            "virusVerdict": {"status": "FAIL"},
            "spfVerdict": {"status": "PASS"},
            "dkimVerdict": {"status": "GRAY"},
            "dmarcVerdict": {"status": "PROCESSING_FAILED"},
            "action": action,
        },
    }
    if content is not None:
        notification["content"] = content
    return notification


def sns_action(raw: bytes, encoding: str = "UTF8") -> dict[str, Any]:
    action = {"type": "SNS", "topicArn": INBOUND_TOPIC, "encoding": encoding}
    content = base64.b64encode(raw).decode() if encoding == "BASE64" else raw.decode("utf-8")
    return receipt_notification(action, content=content)


def s3_action(bucket: str, key: str) -> dict[str, Any]:
    prefix = key.rsplit("/", 1)[0] + "/" if "/" in key else ""
    action = {
        "type": "S3",
        "topicArn": INBOUND_TOPIC,
        "bucketName": bucket,
        "objectKeyPrefix": prefix,
        "objectKey": key,
    }
    return receipt_notification(action)


def with_changes(notification: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(notification)
    changed.update(changes)
    return changed


def as_message(notification: dict[str, Any]) -> str:
    return json.dumps(notification)
