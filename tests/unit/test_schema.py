"""The event schema file is the single contract: code, template and README agree with it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import yaml
from sesbridge import events
from sesbridge.events import load_schema

from scripts.sync_schema import schema_content

ROOT = Path(__file__).resolve().parents[2]


def test_schema_is_valid_draft4() -> None:
    jsonschema.Draft4Validator.check_schema(load_schema())


def test_constants_come_from_the_schema() -> None:
    schema = load_schema()
    assert events.TRACKING_DETAIL_TYPE == "Email Tracking Event"
    assert events.INBOUND_DETAIL_TYPE == "Email Inbound Event"
    assert events.ERROR_DETAIL_TYPE == "Email Normalization Error"
    assert events.DEFAULT_EVENT_SOURCE == "sesbridge"
    assert schema["properties"]["detail-type"]["enum"] == [
        events.TRACKING_DETAIL_TYPE,
        events.INBOUND_DETAIL_TYPE,
        events.ERROR_DETAIL_TYPE,
        events.ACCOUNT_STATUS_DETAIL_TYPE,
    ]
    assert events.ACCOUNT_STATUS_DETAIL_TYPE == "Email Account Status"


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that accepts CloudFormation's short-form tags (!Ref, !Sub ...)."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def load_template() -> dict:
    return yaml.load((ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=_CfnLoader)


def test_template_registry_holds_the_schema_file() -> None:
    content = load_template()["Resources"]["EventSchema"]["Properties"]["Content"]
    assert content == schema_content(), "run: python -m scripts.sync_schema"
    assert json.loads(content) == load_schema()


def test_the_schema_page_names_every_detail_type_and_required_field() -> None:
    page = (ROOT / "docs" / "event-schema.md").read_text(encoding="utf-8")
    schema = load_schema()
    for detail_type in schema["properties"]["detail-type"]["enum"]:
        assert f"`{detail_type}`" in page
    for name in ("TrackingEvent", "InboundEvent", "NormalizationError"):
        for field in schema["definitions"][name]["required"]:
            assert re.search(rf"`{re.escape(field)}`", page), (
                f"docs/event-schema.md lacks {name}.{field}"
            )
