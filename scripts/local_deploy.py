"""Deploy template.yaml on a local AWS endpoint (a moto server), as `sam deploy` would.

aws-sam-translator turns the SAM template into plain CloudFormation offline, and moto's
CloudFormation creates the stack. Each function's code folder and each layer's content
folder is zipped into a local bucket first, as `sam package` uploads them. What moto's
CloudFormation does not model is taken out of the stack and listed, never skipped silently:
alarms are then created from their properties as the stack resolved them, SNS subscriptions
of the functions are handed to the caller (moto can only invoke a Lambda through Docker, so
the caller runs the handlers in-process), and the rest is not emulated.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "us-east-1"

# SAM resources whose folder is uploaded as a zip, and the property naming it.
_PACKAGED = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}

# What the created resources lack locally: moto stores these settings or has no such feature,
# and nothing here enforces them.
NOT_ENFORCED = (
    "access control (IAM, key policies), KMS encryption at rest, SNS subscription redrive,"
    " Lambda retries and event age, reserved concurrency, the functions' layers and logging"
    " configuration (the handlers run with the layer's package from its folder),"
    " alarm evaluation and notification, deletion policies"
)


def load_template(path: Path = ROOT / "template.yaml") -> dict[str, Any]:
    """The template with its short-form tags (!Ref, !If ...) in long form (Ref, Fn::If ...)."""
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(path.read_text(encoding="utf-8"))


def evaluate_conditions(
    parameters: dict[str, str], template: dict[str, Any] | None = None
) -> dict[str, bool]:
    """The template's Conditions for these parameter values (defaults for the others),
    evaluated by moto's CloudFormation as the deployment below evaluates them."""
    from moto.cloudformation.parsing import ResourceMap

    template = _numbers_as_strings(copy.deepcopy(template or load_template()))
    resource_map = ResourceMap(
        "stack-id", "stack", parameters, {}, REGION, ACCOUNT_ID, template, {}
    )
    resource_map.load_mapping()
    resource_map.load_parameters()
    resource_map.load_conditions()
    return {name: bool(value) for name, value in resource_map.lazy_condition_map.items()}


@dataclass
class Function:
    """A function of the stack, as an in-process run needs it."""

    logical_id: str
    name: str  # the deployed function's name
    code_uri: Path
    handler: str
    environment: dict[str, str]
    sns_topics: list[str]  # ARNs of the topics the function is subscribed to


@dataclass
class LocalDeployment:
    """The stack created from one template."""

    stack_name: str
    status: str
    resources: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (type, physical)
    outputs: dict[str, str] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    not_emulated: list[str] = field(default_factory=list)  # "LogicalId (Type): why"

    def ref(self, logical_id: str) -> str:
        return self.resources[logical_id][1]


def deploy(
    session: Any,
    *,
    stack_name: str = "sesbridge-demo",
    parameters: dict[str, str] | None = None,
    template: dict[str, Any] | None = None,
) -> LocalDeployment:
    """Create the template's stack with ``session`` (a boto3 Session on the local endpoint)."""
    parameters = parameters or {}
    template = copy.deepcopy(template or load_template())
    conditions = evaluate_conditions(parameters, template)
    folders = _package(session, template, f"{stack_name}-code".lower())
    cloudformation_template = _translate(session, template, parameters)
    taken_out = _take_out_unmodelled(cloudformation_template)
    _work_around_moto(cloudformation_template, conditions)

    cloudformation = session.client("cloudformation")
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(cloudformation_template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    [stack] = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    deployment = LocalDeployment(stack_name, stack["StackStatus"])
    if deployment.status != "CREATE_COMPLETE":
        raise RuntimeError(
            f"stack {stack_name}: {deployment.status} {stack.get('StackStatusReason')}"
        )
    deployment.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    deployment.resources = _stack_resources(cloudformation, stack_name)
    topics = _outside_the_stack(session, deployment, taken_out, conditions)
    deployment.functions = _functions(session, deployment, folders, topics)
    return deployment


def _stack_resources(cloudformation: Any, stack_name: str) -> dict[str, tuple[str, str]]:
    resources = {}
    for resource in cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]:
        if "LogicalResourceId" not in resource:
            continue  # moto lists a nameless entry for each resource it does not model
        logical_id, resource_type = resource["LogicalResourceId"], resource["ResourceType"]
        physical_id = resource.get("PhysicalResourceId")
        if physical_id is None and resource_type in _REF_ATTRIBUTE:
            reference = {"Fn::GetAtt": [logical_id, _REF_ATTRIBUTE[resource_type]]}
            physical_id = _resolved(stack_name, reference)
        resources[logical_id] = (resource_type, physical_id or "")
    return resources


