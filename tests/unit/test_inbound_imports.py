"""The inbound modules stay cheap to import: no AWS SDK, encryption client or reply parser."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LAYER = Path(__file__).resolve().parents[2] / "layers" / "sesbridge"


def test_inbound_modules_load_no_aws_sdk_or_encryption_client() -> None:
    code = (
        "import sesbridge.inbound.receipt, sesbridge.inbound.message, sesbridge.inbound.detail,"
        " sesbridge.inbound.normalizer, sesbridge.inbound.loader, sys, json\n"
        "from sesbridge import load_message\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    # this checkout's package first, whatever is installed
    env = {**os.environ, "PYTHONPATH": str(LAYER)}
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout
    loaded = {m.split(".")[0] for m in json.loads(out)}
    assert "sesbridge" in loaded
    assert not loaded & {"boto3", "botocore", "s3_encryption", "mailparser_reply"}
