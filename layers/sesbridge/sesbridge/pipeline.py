"""What both functions do with an SNS event: normalize each record, publish the results.

A record that cannot be normalized becomes an ``Email Normalization Error`` event
(never dropped, never retried forever); transport errors and publish failures raise,
so Lambda retries the invocation and its on-failure destination keeps the event.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sesbridge.events import DEFAULT_EVENT_SOURCE
from sesbridge.events.entries import EventEntry
from sesbridge.events.errors import normalization_error_entry
from sesbridge.exceptions import NormalizationError, SesbridgeError
from sesbridge.publishing import EventBridgePublisher
from sesbridge.sns import MalformedRecord, SnsNotification, iter_notifications

logger = logging.getLogger(__name__)

# Turns one SNS notification into entries, or raises NormalizationError.
Normalizer = Callable[[SnsNotification], Sequence[EventEntry]]


# The environment both functions read (the template sets them).
EVENT_BUS_NAME_ENV = "EVENT_BUS_NAME"
EVENT_SOURCE_ENV = "EVENT_SOURCE"
ALLOWED_TOPIC_ARNS_ENV = "ALLOWED_TOPIC_ARNS"


class ConfigurationError(SesbridgeError):
    """A function's environment lacks a required setting: the invocation fails, nothing is lost."""


@dataclass(frozen=True)
class PublishingSettings:
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


@dataclass
class Outcome:
    """What one invocation published, for logs, metrics and tests."""

    entries: list[EventEntry] = field(default_factory=list)
    errors: int = 0
    ignored: int = 0

    def count_by_detail_type(self) -> Counter[str]:
        return Counter(e.detail_type for e in self.entries)


def process_sns_event(
    event: Any,
    *,
    function: str,
    normalize: Normalizer,
    publisher: EventBridgePublisher,
    allowed_topic_arns: Collection[str] = (),
    on_error: Callable[[SnsNotification | MalformedRecord, NormalizationError], Any] | None = None,
) -> Outcome:
    """Normalize every record of a Lambda SNS event and publish the results.

    ``on_error`` may return a raw-mail location (dict) to attach to the error event.
    """
    outcome = Outcome()
    for item in iter_notifications(event):
        try:
            if isinstance(item, MalformedRecord):
                raise item
            if allowed_topic_arns and item.topic_arn not in allowed_topic_arns:
                raise TopicNotAllowed(
                    f"topic {item.topic_arn!r} is not in ALLOWED_TOPIC_ARNS; not processed"
                )
            if item.is_ses_validation:
                logger.info("ignoring SES's topic validation message %s", item.message_id)
                outcome.ignored += 1
                continue
            outcome.entries.extend(normalize(item))
        except NormalizationError as error:
            raw = on_error(item, error) if on_error else None
            record = item.record
            logger.error(
                "%s function could not normalize SNS message %s: %s",
                function,
                _message_id(record),
                error,
            )
            outcome.errors += 1
            outcome.entries.append(
                normalization_error_entry(
                    function=function,
                    reason=str(error),
                    error_type=error.error_type,
                    record=record,
                    source=publisher.source,
                    raw=raw,
                )
            )
    publisher.publish(outcome.entries)
    return outcome


def _message_id(record: Any) -> str | None:
    sns = record.get("Sns") if isinstance(record, dict) else None
    return sns.get("MessageId") if isinstance(sns, dict) else None
