"""Strict JSON for what travels as JSON text (X-Metadata, TemplateData). Pure.

>>> strict_json({"order": 1}, "metadata")
'{"order": 1}'
>>> strict_json({"x": float("nan")}, "metadata")
Traceback (most recent call last):
sesbridge.exceptions.InvalidMessage: metadata is not strict JSON: Out of range float ...
"""

from __future__ import annotations

import json
from typing import Any

from sesbridge.exceptions import InvalidMessage


def strict_json(value: Any, field: str, *, compact: bool = False) -> str:
    """``value`` as ASCII JSON text: no NaN/Infinity, no lone surrogates, no raw DEL.

    ``compact`` drops the spaces; without it ", " and ": " give a header room to fold.
    Raises InvalidMessage naming ``field`` for anything strict JSON cannot carry.
    """
    separators = (",", ":") if compact else (", ", ": ")
    try:
        text = json.dumps(value, allow_nan=False, separators=separators)
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidMessage(f"{field} is not strict JSON: {error}") from None
    if "\\ud" in text:  # a surrogate escape: fine in pairs, not alone
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidMessage(f"{field} holds a lone surrogate, which is not text") from None
    # JSON leaves DEL unescaped; in a header it is a control character.
    return text.replace("\x7f", "\\u007f")
