"""Read a SAM template and resolve its functions for the local stack.

``template.yaml`` defines the functions once: handler, code, layers, timeout, memory and environment. This
module loads it (with CloudFormation's short intrinsic tags such as ``!Ref`` and ``!Sub``), merges
``Globals.Function`` into every ``AWS::Serverless::Function`` as SAM does, and resolves what the local
stack needs into plain values:

- ``!Ref`` of a parameter → its override or Default; of a pseudo parameter → the local value; of a
  resource → its logical id (a function's name *is* its logical id locally, like ``sam local``);
- ``!GetAtt Res.Attr`` and ``${Res.Attr}`` → a plausible local value (an ARN, URL or name built from the
  logical id);
- ``!Sub``, ``!Join``, ``!Select``, ``!Split``, ``!FindInMap``, ``!Base64``, ``!GetAZs``, ``!Cidr``,
  ``!If`` and the conditions (``!Equals``, ``!Not``, ``!And``, ``!Or``, ``!Condition``) are evaluated;
- what cannot be known locally (``!ImportValue``, unknown resources, ...) becomes ``""`` and a warning.

Intrinsic tags are loaded into their long JSON form (``{"Ref": ...}``, ``{"Fn::Sub": ...}``), so a
template written in either form resolves the same way.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "FunctionSpec",
    "TemplateError",
    "load_template",
    "resolve_functions",
]

log = logging.getLogger(__name__)

_EMPTY: Mapping[str, Any] = {}

# Values of the pseudo parameters locally; AWS::Region and AWS::AccountId come from the arguments.
_PARTITION = "aws"
_URL_SUFFIX = "amazonaws.com"
_STACK_NAME = "local"

# Lambda's defaults when neither the function nor Globals says otherwise.
_DEFAULT_TIMEOUT = 3
_DEFAULT_MEMORY = 128
_DEFAULT_ARCHITECTURES = ("x86_64",)


class TemplateError(ValueError):
    """The template cannot be read or is not a SAM/CloudFormation template."""


# ---- loading ---------------------------------------------------------------------------------------------

_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "Sub",
            "GetAtt",
            "If",
            "Equals",
            "Not",
            "And",
            "Or",
            "Select",
            "Join",
            "Split",
            "FindInMap",
            "ImportValue",
            "Base64",
            "GetAZs",
            "Cidr",
            "Length",
            "ToJsonString",
            "Transform",
        )
    },
}


class _TemplateLoader(yaml.SafeLoader):
    """SafeLoader that turns ``!Tag value`` into ``{"Fn::Tag": value}`` (``{"Ref": value}`` for !Ref)."""


def _intrinsic_constructor(long_name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt" and isinstance(value, str):
                # !GetAtt Res.Attr.Sub → ["Res", "Attr.Sub"]
                res, _, attr = value.partition(".")
                value = [res, attr]
            elif long_name == "Fn::GetAZs" and value is None:
                value = ""
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:  # pragma: no cover - yaml has only these three node kinds
            raise TemplateError(f"unexpected node for !{long_name}")
        return {long_name: value}

    return construct


for _short, _long in _SHORT_TAGS.items():
    _TemplateLoader.add_constructor(f"!{_short}", _intrinsic_constructor(_long))


def load_template(path: Path) -> dict[str, Any]:
    """Load a YAML (or JSON) template; intrinsic tags come back in their long form."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise TemplateError(f"cannot read template {path}: {e}") from e
    try:
        data = yaml.load(text, Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise TemplateError(f"cannot parse template {path}: {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise TemplateError(f"{path} is not a CloudFormation template (no Resources mapping)")
    return data


# ---- the result ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSpec:
    """One ``AWS::Serverless::Function``, resolved for a local run."""

    logical_id: str
    function_name: str
    code_dir: Path
    handler: str
    runtime: str
    architectures: list[str]
    timeout: float
    memory_size: int
    environment: dict[str, str]
    layer_dirs: list[Path]
    api_events: list[tuple[str, str]]
    schedule_events: list[dict[str, Any]] = field(default_factory=list)
    s3_events: list[dict[str, Any]] = field(default_factory=list)
    other_events: dict[str, dict[str, Any]] = field(default_factory=dict)
    region: str = "ap-southeast-3"
    account_id: str = "123456789012"
    warnings: list[str] = field(default_factory=list)
    alias: str | None = None  # AutoPublishAlias: the one qualifier besides $LATEST an Invoke may name
    snap_start: bool = False  # SnapStart ApplyOn PublishedVersions (with an alias): the worker runs the hooks

    @property
    def arn(self) -> str:
        return f"arn:{_PARTITION}:lambda:{self.region}:{self.account_id}:function:{self.function_name}"


# ---- resolution ------------------------------------------------------------------------------------------


class _Unresolvable(Exception):
    """A value that cannot be known locally; the caller records a warning and uses ""."""


class _NoValue:
    """``!Ref AWS::NoValue``: the property (or list item) is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")

# Attributes whose local value is the logical id itself (names).
_NAME_ATTRIBUTES = {"Name", "BucketName", "QueueName", "TopicName", "TableName", "FunctionName", "Id"}


def _service_of(resource_type: str) -> str:
    parts = resource_type.split("::")
    if len(parts) >= 2 and parts[0] == "AWS":
        service = parts[1].lower()
        return {"serverless": "lambda", "secretsmanager": "secretsmanager"}.get(service, service)
    return "local"


class _Resolver:
    def __init__(
        self,
        template: Mapping[str, Any],
        *,
        parameter_overrides: Mapping[str, str],
        region: str,
        account_id: str,
    ) -> None:
        self.template = template
        self.region = region
        self.account_id = account_id
        self.resources: Mapping[str, Any] = template.get("Resources") or {}
        self.mappings: Mapping[str, Any] = template.get("Mappings") or {}
        self.conditions: Mapping[str, Any] = template.get("Conditions") or {}
        self.warnings: list[str] = []
        self.pseudo: dict[str, Any] = {
            "AWS::Region": region,
            "AWS::AccountId": account_id,
            "AWS::StackName": _STACK_NAME,
            "AWS::StackId": (
                f"arn:{_PARTITION}:cloudformation:{region}:{account_id}:stack/{_STACK_NAME}/"
                "51af3dc0-da77-11e4-872e-1234567db123"
            ),
            "AWS::Partition": _PARTITION,
            "AWS::URLSuffix": _URL_SUFFIX,
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        self.parameters: dict[str, Any] = {}
        declared: Mapping[str, Any] = template.get("Parameters") or {}
        for name, value in parameter_overrides.items():
            if name.startswith("AWS::"):
                self.pseudo[name] = value  # like sam local: pseudo parameters can be overridden
            elif name not in declared:
                self.warnings.append(f"parameter override {name!r} is not a parameter of the template")
        for name, spec in declared.items():
            spec = spec if isinstance(spec, Mapping) else {}
            if name in parameter_overrides:
                raw: Any = parameter_overrides[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                self.warnings.append(f"parameter {name!r} has no Default and no override: using ''")
                raw = ""
            text = _scalar_to_str(raw) if not isinstance(raw, list) else ",".join(map(_scalar_to_str, raw))
            allowed = spec.get("AllowedValues")
            if isinstance(allowed, list) and text not in {_scalar_to_str(a) for a in allowed}:
                self.warnings.append(f"parameter {name!r}: {text!r} is not one of its AllowedValues")
            ptype = str(spec.get("Type", "String"))
            if ptype == "CommaDelimitedList" or ptype.startswith("List<"):
                self.parameters[name] = [item.strip() for item in text.split(",")]
            else:
                self.parameters[name] = text
        self._condition_values: dict[str, bool] = {}
        self._evaluating: set[str] = set()

    # -- references --------------------------------------------------------------------------------------

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise _Unresolvable(f"Ref of a non-string {name!r}")
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.resources:
            return name  # a resource's name locally is its logical id (function, bucket, queue, ...)
        raise _Unresolvable(f"Ref to unknown {name!r}")

    def get_att(self, resource: str, attribute: str) -> str:
        if resource not in self.resources:
            raise _Unresolvable(f"GetAtt of unknown resource {resource!r}")
        body = self.resources[resource]
        rtype = str(body.get("Type", "")) if isinstance(body, Mapping) else ""
        service = _service_of(rtype)
        region, account = self.region, self.account_id
        if attribute == "Arn" or attribute.endswith("Arn"):
            if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
                return f"arn:{_PARTITION}:lambda:{region}:{account}:function:{resource}"
            if rtype == "AWS::S3::Bucket":
                return f"arn:{_PARTITION}:s3:::{resource}"
            if rtype == "AWS::SecretsManager::Secret":
                return f"arn:{_PARTITION}:secretsmanager:{region}:{account}:secret:{resource}"
            if rtype in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"):
                return f"arn:{_PARTITION}:dynamodb:{region}:{account}:table/{resource}"
            if rtype == "AWS::IAM::Role":
                return f"arn:{_PARTITION}:iam::{account}:role/{resource}"
            if rtype == "AWS::Serverless::StateMachine" or rtype == "AWS::StepFunctions::StateMachine":
                return f"arn:{_PARTITION}:states:{region}:{account}:stateMachine:{resource}"
            return f"arn:{_PARTITION}:{service}:{region}:{account}:{resource}"
        if attribute == "QueueUrl":
            return f"https://sqs.{region}.{_URL_SUFFIX}/{account}/{resource}"
        if attribute in ("DomainName", "RegionalDomainName"):
            if rtype == "AWS::S3::Bucket":
                return f"{resource}.s3.{region}.{_URL_SUFFIX}"
            return f"{resource}.{service}.{region}.{_URL_SUFFIX}"
        if attribute == "WebsiteURL":
            return f"http://{resource}.s3-website.{region}.{_URL_SUFFIX}"
        if attribute in _NAME_ATTRIBUTES or attribute.endswith("Name"):
            return resource
        self.warnings.append(f"GetAtt {resource}.{attribute}: no local value known, using {resource!r}")
        return resource

    # -- conditions --------------------------------------------------------------------------------------

    def condition(self, name: Any) -> bool:
        if not isinstance(name, str) or name not in self.conditions:
            raise _Unresolvable(f"unknown condition {name!r}")
        if name in self._condition_values:
            return self._condition_values[name]
        if name in self._evaluating:
            raise _Unresolvable(f"condition {name!r} refers to itself")
        self._evaluating.add(name)
        try:
            value = self.truth(self.conditions[name])
        finally:
            self._evaluating.discard(name)
        self._condition_values[name] = value
        return value

    def truth(self, node: Any) -> bool:
        value = self.resolve(node)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _Unresolvable(f"not a condition: {node!r}")

    # -- values ------------------------------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        """Resolve intrinsic functions recursively; AWS::NoValue entries are dropped from dicts and lists."""
        if isinstance(node, Mapping):
            if len(node) == 1:
                ((key, arg),) = node.items()
                if key == "Ref":
                    return self.ref(self.resolve(arg) if isinstance(arg, Mapping) else arg)
                if key == "Condition" and isinstance(arg, str):
                    return self.condition(arg)
                if isinstance(key, str) and key.startswith("Fn::"):
                    return self._function(key[4:], arg)
            out: dict[str, Any] = {}
            for key, value in node.items():
                resolved = self.resolve(value)
                if resolved is not NO_VALUE:
                    out[str(key)] = resolved
            return out
        if isinstance(node, list):
            return [v for v in (self.resolve(item) for item in node) if v is not NO_VALUE]
        return node

    def _function(self, name: str, arg: Any) -> Any:
        if name == "Sub":
            return self._sub(arg)
        if name == "GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else self.resolve(arg)
            if not isinstance(parts, list) or len(parts) != 2:
                raise _Unresolvable(f"bad Fn::GetAtt {arg!r}")
            return self.get_att(str(parts[0]), str(parts[1]))
        if name == "If":
            if not isinstance(arg, list) or len(arg) != 3:
                raise _Unresolvable(f"bad Fn::If {arg!r}")
            return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
        if name == "Equals":
            a, b = self._args(name, arg, 2)
            return _scalar_to_str(self.resolve(a)) == _scalar_to_str(self.resolve(b))
        if name == "Not":
            (a,) = self._args(name, arg, 1)
            return not self.truth(a)
        if name == "And":
            return all(self.truth(a) for a in self._args(name, arg))
        if name == "Or":
            return any(self.truth(a) for a in self._args(name, arg))
        if name == "Join":
            delimiter, items = self._args(name, arg, 2)
            values = self.resolve(items)
            if not isinstance(values, list):
                raise _Unresolvable(f"Fn::Join of a non-list {items!r}")
            return str(self.resolve(delimiter)).join(_scalar_to_str(v) for v in values)
        if name == "Split":
            delimiter, source = self._args(name, arg, 2)
            return _scalar_to_str(self.resolve(source)).split(str(self.resolve(delimiter)))
        if name == "Select":
            index, items = self._args(name, arg, 2)
            values = self.resolve(items)
            try:
                return values[int(self.resolve(index))]
            except (TypeError, ValueError, IndexError, KeyError) as e:
                raise _Unresolvable(f"Fn::Select {arg!r}: {e}") from e
        if name == "FindInMap":
            args = [self.resolve(a) for a in self._args(name, arg)]
            if len(args) not in (3, 4):
                raise _Unresolvable(f"bad Fn::FindInMap {arg!r}")
            try:
                return self.mappings[args[0]][args[1]][args[2]]
            except (KeyError, TypeError) as e:
                if len(args) == 4 and isinstance(args[3], Mapping) and "DefaultValue" in args[3]:
                    return args[3]["DefaultValue"]
                raise _Unresolvable(f"Fn::FindInMap {args[:3]!r}: no such entry") from e
        if name == "Base64":
            return base64.b64encode(_scalar_to_str(self.resolve(arg)).encode()).decode()
        if name == "GetAZs":
            region = self.resolve(arg) or self.region
            return [f"{region}{letter}" for letter in "abc"]
        if name == "Cidr":
            block, count, bits = (self.resolve(a) for a in self._args(name, arg, 3))
            try:
                network = ipaddress.ip_network(str(block), strict=False)
                prefix = network.max_prefixlen - int(bits)
                subnets = network.subnets(new_prefix=prefix)
                return [str(next(subnets)) for _ in range(int(count))]
            except (ValueError, StopIteration) as e:
                raise _Unresolvable(f"Fn::Cidr {arg!r}: {e}") from e
        if name == "Length":
            values = self.resolve(arg)
            if not isinstance(values, list):
                raise _Unresolvable(f"Fn::Length of a non-list {arg!r}")
            return len(values)
        if name == "ToJsonString":
            return json.dumps(self.resolve(arg), separators=(",", ":"))
        if name == "ImportValue":
            raise _Unresolvable(f"Fn::ImportValue {arg!r}: other stacks' exports do not exist locally")
        raise _Unresolvable(f"Fn::{name} is not supported locally")

    @staticmethod
    def _args(name: str, arg: Any, count: int | None = None) -> list[Any]:
        if not isinstance(arg, list) or (count is not None and len(arg) != count):
            raise _Unresolvable(f"bad Fn::{name} arguments {arg!r}")
        return arg

    def _sub(self, arg: Any) -> str:
        variables: Mapping[str, Any] = {}
        if isinstance(arg, list):
            if len(arg) != 2 or not isinstance(arg[1], Mapping):
                raise _Unresolvable(f"bad Fn::Sub {arg!r}")
            text, variables = arg[0], arg[1]
        else:
            text = arg
        if not isinstance(text, str):
            raise _Unresolvable(f"Fn::Sub of a non-string {text!r}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"  # ${!Literal} stays literal
            if name in variables:
                return _scalar_to_str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return self.get_att(resource, attribute)
            value = self.ref(name)
            if isinstance(value, list):
                raise _Unresolvable(f"Fn::Sub ${{{name}}} is a list")
            return _scalar_to_str(value)

        return _SUB_VARIABLE.sub(replace, text)


def _scalar_to_str(value: Any) -> str:
    """A scalar as CloudFormation passes it to a string property (booleans lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- functions -------------------------------------------------------------------------------------------


def _merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules for the properties the local stack uses: maps merge, Layers append, scalars
    (and Architectures, which is one value in a list) are overridden by the function."""
    merged = dict(global_props)
    for key, value in props.items():
        base = merged.get(key)
        if key == "Layers" and isinstance(base, list) and isinstance(value, list):
            merged[key] = [*base, *value]
        elif key == "Environment" and isinstance(base, Mapping) and isinstance(value, Mapping):
            env = {**base, **value}
            base_vars, own_vars = base.get("Variables"), value.get("Variables")
            if isinstance(base_vars, Mapping) and isinstance(own_vars, Mapping):
                env["Variables"] = {**base_vars, **own_vars}
            merged[key] = env
        else:
            merged[key] = value
    return merged


def _is_intrinsic(node: Any) -> bool:
    return (
        isinstance(node, Mapping)
        and len(node) == 1
        and any(k == "Ref" or k == "Condition" or str(k).startswith("Fn::") for k in node)
    )


class _FunctionBuilder:
    def __init__(self, resolver: _Resolver, template_dir: Path, logical_id: str) -> None:
        self.resolver = resolver
        self.template_dir = template_dir
        self.logical_id = logical_id
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.logical_id}: {message}")

    def value(self, node: Any, what: str, default: Any = "") -> Any:
        try:
            value = self.resolver.resolve(node)
        except _Unresolvable as e:
            self.warn(f"{what}: {e}; using {default!r}")
            return default
        return default if value is NO_VALUE else value

    def environment(self, props: Mapping[str, Any]) -> dict[str, str]:
        env_node = props.get("Environment")
        if env_node is None:
            return {}
        if _is_intrinsic(env_node):
            env_node = self.value(env_node, "Environment", {})
        variables = env_node.get("Variables") if isinstance(env_node, Mapping) else None
        if _is_intrinsic(variables):
            variables = self.value(variables, "Environment.Variables", {})
        if not isinstance(variables, Mapping):
            if variables is not None:
                self.warn(f"Environment.Variables is not a mapping: {variables!r}")
            return {}
        env: dict[str, str] = {}
        for name, node in variables.items():
            try:
                value = self.resolver.resolve(node)
            except _Unresolvable as e:
                self.warn(f"Environment.Variables.{name}: {e}; using ''")
                env[str(name)] = ""
                continue
            if value is NO_VALUE:
                continue
            if isinstance(value, (list, dict)):
                self.warn(f"Environment.Variables.{name}: not a string ({value!r}); using ''")
                value = ""
            env[str(name)] = _scalar_to_str(value)
        return env

    def layer_dirs(self, props: Mapping[str, Any]) -> list[Path]:
        layers = props.get("Layers") or []
        if _is_intrinsic(layers):
            layers = self.value(layers, "Layers", [])
        if not isinstance(layers, list):
            self.warn(f"Layers is not a list: {layers!r}")
            return []
        dirs: list[Path] = []
        for item in layers:
            if isinstance(item, Mapping) and set(item) == {"Ref"} and item["Ref"] in self.resolver.resources:
                directory = self._layer_dir(str(item["Ref"]))
                if directory is not None and directory not in dirs:
                    dirs.append(directory)
                continue
            value = self.value(item, "Layers", "")
            if isinstance(value, str) and value in self.resolver.resources:
                directory = self._layer_dir(value)
                if directory is not None and directory not in dirs:
                    dirs.append(directory)
            elif value:
                self.warn(f"layer {value!r} is not a layer of this template: skipped locally")
        return dirs

    def _layer_dir(self, layer_id: str) -> Path | None:
        body = self.resolver.resources[layer_id]
        rtype = body.get("Type") if isinstance(body, Mapping) else None
        props = body.get("Properties") or {} if isinstance(body, Mapping) else {}
        if rtype == "AWS::Serverless::LayerVersion":
            content = self.value(props.get("ContentUri"), f"layer {layer_id} ContentUri", "")
        elif rtype == "AWS::Lambda::LayerVersion":
            content = self.value(props.get("Content"), f"layer {layer_id} Content", "")
        else:
            self.warn(f"Layers: {layer_id} is a {rtype}, not a layer: skipped")
            return None
        if not isinstance(content, str) or not content:
            self.warn(f"layer {layer_id} has no local ContentUri ({content!r}): skipped")
            return None
        directory = (self.template_dir / content).resolve()
        # A layer without a build method is packaged as is: Lambda puts its python/ folder on the path.
        metadata = body.get("Metadata") or {}
        if (
            not (isinstance(metadata, Mapping) and metadata.get("BuildMethod"))
            and (directory / "python").is_dir()
        ):
            directory = directory / "python"
        if not directory.is_dir():
            self.warn(f"layer {layer_id} directory {directory} does not exist")
        return directory

    def events(
        self, props: Mapping[str, Any]
    ) -> tuple[list[tuple[str, str]], list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, Any]]]:
        api: list[tuple[str, str]] = []
        schedules: list[dict[str, Any]] = []
        s3: list[dict[str, Any]] = []
        other: dict[str, dict[str, Any]] = {}
        events = props.get("Events") or {}
        if not isinstance(events, Mapping):
            self.warn(f"Events is not a mapping: {events!r}")
            return api, schedules, s3, other
        for name, event in events.items():
            if not isinstance(event, Mapping):
                self.warn(f"event {name} is not a mapping")
                continue
            etype = event.get("Type")
            eprops = event.get("Properties") or {}
            if etype == "Api":
                method = str(self.value(eprops.get("Method", "ANY"), f"event {name} Method", "ANY")).upper()
                path = str(self.value(eprops.get("Path", "/"), f"event {name} Path", "/"))
                api.append(("ANY" if method in ("ANY", "X-AMAZON-APIGATEWAY-ANY-METHOD") else method, path))
            elif etype in ("Schedule", "ScheduleV2"):
                resolved = self.value(eprops, f"event {name}", {})
                schedules.append({"Name": str(name), "Type": etype, **resolved})
            elif etype == "S3":
                s3.append({"Name": str(name), **dict(eprops)})
            else:
                other[str(name)] = dict(event)
        return api, schedules, s3, other


def resolve_functions(
    template_path: Path,
    *,
    parameter_overrides: Mapping[str, str] = _EMPTY,
    env_overrides: Mapping[str, Mapping[str, str]] = _EMPTY,
    declared_only: bool = False,
    region: str = "ap-southeast-3",
    account_id: str = "123456789012",
    warnings: list[str] | None = None,
) -> dict[str, FunctionSpec]:
    """The ``AWS::Serverless::Function`` resources of a template, by logical id, ready to run locally.

    ``env_overrides`` has the shape of ``sam local invoke --env-vars``: ``"Parameters"`` applies to every
    function and ``"<LogicalId>"`` to one, and wins over ``"Parameters"``. By default variables a function
    does not declare are added too (the local stack adds ``AWS_ENDPOINT_URL_*`` and credentials this way).
    ``declared_only`` applies them as ``sam local`` does: only to the variables the function declares
    (Globals or its own ``Environment``); SAM ignores the others silently, here each one is a warning.
    Everything that could not be resolved is logged, listed in each spec's ``warnings`` and, when given,
    appended to ``warnings``.
    """
    template_path = Path(template_path).resolve()
    template = load_template(template_path)
    template_dir = template_path.parent
    resolver = _Resolver(
        template, parameter_overrides=parameter_overrides, region=region, account_id=account_id
    )
    all_warnings: list[str] = list(resolver.warnings)
    globals_section = template.get("Globals") or {}
    global_props = globals_section.get("Function") or {} if isinstance(globals_section, Mapping) else {}

    functions: dict[str, FunctionSpec] = {}
    declared_anywhere: set[str] = set()
    for logical_id, body in resolver.resources.items():
        if not isinstance(body, Mapping) or body.get("Type") != "AWS::Serverless::Function":
            continue
        builder = _FunctionBuilder(resolver, template_dir, logical_id)
        before = len(resolver.warnings)
        props = _merge_globals(global_props, body.get("Properties") or {})
        if body.get("Condition") and not builder.value({"Condition": body["Condition"]}, "Condition", True):
            builder.warn(
                f"condition {body['Condition']} is false: the function would not exist; kept locally"
            )
        if props.get("PackageType") == "Image":
            builder.warn("PackageType Image cannot run without Docker: skipped")
            all_warnings.extend(builder.warnings)
            continue
        code_uri = builder.value(props.get("CodeUri"), "CodeUri", "")
        if not isinstance(code_uri, str) or not code_uri:
            builder.warn(f"CodeUri {code_uri!r} is not a local directory: skipped")
            all_warnings.extend(builder.warnings)
            continue
        code_dir = (template_dir / code_uri).resolve()
        if not code_dir.is_dir():
            builder.warn(f"code directory {code_dir} does not exist")

        environment = builder.environment(props)
        declared = set(environment)
        declared_anywhere |= declared
        for scope in ("Parameters", logical_id):
            for name, value in (env_overrides.get(scope) or {}).items():
                if declared_only and str(name) not in declared:
                    if scope == logical_id:  # a Parameters value is for the functions that declare it
                        builder.warn(f"env override {name!r} ignored: the function does not declare it")
                    continue
                environment[str(name)] = _scalar_to_str(value)

        architectures = builder.value(
            props.get("Architectures", list(_DEFAULT_ARCHITECTURES)), "Architectures"
        )
        if not isinstance(architectures, list) or not architectures:
            architectures = list(_DEFAULT_ARCHITECTURES)
        timeout = builder.value(props.get("Timeout", _DEFAULT_TIMEOUT), "Timeout", _DEFAULT_TIMEOUT)
        memory = builder.value(props.get("MemorySize", _DEFAULT_MEMORY), "MemorySize", _DEFAULT_MEMORY)
        try:
            timeout_s = float(timeout)
        except (TypeError, ValueError):
            builder.warn(f"Timeout {timeout!r} is not a number: using {_DEFAULT_TIMEOUT}")
            timeout_s = float(_DEFAULT_TIMEOUT)
        try:
            memory_mb = int(memory)
        except (TypeError, ValueError):
            builder.warn(f"MemorySize {memory!r} is not a number: using {_DEFAULT_MEMORY}")
            memory_mb = _DEFAULT_MEMORY
        handler = str(builder.value(props.get("Handler", ""), "Handler", ""))
        if not handler:
            builder.warn("no Handler")
        api, schedules, s3, other = builder.events(props)
        layer_dirs = builder.layer_dirs(props)
        alias = builder.value(props.get("AutoPublishAlias"), "AutoPublishAlias", None) or None
        snap = builder.value(props.get("SnapStart"), "SnapStart", None)
        snap_start = isinstance(snap, Mapping) and snap.get("ApplyOn") == "PublishedVersions"
        if snap_start and alias is None:
            builder.warn("SnapStart applies to published versions only, and the function has no alias")

        # GetAtt warnings raised while resolving this function's values belong to it.
        builder.warnings.extend(f"{logical_id}: {w}" for w in resolver.warnings[before:])
        del resolver.warnings[before:]
        functions[logical_id] = FunctionSpec(
            logical_id=logical_id,
            function_name=logical_id,
            code_dir=code_dir,
            handler=handler,
            runtime=str(builder.value(props.get("Runtime", ""), "Runtime", "")),
            architectures=[str(a) for a in architectures],
            timeout=timeout_s,
            memory_size=memory_mb,
            environment=environment,
            layer_dirs=layer_dirs,
            api_events=api,
            schedule_events=schedules,
            s3_events=s3,
            other_events=other,
            region=region,
            account_id=account_id,
            warnings=list(builder.warnings),
            alias=str(alias) if alias is not None else None,
            snap_start=snap_start and alias is not None,
        )
        all_warnings.extend(builder.warnings)

    for scope in env_overrides:
        if scope != "Parameters" and scope not in functions:
            all_warnings.append(f"env override for {scope!r}: no such function in the template")
    if declared_only:
        for name in sorted(set(env_overrides.get("Parameters") or {}) - declared_anywhere):
            all_warnings.append(f"env override {name!r} ignored: no function declares it")
    for message in all_warnings:
        log.warning("template %s: %s", template_path.name, message)
    if warnings is not None:
        warnings.extend(all_warnings)
    return functions
