"""Strict JSON, byte-accurate cuts and calendar edges (pure)."""

from __future__ import annotations

import math

import pytest
from sesbridge.events import strict_json
from sesbridge.events.timestamps import utc_iso


@pytest.mark.parametrize("text", ['{"a": NaN}', "[Infinity]", '{"a": -Infinity}'])
def test_loads_refuses_what_is_not_json(text: str) -> None:
    with pytest.raises(ValueError, match="not a JSON value"):
        strict_json.loads(text)


def test_loads_replaces_lone_surrogates_keeps_pairs() -> None:
    assert strict_json.loads('["\\udcff", "\\ud83c\\udf89", {"\\ud800": 1}]') == [
        "\ufffd",
        "\U0001f389",
        {"\ufffd": 1},
    ]


def test_dumps_never_writes_nan_or_surrogates() -> None:
    text = strict_json.dumps({"a": math.nan, "b": [math.inf, "\udcff"], "\ud800": -math.inf})
    assert strict_json.loads(text) == {
        "a": "NaN",
        "b": ["Infinity", "\ufffd"],
        "\ufffd": "-Infinity",
    }


@pytest.mark.parametrize("char", ["x", "\u00e9", "\u20ac", "\U0001f389"])
def test_cut_utf8_counts_bytes_and_keeps_characters_whole(char: str) -> None:
    cut = strict_json.cut_utf8(char * 1000, 1001)
    assert len(cut.encode("utf-8")) <= 1001
    assert set(cut) == {char}
    assert len(cut) == min(1000, 1001 // len(char.encode("utf-8")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0001-01-01T00:00:00+01:00", None),
        ("9999-12-31T23:59:59-01:00", None),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
        ("9999-12-31T23:59:59+01:00", "9999-12-31T22:59:59.000Z"),
        (12, None),
    ],
)
def test_calendar_edges(value: object, expected: str | None) -> None:
    assert utc_iso(value) == expected
