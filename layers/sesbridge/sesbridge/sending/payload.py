"""Message + settings -> SES v2 request parameters. Pure.

A plain message becomes one SendEmail request with raw MIME (``raw_send``); a template
message (``template_id``) becomes SendBulkEmail requests of at most 50 entries, one entry
per recipient (``template_send``). ``responses`` turns what SES returns into statuses.

>>> request = build_requests(EmailMessage("Hi", "Hello", "a@example.com", ["b@example.com"]),
...                          SenderSettings())
>>> request.params["Destination"]
{'ToAddresses': ['b@example.com']}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sesbridge.sending.arguments import check_types
from sesbridge.sending.envelope import unsupported
from sesbridge.sending.raw_send import SendEmailRequest, send_email_request
from sesbridge.sending.settings import apply_send_defaults
from sesbridge.sending.template_send import BulkEmailRequest, bulk_requests

if TYPE_CHECKING:  # pragma: no cover
    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.settings import SenderSettings

__all__ = ["BulkEmailRequest", "SendEmailRequest", "build_requests"]

_UNSUPPORTED = (
    ("track_opens", "track_opens (enable open tracking in the configuration set)"),
    ("track_clicks", "track_clicks (enable click tracking in the configuration set)"),
)


def build_requests(
    message: EmailMessage, settings: SenderSettings
) -> SendEmailRequest | list[BulkEmailRequest]:
    """The SES request(s) for ``message``; raises before anything is sent: TypeError for
    an attribute of the wrong type, InvalidMessage (or UnsupportedFeature) for a value
    SES cannot take. Each names the field."""
    check_types(message)  # attributes may have changed since __init__
    combined = apply_send_defaults(message, settings.send_defaults)
    if combined is not message:
        check_types(combined)
    for attr, feature in _UNSUPPORTED:
        if getattr(combined, attr) is not None:
            unsupported(feature, settings)
    if combined.template_id is None:
        # An empty dict given is still given (as in django-anymail).
        for attr in ("merge_data", "merge_global_data", "merge_metadata", "merge_headers"):
            if getattr(combined, attr) is not None:
                unsupported(f"{attr} without template_id", settings)
        return send_email_request(combined, settings)
    return bulk_requests(combined, settings)
