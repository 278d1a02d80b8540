"""SES responses -> SendStatus: per-recipient outcomes of SendEmail and SendBulkEmail. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import SendError
from sesbridge.sending.status import FAILED, QUEUED, RecipientStatus, SendStatus

if TYPE_CHECKING:  # pragma: no cover
    from sesbridge.sending.raw_send import SendEmailRequest
    from sesbridge.sending.template_send import BulkEmailRequest

#: SendBulkEmail entry statuses worth sending again after a pause.
TRANSIENT_BULK_STATUSES = frozenset({"ACCOUNT_THROTTLED", "TRANSIENT_FAILURE"})


def send_email_status(
    response: Mapping[str, Any], request: SendEmailRequest, *, region: str | None = None
) -> SendStatus:
    """Every recipient of a SendEmail call shares its MessageId, status "queued".

    ``region`` is the client's: it names the Message-ID header SES writes."""
    message_id = response.get("MessageId") if isinstance(response, Mapping) else None
    if not message_id:
        raise SendError(f"no MessageId in Amazon SES response {response!r}", response=response)
    status = RecipientStatus(QUEUED, message_id)
    return SendStatus.from_recipients(
        dict.fromkeys(request.recipients, status), response, region=region
    )


@dataclass(frozen=True)
class EntryResult:
    """One BulkEmailEntryResult."""

    status: str
    message_id: str | None
    error: str | None

    @property
    def transient(self) -> bool:
        return self.status in TRANSIENT_BULK_STATUSES


def bulk_entry_results(response: Mapping[str, Any], request: BulkEmailRequest) -> list[EntryResult]:
    """The per-entry results of a SendBulkEmail call, in entry order."""
    try:
        results = [
            EntryResult(r["Status"], r.get("MessageId"), r.get("Error"))
            for r in response["BulkEmailEntryResults"]
        ]
    except (KeyError, TypeError) as error:
        raise SendError(
            f"{error!s} parsing Amazon SES response {response!r}", response=response
        ) from None
    if len(results) != len(request.recipients):
        raise SendError(
            f"sent {len(request.recipients)} entries but Amazon SES returned "
            f"{len(results)} results",
            response=response,
        )
    return results


def bulk_send_status(
    results: Mapping[str, EntryResult], responses: list[Any], *, region: str | None = None
) -> SendStatus:
    """Per-recipient statuses; raises SendError when every entry failed for one reason
    (as a failed SendEmail would), so a wholly failed send is never mistaken for success."""
    codes = {r.status for r in results.values()}
    if len(codes) == 1 and codes != {"SUCCESS"}:
        (code,) = codes
        first = next(iter(results.values()))
        raise SendError(
            f"Amazon SES refused every recipient: {code}: {first.error or code}",
            code=code,
            ses_message=first.error,
            transient=first.transient,
            response=responses,
        )
    return SendStatus.from_recipients(
        {
            recipient: RecipientStatus(QUEUED, r.message_id)
            if r.status == "SUCCESS"
            else RecipientStatus(FAILED, r.message_id, f"{r.status}: {r.error or r.status}")
            for recipient, r in results.items()
        },
        responses,
        region=region,
    )
