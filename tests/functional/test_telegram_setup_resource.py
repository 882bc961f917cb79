"""``Custom::TelegramSetup``: real CloudFormation events answered to a local ResponseURL, the secrets in
moto's Secrets Manager (read by ARN, as in AWS), Telegram = the Bot API emulator over HTTP.

Proves: the exact calls and parameters of a Create; the placeholder token calls nothing and says what to
do; a token put after the first deploy is read at once (no stale cache); a refused token, a refused URL and
an unreachable Telegram fail with the reason and never the token; a chat id set later gets its menu and a
former one loses it; a repeated Create changes nothing; Delete removes only this stack's webhook and never
fails; a rollback's Update is never FAILED; the direct invoke and ``sinawai setup`` do the same set-up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import boto3
import httpx
import pytest
from moto import mock_aws

from local_stack.stack import free_port
from local_stack.telegram import ApiCall, TelegramEmulator
from sinawai import cli
from sinawai.deploy.setup import SetupFunction
from sinawai.general import menu
from sinawai.platform import config
from sinawai.router.commands import commands_for
from sinawai.router.routing import ALLOWED_UPDATES
from tests.cfn_response_server import ResponseServer, response_server
from tests.helpers import FakeContext, load_event

REGION: Final = "ap-southeast-3"
TOKEN: Final = "7000000001:AAHtest-token-of-the-setup-emulator_x"
WRONG_TOKEN: Final = "7000000001:AAHsomebody-pasted-the-wrong-token-x"
WEBHOOK_SECRET: Final = "Rahasia-webhook-dari-secrets-manager-64"
URL: Final = "https://abc123.execute-api.ap-southeast-3.amazonaws.com/dev/webhook"
OTHER_STAGE_URL: Final = "https://zzz999.execute-api.ap-southeast-3.amazonaws.com/prod/webhook"
STAFF: Final = -1001000000001
MANAGERS: Final = -1001000000002
NEW_STAFF: Final = -1001000000003
FUNCTION_NAME: Final = "sinawai-dev-SetupFunction-AbC"


class Clock:
    """The secret cache's clock: a fresh read is allowed once per 10 s, and an operator takes longer than
    that between two deploys; the tests move it on instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Aws:
    def __init__(self, sm: Any, clock: Clock) -> None:
        self.sm = sm
        self.clock = clock
        self.token_arn = sm.create_secret(Name="sinawai/dev/telegram-bot-token", SecretString=TOKEN)["ARN"]
        self.secret_arn = sm.create_secret(
            Name="sinawai/dev/telegram-webhook-secret", SecretString=WEBHOOK_SECRET
        )["ARN"]

    def put_token(self, value: str) -> None:
        self.sm.put_secret_value(SecretId=self.token_arn, SecretString=value)
        self.clock.now += 60


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, moto_url: str) -> Iterator[Aws]:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_url,
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_NAME,
    }.items():
        monkeypatch.setenv(key, value)
    clock = Clock()
    monkeypatch.setattr(config, "_clock", clock)
    with mock_aws():
        aws = Aws(boto3.client("secretsmanager", region_name=REGION), clock)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN_SECRET_ARN", aws.token_arn)
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET_ARN", aws.secret_arn)
        yield aws


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramEmulator]:
    with TelegramEmulator(TOKEN) as emu:
        emu.add_group(STAFF, "Layanan Kepegawaian OSDM")
        emu.add_group(MANAGERS, "Pimpinan Biro OSDM")
        emu.add_group(NEW_STAFF, "Layanan Kepegawaian OSDM (baru)")
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        yield emu


@pytest.fixture
def cfn() -> Iterator[ResponseServer]:
    with response_server() as server:
        yield server


class StackStatus:
    """What DescribeStacks would say (a fake: moto cannot put a stack into a rollback)."""

    def __init__(self) -> None:
        self.status = "UPDATE_IN_PROGRESS"
        self.asked: list[str] = []

    def __call__(self, stack_id: str) -> str:
        self.asked.append(stack_id)
        return self.status


