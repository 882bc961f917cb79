"""The local stack reads a SAM template like SAM does: Globals, parameters, conditions, intrinsics, layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_stack.template import FunctionSpec, TemplateError, load_template, resolve_functions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "local_stack"
TEMPLATE = FIXTURES / "template.yaml"


def resolve(**kwargs: object) -> tuple[dict[str, FunctionSpec], list[str]]:
    warnings: list[str] = []
    functions = resolve_functions(TEMPLATE, warnings=warnings, **kwargs)  # type: ignore[arg-type]
    return functions, warnings


def test_short_tags_load_in_their_long_form() -> None:
    template = load_template(TEMPLATE)
    env = template["Resources"]["EchoFunction"]["Properties"]["Environment"]["Variables"]
    assert env["GENERAL_FUNCTION_NAME"] == {"Ref": "GeneralFunction"}
    assert env["QUEUE_ARN"] == {"Fn::GetAtt": ["Queue", "Arn"]}
    assert env["REGION"] == {"Fn::Sub": "${AWS::Region}"}
    assert env["PROD_ONLY"] == {"Fn::If": ["IsProd", "yes", {"Ref": "AWS::NoValue"}]}
    assert template["Conditions"]["IsNotProd"] == {"Fn::Not": [{"Condition": "IsProd"}]}


def test_functions_merge_globals() -> None:
    functions, _ = resolve()
    assert set(functions) == {"EchoFunction", "GeneralFunction", "FailingFunction", "SlowFunction"}
    echo = functions["EchoFunction"]
    assert echo.logical_id == echo.function_name == "EchoFunction"
    assert echo.code_dir == FIXTURES / "functions" / "echo"
    assert echo.code_dir.is_absolute()
    assert echo.handler == "app.lambda_handler"
    assert echo.runtime == "python3.13"
    assert echo.architectures == ["arm64"]
    assert echo.timeout == 10  # from Globals
    assert echo.memory_size == 512  # the function's own
    slow = functions["SlowFunction"]
    assert slow.timeout == 1
    assert slow.memory_size == 256
    assert echo.arn == "arn:aws:lambda:ap-southeast-3:123456789012:function:EchoFunction"


def test_environment_resolution() -> None:
    functions, _ = resolve()
    env = functions["EchoFunction"].environment
    assert env["GENERAL_FUNCTION_NAME"] == "GeneralFunction"  # !Ref of a function → its logical id
    assert env["BUCKET"] == "Bucket"
    assert env["REGION"] == "ap-southeast-3"
    assert env["PARAM"] == "some-default"
    assert env["STAGE"] == "dev"  # from Globals
    assert env["LOG_LEVEL"] == "DEBUG"  # !FindInMap with a !Ref inside
    assert env["OVERRIDDEN_BY_FUNCTION"] == "function"
    assert env["QUEUE_ARN"] == "arn:aws:sqs:ap-southeast-3:123456789012:Queue"
    assert env["QUEUE_URL"] == "https://sqs.ap-southeast-3.amazonaws.com/123456789012/Queue"
    assert env["OBJECTS"] == "arn:aws:s3:::Bucket/objects/*"
    assert env["TABLE"] == "sinawai-local-dev"
    assert env["LITERAL"] == "${NotAVariable}"
    assert env["MODE"] == "development"
    assert "PROD_ONLY" not in env  # !If → AWS::NoValue removes the variable
    assert env["NOT_PROD"] == "true"
    assert env["FIRST_SUBNET"] == "subnet-a"
    assert env["IN_VPC"] == "yes"
    assert env["DOMAIN"] == "example.org"
    assert env["ENCODED"] == "aGVsbG8="
    assert env["NUMBER"] == "42"
    assert env["FLAG"] == "true"
    assert env["IMPORTED"] == ""
    assert env["REQUIRED"] == ""
    general = functions["GeneralFunction"].environment
    assert general["ECHO_FUNCTION_NAME"] == "EchoFunction"
    assert general["ECHO_FUNCTION_ARN"] == "arn:aws:lambda:ap-southeast-3:123456789012:function:EchoFunction"
    assert general["OVERRIDDEN_BY_FUNCTION"] == "global"
    assert all(isinstance(v, str) for spec in functions.values() for v in spec.environment.values())


def test_unresolvable_values_are_warnings() -> None:
    functions, warnings = resolve()
    assert any("RequiredParam" in w and "no Default" in w for w in warnings)
    assert any("IMPORTED" in w and "ImportValue" in w for w in warnings)
    assert any("AWSLambdaPowertoolsPythonV3" in w and "skipped" in w for w in warnings)
    echo_warnings = functions["EchoFunction"].warnings
    assert any("IMPORTED" in w for w in echo_warnings)
    assert functions["SlowFunction"].warnings == []


def test_parameter_overrides_and_conditions() -> None:
    functions, warnings = resolve(
        parameter_overrides={"Stage": "prod", "SomeParam": "given", "RequiredParam": "r", "Subnets": ""},
        region="us-east-1",
        account_id="999999999999",
    )
    env = functions["EchoFunction"].environment
    assert env["PARAM"] == "given"
    assert env["REQUIRED"] == "r"
    assert env["STAGE"] == "prod"
    assert env["LOG_LEVEL"] == "WARNING"
    assert env["MODE"] == "production"
    assert env["PROD_ONLY"] == "yes"
    assert env["NOT_PROD"] == "false"
    assert env["IN_VPC"] == "no"
    assert env["REGION"] == "us-east-1"
    assert env["TABLE"] == "sinawai-local-prod"
    assert env["QUEUE_ARN"] == "arn:aws:sqs:us-east-1:999999999999:Queue"
    assert functions["EchoFunction"].arn == "arn:aws:lambda:us-east-1:999999999999:function:EchoFunction"
    assert not any("RequiredParam" in w for w in warnings)


def test_pseudo_parameters_can_be_overridden() -> None:
    functions, _ = resolve(parameter_overrides={"AWS::StackName": "sinawai-test"})
    assert functions["EchoFunction"].environment["TABLE"] == "sinawai-sinawai-test-dev"


def test_env_overrides_for_all_and_for_one_function() -> None:
    functions, warnings = resolve(
        env_overrides={
            "Parameters": {"PARAM": "from-parameters", "AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:1"},
            "GeneralFunction": {"PARAM": "only-general", "EXTRA": "x"},
            "NoSuchFunction": {"A": "b"},
        }
    )
    echo, general, slow = (
        functions[n].environment for n in ("EchoFunction", "GeneralFunction", "SlowFunction")
    )
    assert echo["PARAM"] == "from-parameters"
    assert echo["AWS_ENDPOINT_URL_LAMBDA"] == "http://127.0.0.1:1"  # added although not declared
    assert slow["AWS_ENDPOINT_URL_LAMBDA"] == "http://127.0.0.1:1"
    assert slow["PARAM"] == "from-parameters"
    assert general["PARAM"] == "only-general"  # the function's own key wins over Parameters
    assert general["EXTRA"] == "x"
    assert "EXTRA" not in echo
    assert echo["BUCKET"] == "Bucket"  # the rest stays resolved
    assert any("NoSuchFunction" in w for w in warnings)


def test_env_overrides_declared_only_like_sam_local() -> None:
    """``sam local invoke --env-vars`` sets only what a function declares: the rest is ignored (a warning)."""
    functions, warnings = resolve(
        declared_only=True,
        env_overrides={
            "Parameters": {
                "PARAM": "from-parameters",
                "STAGE": "local",
                "AWS_ENDPOINT_URL_LAMBDA": "http://x",
            },
            "GeneralFunction": {"ECHO_FUNCTION_NAME": "Elsewhere", "EXTRA": "x"},
        },
    )
    echo, general, slow = (
        functions[n].environment for n in ("EchoFunction", "GeneralFunction", "SlowFunction")
    )
    assert echo["PARAM"] == "from-parameters"  # declared by EchoFunction
    assert general["ECHO_FUNCTION_NAME"] == "Elsewhere"  # the function's own section, declared
    assert echo["STAGE"] == slow["STAGE"] == "local"  # declared in Globals
    for env in (echo, general, slow):
        assert "AWS_ENDPOINT_URL_LAMBDA" not in env  # declared by no function: ignored
    assert "EXTRA" not in general
    assert "PARAM" not in slow  # Parameters does not add undeclared ones
    assert "PARAM" not in general
    assert any("'AWS_ENDPOINT_URL_LAMBDA' ignored: no function declares it" in w for w in warnings)
    assert any("GeneralFunction: env override 'EXTRA' ignored" in w for w in warnings)


def test_layers() -> None:
    functions, _ = resolve()
    shared = FIXTURES / "layers" / "shared"
    for spec in functions.values():
        assert spec.layer_dirs == [shared]  # Globals' layer; the public ARN layer is skipped
    assert (shared / "fixture_shared" / "__init__.py").is_file()


def test_events() -> None:
    functions, _ = resolve()
    echo = functions["EchoFunction"]
    assert echo.api_events == [("POST", "/webhook"), ("GET", "/items/{id}"), ("ANY", "/any/{proxy+}")]
    assert echo.schedule_events == [
        {"Name": "Nightly", "Type": "Schedule", "Schedule": "rate(1 day)", "Input": '{"job": "nightly"}'}
    ]
    assert functions["FailingFunction"].api_events == [("POST", "/boom")]
    assert functions["SlowFunction"].api_events == []


def test_intrinsics_in_a_small_template(tmp_path: Path) -> None:
    (tmp_path / "fn").mkdir()
    (tmp_path / "layer" / "python").mkdir(parents=True)
    (tmp_path / "template.yaml").write_text(
        """
