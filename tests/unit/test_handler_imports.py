"""What importing a function's handler costs: the cold start of every execution environment.

The handlers load no AWS SDK at import (the runtime's boto3 is loaded with the first
client), define no dataclass on their import path (building one costs about half a
millisecond, each time an environment starts), and move what they imported out of
the garbage collector's reach. docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "sesbridge"

PROBE = """
import dataclasses, gc, json, sys
import app
classes = [
    f"{name}.{attr}"
    for name, module in list(sys.modules.items())
    if name == "app" or name.startswith("sesbridge")
    for attr, value in vars(module).items()
    if isinstance(value, type) and value.__module__ == name and dataclasses.is_dataclass(value)
]
modules = sorted(sys.modules)
import logging
logging.getLogger("sesbridge.pipeline").warning("a record of sesbridge's")
print(json.dumps({
    "modules": modules,
    "dataclasses": classes,
    "frozen": gc.get_freeze_count(),
}))
"""

ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "EVENT_BUS_NAME": "bus",
    "RAW_MAIL_BUCKET": "raw-mail",
    "POWERTOOLS_METRICS_NAMESPACE": "sesbridge",
}


def _import_handler(function: str) -> dict:
    env = {
        **os.environ,
        **ENV,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / function), str(LAYER)]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, check=True, capture_output=True, text=True
    )
    *logs, figures = done.stdout.splitlines()
    return {**json.loads(figures), "logs": [json.loads(line) for line in logs]}


@pytest.mark.parametrize("function", ["tracking", "inbound"])
def test_handler_import_is_lean(function: str) -> None:
    loaded = _import_handler(function)
    modules = set(loaded["modules"])
    packages = {m.split(".")[0] for m in modules}
    assert "sesbridge" in packages
    assert not packages & {"boto3", "s3_encryption", "mailparser_reply"}
    # Powertools imports botocore's package to tag its user agent; nothing more of it.
    assert not modules & {"botocore.session", "botocore.client", "botocore.loaders"}
    assert loaded["dataclasses"] == []
    assert loaded["frozen"] > 0


@pytest.mark.parametrize("function", ["tracking", "inbound"])
def test_sesbridge_records_are_logged_as_the_function_logs(function: str) -> None:
    [record] = _import_handler(function)["logs"]
    assert record["message"] == "a record of sesbridge's"
    assert record["service"] == f"sesbridge-{function}" and record["level"] == "WARNING"
    assert record["name"] == "sesbridge.pipeline"
