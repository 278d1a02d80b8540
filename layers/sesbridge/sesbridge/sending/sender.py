"""The one module that talks to SES: sends requests, retries transient failures.

Example::

    from sesbridge import EmailMessage, Sender, SenderSettings

    sender = Sender(SenderSettings(configuration_set_name="transactional"))
    status = sender.send(EmailMessage("Hi", "Hello", "a@example.com", ["b@example.com"]))

Retries are sesbridge's alone: the client it builds has botocore's retries turned off
(``total_max_attempts: 1``), so a throttled send is tried ``1 + max_retries`` times, with
full-jitter exponential backoff, and never more. Retries set explicitly in
``client_params["config"]`` are kept and then run inside each of sesbridge's attempts.
An injected client is used as it is.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import SendError
from sesbridge.sending.payload import build_requests
from sesbridge.sending.raw_send import SendEmailRequest
from sesbridge.sending.responses import (
    EntryResult,
    bulk_entry_results,
    bulk_send_status,
    send_email_status,
)
from sesbridge.sending.schedule import due_time
from sesbridge.sending.settings import SenderSettings

if TYPE_CHECKING:  # pragma: no cover
    from datetime import date, datetime

    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.status import SendStatus
    from sesbridge.sending.template_send import BulkEmailRequest

#: SES / AWS error codes that mean "try again later". The rest fail at once.
TRANSIENT_ERROR_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServerError",
        "InternalServiceError",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class Sender:
    """Sends ``EmailMessage``s through SES v2 (SendEmail, or SendBulkEmail for templates).

    ``settings`` default to ``SenderSettings.from_environment()``; ``client`` is an
    injected boto3 ``sesv2`` client, else one is built on the first send.
    ``sleep`` and ``jitter`` (returns a float in [0, 1)) are injectable for tests.
    """

    def __init__(
        self,
        settings: SenderSettings | None = None,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings if settings is not None else SenderSettings.from_environment()
        self._client = client
        self._clients: dict[str, Any] = {}  # the other services' clients, by service name
        self._sleep = sleep
        self._jitter = jitter
        self.calls = 0  # API requests made, retries included

    @property
    def client(self) -> Any:
        """The boto3 ``sesv2`` client, built on first use from the session/client params."""
        if self._client is None:
            self._client = self._build_client()
        return self._client

    @property
    def region(self) -> str | None:
        """The client's region: SES names the Message-IDs it writes after it."""
        region = getattr(getattr(self.client, "meta", None), "region_name", None)
        return region if isinstance(region, str) else None

    def service_client(self, service: str) -> Any:
        """The boto3 client for another service scheduled sends use (``scheduler``,
        ``s3``), built on first use like ``client``."""
        if service == "sesv2":
            return self.client
        if service not in self._clients:
            self._clients[service] = self._build_client(service)
        return self._clients[service]

    def _build_client(self, service: str = "sesv2") -> Any:
        import boto3
        from botocore.config import Config

        from sesbridge import __version__

        params = dict(self.settings.client_params)
        config = Config(
            user_agent_extra=f"sesbridge/{__version__}",
            retries={"total_max_attempts": 1, "mode": "standard"},
        )
        own = params.get("config")
        if own is not None:
            config = config.merge(own if isinstance(own, Config) else Config(**own))
        params["config"] = config
        return boto3.session.Session(**self.settings.session_params).client(service, **params)

    def send(self, message: EmailMessage) -> SendStatus:
        """Send ``message``; returns its SendStatus.

        Raises InvalidMessage (or UnsupportedFeature) before any call when the message
        cannot be sent, SendError when SES refuses it or stays unavailable. A message
        with a ``send_at`` later than a minute from now is scheduled instead (status
        "scheduled"; see ``sesbridge.sending.scheduling``).
        """
        requests = build_requests(message, self.settings)  # checks send_at's type too
        when = due_time(message, self.settings)
        if when is not None:
            from sesbridge.sending.scheduling import schedule

            return schedule(self, requests, when, message.idempotency_key)
        if isinstance(requests, SendEmailRequest):
            response = self._call("send_email", requests.params)
            return send_email_status(response, requests, region=self.region)
        results: dict[str, EntryResult] = {}
        responses: list[Any] = []
        for number, request in enumerate(requests):
            try:
                self._send_bulk(request, results, responses)
            except SendError as error:
                if not any(r.status == "SUCCESS" for r in results.values()):
                    raise  # nothing went out: the whole send can simply be tried again
                # Some mail went out already: raising would invite a resend to those
                # recipients, so report this call's and the later calls' recipients failed.
                unsent = EntryResult(error.code or "FAILED", None, f"not sent: {error}")
                for later in requests[number:]:
                    for recipient in later.recipients:
                        results.setdefault(recipient, unsent)
                break
        return bulk_send_status(results, responses, region=self.region)

    def _send_bulk(
        self, request: BulkEmailRequest, results: dict[str, EntryResult], responses: list[Any]
    ) -> None:
        """Send one chunk into ``results``; entries refused for a transient reason are sent
        again. Results land as they come, so a failing retry keeps earlier successes."""
        pending = request
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                self._pause(attempt - 1)
            response = self._call("send_bulk_email", pending.params)
            responses.append(response)
            entries = bulk_entry_results(response, pending)
            results.update(zip(pending.recipients, entries, strict=True))
            retry = [i for i, entry in enumerate(entries) if entry.transient]
            if not retry:
                break
            pending = pending.retrying(retry)

    def _call(self, api: str, params: dict[str, Any], service: str = "sesv2") -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.service_client(service)
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                self._pause(attempt - 1)
            self.calls += 1
            try:
                return getattr(client, api)(**params)
            except (ClientError, BotoCoreError) as error:
                failure = send_error(error)
                if not failure.transient or attempt == self.settings.max_retries:
                    raise failure from error
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, attempt: int) -> None:
        # Full jitter (random in [0, cap)) spreads retries of concurrent Lambdas apart.
        cap = min(self.settings.retry_max_delay, self.settings.retry_base_delay * 2**attempt)
        self._sleep(cap * self._jitter())