def _outside_the_stack(
    session: Any,
    deployment: LocalDeployment,
    taken_out: dict[str, dict[str, Any]],
    conditions: dict[str, bool],
) -> dict[str, list[str]]:
    """Create the taken-out alarms, list the rest as not emulated, and return the topics
    each function (by ARN) is subscribed to."""
    topics: dict[str, list[str]] = {}
    for logical_id, spec in taken_out.items():
        if "Condition" in spec and not conditions[spec["Condition"]]:
            continue  # not part of this stack
        resource_type, properties = spec["Type"], spec.get("Properties") or {}
        if resource_type == "AWS::CloudWatch::Alarm":
            resolved = _resolved(deployment.stack_name, properties)
            name = _create_alarm(session, deployment.stack_name, logical_id, resolved)
            deployment.resources[logical_id] = (resource_type, name)
        elif resource_type == "AWS::Scheduler::ScheduleGroup":
            # moto's Scheduler API models groups, its CloudFormation does not: the group
            # is made under the name the stack's references were given.
            name = f"{logical_id}-not-emulated"
            session.client("scheduler").create_schedule_group(Name=name)
            deployment.resources[logical_id] = (resource_type, name)
        elif resource_type == "AWS::SNS::Subscription" and properties.get("Protocol") == "lambda":
            resolved = _resolved(deployment.stack_name, properties)
            topics.setdefault(resolved["Endpoint"], []).append(resolved["TopicArn"])
            deployment.not_emulated.append(
                f"{logical_id} ({resource_type}): SNS cannot invoke a Lambda without Docker;"
                " the caller delivers the topic's messages to the handler in-process"
            )
        else:
            deployment.not_emulated.append(f"{logical_id} ({resource_type}): not modelled by moto")
    return topics


def _functions(
    session: Any,
    deployment: LocalDeployment,
    folders: dict[str, Path],
    topics: dict[str, list[str]],
) -> dict[str, Function]:
    """The stack's functions as deployed: handler and environment from moto's Lambda."""
    lambda_client, functions = session.client("lambda"), {}
    for logical_id, (resource_type, name) in deployment.resources.items():
        if resource_type != "AWS::Lambda::Function":
            continue
        configuration = lambda_client.get_function_configuration(FunctionName=name)
        functions[logical_id] = Function(
            logical_id=logical_id,
            name=name,
            code_uri=folders[logical_id],
            handler=configuration["Handler"],
            environment=(configuration.get("Environment") or {}).get("Variables") or {},
            sns_topics=topics.get(configuration["FunctionArn"], []),
        )
    return functions


def _package(session: Any, template: dict[str, Any], bucket: str) -> dict[str, Path]:
    """Zip each function's and layer's folder into ``bucket`` and point the template at it."""
    s3 = session.client("s3")
    s3.create_bucket(Bucket=bucket)
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    folders = {}
    for logical_id, spec in template["Resources"].items():
        uri_property = _PACKAGED.get(spec["Type"])
        if uri_property is None:
            continue
        properties = spec.setdefault("Properties", {})
        folder = ROOT / properties.get(uri_property, globals_.get(uri_property, ""))
        key = f"{logical_id}.zip"
        s3.put_object(Bucket=bucket, Key=key, Body=_zip(folder))
        properties[uri_property] = {"Bucket": bucket, "Key": key}
        folders[logical_id] = folder
    return folders


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder))
    return buffer.getvalue()


