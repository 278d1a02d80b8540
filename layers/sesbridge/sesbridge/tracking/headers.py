"""Tags and metadata carried in the sent message's headers (django-anymail's convention)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sesbridge.events import strict_json

# Metadata nested deeper than this gives {}: it could not be serialized back safely.
MAX_METADATA_DEPTH = 64

logger = logging.getLogger(__name__)


def tags_and_metadata(headers: Iterable[Any]) -> tuple[list[str], dict[str, Any]]:
    """Tags from every ``X-Tag`` header, metadata from the last ``X-Metadata`` header.

    Names match case-insensitively. Metadata that is not a strict JSON object (NaN is
    not JSON), or nests deeper than ``MAX_METADATA_DEPTH``, gives ``{}`` and a warning
    (without the value: it is the sender's data): the event is still worth publishing.

    >>> tags_and_metadata([{"name": "X-Tag", "value": "a"}, {"name": "x-metadata", "value": "{}"}])
    (['a'], {})
    """
    tags: list[str] = []
    raw_metadata: str | None = None
    for header in headers:
        if not isinstance(header, dict):
            continue
        name = str(header.get("name", "")).lower()
        value = header.get("value")
        if not isinstance(value, str):
            continue
        if name == "x-tag":
            tags.append(value)
        elif name == "x-metadata":
            raw_metadata = value
    return tags, _metadata(raw_metadata)


def _metadata(raw: str | None) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = strict_json.loads(raw)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict) or _too_deep(value, MAX_METADATA_DEPTH):
        logger.warning(
            "X-Metadata header (%d characters) is not a JSON object of at most %d levels;"
            " metadata left empty",
            len(raw),
            MAX_METADATA_DEPTH,
        )
        return {}
    return value


def _too_deep(value: Any, limit: int) -> bool:
    # Iterative: the point is not to recurse on what may be thousands of levels.
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False
