"""Which S3 answers mean the mail is not there, or not the function's to read (pure).

Both the plain reads (``raw_mail``) and the decrypting ones (``decryption``) classify
S3's errors this way: those become error events, any other S3 error may pass and
propagates so Lambda retries.
"""

from __future__ import annotations

from sesbridge.inbound.errors import RawMailAccessDenied, RawMailNotFound

NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "NotFound", "404"})
DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "Forbidden", "403"})


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
