"""One template, three profiles (issue 12 item 5): production, lean and an existing network and database.

The transform runs offline (samtranslator); conditions are then evaluated for each profile's parameters, as
CloudFormation would, so each assertion is about what a profile really deploys. cfn-lint runs on each profile
too: a template whose defaults are the profile's values.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import ROOT
from tests.unit.test_template_import_wiring import transformed

PRODUCTION = {
    "NetworkMode": "create",
    "NatMode": "gateway",
    "InterfaceEndpoints": "true",
    "DatabaseMode": "aurora-serverless",
    "UseRdsProxy": "true",
}
LEAN = {
    "NetworkMode": "create",
    "NatMode": "instance",
    "InterfaceEndpoints": "false",
    "DatabaseMode": "rds-mysql-small",
    "UseRdsProxy": "false",
}
EXISTING = {
    "NetworkMode": "existing",
    "SubnetIds": "subnet-0123456789abcdef0,subnet-0fedcba9876543210",
    "SecurityGroupIds": "sg-0123456789abcdef0",
    "DatabaseMode": "existing",
    "DatabaseSecretArn": "arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:rds-master-AbCdEf",
    "DatabaseHost": "mysql.agency.internal",
    "DatabaseTlsCa": "https://truststore.pki.rds.amazonaws.com/ap-southeast-3/ap-southeast-3-bundle.pem",
}
PROFILES = {"production": PRODUCTION, "lean": LEAN, "existing": EXISTING}
NO_VALUE = object()


class Profile:
    """A template with its conditions decided for one set of parameter values."""

    def __init__(self, template: dict[str, Any], values: dict[str, str]) -> None:
        self.params: dict[str, Any] = {
            name: spec.get("Default", "") for name, spec in template.get("Parameters", {}).items()
        }
        self.params.update(values)
        for name, spec in template.get("Parameters", {}).items():
            if "List" in spec.get("Type", "") and isinstance(self.params[name], str):
                self.params[name] = [v for v in self.params[name].split(",") if v]
        self._conditions = template.get("Conditions", {})
        self._decided: dict[str, bool] = {}
        self.resources = {
            name: body
            for name, body in template["Resources"].items()
            if "Condition" not in body or self.condition(body["Condition"])
        }

    def condition(self, name: str) -> bool:
        if name not in self._decided:
            self._decided[name] = bool(self.value(self._conditions[name]))
        return self._decided[name]

    def value(self, node: Any) -> Any:
        """Fn::If, conditions, Ref to parameters and Fn::Join/Split resolved; other intrinsics kept."""
        if isinstance(node, list):
            return [v for v in (self.value(n) for n in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Fn::If":
                return self.value(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Condition":
                return self.condition(arg)
            if key == "Fn::Equals":
                return self.value(arg[0]) == self.value(arg[1])
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::And":
                return all(self.value(a) for a in arg)
            if key == "Fn::Or":
                return any(self.value(a) for a in arg)
            if key == "Ref" and arg == "AWS::NoValue":
                return NO_VALUE
            if key == "Ref" and arg in self.params:
                return self.params[arg]
            if key == "Fn::Join":
                parts = self.value(arg[1])
                if isinstance(parts, list) and all(isinstance(p, str) for p in parts):
                    return arg[0].join(parts)
        return {k: v for k, v in ((k, self.value(v)) for k, v in node.items()) if v is not NO_VALUE}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    mp = pytest.MonkeyPatch()
    try:
        return transformed(mp)
    finally:
        mp.undo()


def nested(path: str, values: dict[str, str]) -> Profile:
    text = (ROOT / path).read_text()
    loaded = yaml.load(text, Loader=_cfn_loader())
    return Profile(loaded, values)


def _cfn_loader() -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

    def construct(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        key = "Ref" if suffix == "Ref" else ("Condition" if suffix == "Condition" else f"Fn::{suffix}")
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            assert isinstance(node, yaml.MappingNode)
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    Loader.add_multi_constructor("!", construct)
    return Loader


def lambda_functions(profile: Profile) -> dict[str, dict[str, Any]]:
    return {
        name: profile.value(body["Properties"])
        for name, body in profile.resources.items()
        if body["Type"] == "AWS::Lambda::Function"
    }


@pytest.mark.parametrize("name", PROFILES)
def test_every_function_runs_in_the_vpc_of_the_profile(template: dict[str, Any], name: str) -> None:
    profile = Profile(template, PROFILES[name])
    functions = lambda_functions(profile)
    assert {"MigrateFunction", "WebhookFunction", "GeneralFunction", "ImportFunction"} <= set(functions)
    for logical_id, props in functions.items():
        vpc = props.get("VpcConfig")
        assert vpc, f"{name}: {logical_id} is outside the VPC but connects to a private database"
        if name == "existing":
            assert vpc["SubnetIds"] == EXISTING["SubnetIds"].split(","), logical_id
            assert vpc["SecurityGroupIds"] == [EXISTING["SecurityGroupIds"]], logical_id
        else:
            assert vpc["SubnetIds"] == {
                "Fn::Split": [",", {"Fn::GetAtt": ["Network", "Outputs.PrivateSubnetIds"]}]
            }, logical_id


def test_a_profile_without_a_network_puts_no_function_in_a_vpc(template: dict[str, Any]) -> None:
    profile = Profile(template, {**EXISTING, "NetworkMode": "none", "SubnetIds": "", "SecurityGroupIds": ""})
    assert "Network" not in profile.resources
    assert all("VpcConfig" not in p for p in lambda_functions(profile).values())


@pytest.mark.parametrize("name", PROFILES)
def test_the_functions_log_in_as_the_app_user_and_only_the_migration_reads_the_master_secret(
    template: dict[str, Any], name: str
) -> None:
    profile = Profile(template, PROFILES[name])
    master = (
        {"Fn::GetAtt": ["Database", "Outputs.MasterSecretArn"]}
        if name != "existing"
        else EXISTING["DatabaseSecretArn"]
    )
    for logical_id, props in lambda_functions(profile).items():
        env = props["Environment"]["Variables"]
        if logical_id == "MigrateFunction":
            assert env["DB_SECRET_ARN"] == master
            assert env["APP_DB_SECRET_ARN"] == {"Ref": "AppDatabaseSecret"}
        else:
            assert env["DB_SECRET_ARN"] == {"Ref": "AppDatabaseSecret"}, logical_id
    master_text = json.dumps(master)
    for role_name, body in profile.resources.items():
        if body["Type"] != "AWS::IAM::Role":
            continue
        policies = json.dumps(profile.value(body["Properties"]).get("Policies", []))
        if role_name == "MigrateFunctionRole":
            assert master_text in policies
        else:
            assert master_text not in policies, f"{role_name} may read the master secret"
            assert "DatabaseSecretArn" not in policies, role_name
            assert "MasterSecretArn" not in policies, role_name


@pytest.mark.parametrize("name", PROFILES)
def test_the_database_settings_of_the_functions_fit_the_profile(template: dict[str, Any], name: str) -> None:
    profile = Profile(template, PROFILES[name])
    env = lambda_functions(profile)["GeneralFunction"]["Environment"]["Variables"]
    if name == "existing":
        assert env["DB_HOST"] == EXISTING["DatabaseHost"]
        assert env["DB_TLS"] == "true"
        assert env["DB_TLS_CA"] == EXISTING["DatabaseTlsCa"]
        # a database of the agency's: no parameter group of ours, so the functions set the session
        assert env["DB_SESSION_INIT"] == "true"
        assert "Database" not in profile.resources
        assert "Network" not in profile.resources
    else:
        assert env["DB_HOST"] == {"Fn::GetAtt": ["Database", "Outputs.AppEndpoint"]}
        assert env["DB_TLS"] == "true"
        assert env["DB_TLS_CA"] == {"Fn::GetAtt": ["Database", "Outputs.AppTlsCa"]}
        assert (
            env["DB_SESSION_INIT"] == "false"
        )  # the parameter group sets it: no SET pins a proxy connection
        stack = profile.value(profile.resources["Database"]["Properties"])["Parameters"]
        assert stack["Engine"] == PROFILES[name]["DatabaseMode"]
        assert stack["UseRdsProxy"] == PROFILES[name]["UseRdsProxy"]


@pytest.mark.parametrize("name", PROFILES)
def test_nothing_takes_traffic_before_the_migration(template: dict[str, Any], name: str) -> None:
    profile = Profile(template, PROFILES[name])
    resources = profile.resources
    schema = resources["DatabaseSchema"]
    assert schema["Type"].startswith("Custom::")
    props = schema["Properties"]
    assert props["ServiceToken"] == {"Fn::GetAtt": ["MigrateFunction", "Arn"]}
    # SAM's layer version id is a hash of layers/core (the migrations included): a new one migrates
    assert props["SchemaVersion"]["Ref"].startswith("CoreLayer")

    def depends(name: str) -> set[str]:
        d = resources[name].get("DependsOn", [])
        return {d} if isinstance(d, str) else set(d)

    rest_api = next(n for n, r in resources.items() if r["Type"] == "AWS::ApiGateway::RestApi")
    assert "DatabaseSchema" in depends(rest_api)
    deployment = next(n for n, r in resources.items() if r["Type"] == "AWS::ApiGateway::Deployment")
    assert json.dumps(resources[deployment]["Properties"]).count(f'"{rest_api}"') >= 1
    for logical_id in lambda_functions(profile):
        if logical_id not in ("MigrateFunction", "SetupFunction"):
            assert "DatabaseSchema" in depends(logical_id), f"{logical_id} could run before the migration"
    # the event sources hang on their functions (through the alias and its version, which name the
    # function: SnapStart), which wait for the migration
    for n, r in resources.items():
        if r["Type"] == "AWS::Lambda::EventSourceMapping":
            target = r["Properties"]["FunctionName"]["Ref"]
            if resources[target]["Type"] == "AWS::Lambda::Alias":
                target = resources[target]["Properties"]["FunctionName"]["Ref"]
            assert "DatabaseSchema" in depends(target), n


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_names_unique_per_account_carry_the_stage(template: dict[str, Any], stage: str) -> None:
    names = []
    for body in template["Resources"].values():
        if body["Type"] in ("AWS::Scheduler::Schedule", "AWS::SecretsManager::Secret"):
            name = body["Properties"]["Name"]["Fn::Sub"]
            assert "${Stage}" in name
            names.append(name.replace("${Stage}", stage))
    assert len(names) == len(set(names)) >= 5
    assert any(n == f"sinawai-{stage}-daily-digest" for n in names)


def test_the_production_network_has_a_nat_gateway_and_endpoints_and_the_lean_one_neither() -> None:
    production = nested(
        "infra/cloudformation/network.yaml", {"NatMode": "gateway", "InterfaceEndpoints": "true"}
    )
    assert {"NatGateway", "SecretsManagerEndpoint", "LambdaEndpoint", "S3Endpoint"} <= set(
        production.resources
    )
    assert "NatInstance" not in production.resources
    lean = nested("infra/cloudformation/network.yaml", {"NatMode": "instance", "InterfaceEndpoints": "false"})
    assert {"NatInstance", "NatInstanceRecovery", "S3Endpoint"} <= set(lean.resources)
    assert not {"NatGateway", "NatAddress", "SecretsManagerEndpoint", "LambdaEndpoint"} & set(lean.resources)
    route = lean.value(lean.resources["PrivateDefaultRoute"]["Properties"])
    assert route == {
        "RouteTableId": {"Ref": "PrivateRouteTable"},
        "DestinationCidrBlock": "0.0.0.0/0",
        "InstanceId": {"Ref": "NatInstance"},
    }


def test_the_production_database_is_aurora_behind_a_proxy_that_admits_only_the_app_user() -> None:
    app_secret = (
        "arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:sinawai/dev/database-app-user-Ab12"
    )
    db = nested(
        "infra/cloudformation/database.yaml",
        {"Engine": "aurora-serverless", "UseRdsProxy": "true", "AppSecretArn": app_secret},
    )
    assert {"Cluster", "Instance", "ClusterParameters", "Proxy", "AuroraProxyTargets"} <= set(db.resources)
    assert "SmallInstance" not in db.resources
    proxy = db.value(db.resources["Proxy"]["Properties"])
    assert proxy["RequireTLS"] is True
    assert [a["SecretArn"] for a in proxy["Auth"]] == [app_secret]
    role = json.dumps(db.value(db.resources["ProxyRole"]["Properties"]))
    assert app_secret in role
    assert "MasterUserSecret" not in role
    params = db.value(db.resources["ClusterParameters"]["Properties"])["Parameters"]
    assert params["time_zone"] == "UTC"
    assert params["transaction_isolation"] == "READ-COMMITTED"
    assert "STRICT_ALL_TABLES" in params["sql_mode"]
    assert params["require_secure_transport"] == "ON"
    cluster = db.value(db.resources["Cluster"]["Properties"])
    assert cluster["StorageEncrypted"] is True
    assert cluster["ManageMasterUserPassword"] is True


def test_the_lean_database_is_one_private_rds_mysql_instance_reached_directly_with_the_rds_ca() -> None:
    text = (ROOT / "infra/cloudformation/database.yaml").read_text()
    loaded = yaml.load(text, Loader=_cfn_loader())
    db = Profile(loaded, {"Engine": "rds-mysql-small", "UseRdsProxy": "false"})
    assert "SmallInstance" in db.resources
    assert "InstanceParameters" in db.resources
    assert not {"Cluster", "Proxy", "ProxyRole", "AuroraProxyTargets"} & set(db.resources)
    instance = db.value(db.resources["SmallInstance"]["Properties"])
    assert instance["PubliclyAccessible"] is False
    assert instance["StorageEncrypted"] is True
    outputs = {k: db.value(v["Value"]) for k, v in loaded["Outputs"].items()}
    assert outputs["AppEndpoint"] == {"Fn::GetAtt": ["SmallInstance", "Endpoint.Address"]}
    assert outputs["AppTlsCa"] == {
        "Fn::Sub": "https://truststore.pki.rds.amazonaws.com/${AWS::Region}/${AWS::Region}-bundle.pem"
    }
    params = db.value(db.resources["InstanceParameters"]["Properties"])["Parameters"]
    assert params["require_secure_transport"] == "ON"
    assert params["time_zone"] == "UTC"


def _with_defaults(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        pattern = rf"(\n  {name}:\n(?:    .*\n)*?)    Default: .*\n"
        replaced, n = re.subn(pattern, rf'\g<1>    Default: "{value}"\n', text, count=1)
        if n == 0:  # no default yet: add one under Type
            replaced, n = re.subn(
                rf"(\n  {name}:\n    Type: .*\n)", rf'\g<1>    Default: "{value}"\n', text, count=1
            )
        assert n == 1, name
        text = replaced
    return text


@pytest.mark.parametrize("name", PROFILES)
def test_cfn_lint_is_clean_for_every_profile(tmp_path: Path, name: str) -> None:
    profile_template = tmp_path / "template.yaml"
    profile_template.write_text(_with_defaults((ROOT / "template.yaml").read_text(), PROFILES[name]))
    (tmp_path / "infra").symlink_to(ROOT / "infra")
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), str(profile_template)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("infra/cloudformation/network.yaml", {"NatMode": "instance", "InterfaceEndpoints": "false"}),
        ("infra/cloudformation/database.yaml", {"Engine": "rds-mysql-small", "UseRdsProxy": "false"}),
        ("infra/cloudformation/database.yaml", {"Engine": "rds-mysql-small", "UseRdsProxy": "true"}),
    ],
)
def test_cfn_lint_is_clean_for_the_nested_templates_of_each_profile(
    tmp_path: Path, path: str, values: dict[str, str]
) -> None:
    copy = tmp_path / "nested.yaml"
    copy.write_text(_with_defaults((ROOT / path).read_text(), values))
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(copy)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("env", "profile"), [("default", LEAN), ("prod", PRODUCTION)])
def test_samconfig_deploys_the_profiles_the_readme_names_and_holds_no_token(
    env: str, profile: dict[str, str]
) -> None:
    import tomllib

    text = (ROOT / "samconfig.toml").read_text()
    config = tomllib.loads(text)
    overrides = dict(
        pair.split("=", 1) for pair in config[env]["deploy"]["parameters"]["parameter_overrides"].split()
    )
    assert {k: overrides[k] for k in profile} == profile
    assert "CAPABILITY_AUTO_EXPAND" in config[env]["deploy"]["parameters"]["capabilities"]  # nested stacks
    assert not re.search(r"[0-9]{6,}:[A-Za-z0-9_-]{30,}", text), "a bot token in samconfig.toml"
    assert "BotToken" not in overrides


def _broken_rules(template: dict[str, Any], values: dict[str, str]) -> list[str]:
    profile = Profile(template, values)
    broken = []
    for rule in template.get("Rules", {}).values():
        if "RuleCondition" in rule and not profile.value(rule["RuleCondition"]):
            continue
        broken += [a["AssertDescription"] for a in rule["Assertions"] if not profile.value(a["Assert"])]
    return broken


@pytest.mark.parametrize("name", PROFILES)
def test_the_profiles_pass_the_templates_rules(template: dict[str, Any], name: str) -> None:
    assert _broken_rules(template, PROFILES[name]) == []


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"NetworkMode": "none"}, "a database this stack creates is private"),
        ({"DatabaseMode": "existing"}, "needs DatabaseSecretArn"),
        ({"NetworkMode": "existing", "VpcId": "vpc-1", "SecurityGroupIds": "sg-1"}, "needs SubnetIds"),
        ({"NetworkMode": "existing", "VpcId": "vpc-1", "SubnetIds": "subnet-1"}, "needs SecurityGroupIds"),
        ({"NetworkMode": "existing", "SubnetIds": "subnet-1", "SecurityGroupIds": "sg-1"}, "needs VpcId"),
    ],
)
def test_a_profile_that_cannot_work_is_refused_before_anything_is_created(
    template: dict[str, Any], values: dict[str, str], says: str
) -> None:
    broken = _broken_rules(template, values)
    assert any(says in b for b in broken), broken