def send_error(error: Exception) -> SendError:
    """A SendError for a botocore error: SES's code and message, transient or not."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code")
        ses_message = details.get("Message")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        transient = (
            code in TRANSIENT_ERROR_CODES
            or status >= 500
            or "Maximum sending rate exceeded" in (ses_message or "")
        )
        return SendError(
            f"Amazon SES {error.operation_name} failed: {code}: {ses_message}",
            code=code,
            ses_message=ses_message,
            transient=transient,
            response=error.response,
        )
    # Connection problems may pass; others (no credentials, bad parameters) will not.
    transient = isinstance(error, ConnectionError | HTTPClientError)
    return SendError(f"Amazon SES call failed: {error}", transient=transient)


@functools.lru_cache(maxsize=1)
def get_default_sender() -> Sender:
    """The Sender built from the environment, once per process (Lambda execution
    environment). ``get_default_sender.cache_clear()`` forgets it."""
    return Sender()


def cancel_scheduled(schedule_id: str, sender: Sender | None = None) -> bool:
    """Cancel the scheduled send whose status gave ``schedule_id``; False when there is
    no such schedule any more (it ran, or was cancelled). ``sender`` defaults to
    ``get_default_sender()``."""
    from sesbridge.sending.scheduling import cancel

    return cancel(sender or get_default_sender(), schedule_id)


def reschedule_scheduled(
    schedule_id: str, send_at: datetime | date | float, sender: Sender | None = None
) -> bool:
    """Move a scheduled send to ``send_at`` (the message stays as it was scheduled);
    False when the schedule is gone."""
    from sesbridge.sending.scheduling import reschedule

    return reschedule(sender or get_default_sender(), schedule_id, send_at)
