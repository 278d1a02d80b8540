"""Inbound function: SES receipt notifications on SNS -> ``Email Inbound Event`` on EventBridge.

The composition root only: settings, the normalizer (with its S3 client) and the
publisher are built on the first invocation and reused by later ones in the same
execution environment; the work is ``sesbridge.pipeline.process_sns_event`` with the
inbound normalizer (``sesbridge.inbound``).

Environment: EVENT_BUS_NAME, EVENT_SOURCE, RAW_MAIL_BUCKET (required), ALLOWED_TOPIC_ARNS
(comma-separated; empty accepts every topic), RECEIPT_KMS_KEY_ID (the key encrypted
receipt objects use; empty: no encrypted mail is expected, and one that arrives becomes
an error event).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from sesbridge.events import ERROR_DETAIL_TYPE, INBOUND_DETAIL_TYPE
from sesbridge.inbound.conversation import DEFAULT_MAILBOX_HASH_SEPARATOR
from sesbridge.inbound.decryption import ObjectDecryptor
from sesbridge.inbound.normalizer import InboundNormalizer
from sesbridge.pipeline import ConfigurationError, PublishingSettings, process_sns_event
from sesbridge.publishing import EventBridgePublisher

FUNCTION = "inbound"
SERVICE = "sesbridge-inbound"
logger = Logger(service=SERVICE)
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "sesbridge"), service=SERVICE
)
# sesbridge's own log records (normalization errors, S3 trouble) as structured JSON too.
copy_config_to_registered_loggers(source_logger=logger, include={"sesbridge"})


class Settings(NamedTuple):
    """The inbound function's settings, from its environment."""

    publishing: PublishingSettings
    raw_mail_bucket: str
    receipt_kms_key_id: str | None
    mailbox_hash_separator: str = DEFAULT_MAILBOX_HASH_SEPARATOR

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        publishing = PublishingSettings.from_environ(env, FUNCTION)
        if not env.get("RAW_MAIL_BUCKET"):
            raise ConfigurationError("the inbound function needs RAW_MAIL_BUCKET")
        return cls(
            publishing=publishing,
            raw_mail_bucket=env["RAW_MAIL_BUCKET"],
            receipt_kms_key_id=env.get("RECEIPT_KMS_KEY_ID", "").strip() or None,
            mailbox_hash_separator=env.get("MAILBOX_HASH_SEPARATOR", "").strip()
            or DEFAULT_MAILBOX_HASH_SEPARATOR,
        )


@cache
def settings() -> Settings:
    return Settings.from_env()


@cache
def normalizer() -> InboundNormalizer:
    import boto3  # the runtime's; loaded on the first invocation, not at import

    return InboundNormalizer(
        s3_client=boto3.client("s3"),
        raw_mail_bucket=settings().raw_mail_bucket,
        source=settings().publishing.source,
        decryptor=ObjectDecryptor(settings().receipt_kms_key_id),
        mailbox_hash_separator=settings().mailbox_hash_separator,
    )


@cache
def publisher() -> EventBridgePublisher:
    return EventBridgePublisher(settings().publishing.bus_name, settings().publishing.source)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    normalize = normalizer()
    outcome = process_sns_event(
        event,
        function=FUNCTION,
        normalize=normalize,
        publisher=publisher(),
        allowed_topic_arns=settings().publishing.allowed_topic_arns,
        on_error=normalize.keep_failed_input,
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


# Everything imported so far lives as long as the execution environment: moved out of
# the collector's reach, later collections (the first invocation builds boto3 clients,
# a large mail makes many objects) no longer walk it again and again.
gc.freeze()
