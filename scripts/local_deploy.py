"""Create template.yaml's resources on a local AWS endpoint (a moto server).

moto cannot run SAM templates (no transform, no Lambda without Docker), so this reads the
template itself, resolves the intrinsic functions it uses with the parameters' defaults, and
creates the resources moto can hold (keys, topics, queues, buckets, buses, archives, log
groups, alarms). Functions are not
deployed: their resolved environment and SNS subscriptions are returned, so the caller can run
the handlers in-process the way SNS would invoke them. Resource types it cannot emulate are
listed, never silently skipped; resource policies and IAM are among them (the local endpoint
plays the services, not their access control, and the demo plays SES writing to buckets).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "us-east-1"
PSEUDO = {
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NoValue": None,
}


class _Tagged:
    """A CloudFormation short-form tag (!Ref, !Sub ...) read from YAML."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


class _TemplateLoader(yaml.SafeLoader):
    pass


def _construct(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return _Tagged(suffix, value)


_TemplateLoader.add_multi_constructor("!", _construct)


def load_template(path: Path = ROOT / "template.yaml") -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TemplateLoader)


@dataclass
class Function:
    """A function of the template, as the local run needs it."""

    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, str]
    sns_topics: list[str]  # ARNs of the topics the function is subscribed to


@dataclass
class LocalDeployment:
    """The resources created for one template, with their physical ids."""

    stack_name: str
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # logical id -> attributes
    functions: dict[str, Function] = field(default_factory=dict)
    not_emulated: list[str] = field(default_factory=list)

    def ref(self, logical_id: str) -> Any:
        return self.resources[logical_id]["Ref"]

    def outputs_of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}


class _Resolver:
    """Evaluates the intrinsic functions sesbridge's template uses."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str], stack: str) -> None:
        self.template = template
        self.values: dict[str, Any] = {**PSEUDO, "AWS::StackName": stack}
        for name, spec in (template.get("Parameters") or {}).items():
            self.values[name] = parameters.get(name, spec.get("Default", ""))
        self.conditions: dict[str, bool] = {}
        self.attributes: dict[str, dict[str, Any]] = {}
        for name, expression in (template.get("Conditions") or {}).items():
            self.conditions[name] = bool(self.resolve(expression))

    def resolve(self, value: Any) -> Any:
        if isinstance(value, _Tagged):
            return self._intrinsic(value.tag, value.value)
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, inner),) = value.items()
                if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                    return self._intrinsic(key.removeprefix("Fn::"), inner)
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _intrinsic(self, tag: str, arg: Any) -> Any:
        if tag == "Ref":
            if arg in self.values:
                return self.values[arg]
            return self.attributes[arg]["Ref"]
        if tag == "GetAtt":
            logical_id, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
            return self.attributes[logical_id][attribute]
        if tag == "Sub":
            text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
            return re.sub(
                r"\$\{([^}!]+)\}", lambda m: str(self._sub_value(m.group(1), extra)), text
            )
        if tag == "If":
            name, when_true, when_false = arg
            return self.resolve(when_true if self.conditions[name] else when_false)
        if tag == "Equals":
            left, right = (self.resolve(a) for a in arg)
            return str(left) == str(right)
        if tag == "Not":
            return not self.resolve(arg[0])
        if tag == "And":
            return all(self.resolve(a) for a in arg)
        if tag == "Or":
            return any(self.resolve(a) for a in arg)
        if tag == "Condition":
            return self.conditions[arg]
        if tag == "Join":
            separator, items = arg
            return separator.join(str(i) for i in self.resolve(items) if i is not None)
        if tag == "Select":
            index, items = self.resolve(arg)
            return items[int(index)]
        if tag == "Split":
            separator, text = self.resolve(arg)
            return text.split(separator)
        raise NotImplementedError(f"intrinsic function {tag} is not emulated")

    def _sub_value(self, name: str, extra: dict[str, Any]) -> Any:
        if name in extra:
            return extra[name]
        if name in self.values:
            return self.values[name]
        if "." in name:
            logical_id, attribute = name.split(".", 1)
            return self.attributes[logical_id][attribute]
        return self.attributes[name]["Ref"]


def evaluate_conditions(
    parameters: dict[str, str], template: dict[str, Any] | None = None
) -> dict[str, bool]:
    """The template's Conditions for these parameter values (defaults for the others)."""
    return _Resolver(template or load_template(), parameters, "stack").conditions


