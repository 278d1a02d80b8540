"""What every event sesbridge publishes must be, whatever the input (shared by tests)."""

from __future__ import annotations

import json
from typing import Any

from sesbridge.events import ERROR_DETAIL_TYPE
from sesbridge.events.entries import MAX_ENTRY_BYTES, request_entry_size


def _refuse(constant: str) -> Any:
    raise AssertionError(f"{constant} in an event detail: not JSON")


def strict_loads(text: str) -> Any:
    """json.loads that fails on NaN/Infinity, and on text that is not valid UTF-8."""
    text.encode("utf-8")  # a lone surrogate raises here
    return json.loads(text, parse_constant=_refuse)


def assert_publishable(request_entry: dict[str, Any]) -> dict[str, Any]:
    """A PutEvents request entry EventBridge takes: strict JSON under the entry limit,
    and an event_id unless it is an error event. Returns the detail."""
    size = request_entry_size(request_entry)
    assert size <= MAX_ENTRY_BYTES, f"{request_entry['DetailType']} entry is {size} bytes"
    for resource in request_entry.get("Resources", ()):
        assert isinstance(resource, str)
    detail = strict_loads(request_entry["Detail"])
    assert isinstance(detail, dict)
    if request_entry["DetailType"] == ERROR_DETAIL_TYPE:
        assert detail["error_type"] and isinstance(detail["error_type"], str)
        assert len(detail["reason"].encode("utf-8")) <= 2048
    else:
        assert isinstance(detail["event_id"], str) and detail["event_id"].strip()
    return detail


class CapturingEvents:
    """An ``events`` client stand-in that keeps every PutEvents entry and accepts them all.

    Used where thousands of generated inputs run: each entry is checked as EventBridge
    would take it (``assert_publishable``) by the tests.
    """

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        assert len(Entries) <= 10
        assert sum(request_entry_size(e) for e in Entries) <= MAX_ENTRY_BYTES
        self.entries.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "e"} for _ in Entries]}
