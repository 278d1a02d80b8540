"""The SES "Received" notification a receipt rule publishes to SNS (pure).

Example::

    receipt = parse_receipt(message_json(notification))
    receipt.action_type            # "SNS" or "S3"
    receipt.raw_mail_bytes()       # SNS action: the raw MIME
    receipt.s3_bucket, receipt.s3_key  # S3 action: where SES stored it
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, NamedTuple

from sesbridge.exceptions import MissingField, WrongNotification
from sesbridge.inbound.errors import BadBase64, UnsupportedAction

SUPPORTED_ACTIONS = ("SNS", "S3")

# SES verdict status -> "was something detected": only PASS and FAIL are answers;
# GRAY, PROCESSING_FAILED and DISABLED mean SES does not know.
_DETECTED = {"PASS": False, "FAIL": True}


def verdict_status(verdict: Any) -> str | None:
    """The status string of an SES verdict object (PASS, FAIL, GRAY ...), or None."""
    status = verdict.get("status") if isinstance(verdict, dict) else None
    return status.upper() if isinstance(status, str) else None


def detected(verdict: Any) -> bool | None:
    """Map an SES spam/virus verdict object to True/False/None (unknown)."""
    status = verdict_status(verdict)
    return _DETECTED.get(status) if status else None


class Receipt(NamedTuple):
    """One received mail as SES describes it, without the mail itself."""

    notification: dict[str, Any]  # the whole SES JSON, content included

    @property
    def mail(self) -> dict[str, Any]:
        return self.notification["mail"]

    @property
    def receipt(self) -> dict[str, Any]:
        return self.notification["receipt"]

    @property
    def action(self) -> dict[str, Any]:
        return self.receipt["action"]

    @property
    def action_type(self) -> str:
        return self.action["type"]

    @property
    def message_id(self) -> str:
        return self.mail["messageId"]

    @property
    def timestamp(self) -> str | None:
        value = self.mail.get("timestamp") or self.receipt.get("timestamp")
        return value if isinstance(value, str) else None

    @property
    def envelope_sender(self) -> str | None:
        value = self.mail.get("source")
        return value if isinstance(value, str) else None

    @property
    def envelope_recipients(self) -> list[str]:
        """RCPT TO addresses the rule matched (``receipt.recipients``)."""
        values = self.receipt.get("recipients")
        return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []

    @property
    def s3_bucket(self) -> str:
        return self.action["bucketName"]

    @property
    def s3_key(self) -> str:
        return self.action["objectKey"]

    def esp_event(self) -> dict[str, Any]:
        """The SES JSON without the ``content`` blob (which may be 150 KB of mail)."""
        return {k: v for k, v in self.notification.items() if k != "content"}

    def raw_mail_bytes(self) -> bytes:
        """The raw MIME an SNS action carries, decoded per the action's encoding."""
        content = self.notification["content"]
        if str(self.action.get("encoding") or "UTF8").upper() == "BASE64":
            try:
                # SES sends one unbroken line; whitespace is tolerated, other junk is not.
                return base64.b64decode("".join(content.split()), validate=True)
            except (binascii.Error, ValueError) as error:
                reason = f"the SNS action's BASE64 content is not base64: {error}"
                raise BadBase64(reason) from error
        # UTF8: SES already turned the mail into text; UTF-8 gives its bytes back.
        return content.encode("utf-8", "surrogatepass")


def parse_receipt(notification: dict[str, Any]) -> Receipt:
    """Check an SES notification is a receipt with a supported action, and wrap it.

    Raises WrongNotification (e.g. a sending event on the inbound topic),
    MissingField, UnsupportedAction.
    """
    kind = notification.get("notificationType") or notification.get("eventType")
    if kind != "Received":
        raise WrongNotification(
            f"this is an SES {kind or 'unknown'!s} notification, not a received mail"
            " ('notificationType': 'Received'): is a sending event (configuration set or"
            " identity notification) publishing to the inbound topic?"
        )
    for name in ("mail", "receipt"):
        if not isinstance(notification.get(name), dict):
            raise MissingField(f"the receipt notification has no '{name}' object")
    message_id = notification["mail"].get("messageId")
    if not isinstance(message_id, str) or not message_id.strip():
        raise MissingField("the receipt notification has no 'mail.messageId' (or an empty one)")
    action = notification["receipt"].get("action")
    if not isinstance(action, dict) or not isinstance(action.get("type"), str):
        raise MissingField("the receipt notification has no 'receipt.action.type'")
    action_type = action["type"]
    if action_type not in SUPPORTED_ACTIONS:
        raise UnsupportedAction(
            f"receipt action {action_type!r} carries no mail: sesbridge reads mail from an"
            " SNS action (content in the notification) or an S3 action (object in S3)"
        )
    if action_type == "SNS" and not isinstance(notification.get("content"), str):
        raise UnsupportedAction(
            "the SNS action's notification has no 'content' (SES only includes it for"
            " mail up to 150 KB; use an S3 action for larger mail)"
        )
    if action_type == "S3":
        for name in ("bucketName", "objectKey"):
            if not isinstance(action.get(name), str) or not action[name]:
                raise MissingField(f"the S3 action has no 'receipt.action.{name}'")
    return Receipt(notification)
