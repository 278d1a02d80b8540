"""Scheduled-send function: at a schedule's time, sends a scheduled mail that was too
large for the schedule's input and waits in the schedule bucket.

EventBridge Scheduler invokes it (asynchronously) with the schedule's input,
``{"operation": "SendEmail" | "SendBulkEmail", "bucket": ..., "key": "scheduled/..."}``;
the work is ``sesbridge.sending.scheduling.send_stored``. A failure raises, so Lambda
retries it and then hands the event to the on-failure queue: the mail stays in the bucket
until it was sent. Sender settings come from the ``SESBRIDGE_*`` environment, as in any
sending function.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from sesbridge import get_default_sender
from sesbridge.sending.scheduling import send_stored

logger = Logger(service="sesbridge-scheduled-send")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = send_stored(event, get_default_sender())
    message_id = response.get("MessageId") if isinstance(response, dict) else None
    logger.info("scheduled mail sent", extra={"key": event["key"], "message_id": message_id})
    return {"key": event["key"], "message_id": message_id}
