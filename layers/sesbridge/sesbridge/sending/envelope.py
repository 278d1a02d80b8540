"""What both kinds of send share: sender, recipients, tags, configuration set. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sesbridge.exceptions import InvalidMessage, UnsupportedFeature
from sesbridge.sending.addresses import Address, parse_addresses
from sesbridge.sending.headers import check_header_text

if TYPE_CHECKING:  # pragma: no cover
    from sesbridge.sending.message import EmailMessage
    from sesbridge.sending.settings import SenderSettings

#: SES's limit on recipients of one message and on destinations of one SendBulkEmail call.
MAX_RECIPIENTS = 50

# SES message tags allow only these characters in names and values.
_SES_TAG = re.compile(r"[A-Za-z0-9_-]{1,256}")
# A tenant name as SES CreateTenant defines it: up to 64 letters, digits, - and _.
_SES_TENANT = re.compile(r"[A-Za-z0-9_-]{1,64}")


def unsupported(feature: str, settings: SenderSettings) -> None:
    """UnsupportedFeature, unless the settings say to ignore those."""
    if not settings.ignore_unsupported_features:
        raise UnsupportedFeature(feature)


def common_params(message: EmailMessage, settings: SenderSettings) -> dict[str, Any]:
    """The configuration set, the tenant and the bounce address, for either API."""
    params: dict[str, Any] = {}
    if settings.configuration_set_name:
        params["ConfigurationSetName"] = settings.configuration_set_name
    tenant = message.tenant if message.tenant is not None else settings.tenant
    if tenant is not None:
        if not _SES_TENANT.fullmatch(tenant):
            raise InvalidMessage(f"tenant {tenant!r}: SES tenant names are 1-64 of A-Z a-z 0-9 _ -")
        params["TenantName"] = tenant
    if message.envelope_sender:
        (bounces,) = single_address(message.envelope_sender, "envelope_sender")
        params["FeedbackForwardingEmailAddress"] = bounces.addr_spec
    return params


def single_address(value: str, field: str) -> list[Address]:
    addresses = parse_addresses(value, field)
    if len(addresses) != 1:
        raise InvalidMessage(f"{field}: expected one address, got {value!r}")
    return addresses


def from_addresses(message: EmailMessage) -> list[Address]:
    if not message.from_email:
        raise InvalidMessage("from_email is required")
    return parse_addresses(message.from_email, "from_email")


def checked_tags(message: EmailMessage) -> list[str]:
    """The tags, each one header text (it travels as an X-Tag header)."""
    tags = list(message.tags or ())
    for tag in tags:
        check_header_text(tag, "tags")
        # A header value loses its outer whitespace: the tag would come back changed.
        if not tag.strip():
            raise InvalidMessage(f"tags: a blank tag ({tag!r}) cannot be sent")
        if tag != tag.strip():
            raise InvalidMessage(f"tags: {tag!r} has outer whitespace a header would lose")
    return tags


def message_tag(tags: Sequence[str], settings: SenderSettings) -> list[dict[str, str]]:
    """The single tag as an SES message tag, when the message-tag-name setting asks for it."""
    name = settings.message_tag_name
    if not tags or name is None:
        return []
    if len(tags) > 1:
        unsupported("multiple tags with the message tag name setting", settings)
    for what, value in (("message tag name", name), ("tag", tags[0])):
        if not _SES_TAG.fullmatch(value):
            raise InvalidMessage(
                f"{what} {value!r}: SES message tags allow only A-Z a-z 0-9 _ - (1-256 chars)"
            )
    return [{"Name": name, "Value": tags[0]}]


def joined(addresses: Sequence[Address]) -> str | None:
    """Addresses as one header value, None when there are none."""
    return ", ".join(a.formatted for a in addresses) or None
