"""A test outbox: every send captured, none made, like Django's ``mail.outbox``.

Example::

    from sesbridge.testing import outbox

    def test_signup_sends_a_welcome_mail():
        with outbox() as sent:
            signup("zoe@example.net")  # calls EmailMessage(...).send()
        (mail,) = sent
        assert mail.message.subject == "Welcome"
        assert mail.status.recipients["zoe@example.net"].status == "queued"
        assert mail.mime()["X-Tag"] == "welcome"

Inside ``outbox()`` every ``Sender`` (the default one and any you build, even with your
own client) sends to an in-memory stand-in for the sesv2 client, and schedules
(``send_at``) with stand-ins for the Scheduler and S3 clients: a scheduled send is captured
with its "scheduled" status and its ``CreateSchedule`` call. It checks the request
parameters as boto3 would (botocore's validation of the SES v2 model), answers SendEmail
with a message id and SendBulkEmail with a SUCCESS per entry, so statuses come out as a
real send's would (its region is us-east-1, so ``message_id_header`` reads
``<outbox-000001@email.amazonses.com>``). Messages sesbridge refuses raise as they would,
and are not captured.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from unittest import mock

from sesbridge.sending.sender import Sender

if TYPE_CHECKING:  # pragma: no cover
    import email.message

    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.status import SendStatus


@dataclass(frozen=True)
class SentMessage:
    """One captured send: the message, the status ``send()`` returned, and the SES calls
    it made as (operation, parameters) pairs, e.g. ``("SendEmail", {...})``."""

    message: EmailMessage
    status: SendStatus
    calls: list[tuple[str, dict[str, Any]]]

    def mime(self) -> email.message.EmailMessage:
        """The raw MIME of a plain send (scheduled or not), parsed; ValueError for
        template sends."""
        from email import policy
        from email.parser import BytesParser

        from sesbridge.sending.schedule import request_from_input

        for operation, params in self.calls:
            if operation == "CreateSchedule" and params["Target"]["Arn"].endswith(":sendEmail"):
                params = request_from_input(params["Target"]["Input"])
                operation = "SendEmail"
            if operation == "SendEmail":
                raw = params["Content"]["Raw"]["Data"]
                return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]
        raise ValueError("a template send: SES renders its MIME")


class _OutboxClient:
    """Stands in for the boto3 sesv2, scheduler and s3 clients: validates, records and
    answers the calls a send or a scheduled send makes."""

    # What Sender reads of a boto3 client besides its calls.
    meta = SimpleNamespace(region_name="us-east-1")

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = (f"outbox-{n:06d}" for n in itertools.count(1))
        self.schedules: dict[tuple[str, str], dict[str, Any]] = {}

    def create_schedule(self, **params: Any) -> dict[str, Any]:
        self._record("CreateSchedule", params, "scheduler")
        key = (params["GroupName"], params["Name"])
        if key in self.schedules:
            raise _client_error("ConflictException", "CreateSchedule")
        self.schedules[key] = params
        return {"ScheduleArn": f"arn:aws:scheduler:::schedule/{key[0]}/{key[1]}"}

    def get_schedule(self, **params: Any) -> dict[str, Any]:
        try:
            return self.schedules[(params["GroupName"], params["Name"])]
        except KeyError:
            raise _client_error("ResourceNotFoundException", "GetSchedule") from None

    def delete_schedule(self, **params: Any) -> dict[str, Any]:
        self._record("DeleteSchedule", params, "scheduler")
        if self.schedules.pop((params["GroupName"], params["Name"]), None) is None:
            raise _client_error("ResourceNotFoundException", "DeleteSchedule")
        return {}

    def update_schedule(self, **params: Any) -> dict[str, Any]:
        self._record("UpdateSchedule", params, "scheduler")
        self.get_schedule(**params)
        self.schedules[(params["GroupName"], params["Name"])] = params
        return {}

    def put_object(self, **params: Any) -> dict[str, Any]:
        self._record("PutObject", params, "s3")
        return {}

    def delete_object(self, **params: Any) -> dict[str, Any]:
        self._record("DeleteObject", params, "s3")
        return {}

    def send_email(self, **params: Any) -> dict[str, Any]:
        self._record("SendEmail", params)
        return {"MessageId": next(self._ids)}

    def send_bulk_email(self, **params: Any) -> dict[str, Any]:
        self._record("SendBulkEmail", params)
        results = [
            {"Status": "SUCCESS", "MessageId": next(self._ids)} for _ in params["BulkEmailEntries"]
        ]
        return {"BulkEmailEntryResults": results}

    def _record(self, operation: str, params: dict[str, Any], service: str = "sesv2") -> None:
        import botocore.session
        from botocore.exceptions import ParamValidationError
        from botocore.validate import ParamValidator

        model = botocore.session.get_session().get_service_model(service)
        report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
        self.calls.append((operation, params))


def _client_error(code: str, operation: str) -> Exception:
    from botocore.exceptions import ClientError

    error = {"Code": code, "Message": code}
    return ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)


@contextlib.contextmanager
def outbox() -> Iterator[list[SentMessage]]:
    """Capture every send made inside the ``with`` block; yields the list they land in."""
    sent: list[SentMessage] = []
    client = _OutboxClient()
    send = Sender.send

    def capturing_send(sender: Sender, message: EmailMessage) -> SendStatus:
        first = len(client.calls)
        status = send(sender, message)
        sent.append(SentMessage(message, status, client.calls[first:]))
        return status

    with (
        mock.patch.object(Sender, "client", property(lambda _: client)),
        mock.patch.object(Sender, "service_client", lambda _, service: client),
        mock.patch.object(Sender, "send", capturing_send),
    ):
        yield sent


def fire_schedule(
    schedule_id: str,
    sender: Sender | None = None,
    invoke: Callable[[str, dict[str, Any]], Any] | None = None,
) -> Any:
    """Do what EventBridge Scheduler does when the schedule of a scheduled send is due,
    against wherever ``sender`` points (moto, a local AWS): read the schedule, make its
    target's call, delete it (``ActionAfterCompletion: DELETE``). Returns the target's
    response. ``invoke(function_arn, event)`` runs a Lambda target (a mail stored in S3);
    by default the scheduled-send function's work is done in-process.
    """
    import json

    from sesbridge.sending.schedule import TARGET_ACTIONS, request_from_input, split_schedule_id
    from sesbridge.sending.scheduling import send_stored
    from sesbridge.sending.sender import get_default_sender

    sender = sender or get_default_sender()
    group, name = split_schedule_id(schedule_id)
    scheduler = sender.service_client("scheduler")
    target = scheduler.get_schedule(Name=name, GroupName=group)["Target"]
    action = target["Arn"].rpartition(":")[2]
    if ":aws-sdk:sesv2:" in target["Arn"]:
        operation = {a: o for o, a in TARGET_ACTIONS.items()}[action]
        api = "send_email" if operation == "SendEmail" else "send_bulk_email"
        response = getattr(sender.client, api)(**request_from_input(target["Input"]))
    elif invoke is not None:
        response = invoke(target["Arn"], json.loads(target["Input"]))
    else:
        response = send_stored(json.loads(target["Input"]), sender)
    scheduler.delete_schedule(Name=name, GroupName=group)
    return response
