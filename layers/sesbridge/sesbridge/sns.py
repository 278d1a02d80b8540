"""Reading the SNS records Lambda hands to a function subscribed to a topic (pure)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from sesbridge.events import strict_json
from sesbridge.exceptions import NormalizationError

# What SNS sends once when SES event publishing is set up: not JSON, not an event.
SES_VALIDATION_MESSAGE_PREFIX = "Successfully validated SNS topic"


class SnsNotification(NamedTuple):
    """One SNS notification as delivered to Lambda.

    The envelope fields are None unless they are strings (lone surrogates replaced);
    ``record`` keeps them as they came.
    """

    message_id: str | None
    topic_arn: str | None
    timestamp: str | None
    subject: str | None
    message: str
    record: Mapping[str, Any]  # the whole record, kept for error events

    @property
    def is_ses_validation(self) -> bool:
        return self.message.startswith(SES_VALIDATION_MESSAGE_PREFIX)


class NotJson(NormalizationError):
    """The SNS Message is not a JSON object."""

    error_type = "not_json"


def message_json(notification: SnsNotification) -> dict[str, Any]:
    """The notification's Message parsed as a strict JSON object, or ``NotJson``.

    NaN and Infinity are not JSON; lone surrogates become U+FFFD.
    """
    try:
        value = strict_json.loads(notification.message)
    except ValueError as error:
        raise NotJson(f"the SNS Message is not JSON: {error}") from error
    if not isinstance(value, dict):
        raise NotJson(f"the SNS Message is JSON but not an object ({type(value).__name__})")
    return value


class MalformedRecord(NormalizationError):
    """The Lambda event or one of its records does not have SNS's shape."""

    error_type = "not_sns"

    def __init__(self, reason: str, record: Any) -> None:
        super().__init__(reason)
        self.record = record


def iter_notifications(event: Any) -> Iterator[SnsNotification | MalformedRecord]:
    """Yield each record of a Lambda SNS event, or a MalformedRecord for one that is not SNS.

    Malformed records are yielded, not raised, so one bad record cannot hide the others.
    """
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        yield MalformedRecord("the Lambda event has no 'Records' list", event)
        return
    for record in records:
        sns = record.get("Sns") if isinstance(record, Mapping) else None
        if not isinstance(sns, Mapping) or not isinstance(sns.get("Message"), str):
            yield MalformedRecord("the record has no 'Sns' object with a 'Message' string", record)
            continue
        yield SnsNotification(
            message_id=_text(sns.get("MessageId")),
            topic_arn=_text(sns.get("TopicArn")),
            timestamp=_text(sns.get("Timestamp")),
            subject=_text(sns.get("Subject")),
            message=sns["Message"],
            record=record,
        )


def _text(value: Any) -> str | None:
    return strict_json.clean_text(value) if isinstance(value, str) else None
