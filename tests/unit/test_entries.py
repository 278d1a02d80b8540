"""EventBridge entry sizing, fitting and batching."""

from __future__ import annotations

import pytest
from sesbridge.events.entries import (
    MAX_ENTRY_BYTES,
    EntryTooLarge,
    EventEntry,
    batch_request_entries,
    dump_detail,
    entry_size,
    fit_entry,
    request_entry_size,
)


def test_entry_size_counts_utf8_bytes_of_each_part_and_14_for_time() -> None:
    entry = EventEntry(
        "Email Tracking Event", {"s": "é"}, time="2026-01-01T00:00:00Z", resources=("arn:x",)
    )
    request = entry.to_request_entry("bus", "sesbridge")
    expected = (
        len("sesbridge")
        + len("Email Tracking Event")
        + len('{"s":"é"}'.encode())
        + len("arn:x")
        + 14
    )
    assert request_entry_size(request) == expected
    assert request["Detail"] == '{"s":"é"}'


def test_batches_hold_at_most_ten_entries() -> None:
    entries = [EventEntry("T", {"n": i}).to_request_entry("b", "s") for i in range(23)]
    batches = list(batch_request_entries(entries))
    assert [len(b) for b in batches] == [10, 10, 3]
    assert [e for b in batches for e in b] == entries  # order kept


def test_batches_stay_under_the_request_byte_limit() -> None:
    big = "x" * (100 * 1024)
    entries = [EventEntry("T", {"b": big}).to_request_entry("b", "s") for _ in range(5)]
    batches = list(batch_request_entries(entries))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert all(sum(request_entry_size(e) for e in b) <= 256 * 1024 for b in batches)


def _trim_text(detail: dict) -> dict | None:
    if len(detail["text"]) <= 10:
        return None
    return {**detail, "text": detail["text"][: len(detail["text"]) // 2], "trimmed": True}


def test_fit_entry_applies_reducers_until_it_fits() -> None:
    entry = EventEntry("T", {"text": "y" * (600 * 1024)})
    fitted = fit_entry(entry, "sesbridge", [_trim_text])
    assert entry_size(fitted, "sesbridge") <= MAX_ENTRY_BYTES
    assert fitted.detail["trimmed"] is True
    assert entry.detail["text"] == "y" * (600 * 1024)  # the original is untouched


def test_fit_entry_returns_small_entries_unchanged() -> None:
    entry = EventEntry("T", {"text": "short"})
    fitted = fit_entry(entry, "s", [_trim_text])
    assert fitted._replace(detail_json=None) == entry and fitted.detail is entry.detail


def test_fit_entry_keeps_the_detail_json_it_measured() -> None:
    fitted = fit_entry(EventEntry("T", {"text": "y" * (600 * 1024)}), "s", [_trim_text])
    assert fitted.detail_json == dump_detail(fitted.detail)
    assert fitted.to_request_entry("bus", "s")["Detail"] is fitted.detail_json


def test_fit_entry_raises_when_reducers_cannot_help() -> None:
    with pytest.raises(EntryTooLarge, match="after every reduction"):
        fit_entry(EventEntry("T", {"other": "z" * (300 * 1024), "text": ""}), "s", [_trim_text])
