"""What a send returned: per-recipient statuses, as django-anymail reports them. Pure.

>>> status = message.send()
>>> status.status, status.recipients["customer@example.net"].message_id
({'queued'}, '0100018c...')
>>> status.message_id_header  # what recipients see, and their replies' In-Reply-To name
'<0100018c...@eu-west-1.amazonses.com>'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sesbridge.message_ids import message_id_header

#: The statuses sesbridge reports ("queued": SES accepted it; "failed": SES refused it;
#: "scheduled": a schedule will send it at ``send_at``).
QUEUED = "queued"
FAILED = "failed"
SCHEDULED = "scheduled"


@dataclass(frozen=True)
class RecipientStatus:
    """One recipient's outcome: ``status`` and the SES ``message_id`` (None when refused).

    ``error`` holds SES's reason when a template send refused this recipient;
    ``schedule_id`` is the id a scheduled send is cancelled with (``cancel_scheduled``);
    ``message_id_header`` is the Message-ID header SES gave the mail (None when refused,
    scheduled, or the client's region is unknown).
    """

    status: str
    message_id: str | None
    error: str | None = None
    schedule_id: str | None = None
    message_id_header: str | None = None

    def in_region(self, region: str | None) -> RecipientStatus:
        """This status with ``message_id_header`` for a mail sent from ``region``."""
        header = message_id_header(self.message_id, region) if self.status == QUEUED else None
        return replace(self, message_id_header=header)


@dataclass
class SendStatus:
    """The outcome of one ``send()``.

    ``message_id`` is the single SES message id, or a set of them when a template send
    made one message per recipient; ``status`` is the set of recipient statuses;
    ``recipients`` maps each address (as given) to its ``RecipientStatus``;
    ``esp_response`` is what SES returned (a list of responses for template sends);
    ``error`` says why a send made with ``fail_silently`` failed as a whole;
    ``message_id_header`` is the Message-ID header recipients see (a set when
    ``message_id`` is), built from the SES message id and the client's region.
    """

    message_id: str | set[str | None] | None
    status: set[str]
    recipients: dict[str, RecipientStatus] = field(default_factory=dict)
    esp_response: Any = None
    error: str | None = None
    message_id_header: str | set[str | None] | None = None

    @classmethod
    def from_recipients(
        cls,
        recipients: Mapping[str, RecipientStatus],
        esp_response: Any,
        *,
        region: str | None = None,
    ) -> SendStatus:
        """The status of a send whose recipients fared as ``recipients`` say, from the
        client's ``region`` (which names the Message-ID SES writes)."""
        recipients = {a: r.in_region(region) for a, r in recipients.items()}
        ids = {r.message_id for r in recipients.values()}
        headers = {r.message_id_header for r in recipients.values()}
        return cls(
            message_id=next(iter(ids)) if len(ids) == 1 else ids,
            status={r.status for r in recipients.values()},
            recipients=recipients,
            esp_response=esp_response,
            message_id_header=next(iter(headers)) if len(headers) == 1 else headers,
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