def deploy(
    session: Any,
    *,
    stack_name: str = "sesbridge-demo",
    parameters: dict[str, str] | None = None,
    template: dict[str, Any] | None = None,
) -> LocalDeployment:
    """Create the template's resources with ``session`` (a boto3 Session on the local endpoint)."""
    template = template or load_template()
    resolver = _Resolver(template, parameters or {}, stack_name)
    deployment = LocalDeployment(stack_name)
    resources = template.get("Resources") or {}
    wanted = {
        logical_id: spec
        for logical_id, spec in resources.items()
        if "Condition" not in spec or resolver.conditions[spec["Condition"]]
    }
    creators = _Creators(session, stack_name)
    # Keys come first (others are encrypted with them), then what functions refer to, then
    # functions, then alarms on all of them.
    order = sorted(wanted, key=lambda lid: _CREATION_RANK.get(wanted[lid]["Type"], 0))
    for logical_id in order:
        spec = wanted[logical_id]
        resource_type = spec["Type"]
        create = getattr(creators, _CREATORS.get(resource_type, ""), None)
        if create is None:
            # Still referable (a function's Layers, an Output), but nothing exists locally.
            deployment.not_emulated.append(f"{logical_id} ({resource_type})")
            resolver.attributes[logical_id] = _Placeholder(stack_name, logical_id)
            continue
        properties = resolver.resolve(spec.get("Properties") or {})
        if resource_type == "AWS::Serverless::Function":
            deployment.functions[logical_id] = _function(logical_id, properties, template, resolver)
            attributes = {"Ref": f"{stack_name}-{logical_id}"}
        else:
            attributes = create(logical_id, properties)
        attributes["Type"] = resource_type
        resolver.attributes[logical_id] = attributes
        deployment.resources[logical_id] = attributes
    return deployment


class _Placeholder(dict):
    """Attributes of a resource that is not emulated: a recognisable fake for any name."""

    def __init__(self, stack_name: str, logical_id: str) -> None:
        super().__init__(Ref=f"{stack_name}-{logical_id}-not-emulated")

    def __missing__(self, attribute: str) -> str:
        return f"{self['Ref']}.{attribute}"


_CREATION_RANK = {
    "AWS::KMS::Key": -1,
    "AWS::Serverless::Function": 1,
    "AWS::Events::Archive": 1,
    "AWS::CloudWatch::Alarm": 2,
}
_CREATORS = {
    "AWS::KMS::Key": "key",
    "AWS::Logs::LogGroup": "log_group",
    "AWS::CloudWatch::Alarm": "alarm",
    "AWS::SNS::Topic": "topic",
    "AWS::SQS::Queue": "queue",
    "AWS::S3::Bucket": "bucket",
    "AWS::Events::EventBus": "event_bus",
    "AWS::Events::Archive": "archive",
    "AWS::Serverless::Function": "function",
}


