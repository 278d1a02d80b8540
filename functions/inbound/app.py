"""Inbound function: SES receipt notifications on SNS -> ``Email Inbound Event`` on EventBridge.

The composition root: settings, clients and the publisher are built once per
execution environment, on the first invocation (not at import). Everything else is
in ``sesbridge.inbound`` and ``sesbridge.pipeline``.

Environment: EVENT_BUS_NAME, EVENT_SOURCE, RAW_MAIL_BUCKET (required), ALLOWED_TOPIC_ARNS
(comma-separated; empty accepts every topic), RECEIPT_KMS_KEY_ID (the key encrypted
receipt objects use; default alias/aws/ses).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from sesbridge.events import DEFAULT_EVENT_SOURCE, ERROR_DETAIL_TYPE, INBOUND_DETAIL_TYPE
from sesbridge.exceptions import SesbridgeError
from sesbridge.inbound.decryption import ObjectDecryptor
from sesbridge.inbound.normalizer import InboundNormalizer
from sesbridge.pipeline import process_sns_event
from sesbridge.publishing import EventBridgePublisher

FUNCTION = "inbound"
logger = Logger(service="sesbridge-inbound")
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "sesbridge"))


class ConfigurationError(SesbridgeError):
    """A required environment variable is missing (the invocation fails, nothing is lost)."""


@dataclass(frozen=True)
class Settings:
    """The inbound function's settings, from its environment."""

    event_bus_name: str
    event_source: str
    raw_mail_bucket: str
    allowed_topic_arns: frozenset[str]
    receipt_kms_key_id: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        missing = [n for n in ("EVENT_BUS_NAME", "RAW_MAIL_BUCKET") if not env.get(n)]
        if missing:
            raise ConfigurationError(f"the inbound function needs {', '.join(missing)}")
        return cls(
            event_bus_name=env["EVENT_BUS_NAME"],
            event_source=env.get("EVENT_SOURCE") or DEFAULT_EVENT_SOURCE,
            raw_mail_bucket=env["RAW_MAIL_BUCKET"],
            allowed_topic_arns=frozenset(
                arn.strip() for arn in env.get("ALLOWED_TOPIC_ARNS", "").split(",") if arn.strip()
            ),
            receipt_kms_key_id=env.get("RECEIPT_KMS_KEY_ID") or None,
        )


@dataclass(frozen=True)
class Components:
    settings: Settings
    normalizer: InboundNormalizer
    publisher: EventBridgePublisher


@cache
def components() -> Components:
    """Settings, clients and publisher, built once per execution environment."""
    import boto3

    settings = Settings.from_env()
    normalizer = InboundNormalizer(
        s3_client=boto3.client("s3"),
        raw_mail_bucket=settings.raw_mail_bucket,
        source=settings.event_source,
        decryptor=ObjectDecryptor(settings.receipt_kms_key_id),
    )
    publisher = EventBridgePublisher(settings.event_bus_name, settings.event_source)
    return Components(settings, normalizer, publisher)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    parts = components()
    outcome = process_sns_event(
        event,
        function=FUNCTION,
        normalize=parts.normalizer,
        publisher=parts.publisher,
        allowed_topic_arns=parts.settings.allowed_topic_arns,
        on_error=parts.normalizer.keep_failed_input,
    )
    counts = outcome.count_by_detail_type()
    metrics.add_metric("InboundEvents", MetricUnit.Count, counts[INBOUND_DETAIL_TYPE])
    metrics.add_metric("NormalizationErrors", MetricUnit.Count, counts[ERROR_DETAIL_TYPE])
    logger.info("published", extra={"counts": dict(counts), "ignored": outcome.ignored})
    return {
        "inbound": counts[INBOUND_DETAIL_TYPE],
        "errors": outcome.errors,
        "ignored": outcome.ignored,
    }
