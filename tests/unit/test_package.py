"""The package's public surface and its import cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sesbridge

LAYER = Path(__file__).resolve().parents[2] / "layers" / "sesbridge"


def test_every_exported_name_is_in_all() -> None:
    assert set(sesbridge.__all__) - {"__version__"} == set(sesbridge._EXPORTS)


def test_unknown_attribute_raises_attribute_error() -> None:
    try:
        sesbridge.NoSuchThing  # noqa: B018
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    # This checkout's layer folder first, as Lambda's python/ path would be.
    env = {**os.environ, "PYTHONPATH": str(LAYER)}
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout
    return set(json.loads(out))


def test_importing_the_package_and_its_pure_modules_loads_no_aws_sdk() -> None:
    modules = _modules_after(
        "import sesbridge, sesbridge.events, sesbridge.events.entries, sesbridge.events.errors,"
        " sesbridge.sns, sesbridge.pipeline, sesbridge.publishing"
    )
    assert not {m for m in modules if m.split(".")[0] in {"boto3", "botocore"}}