class _Creators:
    def __init__(self, session: Any, stack_name: str) -> None:
        self.session = session
        self.stack_name = stack_name

    def _name(self, logical_id: str, given: str | None = None, *, lower: bool = False) -> str:
        name = given or f"{self.stack_name}-{logical_id}-{secrets.token_hex(4)}"
        return name.lower() if lower else name

    def key(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        kms = self.session.client("kms")
        metadata = kms.create_key(
            Description=props.get("Description", logical_id),
            Policy=json.dumps(props["KeyPolicy"]),
        )["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=metadata["KeyId"])
        return {"Ref": metadata["KeyId"], "Arn": metadata["Arn"], "KeyId": metadata["KeyId"]}

    def log_group(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        logs = self.session.client("logs")
        name = self._name(logical_id, props.get("LogGroupName"))
        logs.create_log_group(logGroupName=name)
        if props.get("RetentionInDays"):
            logs.put_retention_policy(
                logGroupName=name, retentionInDays=int(props["RetentionInDays"])
            )
        arn = f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}"
        return {"Ref": name, "Arn": f"{arn}:*"}

    def alarm(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        name = self._name(logical_id, props.get("AlarmName"))
        fields = {
            "AlarmName": name,
            "AlarmDescription": props.get("AlarmDescription"),
            "Namespace": props["Namespace"],
            "MetricName": props["MetricName"],
            "Dimensions": props.get("Dimensions") or [],
            "Statistic": props["Statistic"],
            "Period": int(props["Period"]),
            "EvaluationPeriods": int(props["EvaluationPeriods"]),
            "Threshold": float(props["Threshold"]),
            "ComparisonOperator": props["ComparisonOperator"],
            "TreatMissingData": props.get("TreatMissingData"),
            "AlarmActions": props.get("AlarmActions") or [],
        }
        self.session.client("cloudwatch").put_metric_alarm(
            **{k: v for k, v in fields.items() if v is not None}
        )
        return {"Ref": name, "Arn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:{name}"}

    def topic(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        name = self._name(logical_id, props.get("TopicName"))
        arn = self.session.client("sns").create_topic(Name=name)["TopicArn"]
        return {"Ref": arn, "TopicArn": arn, "TopicName": name}

    def queue(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        sqs = self.session.client("sqs")
        name = self._name(logical_id, props.get("QueueName"))
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}

    def bucket(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        name = self._name(logical_id, props.get("BucketName"), lower=True)
        self.session.client("s3").create_bucket(Bucket=name)
        return {
            "Ref": name,
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
        }

    def event_bus(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        name = self._name(logical_id, props.get("Name"))
        arn = self.session.client("events").create_event_bus(Name=name)["EventBusArn"]
        return {"Ref": name, "Arn": arn, "Name": name}

    def archive(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        name = self._name(logical_id, props.get("ArchiveName"))[:48]
        arn = self.session.client("events").create_archive(
            ArchiveName=name,
            EventSourceArn=props["SourceArn"],
            EventPattern=json.dumps(props.get("EventPattern") or {}),
            RetentionDays=int(props.get("RetentionDays", 0)),
        )["ArchiveArn"]
        return {"Ref": name, "Arn": arn}

    def function(self, logical_id: str, props: dict[str, Any]) -> dict[str, Any]:
        return {}  # handled by _function: functions run in-process


def _function(
    logical_id: str, props: dict[str, Any], template: dict[str, Any], resolver: _Resolver
) -> Function:
    globals_ = resolver.resolve(((template.get("Globals") or {}).get("Function")) or {})
    environment = {
        **((globals_.get("Environment") or {}).get("Variables") or {}),
        **((props.get("Environment") or {}).get("Variables") or {}),
    }
    topics = [
        event["Properties"]["Topic"]
        for event in (props.get("Events") or {}).values()
        if event.get("Type") == "SNS"
    ]
    return Function(
        logical_id=logical_id,
        code_uri=ROOT / props.get("CodeUri", globals_.get("CodeUri", "")),
        handler=props.get("Handler", globals_.get("Handler", "")),
        environment={k: "" if v is None else str(v) for k, v in environment.items()},
        sns_topics=topics,
    )


# What the created resources lack locally: moto stores these settings or has no such feature,
# and nothing here enforces them.
NOT_ENFORCED = (
    "access control (IAM, resource and key policies), KMS encryption at rest, SNS"
    " subscription redrive, Lambda retries and event age, reserved concurrency, alarm"
    " evaluation and notification, deletion policies"
)


def describe(deployment: LocalDeployment) -> str:
    """A short human-readable list of what was created and what was not."""
    rows = [
        (lid, attrs["Type"], str(attrs["Ref"]))
        for lid, attrs in deployment.resources.items()
        if attrs["Type"] != "AWS::Serverless::Function"
    ]
    rows += [(f.logical_id, "(runs in-process)", f.handler) for f in deployment.functions.values()]
    width = max(len(lid) for lid, _, _ in rows)
    lines = [f"  {lid:<{width}} {kind:<28} {ref}" for lid, kind, ref in rows]
    if deployment.not_emulated:
        lines.append("  not emulated locally: " + ", ".join(deployment.not_emulated))
    lines.append("  created but not enforced locally: " + NOT_ENFORCED)
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - a quick look at what would be created
    print(json.dumps(sorted(load_template().get("Resources") or {}), indent=2))
