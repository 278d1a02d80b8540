"""SES sending events to ``Email Tracking Event`` details (pure: no boto3).

``normalize_tracking`` turns one SES event (either format: "SES Notifications" or
"Event Publishing") into one detail per recipient; ``tracking_entries`` does the same
for an SNS notification and returns EventBridge entries that fit the size limit.

Example::

    from sesbridge.tracking import normalize_tracking

    details = normalize_tracking(ses_event, sns_message_id="...", sns_timestamp=None)
    [d["event_type"] for d in details]  # ["bounced"]
"""

from __future__ import annotations

from sesbridge.tracking.entries import tracking_entries
from sesbridge.tracking.normalize import normalize_tracking

__all__ = ["normalize_tracking", "tracking_entries"]
