"""JSON as EventBridge and every consumer read it: RFC 8259, valid UTF-8 (pure).

Python's ``json`` accepts and writes ``NaN``/``Infinity``, and a ``\\udcff`` escape
decodes to a lone surrogate that no UTF-8 encoder takes. ``loads`` refuses the first
and replaces the second with U+FFFD; ``dumps`` never writes either.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


# Built once: json.loads/dumps with options build a new decoder/encoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str)


def loads(text: str) -> Any:
    """``json.loads`` that refuses NaN/Infinity (ValueError) and cleans lone surrogates.

    >>> loads('{"a": "\\\\udcff"}')
    {'a': '\ufffd'}
    """
    value = _DECODER.decode(text)
    # An escape \\udxxx (lone, or half of a pair) or a surrogate verbatim: clean the value.
    # Substring tests and encode() run in C; a regex over the text cost more than parsing.
    may_hold = "\\ud" in text or "\\uD" in text or not _is_utf8(text)
    return clean(value) if may_hold else value


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept (so sizes are UTF-8 bytes), never NaN or a surrogate."""
    try:
        text = _dumps(value)
        if _is_utf8(text):
            return text
    except ValueError:  # NaN/Infinity somewhere
        pass
    return _dumps(clean(value))


def _is_utf8(text: str) -> bool:
    """Whether ``text`` has a UTF-8 form, i.e. holds no lone surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def clean_text(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def clean(value: Any) -> Any:
    """A copy of a JSON-like value that strict JSON can hold: lone surrogates replaced,
    NaN/Infinity written as the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # "NaN", "Infinity", "-Infinity"
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def cut_utf8(text: str, max_bytes: int) -> str:
    """The longest start of ``text`` whose UTF-8 form is at most ``max_bytes``."""
    data = clean_text(text).encode("utf-8")
    return data[: max(max_bytes, 0)].decode("utf-8", "ignore")