def _translate(session: Any, template: dict[str, Any], parameters: dict[str, str]) -> Any:
    """SAM to CloudFormation, offline: the template names no managed policy to look up."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    translator = Translator({}, Parser(), boto_session=session)
    return translator.translate(template, parameter_values=dict(parameters))


def _modelled(resource_type: str) -> bool:
    from moto.cloudformation.parsing import NULL_MODELS, get_model_map

    return resource_type in get_model_map() and resource_type not in NULL_MODELS


def _take_out_unmodelled(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Remove the resources moto cannot create (it fails on references to them) and put a
    recognisable name where the rest of the template refers to them."""
    resources = template["Resources"]
    unmodelled = [lid for lid, spec in resources.items() if not _modelled(spec["Type"])]
    taken_out = {logical_id: resources.pop(logical_id) for logical_id in unmodelled}

    def placeholder(logical_id: str, attribute: str = "") -> str:
        return f"{logical_id}-not-emulated" + (f".{attribute}" if attribute else "")

    def in_sub(match: re.Match[str]) -> str:
        logical_id, _, attribute = match.group(1).partition(".")
        return placeholder(logical_id, attribute) if logical_id in taken_out else match.group(0)

    def replace(value: dict[str, Any]) -> Any:
        if value.keys() == {"Ref"} and value["Ref"] in taken_out:
            return placeholder(value["Ref"])
        if value.keys() == {"Fn::GetAtt"} and value["Fn::GetAtt"][0] in taken_out:
            return placeholder(*value["Fn::GetAtt"][:2])
        if value.keys() == {"Fn::Sub"}:
            sub = value["Fn::Sub"]
            text, variables = (sub, None) if isinstance(sub, str) else sub
            text = re.sub(r"\$\{([^}!]+)\}", in_sub, text)
            return {"Fn::Sub": text if variables is None else [text, _rewrite(variables, replace)]}
        return None

    for spec in resources.values():
        if "DependsOn" in spec:
            depends_on = spec["DependsOn"]
            depends_on = [depends_on] if isinstance(depends_on, str) else depends_on
            spec["DependsOn"] = [d for d in depends_on if d not in taken_out]
    template["Resources"] = _rewrite(resources, replace)
    template["Outputs"] = _rewrite(template.get("Outputs") or {}, replace)
    return taken_out


# moto gives these no physical id, so their Ref is empty; the attribute holds what Ref means.
_REF_ATTRIBUTE = {"AWS::Events::EventBus": "Name", "AWS::Events::Archive": "ArchiveName"}


def _work_around_moto(template: dict[str, Any], conditions: dict[str, bool]) -> None:
    """Rewrite what moto's CloudFormation reads differently from AWS."""
    _numbers_as_strings(template)
    # moto keeps a list item that resolves to AWS::NoValue (a policy statement behind a
    # false condition) as null, which IAM then refuses.
    template["Resources"] = _without_absent_items(template["Resources"], conditions)
    resources = template["Resources"]
    for spec in resources.values():
        properties = spec.get("Properties") or {}
        # moto passes the pattern on to CreateArchive, which takes a JSON string.
        if spec["Type"] == "AWS::Events::Archive" and isinstance(
            properties.get("EventPattern"), dict
        ):
            properties["EventPattern"] = {"Fn::ToJsonString": properties["EventPattern"]}

    def ref_as_attribute(value: dict[str, Any]) -> Any:
        target = value.get("Ref") if value.keys() == {"Ref"} else None
        if target in resources and resources[target]["Type"] in _REF_ATTRIBUTE:
            return {"Fn::GetAtt": [target, _REF_ATTRIBUTE[resources[target]["Type"]]]}
        return None

    template["Resources"] = _rewrite(resources, ref_as_attribute)
    template["Outputs"] = _rewrite(template.get("Outputs") or {}, ref_as_attribute)


