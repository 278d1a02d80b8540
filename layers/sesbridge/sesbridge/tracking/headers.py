"""Tags and metadata carried in the sent message's headers (django-anymail's convention)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)


def tags_and_metadata(headers: Iterable[Any]) -> tuple[list[str], dict[str, Any]]:
    """Tags from every ``X-Tag`` header, metadata from the last ``X-Metadata`` header.

    Names match case-insensitively. Metadata that is not a JSON object gives ``{}``
    and a warning: the event is still worth publishing.

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
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        logger.warning("X-Metadata header is not a JSON object; metadata left empty: %.200r", raw)
        return {}
    return value
