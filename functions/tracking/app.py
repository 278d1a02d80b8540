"""Tracking function: SES events -> ``Email Tracking Event`` on EventBridge.

Its input is an SNS event (SES event publishing or notifications), or one of SES's
own EventBridge events a rule on the default bus delivers (account-level ones become
``Email Account Status``). The composition root only: settings and the publisher are
built on the first invocation and reused by later ones in the same execution
environment; the work is ``sesbridge.pipeline.process_sns_event`` with the tracking
reader and normalizer.

Environment: ``EVENT_BUS_NAME`` (required: name or ARN), ``EVENT_SOURCE`` (default
``sesbridge``), ``ALLOWED_TOPIC_ARNS`` (comma-separated; empty accepts every topic).
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections import Counter
from functools import cache, partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from sesbridge.events import TRACKING_DETAIL_TYPE
from sesbridge.native import iter_tracking_inputs
from sesbridge.pipeline import Outcome, PublishingSettings, process_sns_event
from sesbridge.publishing import EventBridgePublisher
from sesbridge.tracking import tracking_entries

SERVICE = "sesbridge-tracking"
logger = Logger(service=SERVICE)
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "sesbridge"), service=SERVICE
)
# sesbridge's own log records (normalization errors, bad X-Metadata) as structured JSON too.
copy_config_to_registered_loggers(source_logger=logger, include={"sesbridge"})


@cache
def settings() -> PublishingSettings:
    return PublishingSettings.from_environ(os.environ, "tracking")


@cache
def publisher() -> EventBridgePublisher:
    return EventBridgePublisher(settings().bus_name, settings().source)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    records = event.get("Records") if isinstance(event, dict) else None
    metrics.add_metric(
        name="Notifications",
        unit=MetricUnit.Count,
        value=len(records) if isinstance(records, list) else 1,
    )
    config = settings()
    outcome = process_sns_event(
        event,
        function="tracking",
        normalize=partial(tracking_entries, source=config.source),
        publisher=publisher(),
        allowed_topic_arns=config.allowed_topic_arns,
        read_records=iter_tracking_inputs,
    )
    _count(outcome)
    return {"published": len(outcome.entries), "errors": outcome.errors, "ignored": outcome.ignored}


def _count(outcome: Outcome) -> None:
    metrics.add_metric(name="NormalizationErrors", unit=MetricUnit.Count, value=outcome.errors)
    per_type = Counter(
        e.detail["event_type"] for e in outcome.entries if e.detail_type == TRACKING_DETAIL_TYPE
    )
    for event_type, count in sorted(per_type.items()):
        print(_tracking_events_blob(event_type, count), flush=False)


def _tracking_events_blob(event_type: str, count: int) -> str:
    """``TrackingEvents`` for one event type, as the EMF line CloudWatch reads from the log.

    One metric with an event_type dimension (CloudWatch sums or splits it as needed); an
    EMF blob holds one value per dimension set, so each type has its own. Written here
    rather than with Powertools' single_metric, which cost more than normalizing did.
    """
    return json.dumps(
        {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": metrics.namespace,
                        "Dimensions": [["service", "event_type"]],
                        "Metrics": [{"Name": "TrackingEvents", "Unit": "Count"}],
                    }
                ],
            },
            "service": SERVICE,
            "event_type": event_type,
            "TrackingEvents": [float(count)],
        },
        separators=(",", ":"),
    )


# Everything imported so far lives as long as the execution environment: moved out of
# the collector's reach, later collections (the first invocation builds the boto3
# client) no longer walk it again and again.
gc.freeze()
