"""Client-side encrypted receipt objects (SES's S3 action with "encrypt"; talks to AWS).

SES encrypts with the S3 Encryption Client's V2 format: a KMS-wrapped data key in the
object's metadata (``x-amz-key-v2``, ``x-amz-wrap-alg: kms+context``,
``x-amz-cek-alg: AES/GCM/NoPadding``). A plain GetObject returns ciphertext, so such
objects are read again through ``amazon-s3-encryption-client-python`` (imported only
when one is met; the inbound function has it from the receipt-encryption layer, which
the template attaches only when ``ReceiptKmsKeyArn`` is set). Plain and encrypted
objects can share a bucket.

Failures that will not pass (no key access, wrong key, tampered object) raise
DecryptionFailed; no key configured or no decryption client raises
DecryptionUnavailable; KMS/S3 errors that may pass propagate so Lambda retries.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sesbridge.inbound.errors import DecryptionFailed, DecryptionUnavailable
from sesbridge.inbound.s3_errors import error_code, raise_for_missing_object

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

# Metadata of the S3 Encryption Client formats (v1: x-amz-key, v2, v3: x-amz-3).
ENCRYPTION_METADATA = ("x-amz-key-v2", "x-amz-cek-alg", "x-amz-wrap-alg", "x-amz-key", "x-amz-3")
# SES's own key, which a receipt rule may name instead of a key of yours.
SES_DEFAULT_KMS_KEY = "alias/aws/ses"
ENCRYPTION_PACKAGE = "amazon-s3-encryption-client-python"
# What to do when the package is missing, in the inbound function and in a consumer.
FUNCTION_REMEDY = (
    "deploy with ReceiptKmsKeyArn set, which adds the receipt-encryption layer, then replay"
    " this event; the mail stays in S3"
)
CONSUMER_REMEDY = (
    f"add {ENCRYPTION_PACKAGE} to your function (pip install {ENCRYPTION_PACKAGE}; it brings"
    " cryptography, built for your function's architecture); the mail stays in S3"
)
# KMS answers that trying again will not change.
PERMANENT_KMS_CODES = frozenset(
    {
        "AccessDeniedException",
        "InvalidCiphertextException",
        "IncorrectKeyException",
        "NotFoundException",
        "DisabledException",
        "InvalidKeyUsageException",
        "KMSInvalidStateException",
        "InvalidGrantTokenException",
    }
)
# Reserved by the encryption client: it adds them itself and refuses them from callers.
_RESERVED_CONTEXT_KEYS = ("aws:x-amz-cek-alg", "kms_cmk_id")


def is_client_side_encrypted(metadata: Mapping[str, str]) -> bool:
    """Whether an object's user metadata marks it as S3 Encryption Client ciphertext."""
    return any(name in metadata for name in ENCRYPTION_METADATA)


def stored_encryption_context(metadata: Mapping[str, str]) -> dict[str, str]:
    """The KMS encryption context the object was written with, minus reserved keys.

    The client checks the caller's context against the stored one; SES stores its own
    (message id, rule name, account), which the caller cannot know beforehand.
    """
    try:
        stored = json.loads(metadata.get("x-amz-matdesc") or "{}")
    except ValueError as error:
        raise DecryptionFailed(f"the object's x-amz-matdesc is not JSON: {error}") from error
    if not isinstance(stored, dict):
        raise DecryptionFailed("the object's x-amz-matdesc is not a JSON object")
    return {k: str(v) for k, v in stored.items() if k not in _RESERVED_CONTEXT_KEYS}


