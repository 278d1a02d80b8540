"""The EventBridge contract: detail-types, source and schema of sesbridge events.

``schema.json`` beside this module is the single source of truth; the names here are
read from it, the tests validate every published event against it, the template
publishes it to the schema registry and the README documents it.

``TrackingEvent``, ``InboundEvent``, ``NormalizationErrorEvent`` and
``AccountStatusEvent`` are typed views of published events for consumers
(``sesbridge.events.views``, imported on first use).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("schema.json")


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 4) of every event sesbridge publishes."""
    with SCHEMA_PATH.open(encoding="utf-8") as f:
        return json.load(f)


def _detail_type(schema: dict[str, Any], definition: str) -> str:
    for variant in schema["oneOf"]:
        if variant["properties"]["detail"]["$ref"] == f"#/definitions/{definition}":
            return variant["properties"]["detail-type"]["enum"][0]
    raise LookupError(definition)  # pragma: no cover - schema.json is broken


_SCHEMA = load_schema()

SCHEMA_VERSION: str = _SCHEMA["x-sesbridge-schema-version"]
DEFAULT_EVENT_SOURCE: str = _SCHEMA["x-sesbridge-default-source"]
TRACKING_DETAIL_TYPE: str = _detail_type(_SCHEMA, "TrackingEvent")  # "Email Tracking Event"
INBOUND_DETAIL_TYPE: str = _detail_type(_SCHEMA, "InboundEvent")  # "Email Inbound Event"
ERROR_DETAIL_TYPE: str = _detail_type(_SCHEMA, "NormalizationError")  # "Email Normalization Error"
# "Email Account Status"
ACCOUNT_STATUS_DETAIL_TYPE: str = _detail_type(_SCHEMA, "AccountStatusEvent")
ESP_NAME = "Amazon SES"

del _SCHEMA

_VIEWS = (
    "TrackingEvent",
    "InboundEvent",
    "NormalizationErrorEvent",
    "AccountStatusEvent",
    "RawMailLocation",
)


def __getattr__(name: str) -> Any:
    # The views import dataclasses; the functions that publish events never need them.
    if name not in _VIEWS:
        raise AttributeError(f"module 'sesbridge.events' has no attribute {name!r}")
    from sesbridge.events import views

    return getattr(views, name)
