"""What S3's answers mean for a record: an error event, or a retry (pure but for botocore types).

Both the plain reads and writes (``raw_mail``) and the decrypting reads (``decryption``)
classify AWS errors here. What the receipt names and S3 cannot give becomes an error
event (RawMailNotFound, RawMailAccessDenied, InvalidS3Location, RawMailUnreadable);
what may pass (throttling, 5xx, network, credentials), or is the function's own set-up
(its raw-mail bucket refusing a write), is RetryableError so Lambda retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sesbridge.exceptions import RetryableError, SesbridgeError
from sesbridge.inbound.errors import (
    InvalidS3Location,
    RawMailAccessDenied,
    RawMailNotFound,
    RawMailUnreadable,
)

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


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return str(code) if code is not None else None


def raise_for_missing_object(error: BaseException, bucket: str, key: str) -> None:
    """Turn S3's "not there"/"not yours" answers into error-event causes; others pass."""
    if error_code(error) in NOT_FOUND_CODES | DENIED_CODES:
        raise _client_error_failure(error, f"s3://{bucket}/{key}", own_bucket=False) from error


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
