"""What the inbound function does with one SNS notification (talks to S3).

SNS action: the mail travels in the notification; it is written to the raw-mail
bucket first (``received/<SES messageId>``), so every event points at its full mail.
S3 action: the receipt's object is streamed and parsed; ``raw`` points at it.

Example::

    normalize = InboundNormalizer(s3_client=s3, raw_mail_bucket="raw", source="sesbridge")
    entries = normalize(notification)
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from sesbridge.events import strict_json
from sesbridge.events.entries import EventEntry
from sesbridge.inbound.conversation import DEFAULT_MAILBOX_HASH_SEPARATOR
from sesbridge.inbound.decryption import ObjectDecryptor
from sesbridge.inbound.detail import inbound_entry
from sesbridge.inbound.errors import CorruptMime, InboundError
from sesbridge.inbound.message import InboundMessage, parse_mime_bytes
from sesbridge.inbound.raw_mail import (
    RAW_MAIL_CONTENT_TYPE,
    RawMailLocation,
    read_raw_mail,
    store_raw_mail,
)
from sesbridge.inbound.receipt import Receipt, parse_receipt
from sesbridge.pipeline import KeptInput
from sesbridge.sns import MalformedRecord, NotJson, SnsNotification, message_json

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

RECEIVED_PREFIX = "received/"  # SNS-action mail, by SES messageId
FAILED_PREFIX = "failed/"  # content of notifications that could not be normalized
# A failed record over this is stored whole: its error event will carry only its start.
KEEP_RECORDS_OVER_BYTES = 192 * 1024
# Ids used as they are in object keys; any other id is replaced by a hash.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._-]{1,200}")


class InboundNormalizer:
    """Turns an SES receipt notification into ``Email Inbound Event`` entries."""

    def __init__(
        self,
        *,
        s3_client: BaseClient,
        raw_mail_bucket: str,
        source: str,
        decryptor: ObjectDecryptor | None = None,
        mailbox_hash_separator: str = DEFAULT_MAILBOX_HASH_SEPARATOR,
    ) -> None:
        self.s3_client = s3_client
        self.raw_mail_bucket = raw_mail_bucket
        self.source = source
        self.decryptor = decryptor or ObjectDecryptor()
        self.mailbox_hash_separator = mailbox_hash_separator

    def __call__(self, notification: SnsNotification) -> list[EventEntry]:
        receipt = parse_receipt(message_json(notification))
        message, location = self._read_mail(receipt)
        try:
            entry = inbound_entry(
                receipt,
                message,
                raw=location.as_dict(),
                source=self.source,
                received_at=notification.timestamp,
                mailbox_hash_separator=self.mailbox_hash_separator,
            )
        except InboundError as error:  # the mail is stored: the error event points at it
            error.raw = error.raw or location.as_dict()
            raise
        return [entry]

    def _read_mail(self, receipt: Receipt) -> tuple[InboundMessage, RawMailLocation]:
        if receipt.action_type == "S3":
            return read_raw_mail(
                self.s3_client, receipt.s3_bucket, receipt.s3_key, decryptor=self.decryptor
            )
        raw = receipt.raw_mail_bytes()
        key = f"{RECEIVED_PREFIX}{object_name(receipt.message_id, raw)}"
        location = store_raw_mail(self.s3_client, self.raw_mail_bucket, key, raw)
        try:
            return parse_mime_bytes(raw), location
        except CorruptMime as error:
            error.raw = location.as_dict()
            raise

    def keep_failed_input(
        self, item: SnsNotification | MalformedRecord, error: Exception
    ) -> KeptInput | None:
        """``on_error`` for the pipeline: store what a failed record carries, point at it.

        A mail already in S3 (an S3 action's object, SNS content already stored) is
        pointed at; mail content carried only by the notification is written under
        ``failed/``, then left out of the record the error event carries (it is at
        ``raw``); a record too large for an event is written whole (``failed/*.json``).
        None: nothing needed keeping.
        """
        ses = _notification_json(item)
        content = ses.get("content") if ses else None
        raw = error.raw if isinstance(error, InboundError) else None
        if raw is None and isinstance(content, str):
            data = content.encode("utf-8", "surrogatepass")
            raw = self._store_failed(item, data, "", RAW_MAIL_CONTENT_TYPE)
        if raw is not None:
            record = _without_content(item.record, ses) if isinstance(content, str) else None
            return KeptInput(raw, record or item.record)
        data = strict_json.dumps(item.record).encode("utf-8")
        if len(data) > KEEP_RECORDS_OVER_BYTES:
            stored = self._store_failed(item, data, ".json", "application/json")
            return KeptInput(stored, item.record)
        return None

    def _store_failed(
        self, item: SnsNotification | MalformedRecord, data: bytes, suffix: str, content_type: str
    ) -> dict[str, Any]:
        message_id = item.message_id if isinstance(item, SnsNotification) else None
        key = f"{FAILED_PREFIX}{object_name(message_id, data)}{suffix}"
        location = store_raw_mail(self.s3_client, self.raw_mail_bucket, key, data, content_type)
        return location.as_dict()


def object_name(name: str | None, data: bytes) -> str:
    """``name`` when it makes a plain S3 key, else the sha256 of ``data``."""
    if name and _PLAIN_NAME.fullmatch(name):
        return name
    return "sha256-" + hashlib.sha256(data).hexdigest()


def _notification_json(item: SnsNotification | MalformedRecord) -> dict[str, Any] | None:
    if not isinstance(item, SnsNotification):
        return None
    try:
        return message_json(item)
    except (NotJson, RecursionError):
        return None


def _without_content(record: Any, ses: dict[str, Any]) -> Any:
    sns = record.get("Sns") if isinstance(record, dict) else None
    if not isinstance(sns, dict):
        return None
    message = strict_json.dumps({k: v for k, v in ses.items() if k != "content"})
    return {**record, "Sns": {**sns, "Message": message}}
