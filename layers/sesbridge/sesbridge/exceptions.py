"""Errors raised by sesbridge. Every error is a ``SesbridgeError``."""

from __future__ import annotations

from typing import Any


class SesbridgeError(Exception):
    """Base class of every sesbridge error."""


class InvalidMessage(SesbridgeError, ValueError):
    """The message cannot be sent as given (bad address, header, size ...).

    Raised before any API call, so nothing reached SES.
    """


class UnsupportedFeature(InvalidMessage):
    """The message asks for something Amazon SES cannot do (``send_at``, ...).

    Set ``ignore_unsupported_features`` (env ``SESBRIDGE_IGNORE_UNSUPPORTED_FEATURES``)
    to turn these errors into no-ops.
    """

    def __init__(self, feature: str) -> None:
        self.feature = feature
        super().__init__(
            f"Amazon SES does not support {feature}. "
            "Set SESBRIDGE_IGNORE_UNSUPPORTED_FEATURES=true to ignore unsupported features."
        )


class SendError(SesbridgeError):
    """SES refused or failed a send call.

    ``transient`` tells whether trying again later may succeed (throttling,
    service errors); ``code`` and ``ses_message`` carry SES's error; the botocore
    error is chained as ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        ses_message: str | None = None,
        transient: bool = False,
        response: Any = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.ses_message = ses_message
        self.transient = transient
        self.response = response


class NormalizationError(SesbridgeError, ValueError):
    """An SNS record cannot be turned into a sesbridge event.

    The functions publish an ``Email Normalization Error`` event for it instead of
    dropping it or retrying it forever. ``error_type`` is the stable code the event carries.
    """

    error_type = "invalid"


class MissingField(NormalizationError):
    """An SES notification lacks a field sesbridge needs."""

    error_type = "missing_field"


class WrongNotification(NormalizationError):
    """A notification of another kind (e.g. an inbound mail on the tracking topic)."""

    error_type = "wrong_notification"


class RetryableError(SesbridgeError):
    """A failure that is not the record's fault: AWS unreachable, throttling, a 5xx.

    The one exception the functions let out of a record: the invocation fails, Lambda
    retries it, and its on-failure destination keeps the SNS event when retries run
    out. Everything else a record raises becomes an ``Email Normalization Error``.
    """


class PublishError(RetryableError):
    """EventBridge did not accept every entry after all retries.

    The Lambda invocation fails, so Lambda's retries and the on-failure
    destination keep the SNS event.
    """

    def __init__(self, message: str, *, failed: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.failed = failed or []
