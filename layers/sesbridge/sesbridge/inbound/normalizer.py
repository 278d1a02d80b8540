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
from typing import TYPE_CHECKING, Any

from sesbridge.events.entries import EventEntry
from sesbridge.inbound.decryption import ObjectDecryptor
from sesbridge.inbound.detail import inbound_entry
from sesbridge.inbound.errors import CorruptMime, InboundError
from sesbridge.inbound.message import InboundMessage, parse_mime_bytes
from sesbridge.inbound.raw_mail import RawMailLocation, read_raw_mail, store_raw_mail
from sesbridge.inbound.receipt import Receipt, parse_receipt
from sesbridge.sns import MalformedRecord, NotJson, SnsNotification, message_json

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

RECEIVED_PREFIX = "received/"  # SNS-action mail, by SES messageId
FAILED_PREFIX = "failed/"  # content of notifications that could not be normalized


class InboundNormalizer:
    """Turns an SES receipt notification into ``Email Inbound Event`` entries."""

    def __init__(
        self,
        *,
        s3_client: BaseClient,
        raw_mail_bucket: str,
        source: str,
        decryptor: ObjectDecryptor | None = None,
    ) -> None:
        self.s3_client = s3_client
        self.raw_mail_bucket = raw_mail_bucket
        self.source = source
        self.decryptor = decryptor or ObjectDecryptor()

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
        key = f"{RECEIVED_PREFIX}{receipt.message_id}"
        location = store_raw_mail(self.s3_client, self.raw_mail_bucket, key, raw)
        try:
            return parse_mime_bytes(raw), location
        except CorruptMime as error:
            error.raw = location.as_dict()
            raise

    def keep_failed_input(
        self, item: SnsNotification | MalformedRecord, error: Exception
    ) -> dict[str, Any] | None:
        """``on_error`` for the pipeline: where the failed record's mail content is kept.

        A mail already in S3 (an S3 action's object, SNS content already stored) is
        pointed at; mail content carried only by the notification is written to the
        raw-mail bucket under ``failed/``; a record with no content gives None.
        """
        if isinstance(error, InboundError) and error.raw is not None:
            return error.raw
        content = _carried_content(item)
        if content is None:
            return None
        raw = content.encode("utf-8", "surrogatepass")
        name = item.message_id or hashlib.sha256(raw).hexdigest()
        key = f"{FAILED_PREFIX}{name}"
        return store_raw_mail(self.s3_client, self.raw_mail_bucket, key, raw).as_dict()


def _carried_content(item: SnsNotification | MalformedRecord) -> str | None:
    if not isinstance(item, SnsNotification):
        return None
    try:
        content = message_json(item).get("content")
    except NotJson:
        return None
    return content if isinstance(content, str) else None
