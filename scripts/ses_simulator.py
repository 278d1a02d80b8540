"""Plays Amazon SES's side for the demo: the notifications SES would publish to SNS.

Built from what SES actually received (the raw message the sender layer sent), in the shapes
SES documents for "Event Publishing" and "SES Notifications" and for receipt rules.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SentMail:
    """One message as SES accepted it: its id, envelope recipients and headers."""

    def __init__(
        self,
        message_id: str,
        raw: bytes,
        destination: list[str],
        sent_at: datetime,
        configuration_set: str = "sesbridge-demo",
    ) -> None:
        self.message_id = message_id
        self.destination = destination
        self.sent_at = sent_at
        self.configuration_set = configuration_set
        self.parsed = email.message_from_bytes(raw, policy=email.policy.default)

    def mail_object(self, *, with_tags: bool = True) -> dict[str, Any]:
        headers = [{"name": k, "value": str(v)} for k, v in self.parsed.items()]
        mail: dict[str, Any] = {
            "timestamp": _iso(self.sent_at),
            "source": str(self.parsed["From"]),
            "sourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT_ID}:identity/example.com",
            "sendingAccountId": ACCOUNT_ID,
            "messageId": self.message_id,
            "destination": self.destination,
            "headersTruncated": False,
            "headers": headers,
            "commonHeaders": {
                "from": [str(self.parsed["From"])],
                "to": [a.strip() for a in str(self.parsed.get("To", "")).split(",") if a.strip()],
                "messageId": self.message_id,
                "subject": str(self.parsed.get("Subject", "")),
            },
        }
        if with_tags:
            mail["tags"] = {
                "ses:configuration-set": [self.configuration_set],
                "ses:source-ip": ["192.0.2.10"],
                "ses:from-domain": ["example.com"],
                "ses:caller-identity": ["sesbridge-demo"],
            }
        return mail

    def at(self, seconds: float) -> str:
        return _iso(self.sent_at + timedelta(seconds=seconds))

    # -- Event Publishing (configuration set -> SNS) --

    def send_event(self) -> dict[str, Any]:
        return {"eventType": "Send", "mail": self.mail_object(), "send": {}}

    def delivery_event(self, recipient: str) -> dict[str, Any]:
        return {
            "eventType": "Delivery",
            "mail": self.mail_object(),
            "delivery": {
                "timestamp": self.at(2),
                "processingTimeMillis": 1830,
                "recipients": [recipient],
                "smtpResponse": "250 2.0.0 OK  1700000000 demo.mx.example.net",
                "reportingMTA": "a8-70.smtp-out.amazonses.com",
                "remoteMtaIp": "198.51.100.7",
            },
        }

    def _bounce(self, recipient: str) -> dict[str, Any]:
        return {
            "feedbackId": f"0100-{hashlib.sha1(recipient.encode()).hexdigest()[:16]}-000000",
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": recipient,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": self.at(3),
            "reportingMTA": "dns; a8-70.smtp-out.amazonses.com",
        }

    def bounce_event(self, recipient: str) -> dict[str, Any]:
        return {
            "eventType": "Bounce",
            "mail": self.mail_object(),
            "bounce": self._bounce(recipient),
        }

    def bounce_notification(self, recipient: str) -> dict[str, Any]:
        """The same bounce in the older "SES Notifications" format (no mail.tags)."""
        return {
            "notificationType": "Bounce",
            "mail": self.mail_object(with_tags=False),
            "bounce": self._bounce(recipient),
        }

    def complaint_event(self, recipient: str) -> dict[str, Any]:
        return {
            "eventType": "Complaint",
            "mail": self.mail_object(),
            "complaint": {
                "feedbackId": "0100-complaint-demo-000000",
                "complaintSubType": None,
                "complainedRecipients": [{"emailAddress": recipient}],
                "timestamp": self.at(600),
                "userAgent": "ExampleCorp Feedback Loop (V0.01)",
                "complaintFeedbackType": "abuse",
                "arrivalDate": self.at(590),
            },
        }

    def open_event(self) -> dict[str, Any]:
        return {
            "eventType": "Open",
            "mail": self.mail_object(),
            "open": {
                "ipAddress": "203.0.113.50",
                "timestamp": self.at(120),
                "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15",
            },
        }

    def delivery_delay_event(self, recipient: str) -> dict[str, Any]:
        return {
            "eventType": "DeliveryDelay",
            "mail": self.mail_object(),
            "deliveryDelay": {
                "timestamp": self.at(900),
                "delayType": "MailboxFull",
                "expirationTime": self.at(900 + 14 * 3600),
                "reportingMTA": "a8-70.smtp-out.amazonses.com",
                "delayedRecipients": [
                    {
                        "emailAddress": recipient,
                        "status": "4.2.2",
                        "diagnosticCode": "smtp; 452 4.2.2 mailbox full",
                    }
                ],
            },
        }


def received_notification(
    *,
    raw: bytes,
    bucket: str,
    key: str,
    recipients: list[str],
    topic_arn: str,
    received_at: datetime,
) -> dict[str, Any]:
    """A receipt rule's S3 action notification for a mail SES stored at ``bucket``/``key``."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = key.rsplit("/", 1)[-1]
    verdict = {"status": "PASS"}
    return {
        "notificationType": "Received",
        "mail": {
            "timestamp": _iso(received_at),
            "source": str(parsed["Return-Path"] or parsed["From"]).strip("<>"),
            "messageId": message_id,
            "destination": recipients,
            "headersTruncated": False,
            "headers": [{"name": k, "value": str(v)} for k, v in parsed.items()],
            "commonHeaders": {
                "returnPath": str(parsed["Return-Path"] or "").strip("<>"),
                "from": [str(parsed["From"])],
                "date": str(parsed["Date"]),
                "to": [str(parsed["To"])],
                "messageId": str(parsed["Message-ID"]),
                "subject": str(parsed["Subject"]),
            },
        },
        "receipt": {
            "timestamp": _iso(received_at),
            "processingTimeMillis": 420,
            "recipients": recipients,
            "spamVerdict": verdict,
            "virusVerdict": verdict,
            "spfVerdict": verdict,
            "dkimVerdict": verdict,
            "dmarcVerdict": verdict,
            "action": {
                "type": "S3",
                "topicArn": topic_arn,
                "bucketName": bucket,
                "objectKeyPrefix": key.rsplit("/", 1)[0] + "/" if "/" in key else "",
                "objectKey": key,
            },
        },
    }


def new_inbound_message_id() -> str:
    # SES's receipt message ids are 40 lowercase alphanumerics; any unique token works here.
    return uuid.uuid4().hex + uuid.uuid4().hex[:8]
