"""A plain message -> one SendEmail request carrying raw MIME. Pure.

Header precedence: a ``From``, ``To``, ``Cc``, ``Reply-To``, ``Subject`` or ``Date`` in
``headers`` replaces the one sesbridge would write from the fields (the envelope still
comes from to/cc/bcc: "spoofed To"); headers it cannot take from the caller are refused
(see ``headers.caller_headers`` and ``headers.check_own_headers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.addresses import parse_addresses
from sesbridge.sending.envelope import (
    MAX_RECIPIENTS,
    checked_tags,
    common_params,
    from_addresses,
    joined,
    message_tag,
)
from sesbridge.sending.headers import (
    caller_headers,
    check_header_text,
    check_own_headers,
    pop_header,
)
from sesbridge.sending.mime import build_mime

if TYPE_CHECKING:  # pragma: no cover
    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.settings import SenderSettings

# A caller's value of these replaces the one written from from_email, to, cc, reply_to.
_ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To")


@dataclass(frozen=True)
class SendEmailRequest:
    """One SendEmail call; ``recipients`` are the addresses (as given) it reaches."""

    params: dict[str, Any]
    recipients: list[str]


def send_email_request(message: EmailMessage, settings: SenderSettings) -> SendEmailRequest:
    """The SendEmail request for a message without ``template_id``."""
    headers = caller_headers(message.extra_headers)
    tags = checked_tags(message)
    check_own_headers(headers, "headers", tags=bool(tags), metadata=bool(message.metadata))
    shown = {"From": joined(from_addresses(message))}
    destination: dict[str, list[str]] = {}
    recipients: list[str] = []
    for field in ("to", "cc", "bcc"):
        addresses = parse_addresses(getattr(message, field), field)
        if addresses:
            destination[f"{field.capitalize()}Addresses"] = [a.addr_spec for a in addresses]
            recipients += [a.given for a in addresses]
        if field != "bcc":
            shown[field.capitalize()] = joined(addresses)
    shown["Reply-To"] = joined(parse_addresses(message.reply_to, "reply_to"))
    for name in _ADDRESS_HEADERS:
        value = pop_header(headers, name)
        if value is not None:
            shown[name] = joined(parse_addresses(value, f"headers[{name!r}]"))
    if not recipients:
        raise InvalidMessage("the message has no recipients (to, cc or bcc)")
    if len(recipients) > MAX_RECIPIENTS:
        raise InvalidMessage(
            f"to, cc and bcc: {len(recipients)} recipients; Amazon SES accepts at most "
            f"{MAX_RECIPIENTS} per message (use template_id for one copy per recipient)"
        )
    subject = pop_header(headers, "Subject")
    bodies = [(message.body, f"text/{message.content_subtype}", "body")] if message.body else []
    bodies += [(c, t, f"alternatives[{n}]") for n, (c, t) in enumerate(message.alternatives)]
    raw = build_mime(
        subject=subject if subject is not None else check_header_text(message.subject, "subject"),
        address_headers=shown,
        headers=headers,
        bodies=bodies,
        attachments=message.attachments,
        tags=tags,
        metadata=message.metadata,
    )
    params = common_params(message, settings)
    params["Destination"] = destination
    params["Content"] = {"Raw": {"Data": raw}}
    email_tags = message_tag(tags, settings)
    if email_tags:
        params["EmailTags"] = email_tags
    params.update(message.esp_extra or {})  # last: the caller's word is final
    return SendEmailRequest(params, recipients)
