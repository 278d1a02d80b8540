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
own client) sends to an in-memory stand-in for the sesv2 client. It checks the request
parameters as boto3 would (botocore's validation of the SES v2 model), answers SendEmail
with a message id and SendBulkEmail with a SUCCESS per entry, so statuses come out as a
real send's would (its region is us-east-1, so ``message_id_header`` reads
``<outbox-000001@email.amazonses.com>``). Messages sesbridge refuses raise as they would,
and are not captured.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
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
        """The raw MIME of a plain send, parsed; ValueError for template sends."""
        from email import policy
        from email.parser import BytesParser

        for operation, params in self.calls:
            if operation == "SendEmail":
                raw = params["Content"]["Raw"]["Data"]
                return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]
        raise ValueError("a template send: SES renders its MIME")


class _OutboxClient:
    """Stands in for a boto3 sesv2 client: validates, records and answers the send calls."""

    # What Sender reads of a boto3 client besides its calls.
    meta = SimpleNamespace(region_name="us-east-1")

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._ids = (f"outbox-{n:06d}" for n in itertools.count(1))

    def send_email(self, **params: Any) -> dict[str, Any]:
        self._record("SendEmail", params)
        return {"MessageId": next(self._ids)}

    def send_bulk_email(self, **params: Any) -> dict[str, Any]:
        self._record("SendBulkEmail", params)
        results = [
            {"Status": "SUCCESS", "MessageId": next(self._ids)} for _ in params["BulkEmailEntries"]
        ]
        return {"BulkEmailEntryResults": results}

    def _record(self, operation: str, params: dict[str, Any]) -> None:
        import botocore.session
        from botocore.exceptions import ParamValidationError
        from botocore.validate import ParamValidator

        model = botocore.session.get_session().get_service_model("sesv2")
        report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
        self.calls.append((operation, params))


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
        mock.patch.object(Sender, "send", capturing_send),
    ):
        yield sent
