"""Message-ID headers and SES message ids (pure).

SES replaces the Message-ID of every mail it sends with one built from the SES message
id: ``<{ses-message-id}@email.amazonses.com>`` in us-east-1 and
``<{ses-message-id}@{region}.amazonses.com>`` in every other region (see README,
"Threading"). Recipients see only that one, so a reply's In-Reply-To names it.

>>> message_id_header("0100018c-aaaa-000000", "eu-west-1")
'<0100018c-aaaa-000000@eu-west-1.amazonses.com>'
>>> ses_message_id("<0100018c-aaaa-000000@email.amazonses.com>")
'0100018c-aaaa-000000'
"""

from __future__ import annotations

import re
from typing import Any

#: The region whose SES Message-IDs use the older, region-less domain.
LEGACY_REGION = "us-east-1"
_LEGACY_DOMAIN = "email.amazonses.com"
# An AWS region name: "eu-west-1", "us-gov-west-1", "ap-southeast-5".
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}")
# A Message-ID SES wrote: its domain is email.amazonses.com or {region}.amazonses.com.
_SES_ID = re.compile(
    r"<?\s*([A-Za-z0-9][A-Za-z0-9-]{0,127})@(email|[a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonses\.com\s*>?",
    re.ASCII,
)
# One msg-id of In-Reply-To / References: what is between angle brackets.
_MSG_ID = re.compile(r"<([^<>\s]{1,998})>")
#: At most this many ids are read from a References header (a thread's ancestry).
MAX_REFERENCES = 100


def ses_domain(region: str) -> str:
    """The domain of the Message-IDs SES writes when sending from ``region``."""
    return _LEGACY_DOMAIN if region == LEGACY_REGION else f"{region}.amazonses.com"


def message_id_header(ses_id: Any, region: Any) -> str | None:
    """The Message-ID header SES gives the mail it sent as ``ses_id`` from ``region``.

    None when either is unknown (never a guessed domain).
    """
    if not isinstance(ses_id, str) or not ses_id or not isinstance(region, str):
        return None
    if not _REGION.fullmatch(region):
        return None
    return f"<{ses_id}@{ses_domain(region)}>"


def region_of_arn(arn: Any) -> str | None:
    """The region field of an ARN (``arn:aws:sns:eu-west-1:123:topic``), or None."""
    if not isinstance(arn, str):
        return None
    fields = arn.split(":", 4)
    if len(fields) < 5 or fields[0] != "arn" or not _REGION.fullmatch(fields[3]):
        return None
    return fields[3]


def ses_message_id(msg_id: Any) -> str | None:
    """The SES message id inside a Message-ID SES wrote, or None for any other id."""
    if not isinstance(msg_id, str):
        return None
    match = _SES_ID.fullmatch(msg_id.strip())
    return match.group(1) if match else None


def msg_ids(value: Any, limit: int = MAX_REFERENCES) -> list[str]:
    """The msg-ids of a header value, each with its angle brackets, at most ``limit``.

    A value without brackets (some clients write a bare id) counts as one id.
    """
    if not isinstance(value, str):
        return []
    found = [f"<{m.group(1)}>" for m in _MSG_ID.finditer(value)]
    if not found and value.strip() and not any(c.isspace() for c in value.strip()):
        found = [f"<{value.strip()[:998]}>"]
    return found[:limit]
