"""EventBridge entries: building, sizing, fitting and batching (pure).

PutEvents takes at most 10 entries and 256 KB per request; an entry's size is the
UTF-8 bytes of Source, DetailType, Detail and Resources, plus 14 when Time is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sesbridge.events import strict_json

MAX_ENTRIES_PER_REQUEST = 10
MAX_REQUEST_BYTES = 256 * 1024
MAX_ENTRY_BYTES = MAX_REQUEST_BYTES
_TIME_BYTES = 14

# A reducer makes a too-large detail smaller (documented per detail type); it returns
# the smaller detail, or None when it has nothing left to trim.
Reducer = Callable[[dict[str, Any]], "dict[str, Any] | None"]


class EntryTooLarge(ValueError):
    """No documented reduction brings the entry under EventBridge's limit."""


def dump_detail(detail: dict[str, Any]) -> str:
    """The Detail JSON: strict (no NaN, no lone surrogate), non-ASCII kept as UTF-8."""
    return strict_json.dumps(detail)


class EventEntry(NamedTuple):
    """One event for PutEvents, before the bus and source are known."""

    detail_type: str
    detail: dict[str, Any]
    time: str | None = None  # ISO 8601; EventBridge uses the arrival time without it
    resources: tuple[str, ...] = ()
    # The Detail JSON when ``fit_entry`` already built it to measure the entry, so a
    # detail is serialized once (it dominates the CPU per event); the detail must not
    # change afterwards.
    detail_json: str | None = None

    def to_request_entry(self, bus_name: str, source: str) -> dict[str, Any]:
        detail_json = self.detail_json if self.detail_json is not None else dump_detail(self.detail)
        entry: dict[str, Any] = {
            "EventBusName": bus_name,
            "Source": source,
            "DetailType": self.detail_type,
            "Detail": detail_json,
        }
        if self.time:
            entry["Time"] = _request_time(self.time)
        if self.resources:
            entry["Resources"] = list(self.resources)
        return entry


def _request_time(iso: str) -> datetime | str:
    # botocore validates and serializes Time from a datetime cheaply; ISO text it would
    # parse back (with dateutil, twice) for every entry.
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return iso


def request_entry_size(entry: dict[str, Any]) -> int:
    """Size of a PutEvents request entry as EventBridge counts it."""
    size = sum(len(entry.get(k, "").encode("utf-8")) for k in ("Source", "DetailType", "Detail"))
    size += sum(len(r.encode("utf-8")) for r in entry.get("Resources", ()))
    if entry.get("Time"):
        size += _TIME_BYTES
    return size


def entry_size(entry: EventEntry, source: str) -> int:
    return request_entry_size(entry.to_request_entry("", source))


def fit_entry(
    entry: EventEntry,
    source: str,
    reducers: Sequence[Reducer],
    limit: int = MAX_ENTRY_BYTES,
) -> EventEntry:
    """Return ``entry`` or a reduced copy of it that fits ``limit`` bytes.

    Reducers are tried in order, each as often as it still changes something. The
    returned entry carries the Detail JSON it was measured with (``detail_json``).
    """
    fitted = _serialized(entry, entry.detail)
    size = entry_size(fitted, source)
    for reduce in reducers:
        while size > limit:
            smaller = reduce(fitted.detail)
            if smaller is None:
                break
            fitted = _serialized(entry, smaller)
            size = entry_size(fitted, source)
    if size > limit:
        raise EntryTooLarge(
            f"{entry.detail_type} entry is {size} bytes"
            f" after every reduction; EventBridge accepts {limit}"
        )
    return fitted


def _serialized(entry: EventEntry, detail: dict[str, Any]) -> EventEntry:
    return EventEntry(entry.detail_type, detail, entry.time, entry.resources, dump_detail(detail))


def batch_request_entries(
    entries: Iterable[dict[str, Any]],
    max_entries: int = MAX_ENTRIES_PER_REQUEST,
    max_bytes: int = MAX_REQUEST_BYTES,
) -> Iterator[list[dict[str, Any]]]:
    """Group request entries into PutEvents calls within both limits, in order."""
    batch: list[dict[str, Any]] = []
    batch_bytes = 0
    for entry in entries:
        size = request_entry_size(entry)
        if batch and (len(batch) == max_entries or batch_bytes + size > max_bytes):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(entry)
        batch_bytes += size
    if batch:
        yield batch