@pytest.fixture
def stack_status() -> StackStatus:
    return StackStatus()


@pytest.fixture
def setup(aws: Aws, emulator: TelegramEmulator, stack_status: StackStatus, tmp_path: Path) -> SetupFunction:
    return SetupFunction(tmp_path / "no-content-needed", stack_status=stack_status)


def props(staff: str = str(STAFF), managers: str = str(MANAGERS), url: str = URL) -> dict[str, str]:
    return {"WebhookUrl": url, "StaffGroupChatId": staff, "ManagersChatId": managers, "Version": "abc123"}


def event(cfn: ResponseServer, kind: str, properties: dict[str, str], **extra: Any) -> dict[str, Any]:
    return cfn.event(kind, properties, ResourceType="Custom::TelegramSetup", **extra)


def bot(emu: TelegramEmulator, method: str, params: dict[str, Any] | None = None) -> Any:
    answer = httpx.post(f"{emu.base_url}/bot{TOKEN}/{method}", json=params or {}, timeout=5).json()
    assert answer["ok"], answer
    return answer["result"]


def menu_of(emu: TelegramEmulator, scope: dict[str, Any]) -> list[dict[str, str]]:
    result: list[dict[str, str]] = bot(emu, "getMyCommands", {"scope": scope})
    return result


def registry(*audiences: str) -> list[dict[str, str]]:
    return [{"command": c.name, "description": c.description} for a in audiences for c in commands_for(a)]  # type: ignore[arg-type]


def calls(emu: TelegramEmulator) -> list[ApiCall]:
    return list(emu.calls)