Parameters:
  Env: {Type: String, Default: test}
Conditions:
  Both: !And [!Equals [!Ref Env, test], !Or [!Equals [a, b], !Equals [c, c]]]
Resources:
  PlainLayer:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layer/}
  Secret:
    Type: AWS::SecretsManager::Secret
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: handlers/main.handle
      Layers: [!Ref PlainLayer]
      Environment:
        Variables:
          BOTH: !If [Both, "on", "off"]
          AZ: !Select [1, !GetAZs ""]
          CIDR: !Select [1, !Cidr ["10.0.0.0/16", 4, 8]]
          JSON: !Join ["", ["{", !Sub '"s": "${Secret}"', "}"]]
          SECRET_ARN: !GetAtt Secret.Arn
          UNKNOWN: !Ref NotThere
          BAD_ATTR: !GetAtt NotThere.Arn
          SUB_UNKNOWN: !Sub "x-${Nope}"
"""
    )
    warnings: list[str] = []
    functions = resolve_functions(tmp_path / "template.yaml", warnings=warnings)
    spec = functions["Fn"]
    env = spec.environment
    assert env["BOTH"] == "on"
    assert env["AZ"] == "ap-southeast-3b"
    assert env["CIDR"] == "10.0.1.0/24"
    assert env["JSON"] == '{"s": "Secret"}'
    assert env["SECRET_ARN"] == "arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:Secret"
    assert env["UNKNOWN"] == env["BAD_ATTR"] == env["SUB_UNKNOWN"] == ""
    assert len([w for w in warnings if "UNKNOWN" in w or "BAD_ATTR" in w]) == 3
    assert spec.handler == "handlers/main.handle"
    # Lambda's defaults
    assert spec.timeout == 3
    assert spec.memory_size == 128
    assert spec.architectures == ["x86_64"]
    assert spec.layer_dirs == [tmp_path / "layer" / "python"]  # no build method: the layer's python/


def test_not_a_template(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text("just: a mapping\n")
    with pytest.raises(TemplateError, match="no Resources"):
        resolve_functions(path)
