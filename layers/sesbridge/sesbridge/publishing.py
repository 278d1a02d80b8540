"""Publishing entries to EventBridge, with the retries PutEvents needs (AWS I/O).

PutEvents answers HTTP 200 even when some entries failed (``FailedEntryCount``);
botocore does not retry those, so this resends only the failed entries, with
exponential backoff and full jitter, and raises ``PublishError`` once attempts run
out: the Lambda invocation then fails and Lambda's retries and on-failure
destination keep the event.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from sesbridge.events import DEFAULT_EVENT_SOURCE
from sesbridge.events.entries import EventEntry, batch_request_entries
from sesbridge.exceptions import PublishError

logger = logging.getLogger(__name__)

# Per-entry error codes that a later attempt may get past.
RETRYABLE_ERROR_CODES = frozenset(
    {"ThrottlingException", "InternalFailure", "InternalException", "ServiceUnavailable"}
)


class EventBridgePublisher:
    """Puts sesbridge events on one bus.

    ``client`` is an ``events`` boto3 client; without one, it is built on first use.
    """

    def __init__(
        self,
        bus_name: str,
        source: str = DEFAULT_EVENT_SOURCE,
        *,
        client: Any = None,
        max_attempts: int = 5,
        base_delay: float = 0.1,
        max_delay: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not bus_name:
            raise ValueError("an EventBridge bus name or ARN is required (EVENT_BUS_NAME)")
        self.bus_name = bus_name
        self.source = source
        self._client = client
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self.calls = 0  # PutEvents requests made, for metrics and tests

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # deferred: importing sesbridge must stay cheap

            self._client = boto3.client("events")
        return self._client

    def publish(self, entries: Sequence[EventEntry]) -> None:
        """Put every entry on the bus or raise ``PublishError``.

        Transport errors (EventBridge unreachable, access denied) propagate as botocore
        raised them, after botocore's own retries.
        """
        pending = [e.to_request_entry(self.bus_name, self.source) for e in entries]
        for attempt in range(1, self.max_attempts + 1):
            failed: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for batch in batch_request_entries(pending):
                failed += self._put(batch)
            if not failed:
                return
            permanent = [f for f in failed if f[1].get("ErrorCode") not in RETRYABLE_ERROR_CODES]
            if permanent or attempt == self.max_attempts:
                raise PublishError(_describe(failed, attempt), failed=[r for _, r in failed])
            logger.warning(
                "EventBridge rejected %d of the entries (attempt %d); resending them",
                len(failed),
                attempt,
            )
            self._sleep(self._backoff(attempt))
            pending = [entry for entry, _ in failed]

    def _put(self, batch: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        self.calls += 1
        response = self.client.put_events(Entries=batch)
        if not response.get("FailedEntryCount"):
            return []
        # Results are in request order; a failed one has ErrorCode instead of EventId.
        return [
            (entry, result)
            for entry, result in zip(batch, response["Entries"], strict=True)
            if result.get("ErrorCode")
        ]

    def _backoff(self, attempt: int) -> float:
        # Full jitter: spreads the resends of concurrent invocations apart.
        return random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


def _describe(failed: list[tuple[dict[str, Any], dict[str, Any]]], attempts: int) -> str:
    codes = sorted({str(r.get("ErrorCode")) for _, r in failed})
    first = failed[0][1].get("ErrorMessage", "")
    return (
        f"EventBridge did not accept {len(failed)} entries after {attempts} attempt(s):"
        f" {', '.join(codes)} ({first})"
    )
