"""What a consumer stack imports from sesbridge's: exported outputs and the read policy."""

from __future__ import annotations

from typing import Any

import pytest
from sesbridge.inbound.normalizer import FAILED_PREFIX, RECEIVED_PREFIX

from scripts.local_deploy import load_template

TEMPLATE = load_template()
OUTPUTS: dict[str, Any] = TEMPLATE["Outputs"]
NO_VALUE = {"Ref": "AWS::NoValue"}

# What a consumer's template wires up with !ImportValue "<sesbridge stack>-<output>".
CONSUMER_OUTPUTS = [
    "SesbridgeLayerArn",
    "EventBusName",
    "EventBusArn",
    "EventSource",
    "TrackingTopicArn",
    "TrackingConfigurationSetName",
    "InboundTopicArn",
    "RawMailBucketName",
    "RawMailReadPolicyArn",
    "ScheduleGroupName",
    "SchedulerRoleArn",
    "ScheduledSendDeadLetterQueueArn",
    "ScheduledMailBucketName",
    "ScheduledSendFunctionArn",
    "SchedulingPolicyArn",
]


@pytest.mark.parametrize("name", CONSUMER_OUTPUTS)
def test_consumer_outputs_are_exported_under_the_stack_name(name: str) -> None:
    assert OUTPUTS[name]["Export"] == {"Name": {"Fn::Sub": f"${{AWS::StackName}}-{name}"}}


def test_only_the_consumer_outputs_are_exported() -> None:
    # An export another stack imports can no longer change: export only what consumers need.
    exported = [name for name, spec in OUTPUTS.items() if "Export" in spec]
    assert sorted(exported) == sorted(CONSUMER_OUTPUTS)


def _statements(resource: str) -> dict[str, dict[str, Any]]:
    document = TEMPLATE["Resources"][resource]["Properties"]["PolicyDocument"]
    found = {}
    for statement in document["Statement"]:
        if "Fn::If" in statement:
            _, statement, otherwise = statement["Fn::If"]
            assert otherwise == NO_VALUE
        found[statement["Sid"]] = statement
    return found


def test_the_read_policy_reaches_every_object_an_inbound_event_points_at() -> None:
    assert OUTPUTS["RawMailReadPolicyArn"]["Value"] == {"Ref": "RawMailReadPolicy"}
    read = _statements("RawMailReadPolicy")["ReadRawMail"]
    assert read["Action"] == "s3:GetObject"
    *written, receipts = read["Resource"]
    assert written == [
        {"Fn::Sub": f"${{RawMailBucket.Arn}}/{prefix}*"}
        for prefix in (RECEIVED_PREFIX, FAILED_PREFIX)
    ]
    # The same receipt objects the inbound function may read, wherever S3 actions write.
    inbound = TEMPLATE["Resources"]["InboundFunction"]["Properties"]["Policies"][0]
    [receipt_read] = [s for s in inbound["Statement"] if s.get("Sid") == "ReadReceiptObjects"]
    assert receipts == receipt_read["Resource"]


def test_the_read_policy_decrypts_only_through_s3_and_only_this_accounts_mail() -> None:
    statements = _statements("RawMailReadPolicy")
    bucket_key = statements["DecryptTheBucketThroughS3"]
    assert bucket_key["Action"] == "kms:Decrypt"
    assert bucket_key["Condition"] == {
        "StringEquals": {"kms:ViaService": {"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}}
    }
    receipts = statements["DecryptReceiptObjects"]
    assert receipts["Resource"] == {"Ref": "ReceiptKmsKeyArn"}
    assert receipts["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:aws:ses:source-account": {"Ref": "AWS::AccountId"}}
    }
    assert set(statements) == {"ReadRawMail", "DecryptTheBucketThroughS3", "DecryptReceiptObjects"}
