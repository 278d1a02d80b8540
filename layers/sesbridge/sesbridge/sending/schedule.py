"""Scheduled sends: ``send_at`` -> EventBridge Scheduler CreateSchedule parameters. Pure.

A scheduled send is the exact SES request a send now would make (raw MIME, tags and
metadata fixed when it is scheduled), put in a one-time schedule (``at(...)``, deleted
after it runs) whose universal target calls sesv2 SendEmail / SendBulkEmail with it.
Requests too large for a schedule's input (``MAX_SCHEDULE_INPUT``) are stored in S3 and the
schedule invokes the scheduled-send function with where they are instead.

``send_at`` takes what django-anymail takes: an aware ``datetime``; a naive one, read as
local time as ``datetime.timestamp()`` reads it (UTC on Lambda); a ``date`` (its local
midnight); or a POSIX timestamp (int or float). A time less than ``SEND_NOW_WITHIN``
from now is sent at once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import InvalidMessage, UnsupportedFeature
from sesbridge.sending.envelope import unsupported
from sesbridge.sending.settings import apply_send_defaults

if TYPE_CHECKING:  # pragma: no cover
    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.settings import SenderSettings

#: A send_at closer than this is sent now: Scheduler runs one-time schedules to the minute.
SEND_NOW_WITHIN = timedelta(minutes=1)
#: The largest schedule Input sesbridge sends to Scheduler (UTF-8 bytes of its JSON); a
#: larger request is stored in S3. Scheduler's payload limit is 256 KB (see README).
MAX_SCHEDULE_INPUT = 256 * 1024
#: SES operation -> the universal target action that makes it.
TARGET_ACTIONS = {"SendEmail": "sendEmail", "SendBulkEmail": "sendBulkEmail"}
#: Schedule ids are "group/name": "/" can be in neither (Scheduler's name pattern).
ID_SEPARATOR = "/"

_HOW_TO_ENABLE = (
    "send_at (scheduled sending): set SESBRIDGE_SCHEDULE_GROUP and "
    "SESBRIDGE_SCHEDULER_ROLE_ARN (the sesbridge stack's ScheduleGroupName and "
    "SchedulerRoleArn outputs) and attach its SchedulingPolicy to your function's role"
)


def due_time(
    message: EmailMessage, settings: SenderSettings, now: datetime | None = None
) -> datetime | None:
    """When ``message`` is to be sent (UTC, whole seconds), or None to send it now.

    UnsupportedFeature (saying how to enable it) when it has a ``send_at`` and the
    settings have no schedule group and role."""
    send_at = apply_send_defaults(message, settings.send_defaults).send_at
    if send_at is None:
        return None
    when = as_utc(send_at)
    if not (settings.schedule_group and settings.scheduler_role_arn):
        unsupported(_HOW_TO_ENABLE, settings)
        return None  # ignore_unsupported_features: sent now
    now = now or datetime.now(UTC)
    return when.replace(microsecond=0) if when - now >= SEND_NOW_WITHIN else None


def as_utc(send_at: datetime | date | float) -> datetime:
    """``send_at`` as an aware UTC datetime; InvalidMessage for a time that is none."""
    try:
        if isinstance(send_at, datetime):
            return send_at.astimezone(UTC)  # naive: local time, as timestamp() reads it
        if isinstance(send_at, date):
            return datetime(send_at.year, send_at.month, send_at.day).astimezone(UTC)
        return datetime.fromtimestamp(send_at, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise InvalidMessage(f"send_at {send_at!r}: not a time ({error})") from None


def schedule_names(idempotency_key: str | None, count: int) -> list[str]:
    """One schedule name per request. From an idempotency key they are always the same,
    so scheduling the same send again meets the schedule it made the first time."""
    if idempotency_key is None:
        stem = uuid.uuid4().hex
    else:
        stem = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return [f"sesbridge-{stem}-{n}" for n in range(count)]


def schedule_id(group: str, name: str) -> str:
    return f"{group}{ID_SEPARATOR}{name}"


def split_schedule_id(value: str) -> tuple[str, str]:
    """(group, name) of a schedule id from a ``scheduled`` status."""
    group, separator, name = value.partition(ID_SEPARATOR)
    if not (separator and group and name) or ID_SEPARATOR in name:
        raise ValueError(f"{value!r} is not a sesbridge schedule id (group/name)")
    return group, name


def target_input(params: dict[str, Any]) -> str:
    """The request as a universal target's Input: the API's JSON, its blob (the raw MIME)
    base64-encoded as the SES v2 JSON protocol carries blobs."""
    return json.dumps(_blobs(params, _encode), ensure_ascii=False, separators=(",", ":"))


def request_from_input(text: str) -> dict[str, Any]:
    """The boto3 parameters back from a ``target_input`` (the raw MIME as bytes again)."""
    return _blobs(json.loads(text), _decode)


def create_schedule_params(
    name: str,
    when: datetime,
    target: dict[str, Any],
    settings: SenderSettings,
    client_token: str | None,
) -> dict[str, Any]:
    """CreateSchedule parameters: a one-time schedule that deletes itself after it ran."""
    if settings.schedule_dead_letter_queue_arn:
        target = {**target, "DeadLetterConfig": {"Arn": settings.schedule_dead_letter_queue_arn}}
    params: dict[str, Any] = {
        "Name": name,
        "GroupName": settings.schedule_group,
        "ScheduleExpression": f"at({when:%Y-%m-%dT%H:%M:%S})",
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "DELETE",
        "Target": target,
    }
    if client_token is not None:
        params["ClientToken"] = client_token
    return params


def ses_target(operation: str, input_text: str, settings: SenderSettings) -> dict[str, Any]:
    """A universal target making ``operation`` with ``input_text`` as the scheduler role."""
    role = settings.scheduler_role_arn or ""
    partition = role.split(":")[1] if role.count(":") >= 2 else "aws"
    return {
        "Arn": f"arn:{partition}:scheduler:::aws-sdk:sesv2:{TARGET_ACTIONS[operation]}",
        "RoleArn": role,
        "Input": input_text,
    }


def stored_target(
    operation: str, bucket: str, key: str, settings: SenderSettings
) -> dict[str, Any]:
    """A Lambda target: the scheduled-send function sends what is stored at ``key``."""
    if not (settings.schedule_bucket and settings.scheduled_send_function_arn):
        # Not ignorable: the request cannot be scheduled at all, and sending it now
        # instead would surprise more than an error.
        raise UnsupportedFeature(
            f"send_at for a request over {MAX_SCHEDULE_INPUT} bytes of schedule input: set "
            "SESBRIDGE_SCHEDULE_BUCKET and SESBRIDGE_SCHEDULED_SEND_FUNCTION_ARN "
            "(the stack's ScheduledMailBucketName and ScheduledSendFunctionArn outputs)"
        )
    return {
        "Arn": settings.scheduled_send_function_arn,
        "RoleArn": settings.scheduler_role_arn,
        "Input": json.dumps({"operation": operation, "bucket": bucket, "key": key}),
    }


def too_large(input_text: str) -> bool:
    return len(input_text.encode("utf-8")) > MAX_SCHEDULE_INPUT


def _blobs(params: dict[str, Any], convert: Any) -> dict[str, Any]:
    raw = params.get("Content", {}).get("Raw") if isinstance(params.get("Content"), dict) else None
    if not isinstance(raw, dict) or "Data" not in raw:
        return params
    return {
        **params,
        "Content": {**params["Content"], "Raw": {**raw, "Data": convert(raw["Data"])}},
    }


def _encode(data: bytes | str) -> str:
    return base64.b64encode(data.encode("utf-8") if isinstance(data, str) else data).decode("ascii")


def _decode(data: str) -> bytes:
    return base64.b64decode(data, validate=True)
