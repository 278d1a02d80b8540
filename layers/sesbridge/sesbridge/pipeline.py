"""What both functions do with a Lambda event: normalize each record, publish the results.

A record is an SNS notification, or (tracking) one of SES's own EventBridge events.

A record that cannot be normalized, whatever the exception, becomes an ``Email
Normalization Error`` event (never dropped, never retried forever); only a
``RetryableError`` (AWS trouble that may pass, publish failures) raises, so Lambda
retries the invocation and its on-failure destination keeps the event.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sesbridge.events import DEFAULT_EVENT_SOURCE
from sesbridge.events.entries import EventEntry
from sesbridge.events.errors import normalization_error_entry
from sesbridge.exceptions import NormalizationError, RetryableError, SesbridgeError
from sesbridge.native import NativeEvent
from sesbridge.publishing import EventBridgePublisher
from sesbridge.sns import MalformedRecord, SnsNotification, iter_notifications

logger = logging.getLogger(__name__)

# One record of a Lambda event, as the function's reader yields it.
Record = SnsNotification | NativeEvent
# Splits a Lambda event into records (iter_notifications, iter_tracking_inputs).
RecordReader = Callable[[Any], Iterable[Record | MalformedRecord]]

# Turns one record into entries; anything it raises but RetryableError makes the
# record an error event.
Normalizer = Callable[[Any], Sequence[EventEntry]]

# error_type of exceptions that are not a NormalizationError.
TOO_DEEP = "too_deep"  # nested deeper than Python's recursion limit lets a parser go
UNEXPECTED_ERROR = "unexpected_error"  # any other exception: the type is in exception_type


class KeptInput(NamedTuple):
    """Where a failed record's input was stored, and the record the error event carries
    instead (e.g. without the mail content it now points at)."""

    raw: dict[str, Any] | None
    record: Any


# Stores what a failed record carries (may raise RetryableError); None: nothing kept.
FailureKeeper = Callable[[Record | MalformedRecord, Exception], KeptInput | None]


# The environment both functions read (the template sets them).
EVENT_BUS_NAME_ENV = "EVENT_BUS_NAME"
EVENT_SOURCE_ENV = "EVENT_SOURCE"
ALLOWED_TOPIC_ARNS_ENV = "ALLOWED_TOPIC_ARNS"


class ConfigurationError(SesbridgeError):
    """A function's environment lacks a required setting: the invocation fails, nothing is lost."""


class PublishingSettings(NamedTuple):
    """Where a function publishes and which topics it accepts, from its environment."""

    bus_name: str
    source: str
    allowed_topic_arns: frozenset[str]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], function: str) -> PublishingSettings:
        bus_name = environ.get(EVENT_BUS_NAME_ENV, "").strip()
        if not bus_name:
            raise ConfigurationError(
                f"{EVENT_BUS_NAME_ENV} is not set: the {function} function has no bus"
            )
        arns = environ.get(ALLOWED_TOPIC_ARNS_ENV, "")
        return cls(
            bus_name=bus_name,
            source=environ.get(EVENT_SOURCE_ENV, "").strip() or DEFAULT_EVENT_SOURCE,
            allowed_topic_arns=frozenset(a.strip() for a in arns.split(",") if a.strip()),
        )


class TopicNotAllowed(NormalizationError):
    error_type = "topic_not_allowed"


class Outcome:
    """What one invocation published, for logs, metrics and tests."""

    __slots__ = ("entries", "errors", "ignored")

    def __init__(self) -> None:
        self.entries: list[EventEntry] = []
        self.errors = 0
        self.ignored = 0

    def count_by_detail_type(self) -> Counter[str]:
        return Counter(e.detail_type for e in self.entries)


def process_sns_event(
    event: Any,
    *,
    function: str,
    normalize: Normalizer,
    publisher: EventBridgePublisher,
    allowed_topic_arns: Collection[str] = (),
    on_error: FailureKeeper | None = None,
    read_records: RecordReader = iter_notifications,
) -> Outcome:
    """Normalize every record of a Lambda event and publish the results.

    ``read_records`` splits the event into records (SNS records by default).

    The one boundary of both functions: whatever normalizing a record raises becomes
    an ``Email Normalization Error`` event, except ``RetryableError`` (AWS trouble that
    may pass), which fails the invocation. ``on_error`` may keep the failed input
    somewhere (see ``KeptInput``) before the error event is built.
    """
    outcome = Outcome()
    for item in read_records(event):
        try:
            outcome.entries.extend(_normalize_record(item, normalize, allowed_topic_arns, outcome))
        except RetryableError:
            raise
        except Exception as error:  # the record's fault, whatever its type: see README
            outcome.errors += 1
            outcome.entries.append(_error_entry(item, error, function, publisher.source, on_error))
    publisher.publish(outcome.entries)
    return outcome


def _normalize_record(
    item: Record | MalformedRecord,
    normalize: Normalizer,
    allowed_topic_arns: Collection[str],
    outcome: Outcome,
) -> Sequence[EventEntry]:
    if isinstance(item, MalformedRecord):
        raise item
    if not isinstance(item, SnsNotification):
        return normalize(item)
    if allowed_topic_arns and item.topic_arn not in allowed_topic_arns:
        raise TopicNotAllowed(
            f"topic {item.topic_arn!r} is not in ALLOWED_TOPIC_ARNS; not processed"
        )
    if item.is_ses_validation:
        logger.info("ignoring SES's topic validation message %s", item.message_id)
        outcome.ignored += 1
        return ()
    return normalize(item)


def error_type_of(error: BaseException) -> str:
    """The stable ``error_type`` code of an exception a record raised."""
    if isinstance(error, NormalizationError):
        return error.error_type
    if isinstance(error, RecursionError):
        return TOO_DEEP
    return UNEXPECTED_ERROR


def _error_entry(
    item: Record | MalformedRecord,
    error: Exception,
    function: str,
    source: str,
    on_error: FailureKeeper | None,
) -> EventEntry:
    error_type = error_type_of(error)
    # Names only: a reason may quote the input (mail content, metadata values).
    logger.error(
        "%s function could not normalize record %s: %s (%s)",
        function,
        _message_id(item),
        error_type,
        type(error).__name__,
    )
    kept = _keep(on_error, item, error)
    return normalization_error_entry(
        function=function,
        reason=str(error) or type(error).__name__,
        error_type=error_type,
        exception_type=type(error).__name__,
        record=kept.record if kept else item.record,
        source=source,
        raw=kept.raw if kept else None,
    )


def _keep(
    on_error: FailureKeeper | None, item: Record | MalformedRecord, error: Exception
) -> KeptInput | None:
    if on_error is None:
        return None
    try:
        return on_error(item, error)
    except RetryableError:
        raise
    except Exception as failure:  # the error event still carries the whole record
        logger.error(
            "could not keep the input of record %s apart (%s); the error event carries it",
            _message_id(item),
            type(failure).__name__,
        )
        return None


def _message_id(item: Record | MalformedRecord) -> str | None:
    """The SNS MessageId, or the EventBridge event id, for logs."""
    if isinstance(item, SnsNotification):
        message_id = item.message_id
    else:
        message_id = item.event_id if isinstance(item, NativeEvent) else None
    return message_id[:128] if message_id else None
