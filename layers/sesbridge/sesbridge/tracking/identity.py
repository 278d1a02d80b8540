"""The deterministic ``event_id`` of a tracking event.

It hashes only what both SES formats carry for the same real-world event: the SES
message id, the event type, the recipient and what tells one occurrence from another
(the feedback id of a bounce or complaint, else the per-type object's timestamp, plus
the link of a click). The SNS MessageId is left out on purpose: it differs between
the two formats and is the same across SNS redeliveries only.
"""

from __future__ import annotations

import hashlib


def tracking_event_id(
    *, message_id: str, ses_type: str, recipient: str | None, occurrence: str
) -> str:
    """A stable 32-hex-digit id for one recipient's event.

    >>> one = tracking_event_id(
    ...     message_id="m-1", ses_type="Bounce", recipient="a@example.com", occurrence="fb-1"
    ... )
    >>> one == tracking_event_id(
    ...     message_id="m-1", ses_type="Bounce", recipient="A@example.com", occurrence="fb-1"
    ... )
    True
    """
    key = "\x1f".join((message_id, ses_type, (recipient or "").lower(), occurrence))
    # surrogatepass: a caller's lone surrogate still hashes (sesbridge's own input is cleaned).
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
