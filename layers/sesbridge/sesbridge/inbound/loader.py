"""``load_message``: the full mail behind an ``Email Inbound Event`` (talks to S3).

Example (a consumer Lambda on an EventBridge rule for ``Email Inbound Event``)::

    from sesbridge import load_message

    def handler(event, context):
        message = load_message(event["detail"])
        for part in message.attachments:
            save(part.get_filename(), part.get_content_bytes())
        logo = message.content_id_map.get("logo@example.com")
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import MissingField
from sesbridge.inbound.addresses import EmailAddress
from sesbridge.inbound.decryption import CONSUMER_REMEDY, SES_DEFAULT_KMS_KEY, ObjectDecryptor
from sesbridge.inbound.errors import RawMailMismatch
from sesbridge.inbound.message import InboundMessage
from sesbridge.inbound.raw_mail import read_raw_mail
from sesbridge.inbound.reply import reply_fields

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient


def load_message(
    detail: Mapping[str, Any],
    *,
    s3_client: BaseClient | None = None,
    kms_client: BaseClient | None = None,
    kms_key_id: str | None = None,
) -> InboundMessage:
    """Fetch ``detail["raw"]`` from S3 and parse it into an ``InboundMessage``.

    ``detail`` is the inbound event's detail (a whole EventBridge event works too).
    The envelope, verdict, threading and mailbox hash attributes (``envelope_sender``,
    ``verdicts``, ``authenticated``, ``reply_to_message_id``, ``thread_id``,
    ``mailbox_hash`` ...) come from the event; ``stripped_text`` is extracted from the
    mail as the function does. Encrypted objects are
    decrypted with ``kms_key_id`` (default ``alias/aws/ses``; needs
    ``amazon-s3-encryption-client-python``). Raises RawMailMismatch when the object is
    not the mail the event describes, RawMailNotFound / RawMailAccessDenied /
    DecryptionFailed / CorruptMime as the function would, and DecryptionUnavailable
    (naming the package to install) for an encrypted object without that package.
    """
    if "raw" not in detail and isinstance(detail.get("detail"), Mapping):
        detail = detail["detail"]
    raw = detail.get("raw")
    if not isinstance(raw, Mapping) or not raw.get("bucket") or not raw.get("key"):
        raise MissingField("the event detail has no 'raw' location (bucket and key)")
    if s3_client is None:
        import boto3

        s3_client = boto3.client("s3")
    decryptor = ObjectDecryptor(
        kms_key_id or SES_DEFAULT_KMS_KEY, kms_client=kms_client, remedy=CONSUMER_REMEDY
    )
    message, location = read_raw_mail(s3_client, raw["bucket"], raw["key"], decryptor=decryptor)
    for name in ("size", "sha256"):
        expected = raw.get(name)
        if expected is not None and expected != getattr(location, name):
            raise RawMailMismatch(
                f"s3://{location.bucket}/{location.key} has {name} {getattr(location, name)!r},"
                f" the event says {expected!r}: the object was replaced or altered"
            )
    fields = detail.get("message")
    if isinstance(fields, Mapping):
        message.envelope_sender = _envelope_address(fields.get("envelope_sender"))
        message.envelope_recipient = _envelope_address(fields.get("envelope_recipient"))
        message.envelope_recipients = [
            EmailAddress("", a, a) for a in fields.get("envelope_recipients") or () if a
        ]
        for name in _FROM_EVENT:
            if name in fields:
                setattr(message, name, fields[name])
        message.references = list(fields.get("references") or ())
        message.verdicts = dict(fields.get("verdicts") or {})
    # From the whole mail: the event's copy may have been cut to fit.
    message.stripped_text = reply_fields(message.text, message.html)["stripped_text"]
    return message


# What the event knows beyond the mail and the envelope: SES's verdicts, threading.
_FROM_EVENT = (
    "spam_detected",
    "virus_detected",
    "message_id",
    "in_reply_to",
    "reply_to_message_id",
    "thread_id",
    "authenticated",
    "mailbox_hash",
    "envelope_recipient_base",
)


def _envelope_address(value: str | None) -> EmailAddress | None:
    # Envelope addresses are bare addr-specs (SMTP MAIL FROM / RCPT TO): no name to parse.
    return EmailAddress("", value, value) if value else None
