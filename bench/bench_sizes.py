"""Deployment sizes: the zip ``sam deploy`` uploads for every built function and layer.

A default deployment uploads the functions and the sesbridge layer; one with
``ReceiptKmsKeyArn`` set also attaches the receipt-encryption layer to the inbound
function. The inbound function's goal (8 MB) is what it may weigh without boto3.
"""

from __future__ import annotations

from bench.common import Result
from bench.lambda_env import built_resources, check, zipped_size

# Zipped bytes each may reach; None: reported only.
GOALS_MB = {"InboundFunction": 8.0, "TrackingFunction": 8.0, "SesbridgeLayer": 1.0}
_NOTES = {
    "ReceiptEncryptionLayerArm64": "attached to the inbound function only with ReceiptKmsKeyArn",
    "ReceiptEncryptionLayerX8664": "attached to the inbound function only with ReceiptKmsKeyArn",
}


def run() -> list[Result]:
    check()
    results = []
    for directory in built_resources():
        size = zipped_size(directory) / 1e6
        goal = GOALS_MB.get(directory.name)
        results.append(
            Result(
                f"zipped {directory.name}",
                size,
                goal or size,
                "MB",
                limit=1.0 if goal else None,
                note=f"goal {goal:g} MB" if goal else _NOTES.get(directory.name, ""),
            )
        )
    return results