class ObjectDecryptor:
    """Opens client-side encrypted objects as streams of plaintext.

    ``kms_key_id`` is the key the receipt rule encrypts with (SES's own is
    ``alias/aws/ses``); None means this deployment expects no encrypted mail, and opening
    an encrypted object raises DecryptionUnavailable. Clients are built lazily; the S3
    client must be one of its own, since the encryption client hooks every GetObject of
    the client it wraps.

    Example::

        body = ObjectDecryptor("arn:aws:kms:...:key/...").open(s3, "inbox", "mail/abc")
        mime = body.read()
    """

    def __init__(
        self,
        kms_key_id: str | None = None,
        *,
        kms_client: BaseClient | None = None,
        s3_client: BaseClient | None = None,
        remedy: str = FUNCTION_REMEDY,
    ) -> None:
        self.kms_key_id = kms_key_id or None
        self.remedy = remedy  # said when the decryption client is not installed
        self._kms_client = kms_client
        self._s3_client = s3_client
        self._encryption_client: Any = None

    def _client(self, plain_s3_client: BaseClient) -> Any:
        if self._encryption_client is None:
            import boto3

            try:
                from s3_encryption import S3EncryptionClient, S3EncryptionClientConfig
                from s3_encryption.materials.kms_keyring import KmsKeyring
                from s3_encryption.materials.materials import CommitmentPolicy
            except ImportError as error:
                raise DecryptionUnavailable(
                    f"the object is client-side encrypted, but {ENCRYPTION_PACKAGE} is not"
                    f" installed ({error}): {self.remedy}"
                ) from error

            meta = plain_s3_client.meta
            s3 = self._s3_client or boto3.client(
                "s3", region_name=meta.region_name, endpoint_url=meta.endpoint_url
            )
            kms = self._kms_client or boto3.client("kms", region_name=meta.region_name)
            # SES writes AES-GCM without key commitment (legacy for this client), and
            # wraps keys with kms+context.
            keyring = KmsKeyring(kms, self.kms_key_id, enable_legacy_wrapping_algorithms=True)
            config = S3EncryptionClientConfig(
                keyring,
                commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
                # Streams plaintext before the GCM tag is checked; safe here because the
                # whole stream is consumed (and a bad tag raises) before anything is
                # published, and it avoids holding ciphertext and plaintext whole.
                enable_delayed_authentication=True,
            )
            self._encryption_client = S3EncryptionClient(s3, config)
        return self._encryption_client

    def open(
        self,
        plain_s3_client: BaseClient,
        bucket: str,
        key: str,
        metadata: Mapping[str, str] | None = None,
    ) -> Any:
        """A decrypting body (``iter_chunks``/``close``) for ``s3://bucket/key``.

        ``metadata`` is the object's user metadata when already known (else a HEAD).
        """
        if self.kms_key_id is None:
            raise DecryptionUnavailable(
                f"s3://{bucket}/{key} is client-side encrypted, but no KMS key is configured"
                " (RECEIPT_KMS_KEY_ID, the ReceiptKmsKeyArn parameter): set it to the key"
                " your receipt rule encrypts with; the mail stays in S3"
            )
        if metadata is None:
            metadata = plain_s3_client.head_object(Bucket=bucket, Key=key).get("Metadata") or {}
        context = stored_encryption_context(metadata)
        client = self._client(plain_s3_client)
        try:
            response = client.get_object(Bucket=bucket, Key=key, EncryptionContext=context or None)
        except Exception as error:
            raise_for_decryption_error(error, bucket, key)
            raise
        return DecryptionGuard(response["Body"], bucket, key)


class DecryptionGuard:
    """A decrypting body whose read errors (e.g. a bad GCM tag at the end) are classified."""

    def __init__(self, body: Any, bucket: str, key: str) -> None:
        self._body = body
        self._where = (bucket, key)

    def iter_chunks(self, chunk_size: int) -> Any:
        try:
            while chunk := self._body.read(chunk_size):
                yield chunk
        except Exception as error:
            raise_for_decryption_error(error, *self._where)
            raise

    def close(self) -> None:
        self._body.close()


def raise_for_decryption_error(error: BaseException, bucket: str, key: str) -> None:
    """Raise DecryptionFailed (or the S3 not-found/denied errors) when retrying cannot help.

    Returns (so the caller re-raises) for errors that may pass: throttling, KMS or S3
    service errors, network trouble.
    """
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ClientError):
            raise_for_missing_object(cause, bucket, key)
            code = error_code(cause)
            if code in PERMANENT_KMS_CODES:
                raise DecryptionFailed(
                    f"cannot decrypt s3://{bucket}/{key}: KMS answered {code}"
                    f" ({cause}); check the KMS key setting and kms:Decrypt permission"
                ) from error
            return
        if isinstance(cause, (ConnectionError, HTTPClientError)):
            return
        cause = cause.__cause__ or cause.__context__
    raise DecryptionFailed(f"cannot decrypt s3://{bucket}/{key}: {error}") from error
