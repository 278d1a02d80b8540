"""Message + settings -> SES v2 request parameters, and SES responses -> statuses. Pure.

A plain message becomes one SendEmail request with raw MIME; a template message
(``template_id``) becomes SendBulkEmail requests of at most 50 entries, one entry per
recipient.

>>> request = build_requests(EmailMessage("Hi", "Hello", "a@example.com", ["b@example.com"]),
...                          SenderSettings())
>>> request.params["Destination"]
{'ToAddresses': ['b@example.com']}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.header import Header
from typing import Any

from sesbridge.exceptions import InvalidMessage, SendError, UnsupportedFeature
from sesbridge.sending.addresses import Address, check_header, parse_addresses
from sesbridge.sending.message import EmailMessage
from sesbridge.sending.mime import build_mime, serialize_metadata
from sesbridge.sending.settings import SenderSettings, apply_send_defaults
from sesbridge.sending.status import FAILED, QUEUED, RecipientStatus, SendStatus

#: SES's limit on recipients of one message and on destinations of one SendBulkEmail call.
MAX_RECIPIENTS = 50
#: SES v2 limits for template sends (MessageHeaderList, MessageHeaderValue, TemplateData).
MAX_TEMPLATE_HEADERS = 15
MAX_HEADER_VALUE = 995
MAX_TEMPLATE_DATA = 262144
#: SendBulkEmail entry statuses worth sending again after a pause.
TRANSIENT_BULK_STATUSES = frozenset({"ACCOUNT_THROTTLED", "TRANSIENT_FAILURE"})

# SES message tags allow only these characters in names and values.
_SES_TAG = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class SendEmailRequest:
    """One SendEmail call; ``recipients`` are the addresses (as given) it reaches."""

    params: dict[str, Any]
    recipients: list[str]


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


def build_requests(
    message: EmailMessage, settings: SenderSettings
) -> SendEmailRequest | list[BulkEmailRequest]:
    """The SES request(s) for ``message``; raises InvalidMessage before anything is sent."""
    message = apply_send_defaults(message, settings.send_defaults)
    _check_unsupported(message, settings)
    if message.template_id is not None:
        return _bulk_requests(message, settings)
    return _send_email_request(message, settings)


def _check_unsupported(message: EmailMessage, settings: SenderSettings) -> None:
    features = [
        ("send_at", "send_at (scheduled sending)"),
        ("track_opens", "track_opens (enable open tracking in the configuration set)"),
        ("track_clicks", "track_clicks (enable click tracking in the configuration set)"),
    ]
    for attr, feature in features:
        if getattr(message, attr) is not None:
            _unsupported(feature, settings)
    if message.template_id is None:
        for attr in ("merge_data", "merge_global_data", "merge_metadata", "merge_headers"):
            if getattr(message, attr):
                _unsupported(f"{attr} without template_id", settings)


def _unsupported(feature: str, settings: SenderSettings) -> None:
    if not settings.ignore_unsupported_features:
        raise UnsupportedFeature(feature)


def _common_params(message: EmailMessage, settings: SenderSettings) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if settings.configuration_set_name:
        params["ConfigurationSetName"] = settings.configuration_set_name
    if message.envelope_sender:
        (bounces,) = _single(message.envelope_sender, "envelope_sender")
        params["FeedbackForwardingEmailAddress"] = bounces.addr_spec
    return params


def _single(value: str, field: str) -> list[Address]:
    addresses = parse_addresses(value, field)
    if len(addresses) != 1:
        raise InvalidMessage(f"{field}: expected one address, got {value!r}")
    return addresses


def _message_tag(tags: Sequence[str], settings: SenderSettings) -> list[dict[str, str]]:
    """The single tag as an SES message tag, when the message-tag-name setting asks for it."""
    name = settings.message_tag_name
    if not tags or name is None:
        return []
    if len(tags) > 1:
        _unsupported("multiple tags with the message tag name setting", settings)
    for what, value in (("message tag name", name), ("tag", tags[0])):
        if not _SES_TAG.match(value):
            raise InvalidMessage(
                f"{what} {value!r}: SES message tags allow only A-Z a-z 0-9 _ - (1-256 chars)"
            )
    return [{"Name": name, "Value": tags[0]}]


def _headers(message: EmailMessage) -> dict[str, str]:
    for name, value in message.extra_headers.items():
        check_header(name, value)
    return dict(message.extra_headers)


def _pop_header(headers: dict[str, str], name: str) -> str | None:
    for key in list(headers):
        if key.lower() == name.lower():
            return headers.pop(key)
    return None


def _from_addresses(message: EmailMessage) -> list[Address]:
    if not message.from_email:
        raise InvalidMessage("from_email is required")
    return parse_addresses(message.from_email, "from_email")


# -- SendEmail ------------------------------------------------------------------------


def _send_email_request(message: EmailMessage, settings: SenderSettings) -> SendEmailRequest:
    senders = _from_addresses(message)
    headers = _headers(message)
    # A From/To/Cc/Reply-To extra header wins over the field in the MIME ("spoofed To");
    # the envelope (Destination) still comes from to/cc/bcc.
    from_header = _pop_header(headers, "From")
    to_header = _pop_header(headers, "To")
    cc_header = _pop_header(headers, "Cc")
    reply_to_header = _pop_header(headers, "Reply-To")
    destination: dict[str, list[str]] = {}
    recipients: list[str] = []
    formatted: dict[str, list[Address]] = {}
    for field in ("to", "cc", "bcc"):
        addresses = parse_addresses(getattr(message, field), field)
        formatted[field] = addresses
        if addresses:
            destination[f"{field.capitalize()}Addresses"] = [a.addr_spec for a in addresses]
            recipients += [a.given for a in addresses]
    if not recipients:
        raise InvalidMessage("the message has no recipients (to, cc or bcc)")
    if len(recipients) > MAX_RECIPIENTS:
        raise InvalidMessage(
            f"{len(recipients)} recipients: Amazon SES accepts at most {MAX_RECIPIENTS} "
            "per message (use template_id for one copy per recipient)"
        )
    reply_to = parse_addresses(message.reply_to, "reply_to")
    bodies = [(message.body, f"text/{message.content_subtype}")] if message.body else []
    bodies += message.alternatives
    tags = list(message.tags or ())
    for tag in tags:
        check_header("X-Tag", tag)
    raw = build_mime(
        subject=_checked(message.subject, "subject"),
        from_header=from_header or ", ".join(a.formatted for a in senders),
        to_header=to_header or _joined(formatted["to"]),
        cc_header=cc_header or _joined(formatted["cc"]),
        reply_to_header=reply_to_header or _joined(reply_to),
        headers=headers,
        bodies=bodies,
        attachments=message.attachments,
        tags=tags,
        metadata=message.metadata,
    )
    params = _common_params(message, settings)
    params["Destination"] = destination
    params["Content"] = {"Raw": {"Data": raw}}
    email_tags = _message_tag(tags, settings)
    if email_tags:
        params["EmailTags"] = email_tags
    params.update(message.esp_extra or {})  # last: the caller's word is final
    return SendEmailRequest(params, recipients)


def _joined(addresses: Sequence[Address]) -> str | None:
    return ", ".join(a.formatted for a in addresses) or None


def _checked(value: str, field: str) -> str:
    if "\r" in value or "\n" in value:
        raise InvalidMessage(f"{field}: line break in {value!r}")
    return value


def send_email_status(response: Mapping[str, Any], request: SendEmailRequest) -> SendStatus:
    """Every recipient of a SendEmail call shares its MessageId, status "queued"."""
    message_id = response.get("MessageId") if isinstance(response, Mapping) else None
    if not message_id:
        raise SendError(f"no MessageId in Amazon SES response {response!r}", response=response)
    status = RecipientStatus(QUEUED, message_id)
    return SendStatus.from_recipients(dict.fromkeys(request.recipients, status), response)


# -- SendBulkEmail ----------------------------------------------------------------------


def _bulk_requests(message: EmailMessage, settings: SenderSettings) -> list[BulkEmailRequest]:
    if message.attachments:
        _unsupported("attachments with template_id", settings)
    if message.subject:
        _unsupported("overriding the template subject", settings)
    if message.body or message.alternatives:
        _unsupported("overriding the template body", settings)
    senders = _from_addresses(message)
    if len(senders) > 1:
        _unsupported("multiple from addresses with template_id", settings)
    headers = _headers(message)
    if _pop_header(headers, "To") is not None:
        _unsupported("a To header (spoofed To) with template_id", settings)
    reply_to_header = _pop_header(headers, "Reply-To")
    reply_to = parse_addresses(reply_to_header or message.reply_to, "reply_to")

    tags = list(message.tags or ())
    template_headers = [*headers.items(), *(("X-Tag", tag) for tag in tags)]
    if message.metadata:
        template_headers.append(("X-Metadata", serialize_metadata(message.metadata)))
    template: dict[str, Any] = {
        "TemplateName": message.template_id,
        "TemplateData": _template_data(message.merge_global_data or {}, "merge_global_data"),
    }
    if template_headers:
        template["Headers"] = _header_list(template_headers, "the template headers")

    params = _common_params(message, settings)
    params["FromEmailAddress"] = senders[0].formatted
    if reply_to:
        params["ReplyToAddresses"] = [a.formatted for a in reply_to]
    params["DefaultContent"] = {"Template": template}
    default_tags = _message_tag(tags, settings)
    if default_tags:
        params["DefaultEmailTags"] = default_tags
    params.update(message.esp_extra or {})

    entries: list[tuple[str, dict[str, Any]]] = []
    # One copy per address. cc and bcc get their own copy (shown as Cc / not shown),
    # instead of one copy per "to" recipient as they would if copied into every entry.
    for field, key in (("to", "ToAddresses"), ("cc", "CcAddresses"), ("bcc", "BccAddresses")):
        for address in parse_addresses(getattr(message, field), field):
            shown = address.addr_spec if field == "bcc" else address.formatted
            entries.append(
                (address.given, _bulk_entry(message, address, {key: [shown]}, default_tags))
            )
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
    default_tags: list[dict[str, str]],
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
    replacement = list(_per_recipient(message.merge_headers, address).items())
    for name, value in replacement:
        check_header(name, value)
    recipient_metadata = _per_recipient(message.merge_metadata, address)
    if recipient_metadata:
        # Replaces the template's X-Metadata for this recipient, so it holds both.
        merged = {**(message.metadata or {}), **recipient_metadata}
        replacement.append(("X-Metadata", serialize_metadata(merged)))
    if replacement:
        entry["ReplacementHeaders"] = _header_list(replacement, f"headers of {address.given}")
    return entry


def _per_recipient(values: Mapping[str, Any] | None, address: Address) -> Mapping[str, Any]:
    if not values:
        return {}
    return values.get(address.given) or values.get(address.addr_spec) or {}


def _template_data(data: Mapping[str, Any], field: str) -> str:
    try:
        text = json.dumps(data, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise InvalidMessage(f"{field} is not JSON-serializable: {error}") from None
    if len(text) > MAX_TEMPLATE_DATA:
        raise InvalidMessage(f"{field} is {len(text)} chars of JSON; SES allows 262144")
    return text


def _header_list(headers: Sequence[tuple[str, str]], where: str) -> list[dict[str, str]]:
    if len(headers) > MAX_TEMPLATE_HEADERS:
        raise InvalidMessage(
            f"{len(headers)} headers in {where}: SES template sends allow at most "
            f"{MAX_TEMPLATE_HEADERS} (extra headers, one per tag, X-Metadata)"
        )
    result = []
    for name, value in headers:
        check_header(name, value)
        # SES takes printable ASCII only: non-ASCII text goes as RFC 2047 encoded-words.
        ascii_value = value if value.isascii() else Header(value, "utf-8").encode(maxlinelen=0)
        if len(ascii_value) > MAX_HEADER_VALUE:
            raise InvalidMessage(
                f"header {name} in {where} is {len(ascii_value)} chars; SES allows "
                f"{MAX_HEADER_VALUE} in a template send"
            )
        result.append({"Name": name, "Value": ascii_value})
    return result


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


def bulk_send_status(results: Mapping[str, EntryResult], responses: list[Any]) -> SendStatus:
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
    )
