"""Why an inbound notification could not become an event; each has a stable ``error_type``."""

from __future__ import annotations

from typing import Any

from sesbridge.exceptions import NormalizationError


class InboundError(NormalizationError):
    """An inbound notification that cannot be normalized.

    ``raw`` is where the mail's content is kept when it was read (for the error
    event's ``raw`` field), else None.
    """

    def __init__(self, reason: str, *, raw: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.raw = raw


class UnsupportedAction(InboundError):
    """The receipt rule's action is neither SNS (with content) nor S3."""

    error_type = "unsupported_action"


class BadBase64(InboundError):
    """An SNS action with BASE64 encoding whose content is not base64."""

    error_type = "bad_base64"


class CorruptMime(InboundError):
    """The raw mail is not a MIME message sesbridge can read."""

    error_type = "corrupt_mime"


class RawMailNotFound(InboundError):
    """The S3 object (or its bucket) the receipt names does not exist."""

    error_type = "raw_mail_not_found"


class RawMailAccessDenied(InboundError):
    """S3 refused to give the function the object the receipt names."""

    error_type = "raw_mail_access_denied"


class DecryptionFailed(InboundError):
    """A client-side encrypted object could not be decrypted (key, permission, tampering)."""

    error_type = "decryption_failed"


class DecryptionUnavailable(InboundError):
    """An encrypted object arrived, but this deployment cannot decrypt: no KMS key is
    configured, or the decryption client (its layer) is not installed."""

    error_type = "decryption_unavailable"


class RawMailMismatch(InboundError):
    """The raw mail read back is not the one the event describes (size or sha256 differ)."""

    error_type = "raw_mail_mismatch"


class EventTooLarge(InboundError):
    """Even after every documented reduction the event exceeds EventBridge's 256 KB."""

    error_type = "event_too_large"
