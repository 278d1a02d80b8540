"""template.yaml deployed with aws-sam-translator and moto's CloudFormation, as the demo does.

What is not emulated is pinned: a moto upgrade that models more (or less) of the template,
or a template change that adds a resource moto lacks, shows up here first.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest

from scripts.local_deploy import LocalDeployment, deploy, describe, load_template
from tests.conftest import REGION

NOT_EMULATED = [
    "SchemaRegistry (AWS::EventSchemas::Registry)",
    "EventSchema (AWS::EventSchemas::Schema)",
    "TrackingTopicPolicy (AWS::SNS::TopicPolicy)",
    "TrackingDeliveryDeadLetterQueuePolicy (AWS::SQS::QueuePolicy)",
    "InboundTopicPolicy (AWS::SNS::TopicPolicy)",
    "RawMailBucketPolicy (AWS::S3::BucketPolicy)",
    "InboundDeliveryDeadLetterQueuePolicy (AWS::SQS::QueuePolicy)",
    "ScheduledMailBucketPolicy (AWS::S3::BucketPolicy)",
    "TrackingFunctionEventInvokeConfig (AWS::Lambda::EventInvokeConfig)",
    "TrackingFunctionTrackingTopic (AWS::SNS::Subscription)",
    "InboundFunctionEventInvokeConfig (AWS::Lambda::EventInvokeConfig)",
    "InboundFunctionReceipts (AWS::SNS::Subscription)",
    "ScheduledSendFunctionEventInvokeConfig (AWS::Lambda::EventInvokeConfig)",
]


@pytest.fixture
def deployment(moto_aws: None) -> LocalDeployment:
    return deploy(boto3.Session(region_name=REGION), stack_name="local")


def test_the_stack_is_created_and_what_moto_lacks_is_listed(deployment: LocalDeployment) -> None:
    assert deployment.status == "CREATE_COMPLETE"
    assert [entry.partition("): ")[0] + ")" for entry in deployment.not_emulated] == NOT_EMULATED
    text = describe(deployment)
    assert "local: CREATE_COMPLETE" in text
    # moto's CloudFormation lacks schedule groups; the group is made through its API.
    group = deployment.outputs["ScheduleGroupName"]
    assert boto3.client("scheduler", region_name=REGION).get_schedule_group(Name=group)["Name"]
    for entry in NOT_EMULATED:
        assert entry in text


def test_functions_get_the_environment_the_stack_resolved(deployment: LocalDeployment) -> None:
    bus = deployment.ref("EventBus")
    assert bus == "local-email"
    tracking, inbound = (
        deployment.functions["TrackingFunction"],
        deployment.functions["InboundFunction"],
    )
    assert tracking.code_uri.name == "tracking" and inbound.code_uri.name == "inbound"
    assert tracking.handler == "app.lambda_handler"
    assert tracking.environment["EVENT_BUS_NAME"] == bus
    assert tracking.sns_topics == [deployment.ref("TrackingTopic")]
    assert tracking.environment["ALLOWED_TOPIC_ARNS"].split(",") == [
        deployment.ref("TrackingTopic"),
        "",  # TrackingExtraTopicArns
    ]
    assert inbound.sns_topics == [deployment.ref("InboundTopic")]
    assert inbound.environment["RAW_MAIL_BUCKET"] == deployment.ref("RawMailBucket")
    boto3.client("s3", region_name=REGION).head_bucket(Bucket=deployment.ref("RawMailBucket"))


def test_the_archive_keeps_the_events_of_the_source(deployment: LocalDeployment) -> None:
    archive = boto3.client("events", region_name=REGION).describe_archive(
        ArchiveName=deployment.ref("EventArchive")
    )
    assert archive["EventSourceArn"].endswith(":event-bus/local-email")
    assert json.loads(archive["EventPattern"]) == {"source": ["sesbridge"]}
    assert archive["RetentionDays"] == 30


def test_a_number_parameter_of_zero_leaves_concurrency_unreserved(
    deployment: LocalDeployment,
) -> None:
    # CloudFormation compares "0" with the Number parameter's value as strings.
    concurrency = boto3.client("lambda", region_name=REGION).get_function_concurrency(
        FunctionName=deployment.functions["TrackingFunction"].name
    )
    assert "ReservedConcurrentExecutions" not in concurrency


def test_code_and_layers_are_uploaded_from_their_folders(deployment: LocalDeployment) -> None:
    [layer_id] = [
        lid
        for lid, (kind, _) in deployment.resources.items()
        if kind == "AWS::Lambda::LayerVersion"
    ]
    assert layer_id.startswith("SesbridgeLayer")  # the translator adds a content hash
    [layer] = boto3.client("lambda", region_name=REGION).list_layers()["Layers"]
    assert layer["LatestMatchingVersion"]["Description"].startswith("sesbridge - ")

    s3 = boto3.client("s3", region_name=REGION)

    def names(key: str) -> list[str]:
        body = s3.get_object(Bucket="local-code", Key=key)["Body"].read()
        return zipfile.ZipFile(io.BytesIO(body)).namelist()

    assert "sesbridge/__init__.py" in names("SesbridgeLayer.zip")
    assert "app.py" in names("TrackingFunction.zip")
    assert not [name for name in names("InboundFunction.zip") if "__pycache__" in name]


@pytest.mark.parametrize("with_extra_layer", [True, False])
def test_a_layer_behind_a_condition_deploys_either_way(moto_aws: None, with_extra_layer: bool):
    # A function may add an optional layer (its own folder, any build method) with !If.
    template = load_template()
    template["Parameters"]["WithExtraLayer"] = {"Type": "String", "Default": "no"}
    template["Conditions"]["UseExtraLayer"] = {"Fn::Equals": [{"Ref": "WithExtraLayer"}, "yes"]}
    template["Resources"]["ExtraLayer"] = {
        "Type": "AWS::Serverless::LayerVersion",
        "Condition": "UseExtraLayer",
        "Properties": {"ContentUri": "layers/sesbridge/", "CompatibleRuntimes": ["python3.13"]},
        "Metadata": {"BuildMethod": "makefile"},
    }
    template["Resources"]["InboundFunction"]["Properties"]["Layers"] = [
        {"Ref": "SesbridgeLayer"},
        {"Fn::If": ["UseExtraLayer", {"Ref": "ExtraLayer"}, {"Ref": "AWS::NoValue"}]},
    ]
    deployment = deploy(
        boto3.Session(region_name=REGION),
        stack_name="layers",
        parameters={"WithExtraLayer": "yes" if with_extra_layer else "no"},
        template=template,
    )
    assert deployment.status == "CREATE_COMPLETE"
    layers = {
        lid.rstrip("0123456789abcdef")
        for lid, (kind, _) in deployment.resources.items()
        if kind == "AWS::Lambda::LayerVersion"
    }
    assert layers == ({"SesbridgeLayer", "ExtraLayer"} if with_extra_layer else {"SesbridgeLayer"})
    assert set(deployment.functions) == {
        "TrackingFunction",
        "InboundFunction",
        "ScheduledSendFunction",
    }


def test_consumer_outputs_are_exported_for_import_value(deployment: LocalDeployment) -> None:
    from tests.unit.test_template_exports import CONSUMER_OUTPUTS

    exports = boto3.client("cloudformation", region_name=REGION).list_exports()["Exports"]
    by_name = {export["Name"]: export["Value"] for export in exports}
    for name in CONSUMER_OUTPUTS:
        if name in deployment.outputs:  # TrackingConfigurationSetName is conditional
            assert by_name[f"local-{name}"] == deployment.outputs[name]
    policy = boto3.client("iam", region_name=REGION).get_policy(
        PolicyArn=deployment.outputs["RawMailReadPolicyArn"]
    )
    assert policy["Policy"]["Arn"] == by_name["local-RawMailReadPolicyArn"]


def test_native_tracking_input_puts_a_rule_on_the_default_bus(moto_aws: None) -> None:
    deployment = deploy(
        boto3.Session(region_name=REGION), stack_name="native", parameters={"TrackingInput": "both"}
    )
    assert deployment.status == "CREATE_COMPLETE"
    events = boto3.client("events", region_name=REGION)
    rule = deployment.ref("NativeEventsRule")
    assert json.loads(events.describe_rule(Name=rule)["EventPattern"]) == {"source": ["aws.ses"]}
    [target] = events.list_targets_by_rule(Rule=rule)["Targets"]
    assert target["Arn"].endswith(deployment.ref("TrackingFunction"))
    assert target["DeadLetterConfig"]["Arn"].endswith(
        deployment.ref("NativeEventsDeadLetterQueue").rsplit("/", 1)[1]
    )
