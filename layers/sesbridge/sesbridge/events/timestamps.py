"""The one form every sesbridge timestamp takes: ISO 8601, UTC, milliseconds, ``Z``.

Tracking, inbound and error events all use it, so a rule or a consumer parses one form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def utc_iso(value: Any) -> str | None:
    """``value`` as ``2026-11-24T10:00:00.123Z``, or None when it is not an ISO 8601 time.

    >>> utc_iso("2026-11-24T11:00:00+01:00")
    '2026-11-24T10:00:00.000Z'
    """
    moment = parse_time(value)
    if moment is None:
        return None
    try:
        return _format(moment)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        return None


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 text as a timezone-aware datetime (UTC when it names no zone), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # SES always says Z; a bare time is taken as UTC
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def utc_now_iso() -> str:
    """Now, in the same form (for events about something SES gave no time for)."""
    return _format(datetime.now(UTC))


def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def first_utc_iso(*candidates: Any) -> str | None:
    """The first candidate that is a valid time, normalized by ``utc_iso``."""
    for candidate in candidates:
        normalized = utc_iso(candidate)
        if normalized is not None:
            return normalized
    return None
