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
from sesbridge.events import ERROR_DETAIL_TYPE, INBOUND_DETAIL_TYPE
from sesbridge.inbound.decryption import ObjectDecryptor
from sesbridge.inbound.normalizer import InboundNormalizer
from sesbridge.pipeline import ConfigurationError, PublishingSettings, process_sns_event
from sesbridge.publishing import EventBridgePublisher

FUNCTION = "inbound"
logger = Logger(service="sesbridge-inbound")
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "sesbridge"))


@dataclass(frozen=True)
class Settings:
    """The inbound function's settings, from its environment."""

    publishing: PublishingSettings
    raw_mail_bucket: str
    receipt_kms_key_id: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        publishing = PublishingSettings.from_environ(env, FUNCTION)
        if not env.get("RAW_MAIL_BUCKET"):
            raise ConfigurationError("the inbound function needs RAW_MAIL_BUCKET")
        return cls(
            publishing=publishing,
            raw_mail_bucket=env["RAW_MAIL_BUCKET"],
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
        source=settings.publishing.source,
        decryptor=ObjectDecryptor(settings.receipt_kms_key_id),
    )
    publisher = EventBridgePublisher(settings.publishing.bus_name, settings.publishing.source)
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
        allowed_topic_arns=parts.settings.publishing.allowed_topic_arns,
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
