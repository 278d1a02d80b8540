"""A template message -> SendBulkEmail requests, one entry per recipient. Pure.

SES builds the MIME of a template send itself and sets some headers on its own: a
``From`` or ``Reply-To`` in ``headers`` becomes ``FromEmailAddress`` /
``ReplyToAddresses``; the others SES sets (``SES_SET_HEADERS``) are UnsupportedFeature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.header import Header
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import InvalidMessage
from sesbridge.sending.addresses import Address, parse_addresses
from sesbridge.sending.envelope import (
    MAX_RECIPIENTS,
    checked_tags,
    common_params,
    from_addresses,
    message_tag,
    unsupported,
)
from sesbridge.sending.headers import caller_headers, check_own_headers, pop_header
from sesbridge.sending.jsondata import strict_json

if TYPE_CHECKING:  # pragma: no cover
    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.settings import SenderSettings

#: SES v2 limits for template sends (MessageHeaderList, MessageHeaderValue, TemplateData).
MAX_TEMPLATE_HEADERS = 15
MAX_HEADER_VALUE = 995
MAX_TEMPLATE_DATA = 262144
#: Headers SES writes itself in a template send: a caller's copy cannot be sent.
SES_SET_HEADERS = ("To", "Cc", "Subject", "Date", "Message-ID", "Return-Path")


@dataclass(frozen=True)
class BulkEmailRequest:
    """One SendBulkEmail call; ``recipients[i]`` is the address of ``BulkEmailEntries[i]``."""

    params: dict[str, Any]
    recipients: list[str]

    def retrying(self, indexes: Sequence[int]) -> BulkEmailRequest:
        """The same call with only the entries at ``indexes``."""
        entries = self.params["BulkEmailEntries"]
        return BulkEmailRequest(
            {**self.params, "BulkEmailEntries": [entries[i] for i in indexes]},
            [self.recipients[i] for i in indexes],
        )


def bulk_requests(message: EmailMessage, settings: SenderSettings) -> list[BulkEmailRequest]:
    """The SendBulkEmail requests (at most 50 entries each) for a ``template_id`` message."""
    if message.attachments:
        unsupported("attachments with template_id", settings)
    if message.subject:
        unsupported("overriding the template subject", settings)
    if message.body or message.alternatives:
        unsupported("overriding the template body", settings)
    headers = caller_headers(message.extra_headers)
    tags = checked_tags(message)
    has_metadata = bool(message.metadata or message.merge_metadata)
    check_own_headers(headers, "headers", tags=bool(tags), metadata=has_metadata)
    from_header = pop_header(headers, "From")
    senders = (
        parse_addresses(from_header, "headers['From']") if from_header else from_addresses(message)
    )
    if len(senders) > 1:
        unsupported("multiple from addresses with template_id", settings)
    reply_to_header = pop_header(headers, "Reply-To")
    reply_to = parse_addresses(
        message.reply_to if reply_to_header is None else reply_to_header, "reply_to"
    )
    for name in SES_SET_HEADERS:
        if pop_header(headers, name) is not None:
            unsupported(f"a {name} header with template_id (SES writes it)", settings)

    template_headers = [*headers.items(), *(("X-Tag", tag) for tag in tags)]
    if message.metadata:
        template_headers.append(("X-Metadata", strict_json(message.metadata, "metadata")))
    template: dict[str, Any] = {
        "TemplateName": message.template_id,
        "TemplateData": _template_data(message.merge_global_data or {}, "merge_global_data"),
    }
    if template_headers:
        template["Headers"] = _header_list(template_headers, "the template headers")

    params = common_params(message, settings)
    params["FromEmailAddress"] = senders[0].formatted
    if reply_to:
        params["ReplyToAddresses"] = [a.formatted for a in reply_to]
    params["DefaultContent"] = {"Template": template}
    default_tags = message_tag(tags, settings)
    if default_tags:
        params["DefaultEmailTags"] = default_tags
    params.update(message.esp_extra or {})

    entries: list[tuple[str, dict[str, Any]]] = []
    # One copy per address. cc and bcc get their own copy (shown as Cc / not shown),
    # instead of one copy per "to" recipient as they would if copied into every entry.
    for field, key in (("to", "ToAddresses"), ("cc", "CcAddresses"), ("bcc", "BccAddresses")):
        for address in parse_addresses(getattr(message, field), field):
            shown = address.addr_spec if field == "bcc" else address.formatted
            entries.append((address.given, _bulk_entry(message, address, {key: [shown]}, settings)))
    if not entries:
        raise InvalidMessage("the message has no recipients (to, cc or bcc)")
    return [
        BulkEmailRequest(
            {**params, "BulkEmailEntries": [entry for _, entry in chunk]},
            [recipient for recipient, _ in chunk],
        )
        for chunk in (
            entries[start : start + MAX_RECIPIENTS]
            for start in range(0, len(entries), MAX_RECIPIENTS)
        )
    ]


def _bulk_entry(
    message: EmailMessage,
    address: Address,
    destination: dict[str, list[str]],
    settings: SenderSettings,
) -> dict[str, Any]:
    data = _per_recipient(message.merge_data, address)
    entry: dict[str, Any] = {
        "Destination": destination,
        "ReplacementEmailContent": {
            "ReplacementTemplate": {
                "ReplacementTemplateData": _template_data(data, f"merge_data[{address.given!r}]")
            }
        },
    }
    field = f"merge_headers[{address.given!r}]"
    headers = caller_headers(_per_recipient(message.merge_headers, address), field)
    recipient_metadata = _per_recipient(message.merge_metadata, address)
    check_own_headers(
        headers,
        field,
        tags=bool(message.tags),
        metadata=bool(message.metadata or recipient_metadata),
    )
    # A SendBulkEmail entry can only replace headers, not its sender or subject.
    for name in ("From", "Reply-To", *SES_SET_HEADERS):
        if pop_header(headers, name) is not None:
            unsupported(f"a {name} header in merge_headers", settings)
    replacement = list(headers.items())
    if recipient_metadata:
        # Replaces the template's X-Metadata for this recipient, so it holds both.
        merged = {**(message.metadata or {}), **recipient_metadata}
        replacement.append(
            ("X-Metadata", strict_json(merged, f"merge_metadata[{address.given!r}]"))
        )
    if replacement:
        entry["ReplacementHeaders"] = _header_list(replacement, field)
    return entry


def _per_recipient(values: Mapping[str, Any] | None, address: Address) -> Mapping[str, Any]:
    if not values:
        return {}
    return values.get(address.given) or values.get(address.addr_spec) or {}


def _template_data(data: Mapping[str, Any], field: str) -> str:
    text = strict_json(data, field, compact=True)
    if len(text) > MAX_TEMPLATE_DATA:
        raise InvalidMessage(f"{field} is {len(text)} chars of JSON; SES allows 262144")
    return text


def _header_list(headers: Sequence[tuple[str, str]], where: str) -> list[dict[str, str]]:
    """SES MessageHeaders: printable ASCII values of 1-995 characters, at most 15."""
    if len(headers) > MAX_TEMPLATE_HEADERS:
        raise InvalidMessage(
            f"{len(headers)} headers in {where}: SES template sends allow at most "
            f"{MAX_TEMPLATE_HEADERS} (extra headers, one per tag, X-Metadata)"
        )
    result = []
    for name, value in headers:
        # Values were checked as header text; SES wants printable ASCII, so a tab is a
        # space and non-ASCII text goes as RFC 2047 encoded-words.
        text = value.replace("\t", " ")
        ascii_value = text if text.isascii() else Header(text, "utf-8").encode(maxlinelen=0)
        if not ascii_value.strip():
            raise InvalidMessage(f"{where}: {name} is empty; SES template sends need a value")
        if len(ascii_value) > MAX_HEADER_VALUE:
            raise InvalidMessage(
                f"header {name} in {where} is {len(ascii_value)} chars; SES allows "
                f"{MAX_HEADER_VALUE} in a template send"
            )
        result.append({"Name": name, "Value": ascii_value})
    return result
