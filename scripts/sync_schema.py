"""Copy the event schema into template.yaml's schema registry entry.

CloudFormation takes a schema's Content only inline, so the template holds a copy of
``sesbridge/events/schema.json``; this keeps it equal (a test checks they match).

    python -m scripts.sync_schema          # rewrite template.yaml
    python -m scripts.sync_schema --check  # exit 1 when they differ
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from scripts.generated import rewrite_or_check

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
SCHEMA = ROOT / "layers/sesbridge/sesbridge/events/schema.json"

# The Content line of the EventSchema resource: single-quoted YAML scalar.
_CONTENT_LINE = re.compile(r"^(      Content: )'.*'$", re.MULTILINE)


def schema_content() -> str:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return json.dumps(schema, separators=(",", ":"), sort_keys=True)


def synced_template(template: str) -> str:
    quoted = "'" + schema_content().replace("'", "''") + "'"
    new, count = _CONTENT_LINE.subn(lambda m: m.group(1) + quoted, template)
    if count != 1:
        raise SystemExit("template.yaml: expected exactly one EventSchema Content line")
    return new


def main(argv: list[str]) -> int:
    return rewrite_or_check(TEMPLATE, synced_template, argv, "python -m scripts.sync_schema")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