def _numbers_as_strings(template: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation compares values in Conditions as strings (a Number parameter of 0
    equals "0"); moto compares the number, so Conditions get such parameters as strings."""
    numbers = {
        name
        for name, spec in (template.get("Parameters") or {}).items()
        if spec.get("Type") == "Number"
    }

    def as_string(value: dict[str, Any]) -> Any:
        if value.keys() == {"Ref"} and value["Ref"] in numbers:
            return {"Fn::Join": ["", [value]]}
        return None

    template["Conditions"] = _rewrite(template.get("Conditions") or {}, as_string)
    return template


def _without_absent_items(value: Any, conditions: dict[str, bool]) -> Any:
    """``value`` without the list items ``!If [false condition, ..., !Ref AWS::NoValue]``."""
    if isinstance(value, dict):
        return {
            # a function's arguments are positions, not items to drop
            k: [_without_absent_items(a, conditions) for a in v]
            if k.startswith("Fn::") and isinstance(v, list)
            else _without_absent_items(v, conditions)
            for k, v in value.items()
        }
    if not isinstance(value, list):
        return value
    kept = []
    for item in value:
        branches = item.get("Fn::If") if isinstance(item, dict) and len(item) == 1 else None
        absent = branches and branches[2] == {"Ref": "AWS::NoValue"}
        if not (absent and conditions.get(branches[0]) is False):
            kept.append(_without_absent_items(item, conditions))
    return kept


def _rewrite(value: Any, replace: Any) -> Any:
    """``value`` with each mapping ``replace`` returns something for (not None) replaced."""
    if isinstance(value, list):
        return [_rewrite(v, replace) for v in value]
    if not isinstance(value, dict):
        return value
    replaced = replace(value)
    if replaced is not None:
        return replaced
    return {k: _rewrite(v, replace) for k, v in value.items()}


def _resolved(stack_name: str, value: Any) -> Any:
    """``value`` (e.g. a taken-out resource's properties) resolved by moto against the
    created stack: the local server runs in this process."""
    from moto.cloudformation.models import cloudformation_backends
    from moto.cloudformation.parsing import clean_json

    backend = cloudformation_backends[ACCOUNT_ID][REGION]
    [stack] = [s for s in backend.stacks.values() if s.name == stack_name]
    return clean_json(copy.deepcopy(value), stack.resource_map)


def _create_alarm(session: Any, stack_name: str, logical_id: str, props: dict[str, Any]) -> str:
    """PutMetricAlarm with the alarm's CloudFormation properties (the same names), typed as
    the API's input shape says."""
    cloudwatch = session.client("cloudwatch")
    members = cloudwatch.meta.service_model.operation_model("PutMetricAlarm").input_shape.members
    props = {k: v for k, v in props.items() if v is not None}
    props.setdefault("AlarmName", f"{stack_name}-{logical_id}")
    typed = {name: _typed(members[name], value) for name, value in props.items()}
    cloudwatch.put_metric_alarm(**typed)
    return props["AlarmName"]


def _typed(shape: Any, value: Any) -> Any:
    kind = shape.type_name
    if kind == "integer":
        return int(value)
    if kind == "double":
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if kind == "list":
        return [_typed(shape.member, v) for v in value]
    if kind == "structure":
        return {k: _typed(shape.members[k], v) for k, v in value.items()}
    return value


def describe(deployment: LocalDeployment) -> str:
    """A short human-readable list of what was created and what was not."""
    rows = [(lid, kind, physical) for lid, (kind, physical) in deployment.resources.items()]
    width = max(len(lid) for lid, _, _ in rows)
    kind_width = max(len(kind) for _, kind, _ in rows)
    lines = [f"  {deployment.stack_name}: {deployment.status}"]
    lines += [f"  {lid:<{width}} {kind:<{kind_width}} {ref}" for lid, kind, ref in rows]
    if any(kind == "AWS::CloudWatch::Alarm" for _, kind, _ in rows):
        lines.append(
            "  alarms: moto's CloudFormation does not model them; created with PutMetricAlarm"
            " from the properties the stack resolved"
        )
    lines += ["  not emulated locally:"]
    lines += [f"    {entry}" for entry in deployment.not_emulated]
    lines.append("  created but not enforced locally: " + NOT_ENFORCED)
    return "\n".join(lines)