def test_a_create_sets_the_webhook_the_menus_and_the_description(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    setup.handle(event(cfn, "Create", props()), FakeContext())

    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    assert cfn.last["PhysicalResourceId"] == URL
    assert cfn.last["Data"] == {
        "Webhook": URL,
        "Commands": f"private {len(commands_for('private'))}, staff {len(commands_for('staff'))}, managers 1",
        "NextStep": "Nothing: the bot is set up.",
    }
    made = calls(emulator)
    assert [c.method for c in made] == [
        "setWebhook",
        "setMyCommands",
        "setMyCommands",
        "setMyCommands",
        "setMyDescription",
        "setMyShortDescription",
    ]
    assert all(c.ok for c in made)
    assert made[0].params == {
        "url": URL,
        "secret_token": WEBHOOK_SECRET,
        "allowed_updates": list(ALLOWED_UPDATES),
        "drop_pending_updates": False,
        "max_connections": 40,
    }
    assert [c.params["scope"] for c in made[1:4]] == [
        {"type": "all_private_chats"},
        {"type": "chat", "chat_id": STAFF},
        {"type": "chat", "chat_id": MANAGERS},
    ]
    # what Telegram now holds, read back through the Bot API
    info = bot(emulator, "getWebhookInfo")
    assert (info["url"], info["max_connections"], info["allowed_updates"]) == (URL, 40, list(ALLOWED_UPDATES))
    assert menu_of(emulator, {"type": "all_private_chats"}) == registry("private")
    assert menu_of(emulator, {"type": "chat", "chat_id": STAFF}) == registry("staff")
    assert [c["command"] for c in menu_of(emulator, {"type": "chat", "chat_id": MANAGERS})] == ["laporan"]
    assert all(c["command"] != "idchat" for c in menu_of(emulator, {"type": "all_private_chats"}))
    assert bot(emulator, "getMyDescription")["description"] == menu.BOT_DESCRIPTION
    assert bot(emulator, "getMyShortDescription")["short_description"] == menu.BOT_SHORT_DESCRIPTION


def test_the_sample_event_as_cloudformation_sends_it(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    sample = load_event("setup_telegram_create") | {"ResponseURL": cfn.url}
    setup.handle(sample, FakeContext())
    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    assert (cfn.last["LogicalResourceId"], cfn.last["RequestId"]) == ("TelegramSetup", sample["RequestId"])
    assert cfn.last["Data"]["Commands"].endswith(f"staff {len(commands_for('staff'))}, managers 0")
    assert "ManagersChatId not set" in cfn.last["Data"]["NextStep"]
    assert bot(emulator, "getWebhookInfo")["url"] == sample["ResourceProperties"]["WebhookUrl"]


def test_without_chat_ids_only_the_private_menu_is_published_and_the_next_step_says_how(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    setup.handle(event(cfn, "Create", props(staff="", managers="")), FakeContext())
    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    assert cfn.last["Data"]["Commands"].endswith("staff 0, managers 0")
    assert (
        "StaffGroupChatId and ManagersChatId not set: add the bot to the group"
        in cfn.last["Data"]["NextStep"]
    )
    scopes = [c.params["scope"] for c in emulator.calls_to("setMyCommands")]
    assert scopes == [{"type": "all_private_chats"}]


def test_the_placeholder_token_calls_no_telegram_and_says_how_to_finish(
    setup: SetupFunction, aws: Aws, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    aws.put_token("set-me-from-botfather")
    setup.handle(event(cfn, "Create", props()), FakeContext())

    assert cfn.last["Status"] == "SUCCESS"
    assert emulator.calls == []
    next_step = cfn.last["Data"]["NextStep"]
    assert (
        f"aws secretsmanager put-secret-value --secret-id {aws.token_arn} "
        "--secret-string '<token from @BotFather>'" in next_step
    )
    assert (
        f"aws lambda invoke --function-name {FUNCTION_NAME} --region {REGION} --cli-binary-format "
        """raw-in-base64-out --payload '{"source":"sinawai.setup"}' /dev/stdout""" in next_step
    )
    assert f"sinawai setup --webhook-url {URL}" in next_step
    assert cfn.last["Data"]["Webhook"] == "not set"


def test_a_token_put_after_the_first_deploy_is_used_by_the_next_update_of_the_same_container(
    setup: SetupFunction, aws: Aws, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    aws.put_token("set-me-from-botfather")
    setup.handle(event(cfn, "Create", props()), FakeContext())
    assert emulator.calls == []
    aws.put_token(TOKEN)  # the operator follows NextStep; the container is still warm
    setup.handle(event(cfn, "Update", props(), PhysicalResourceId=URL, OldResourceProperties=props()), None)
    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    assert bot(emulator, "getWebhookInfo")["url"] == URL


def test_a_token_telegram_refuses_fails_the_deploy_with_the_reason_and_never_the_token(
    setup: SetupFunction,
    aws: Aws,
    emulator: TelegramEmulator,
    cfn: ResponseServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    aws.put_token(WRONG_TOKEN)
    with caplog.at_level(logging.DEBUG):
        setup.handle(event(cfn, "Create", props()), FakeContext())

    assert cfn.last["Status"] == "FAILED"
    reason = cfn.last["Reason"]
    assert "Telegram refused the bot token" in reason
    assert "401" in reason
    assert aws.token_arn in reason
    assert emulator.calls == []  # refused at the door (401): no method ran
    assert bot(emulator, "getWebhookInfo")["url"] == ""  # nothing changed at Telegram
    for text in (json.dumps(cfn.answers), caplog.text):
        assert WRONG_TOKEN not in text
        assert WEBHOOK_SECRET not in text


def test_a_webhook_url_telegram_refuses_fails_with_telegram_s_description(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    emulator.fail_next(
        "setWebhook", error_code=400, description="Bad Request: bad webhook: Failed to resolve host"
    )
    setup.handle(event(cfn, "Create", props()), FakeContext())
    assert cfn.last["Status"] == "FAILED"
    assert (
        cfn.last["Reason"]
        == "Telegram refused setWebhook (400): Bad Request: bad webhook: Failed to resolve host"
    )
    assert [c.method for c in emulator.calls] == ["setWebhook"]


@pytest.mark.parametrize(
    ("properties", "named"),
    [
        (props(url="not a url"), "WebhookUrl"),
        (props(url=""), "WebhookUrl"),
        (props(staff="abc"), "StaffGroupChatId"),
        (props(staff="12345"), "StaffGroupChatId"),  # a user's id: the staff group is a group
        (props(managers="-100x"), "ManagersChatId"),
    ],
)
def test_a_malformed_property_fails_naming_it_and_calls_no_telegram(
    setup: SetupFunction,
    emulator: TelegramEmulator,
    cfn: ResponseServer,
    properties: dict[str, str],
    named: str,
) -> None:
    setup.handle(event(cfn, "Create", properties), FakeContext())
    assert cfn.last["Status"] == "FAILED"
    assert cfn.last["Reason"].startswith(named)
    assert emulator.calls == []


def test_telegram_out_of_reach_fails_without_the_token_in_the_reason(
    setup: SetupFunction, cfn: ResponseServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{free_port()}")
    setup.handle(event(cfn, "Create", props()), FakeContext())
    assert cfn.last["Status"] == "FAILED"
    assert cfn.last["Reason"].startswith("Telegram could not be reached (setWebhook)")
    assert TOKEN not in json.dumps(cfn.answers)


def test_a_repeated_create_changes_nothing_and_answers_the_same(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    setup.handle(event(cfn, "Create", props()), FakeContext())
    first = cfn.last
    state = (bot(emulator, "getWebhookInfo"), menu_of(emulator, {"type": "chat", "chat_id": STAFF}))
    emulator.reset_records()
    setup.handle(event(cfn, "Create", props()), FakeContext())
    assert (cfn.last["Status"], cfn.last["Data"], cfn.last["PhysicalResourceId"]) == (
        first["Status"],
        first["Data"],
        first["PhysicalResourceId"],
    )
    assert emulator.calls_to("setWebhook")[0].result is True
    assert (bot(emulator, "getWebhookInfo"), menu_of(emulator, {"type": "chat", "chat_id": STAFF})) == state


def test_an_update_to_another_staff_group_moves_the_staff_menu(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    setup.handle(event(cfn, "Create", props()), FakeContext())
    update = event(
        cfn, "Update", props(staff=str(NEW_STAFF)), PhysicalResourceId=URL, OldResourceProperties=props()
    )
    setup.handle(update, FakeContext())
    assert cfn.last["Status"] == "SUCCESS", cfn.last["Reason"]
    assert menu_of(emulator, {"type": "chat", "chat_id": NEW_STAFF}) == registry("staff")
    assert menu_of(emulator, {"type": "chat", "chat_id": STAFF}) == []  # the former group offers no /ambil
    assert [c["command"] for c in menu_of(emulator, {"type": "chat", "chat_id": MANAGERS})] == ["laporan"]


def test_a_failed_update_during_a_rollback_is_answered_success_so_the_rollback_completes(
    setup: SetupFunction, aws: Aws, cfn: ResponseServer, stack_status: StackStatus
) -> None:
    aws.put_token(WRONG_TOKEN)
    update = event(cfn, "Update", props(), PhysicalResourceId=URL, OldResourceProperties=props(staff=""))
    setup.handle(update, FakeContext())
    assert cfn.last["Status"] == "FAILED"  # a normal update: the deploy stops and rolls back
    stack_status.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    setup.handle(update, FakeContext())  # CloudFormation's rollback: the old properties, as an Update
    assert cfn.last["Status"] == "SUCCESS"
    assert cfn.last["PhysicalResourceId"] == URL
    assert "The rollback did not re-apply the Telegram set-up" in cfn.last["Data"]["NextStep"]
    assert stack_status.asked[-1] == update["StackId"]


def test_delete_removes_the_webhook_of_this_stack(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    setup.handle(event(cfn, "Create", props()), FakeContext())
    emulator.reset_records()
    setup.handle(event(cfn, "Delete", props(), PhysicalResourceId=URL), FakeContext())
    assert cfn.last["Status"] == "SUCCESS"
    assert [(c.method, c.params) for c in emulator.calls] == [
        ("getWebhookInfo", {}),
        ("deleteWebhook", {"drop_pending_updates": False}),
    ]
    assert bot(emulator, "getWebhookInfo")["url"] == ""


def test_delete_leaves_the_webhook_another_stage_has_taken_over(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    bot(emulator, "setWebhook", {"url": OTHER_STAGE_URL})
    emulator.reset_records()
    setup.handle(event(cfn, "Delete", props(), PhysicalResourceId=URL), FakeContext())
    assert cfn.last["Status"] == "SUCCESS"
    assert [c.method for c in emulator.calls] == ["getWebhookInfo"]
    assert bot(emulator, "getWebhookInfo")["url"] == OTHER_STAGE_URL


def test_delete_succeeds_when_telegram_is_out_of_reach_or_the_token_was_never_set(
    setup: SetupFunction,
    aws: Aws,
    emulator: TelegramEmulator,
    cfn: ResponseServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with monkeypatch.context() as mp:
        mp.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{free_port()}")
        setup.handle(event(cfn, "Delete", props(), PhysicalResourceId=URL), FakeContext())
    assert cfn.last["Status"] == "SUCCESS"
    aws.put_token("set-me-from-botfather")
    setup.handle(event(cfn, "Delete", props(), PhysicalResourceId=URL), FakeContext())
    assert cfn.last["Status"] == "SUCCESS"
    assert emulator.calls == []


def test_an_unknown_resource_type_is_failed_and_its_delete_succeeds(
    setup: SetupFunction, emulator: TelegramEmulator, cfn: ResponseServer
) -> None:
    setup.handle(cfn.event("Create", props(), ResourceType="Custom::Migrations"), FakeContext())
    assert cfn.last["Status"] == "FAILED"
    assert "unknown ResourceType 'Custom::Migrations'" in cfn.last["Reason"]
    setup.handle(
        cfn.event("Delete", props(), ResourceType="Custom::Migrations", PhysicalResourceId="x"), None
    )
    assert cfn.last["Status"] == "SUCCESS"
    assert emulator.calls == []


def test_the_direct_invoke_after_the_token_was_put_sets_the_bot_up_from_the_environment(
    setup: SetupFunction, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_URL", URL)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF))
    monkeypatch.setenv("MANAGERS_CHAT_ID", "")
    answer = setup.handle(load_event("setup_direct_invoke"), FakeContext())
    assert answer["ok"] is True, answer
    assert answer["Commands"].endswith(f"staff {len(commands_for('staff'))}, managers 0")
    assert bot(emulator, "getWebhookInfo")["url"] == URL
    monkeypatch.setenv("WEBHOOK_URL", "")
    answer = setup.handle(load_event("setup_direct_invoke"), FakeContext())
    assert answer["ok"] is False
    assert answer["error"].startswith("WEBHOOK_URL must be the stack's webhook URL")


def test_sinawai_setup_does_the_same_and_exits_by_the_outcome(
    aws: Aws,
    emulator: TelegramEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF))
    monkeypatch.setenv("MANAGERS_CHAT_ID", str(MANAGERS))
    assert cli.main(["setup", "--webhook-url", URL]) == 0
    out = capsys.readouterr().out
    assert f"Webhook set to {URL}" in out
    assert f"staff {len(commands_for('staff'))}, managers 1" in out
    assert bot(emulator, "getMyShortDescription")["short_description"] == menu.BOT_SHORT_DESCRIPTION

    assert cli.main(["setup", "--webhook-url", "webhook"]) == 2  # bad usage: nothing sent
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", "grup-staf")
    assert cli.main(["setup", "--webhook-url", URL]) == 2
    assert "STAFF_GROUP_CHAT_ID must be a Telegram chat id" in capsys.readouterr().err
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF))

    aws.put_token("set-me-from-botfather")
    assert cli.main(["setup", "--webhook-url", URL]) == 1
    assert "put-secret-value" in capsys.readouterr().err
    aws.put_token(WRONG_TOKEN)
    assert cli.main(["setup", "--webhook-url", URL]) == 1
    err = capsys.readouterr().err
    assert "Telegram refused the bot token" in err
    assert WRONG_TOKEN not in err


def _stage_bucket(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The stage's bucket (the set-up marker lives there) and the set-up function's environment."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="sinawai-dev-documents", CreateBucketConfiguration={"LocationConstraint": REGION})
    monkeypatch.setenv("DOCUMENTS_BUCKET", "sinawai-dev-documents")
    monkeypatch.setenv("WEBHOOK_URL", URL)
    return s3


def test_the_five_minute_check_sets_the_bot_up_once_the_token_is_put_and_then_leaves_it_alone(
    setup: SetupFunction, aws: Aws, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = _stage_bucket(monkeypatch)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF))
    monkeypatch.setenv("MANAGERS_CHAT_ID", str(MANAGERS))
    scheduled = {"source": "sinawai.setup", "when": "new-token"}

    # right after the first deploy: the placeholder; the check calls no Telegram and writes nothing
    aws.put_token("set-me-from-botfather")
    assert setup.handle(scheduled, FakeContext()) == {"ok": False, "skipped": "the bot token is not set yet"}
    assert emulator.calls == []
    assert "Contents" not in s3.list_objects_v2(Bucket="sinawai-dev-documents")

    # the operator puts the token: the next check sets the bot up, without a deploy
    aws.put_token(TOKEN)
    answer = setup.handle(scheduled, FakeContext())
    assert answer["ok"] is True, answer
    assert bot(emulator, "getWebhookInfo")["url"] == URL
    assert menu_of(emulator, {"type": "chat", "chat_id": STAFF}) == registry("staff")
    marker = s3.get_object(Bucket="sinawai-dev-documents", Key="setup/telegram.json")["Body"].read().decode()
    assert TOKEN not in marker
    assert TOKEN.split(":")[1] not in marker

    # every later check: nothing to set up; only the webhook probe asks Telegram (getWebhookInfo)
    before = len(emulator.calls)
    for _ in range(3):
        assert setup.handle(scheduled, FakeContext())["skipped"] == "already set up for this token"
    assert [c.method for c in emulator.calls[before:]] == ["getWebhookInfo"] * 3

    # a webhook moved by hand is not fought over (issue 13's probe is for that)
    bot(emulator, "setWebhook", {"url": OTHER_STAGE_URL})
    assert setup.handle(scheduled, FakeContext())["skipped"] == "already set up for this token"
    assert bot(emulator, "getWebhookInfo")["url"] == OTHER_STAGE_URL

    # a new staff group (a deploy changed the function's environment): set up again
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(NEW_STAFF))
    assert setup.handle(scheduled, FakeContext())["ok"] is True
    assert bot(emulator, "getWebhookInfo")["url"] == URL
    assert menu_of(emulator, {"type": "chat", "chat_id": NEW_STAFF}) == registry("staff")


def test_the_five_minute_check_with_a_token_telegram_refuses_says_so_and_writes_no_marker(
    setup: SetupFunction, aws: Aws, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = _stage_bucket(monkeypatch)
    aws.put_token(WRONG_TOKEN)
    answer = setup.handle({"source": "sinawai.setup", "when": "new-token"}, FakeContext())
    assert answer["ok"] is False
    assert "refused the bot token" in answer["error"]
    assert WRONG_TOKEN not in json.dumps(answer)
    assert "Contents" not in s3.list_objects_v2(Bucket="sinawai-dev-documents")
