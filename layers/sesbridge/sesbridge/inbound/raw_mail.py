"""Reading and writing raw mail in S3 (talks to AWS).

An S3 action's object (up to 40 MB) is streamed into the MIME parser chunk by chunk
while its size and sha256 are counted, so the raw bytes are never held whole beside
the parsed message. Client-side encrypted objects (SES's "encrypt" option) are
recognised by their metadata and decrypted (see ``decryption``).

Errors (``s3_errors``): what the receipt names and S3 cannot give -> RawMailNotFound,
RawMailAccessDenied, InvalidS3Location, RawMailUnreadable (published as error events);
what may pass (throttling, 5xx, network, credentials) or is the function's own set-up
(its raw-mail bucket refusing a write) -> RetryableError, so Lambda retries and the
on-failure queue keeps the event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from sesbridge.inbound.decryption import ObjectDecryptor, is_client_side_encrypted
from sesbridge.inbound.errors import CorruptMime
from sesbridge.inbound.message import InboundMessage, parse_mime_chunks
from sesbridge.inbound.s3_errors import s3_errors

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

CHUNK_SIZE = 1024 * 1024
RAW_MAIL_CONTENT_TYPE = "message/rfc822"


class RawMailLocation(NamedTuple):
    """Where a raw mail lives: the event's ``raw`` field."""

    bucket: str
    key: str
    size: int
    sha256: str
    encrypted: bool = False  # client-side encrypted; size/sha256 are the plaintext's

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


class _Digest:
    """Counts size and sha256 of the chunks passing through it."""

    def __init__(self) -> None:
        self.size = 0
        self._hash = hashlib.sha256()

    def count(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.size += len(chunk)
            self._hash.update(chunk)
            yield chunk

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def read_raw_mail(
    s3_client: BaseClient,
    bucket: str,
    key: str,
    *,
    decryptor: ObjectDecryptor | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> tuple[InboundMessage, RawMailLocation]:
    """Stream ``s3://bucket/key`` into the MIME parser; return the message and its location.

    Example::

        message, location = read_raw_mail(boto3.client("s3"), "inbox", "mail/abc")
    """
    with s3_errors(bucket, key):
        response = s3_client.get_object(Bucket=bucket, Key=key)
        body = response["Body"]
        metadata = response.get("Metadata") or {}
        encrypted = is_client_side_encrypted(metadata)
        digest = _Digest()
        try:
            if encrypted:
                body.close()  # ciphertext: the decrypting client fetches the object itself
                body = (decryptor or ObjectDecryptor()).open(s3_client, bucket, key, metadata)
            message = parse_mime_chunks(digest.count(body.iter_chunks(chunk_size)))
        except CorruptMime as error:
            location = RawMailLocation(bucket, key, digest.size, digest.sha256, encrypted)
            error.raw = location.as_dict()
            raise
        finally:
            body.close()
    return message, RawMailLocation(bucket, key, digest.size, digest.sha256, encrypted)


def store_raw_mail(
    s3_client: BaseClient,
    bucket: str,
    key: str,
    raw: bytes,
    content_type: str = RAW_MAIL_CONTENT_TYPE,
) -> RawMailLocation:
    """Write raw mail (or a failed record) to ``s3://bucket/key`` and say where it is."""
    sha256 = hashlib.sha256(raw).hexdigest()
    with s3_errors(bucket, key, own_bucket=True):
        s3_client.put_object(
            Bucket=bucket,
            Key=key,
            Body=raw,
            ContentType=content_type,
            Metadata={"sha256": sha256},
        )
    return RawMailLocation(bucket, key, len(raw), sha256)
