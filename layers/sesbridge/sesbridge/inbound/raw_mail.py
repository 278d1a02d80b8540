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
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import RetryableError, SesbridgeError
from sesbridge.inbound.decryption import ObjectDecryptor, is_client_side_encrypted
from sesbridge.inbound.errors import (
    CorruptMime,
    InvalidS3Location,
    RawMailAccessDenied,
    RawMailNotFound,
    RawMailUnreadable,
)
from sesbridge.inbound.message import InboundMessage, parse_mime_chunks

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

CHUNK_SIZE = 1024 * 1024
RAW_MAIL_CONTENT_TYPE = "message/rfc822"
NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "NotFound", "404"})
DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "Forbidden", "403"})
# 4xx answers that may pass, or that are the function's environment, not the record.
PASSING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "SlowDown",
        "RequestLimitExceeded",
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "RequestTimeTooSkewed",
        "InvalidAccessKeyId",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
    }
)


@dataclass(frozen=True)
class RawMailLocation:
    """Where a raw mail lives: the event's ``raw`` field."""

    bucket: str
    key: str
    size: int
    sha256: str
    encrypted: bool = False  # client-side encrypted; size/sha256 are the plaintext's

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return str(code) if code is not None else None


def raise_for_missing_object(error: BaseException, bucket: str, key: str) -> None:
    """Turn S3's "not there"/"not yours" answers into error-event causes; others pass."""
    code = error_code(error)
    if code in NOT_FOUND_CODES:
        raise RawMailNotFound(f"s3://{bucket}/{key} does not exist ({code})") from error
    if code in DENIED_CODES:
        raise RawMailAccessDenied(
            f"access to s3://{bucket}/{key} was denied ({code}): the function may read only"
            " the receipt bucket and prefix it was given"
        ) from error


@contextmanager
def s3_errors(bucket: str, key: str, *, own_bucket: bool = False) -> Iterator[None]:
    """Turn AWS errors raised inside into what they mean for the record (module doc).

    ``own_bucket``: the function writes its raw-mail bucket, so any refusal is set-up.
    Errors that are not AWS's (a parser's, sesbridge's own) pass unchanged.
    """
    try:
        yield
    except SesbridgeError:
        raise
    except Exception as error:
        failure = aws_failure(error, bucket, key, own_bucket=own_bucket)
        if failure is None:
            raise
        raise failure from error


def aws_failure(
    error: BaseException, bucket: str, key: str, *, own_bucket: bool = False
) -> SesbridgeError | None:
    """The sesbridge error for an AWS error (or one caused by it), else None."""
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    where = f"s3://{bucket}/{key}"
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ParamValidationError) and not own_bucket:
            return InvalidS3Location(f"{where} is not a valid S3 location: {cause}")
        if isinstance(cause, ClientError):
            return _client_error_failure(cause, where, own_bucket)
        if isinstance(cause, BotoCoreError):  # network, timeouts, credentials
            return RetryableError(f"reading or writing {where} failed: {cause}")
        cause = cause.__cause__ or cause.__context__
    return None


def _client_error_failure(error: BaseException, where: str, own_bucket: bool) -> SesbridgeError:
    code = error_code(error)
    status = getattr(error, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in PASSING_CODES or (isinstance(status, int) and (status >= 500 or status == 429)):
        return RetryableError(f"AWS answered {code} for {where}; it may pass: {error}")
    if own_bucket:
        return RetryableError(f"the raw-mail bucket refused {where} ({code}): see RAW_MAIL_BUCKET")
    if code in NOT_FOUND_CODES:
        return RawMailNotFound(f"{where} does not exist ({code})")
    if code in DENIED_CODES:
        return RawMailAccessDenied(
            f"access to {where} was denied ({code}): the function may read only"
            " the receipt bucket and prefix it was given"
        )
    return RawMailUnreadable(f"S3 refused to give {where}: {code} ({error})")


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
