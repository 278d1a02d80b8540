"""Scheduled sends through EventBridge Scheduler: schedule, cancel, reschedule, and send
what a schedule stored in S3. The AWS calls; what they carry is built in ``schedule``.

Example::

    status = EmailMessage(..., send_at=datetime(2030, 1, 1, 9, tzinfo=UTC)).send()
    schedule_id = status.recipients["customer@example.net"].schedule_id
    sesbridge.reschedule_scheduled(schedule_id, datetime(2030, 1, 2, 9, tzinfo=UTC))
    sesbridge.cancel_scheduled(schedule_id)  # True: it will not be sent
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import SendError
from sesbridge.sending.raw_send import SendEmailRequest
from sesbridge.sending.schedule import (
    SEND_NOW_WITHIN,
    as_utc,
    create_schedule_params,
    request_from_input,
    schedule_id,
    schedule_names,
    ses_target,
    split_schedule_id,
    stored_target,
    target_input,
    too_large,
)
from sesbridge.sending.status import SCHEDULED, RecipientStatus, SendStatus

if TYPE_CHECKING:  # pragma: no cover
    from datetime import date

    from sesbridge.sending.sender import Sender
    from sesbridge.sending.template_send import BulkEmailRequest

#: Where mails too large for a schedule's input wait in the schedule bucket.
STORED_PREFIX = "scheduled/"
_NOT_FOUND = "ResourceNotFoundException"


def schedule(
    sender: Sender,
    requests: SendEmailRequest | list[BulkEmailRequest],
    when: datetime,
    idempotency_key: str | None,
) -> SendStatus:
    """One schedule per SES request, each recipient "scheduled" with its schedule's id.
    If one cannot be made, those made already are deleted and the error raised."""
    settings = sender.settings
    single = isinstance(requests, SendEmailRequest)
    operation = "SendEmail" if single else "SendBulkEmail"
    batch: list[Any] = [requests] if single else list(requests)  # type: ignore[list-item]
    names = schedule_names(idempotency_key, len(batch))
    made: list[str] = []
    statuses: dict[str, RecipientStatus] = {}
    responses: list[Any] = []
    try:
        for name, request in zip(names, batch, strict=True):
            text = target_input(request.params)
            if too_large(text):
                key = f"{STORED_PREFIX}{name}.json"
                target = stored_target(operation, settings.schedule_bucket or "", key, settings)
                sender._call(
                    "put_object",
                    {"Bucket": settings.schedule_bucket, "Key": key, "Body": text.encode()},
                    "s3",
                )
            else:
                target = ses_target(operation, text, settings)
            token = name if idempotency_key is not None else None
            params = create_schedule_params(name, when, target, settings, token)
            try:
                responses.append(sender._call("create_schedule", params, "scheduler"))
                made.append(name)
            except SendError as error:
                # The same key scheduled before: that schedule is this send.
                if error.code != "ConflictException" or idempotency_key is None:
                    raise
                responses.append(error.response)
            made_id = schedule_id(params["GroupName"], name)
            status = RecipientStatus(SCHEDULED, None, schedule_id=made_id)
            statuses.update(dict.fromkeys(request.recipients, status))
    except BaseException:
        for name in made:
            # The first error is the one to raise; a failing clean-up must not hide it.
            with contextlib.suppress(SendError):
                cancel(sender, schedule_id(settings.schedule_group or "", name))
        raise
    return SendStatus.from_recipients(statuses, responses)


def cancel(sender: Sender, schedule_id: str) -> bool:
    """Cancel a scheduled send by the ``schedule_id`` its status gave; False when there
    is no such schedule any more (it ran, or was cancelled)."""
    group, name = split_schedule_id(schedule_id)
    found = _get(sender, group, name)
    if found is None or not _delete(sender, group, name):
        return False
    stored = _stored_location(found["Target"])
    if stored is not None:
        sender._call("delete_object", {"Bucket": stored[0], "Key": stored[1]}, "s3")
    return True


def reschedule(sender: Sender, schedule_id: str, send_at: datetime | date | float) -> bool:
    """Move a scheduled send to ``send_at`` (a time within a minute: as soon as Scheduler
    can); the message stays as it was scheduled. False when the schedule is gone."""
    group, name = split_schedule_id(schedule_id)
    found = _get(sender, group, name)
    if found is None:
        return False
    when = max(as_utc(send_at), datetime.now(UTC) + SEND_NOW_WITHIN).replace(microsecond=0)
    params = {
        key: found[key]
        for key in ("Name", "GroupName", "FlexibleTimeWindow", "Target", "ActionAfterCompletion")
        if key in found
    }
    params.update(
        ScheduleExpression=f"at({when:%Y-%m-%dT%H:%M:%S})", ScheduleExpressionTimezone="UTC"
    )
    try:
        sender._call("update_schedule", params, "scheduler")
    except SendError as error:
        if error.code == _NOT_FOUND:
            return False
        raise
    return True


def send_stored(event: dict[str, Any], sender: Sender) -> Any:
    """Make the SES call a schedule stored in S3 (the scheduled-send function's work):
    ``event`` is the schedule's input, ``{"operation", "bucket", "key"}``. The object is
    deleted once SES took the request; SES's response is returned."""
    operation, bucket, key = event["operation"], event["bucket"], event["key"]
    if operation not in ("SendEmail", "SendBulkEmail") or not key.startswith(STORED_PREFIX):
        raise ValueError(f"not a stored scheduled send: {operation!r} {key!r}")
    stored = sender._call("get_object", {"Bucket": bucket, "Key": key}, "s3")
    params = request_from_input(stored["Body"].read().decode("utf-8"))
    api = "send_email" if operation == "SendEmail" else "send_bulk_email"
    response = sender._call(api, params)
    sender._call("delete_object", {"Bucket": bucket, "Key": key}, "s3")
    return response


def _get(sender: Sender, group: str, name: str) -> dict[str, Any] | None:
    try:
        return sender._call("get_schedule", {"Name": name, "GroupName": group}, "scheduler")
    except SendError as error:
        if error.code == _NOT_FOUND:
            return None
        raise


def _delete(sender: Sender, group: str, name: str) -> bool:
    try:
        sender._call("delete_schedule", {"Name": name, "GroupName": group}, "scheduler")
    except SendError as error:
        if error.code == _NOT_FOUND:
            return False
        raise
    return True


def _stored_location(target: dict[str, Any]) -> tuple[str, str] | None:
    import json

    if ":aws-sdk:" in target.get("Arn", ""):
        return None
    try:
        stored = json.loads(target.get("Input") or "{}")
        return stored["bucket"], stored["key"]
    except (ValueError, KeyError, TypeError):
        return None
