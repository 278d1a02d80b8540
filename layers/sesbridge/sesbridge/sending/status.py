"""What a send returned: per-recipient statuses, as django-anymail reports them. Pure.

>>> status = message.send()
>>> status.status, status.recipients["customer@example.net"].message_id
({'queued'}, '0100018c...')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The statuses sesbridge reports ("queued": SES accepted it; "failed": SES refused it;
#: "scheduled": a schedule will send it at ``send_at``).
QUEUED = "queued"
FAILED = "failed"
SCHEDULED = "scheduled"


@dataclass(frozen=True)
class RecipientStatus:
    """One recipient's outcome: ``status`` and the SES ``message_id`` (None when refused).

    ``error`` holds SES's reason when a template send refused this recipient;
    ``schedule_id`` is the id a scheduled send is cancelled with (``cancel_scheduled``).
    """

    status: str
    message_id: str | None
    error: str | None = None
    schedule_id: str | None = None


@dataclass
class SendStatus:
    """The outcome of one ``send()``.

    ``message_id`` is the single SES message id, or a set of them when a template send
    made one message per recipient; ``status`` is the set of recipient statuses;
    ``recipients`` maps each address (as given) to its ``RecipientStatus``;
    ``esp_response`` is what SES returned (a list of responses for template sends);
    ``error`` says why a send made with ``fail_silently`` failed as a whole.
    """

    message_id: str | set[str | None] | None
    status: set[str]
    recipients: dict[str, RecipientStatus] = field(default_factory=dict)
    esp_response: Any = None
    error: str | None = None

    @classmethod
    def from_recipients(
        cls, recipients: Mapping[str, RecipientStatus], esp_response: Any
    ) -> SendStatus:
        ids = {r.message_id for r in recipients.values()}
        message_id = next(iter(ids)) if len(ids) == 1 else ids
        return cls(
            message_id=message_id,
            status={r.status for r in recipients.values()},
            recipients=dict(recipients),
            esp_response=esp_response,
        )

    @classmethod
    def failed(cls, recipients: list[str], error: Exception) -> SendStatus:
        """Every recipient "failed" for ``error`` (a send that raised, made silent)."""
        reason = f"{type(error).__name__}: {error}"
        return cls(
            message_id=None,
            status={FAILED},
            recipients=dict.fromkeys(recipients, RecipientStatus(FAILED, None, reason)),
            esp_response=getattr(error, "response", None),
            error=reason,
        )
