"""Every sample event runs as ``sam local invoke FUNCTION -e events/NAME.json --env-vars
events/env.local.json`` would run it, and has the outcome events/README.md writes for it.

The functions run in the local Lambda runtime with the env file applied as sam local applies it (declared
variables only: ``tests/sam_local.py`` says what stands in for Docker), beside the companions of
``python -m local_stack serve`` and a fresh, migrated database. Each event gets a database emptied and set up
with the steps of its row, and a cold start (sam local invoke starts a new container every time).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local_stack.lambda_runtime import InvokeResult, LambdaRuntime
from local_stack.serve import PEOPLE
from local_stack.telegram import ChatMessage
from sinawai.information.content_store import BUNDLE_KEY
from tests.helpers import EVENTS, fresh_database, query
from tests.sam_local import SETUP_STEPS, SamLocal, apply_setup, empty_database, sam_local

BUDI = PEOPLE["budi"].user_id
SITI = PEOPLE["siti"].user_id
TABLE_ROW = re.compile(
    r"^\| `(?P<event>[\w.]+)\.json` \| (?P<function>\w+) \| (?P<setup>[^|]*) \| (?P<outcome>.*) \|$"
)
STEP_ROW = re.compile(r"^\| `(?P<step>\w+)` \| [^|]* \| `(?P<command>.*)` \|$")
JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class Row:
    event: str
    function: str
    setup: tuple[str, ...]
    outcome: str


def readme_rows() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for line in (EVENTS / "README.md").read_text(encoding="utf-8").splitlines():
        match = TABLE_ROW.match(line)
        if match:
            setup = tuple(
                s.strip().strip("`") for s in match["setup"].split(",") if s.strip() not in ("", "–")
            )
            rows[match["event"]] = Row(match["event"], match["function"], setup, match["outcome"])
    return rows


def readme_steps() -> dict[str, str]:
    lines = (EVENTS / "README.md").read_text(encoding="utf-8").splitlines()
    return {m["step"]: m["command"] for m in map(STEP_ROW.match, lines) if m}


def sample_events() -> list[str]:
    return sorted(p.stem for p in EVENTS.glob("*.json") if p.name != "env.local.json")


# ---- running one event ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    local: SamLocal
    result: InvokeResult
    new: dict[int, list[ChatMessage]] = field(default_factory=dict)  # chat → bot messages new or changed

    @property
    def payload(self) -> Any:
        assert self.result.function_error is None, self.result.payload.decode()[:2000]
        return json.loads(self.result.payload)

    def texts(self, chat: int) -> list[str]:
        return [m.content for m in self.new.get(chat, [])]

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return query(self.local.database, sql, args)

    def s3(self) -> Any:
        return self.local.companions.aws("s3")

    @property
    def bucket(self) -> str:
        return self.local.env.get("DOCUMENTS_BUCKET")

    @property
    def staff(self) -> int:
        return self.local.env.chat_id("STAFF_GROUP_CHAT_ID")

    @property
    def managers(self) -> int:
        return self.local.env.chat_id("MANAGERS_CHAT_ID")

    def invoked(self, function: str) -> list[str]:
        return [r.invocation_type for r in self.local.runtime.invocations if r.function == function]


def _chats(local: SamLocal) -> list[int]:
    return [p.chat_id(local.env) for p in PEOPLE.values()]


def _snapshot(local: SamLocal) -> dict[tuple[int, int], tuple[str, int | None, str]]:
    emu = local.companions.telegram
    return {
        (chat, m.message_id): (m.content, m.edit_date, json.dumps(m.reply_markup))
        for chat in _chats(local)
        for m in emu.bot_messages(chat)
    }


def run_event(local: SamLocal, row: Row) -> Outcome:
    empty_database(local.database)
    s3 = local.companions.aws("s3")
    if "content" not in row.setup:
        s3.delete_object(Bucket=local.env.get("DOCUMENTS_BUCKET"), Key=BUNDLE_KEY)
    local.companions.put_sample_uploads()
    for step in row.setup:
        apply_setup(local, step)
    local.runtime.restart(row.function)  # sam local invoke: a new container for every invocation
    before = _snapshot(local)
    invocations = len(local.runtime.invocations)
    event = json.loads((EVENTS / f"{row.event}.json").read_text(encoding="utf-8"))
    result = local.invoke(row.function, event)
    local.runtime.wait_idle(30)  # what the router invoked asynchronously, too
    local.companions.telegram.wait_all_delivered(5)
    emu = local.companions.telegram
    outcome = Outcome(local, result)
    after = _snapshot(local)
    for chat in _chats(local):
        changed = [
            m
            for m in emu.bot_messages(chat)
            if before.get((chat, m.message_id)) != after[(chat, m.message_id)]
        ]
        if changed:
            outcome.new[chat] = changed
    del local.runtime.invocations[:invocations]
    return outcome


# ---- the documented outcomes ---------------------------------------------------------------------------


def broadcast_sqs_chunk(o: Outcome) -> None:
    assert o.payload == {"batchItemFailures": []}
    for user in (BUDI, SITI):
        assert [t for t in o.texts(user) if "Apel pagi Senin" in t] == [o.texts(user)[0]]
    (summary,) = o.texts(o.staff)
    assert "Terkirim: 2" in summary
    assert o.rows("SELECT status FROM announcement_delivery") == [{"status": "sent"}] * 2


def consultation_auto_close_schedule(o: Outcome) -> None:
    assert o.payload == {"status": "done", "closed": [1], "resent": [], "reminded": []}
    (notice,) = o.new[BUDI]
    assert "Tiket #1 telah ditutup otomatis" in notice.content
    assert notice.callback_data  # the rating
    assert o.rows("SELECT status FROM ticket") == [{"status": "selesai"}]


def consultation_faq_question(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    (offer,) = o.texts(BUDI)
    assert "Mungkin ini jawaban yang Anda cari" in offer
    assert "Cuti tahunan" in offer
    assert o.rows("SELECT outcome FROM faq_offer") == [{"outcome": "menunggu"}]
    assert o.rows("SELECT id FROM ticket") == []


def consultation_question(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    header, copy = o.texts(o.staff)
    assert header.startswith("🎫 Tiket #1 · Baru")
    assert "Budi Santoso" in header
    assert copy == "Selamat pagi, bagaimana cara mengajukan cuti besar?"
    (ack,) = o.texts(BUDI)
    assert "tiket #1" in ack
    assert o.rows("SELECT nip, status FROM ticket") == [{"nip": "199001172015031001", "status": "baru"}]


def consultation_staff_reply(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    (answer,) = o.texts(BUDI)  # one message: the header line, then the answer
    assert answer.startswith("💬 Jawaban petugas Biro OSDM untuk tiket #1\n\n")
    assert "Cuti besar dapat diajukan setelah 5 tahun bekerja terus-menerus." in answer
    answered = o.rows("SELECT actor_id FROM ticket_event WHERE event = 'answered' ORDER BY id")
    assert answered[-1] == {"actor_id": PEOPLE["staf"].user_id}


def documents_dokumen(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    (listing,) = o.new[BUDI]
    assert listing.content.startswith("Dokumen Kepegawaian")
    assert "documents:c:formulir" in listing.callback_data


def documents_unggah_caption(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    (reply,) = o.texts(o.staff)
    assert "Dokumen #1 Formulir permohonan cuti ditambahkan" in reply
    (row,) = o.rows("SELECT s3_key, file_name FROM document")
    assert row["s3_key"].startswith("documents/formulir/")
    stored = o.s3().get_object(Bucket=o.bucket, Key=row["s3_key"])["Body"].read()
    assert stored == (EVENTS / "documents" / "formulir_permohonan_cuti.pdf").read_bytes()


def _one_reply(starts: str) -> Callable[[Outcome], None]:
    def check(o: Outcome) -> None:
        assert o.payload["status"] == "done"
        (reply,) = o.texts(BUDI)
        assert reply.startswith(starts), reply

    return check


def general_button_tentang(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    (edited,) = o.new[BUDI]
    assert edited.message_id == 2  # the message whose button was pressed, not a new one
    assert edited.content.startswith("Tentang Sinawai")


def general_menu(o: Outcome) -> None:
    _one_reply("Menu Utama Sinawai")(o)
    assert len(o.new[BUDI][0].callback_data) >= 6


def import_s3_employees(o: Outcome) -> None:
    (result,) = o.payload["results"]
    assert result["status"] == "imported"
    assert o.rows("SELECT COUNT(*) AS n FROM pengguna") == [{"n": 8}]
    (summary,) = o.texts(o.staff)
    assert summary.startswith("✅ Impor data pegawai berhasil")
    (upload,) = o.local.companions.uploads
    listing = o.s3().list_object_versions(Bucket=upload.bucket, Prefix=upload.key)
    assert [v["VersionId"] for v in listing.get("Versions", [])] == []  # that version is gone


def import_sqs_chunk(o: Outcome) -> None:
    assert o.payload == {"batchItemFailures": []}
    assert o.texts(o.staff) == []
    assert o.rows("SELECT COUNT(*) AS n FROM import_staging") == [{"n": 0}]
    assert o.rows("SELECT COUNT(*) AS n FROM pengguna") == [{"n": 0}]


def information_button_forged(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    (edited,) = o.new[BUDI]
    assert edited.message_id == 6
    assert edited.content.startswith("Kesejahteraan & Disiplin")
    assert "information:jahdis:s:cuti" in edited.callback_data


def information_button_topic(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    (edited,) = o.new[BUDI]
    assert edited.message_id == 6
    assert edited.content.startswith("Kesejahteraan & Disiplin › Cuti tahunan")


def information_jahdis(o: Outcome) -> None:
    _one_reply("Kesejahteraan & Disiplin")(o)
    assert o.new[BUDI][0].callback_data[0] == "information:jahdis:s:cuti"


def information_umumkan(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    (reply,) = o.new[o.staff]
    assert reply.content.startswith("✅ Pengumuman #1 disimpan")
    assert reply.callback_data  # the broadcast button
    (row,) = o.rows("SELECT body FROM announcement")
    assert "Batas unggah SKP triwulan III" in row["body"]


def information_umumkan_private(o: Outcome) -> None:
    _one_reply("Maaf, /umumkan hanya dapat digunakan oleh petugas OSDM")(o)
    assert o.rows("SELECT id FROM announcement") == []


def _again(o: Outcome, name: str, **changes: str) -> Any:
    """The same scheduled event invoked once more (with ``changes``): its payload; it sends nothing."""
    event = {**json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8")), **changes}
    emu = o.local.companions.telegram
    before = len(emu.bot_messages(o.managers))
    result = o.local.invoke("ReportFunction", event)
    assert result.function_error is None, result.payload.decode()[:2000]
    assert len(emu.bot_messages(o.managers)) == before
    return json.loads(result.payload)


def _archived(o: Outcome, prefix: str) -> list[str]:
    listed = o.s3().list_objects_v2(Bucket=o.bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def report_daily_schedule(o: Outcome) -> None:
    assert o.payload == {"status": "sent", "report_date": "2026-12-28"}
    # a fresh database: a quiet day, the text alone (an empty chart and workbook say nothing)
    (digest,) = o.new[o.managers]
    assert digest.content.startswith("📊 Laporan Harian Sinawai\nSenin, 28 Desember 2026")
    assert "Tidak ada aktivitas layanan" in digest.content
    assert any("2026-12-28" in key for key in _archived(o, "reports/"))
    assert _again(o, "report_daily_schedule") == {"status": "duplicate", "report_date": "2026-12-28"}


def report_weekly_schedule(o: Outcome) -> None:
    assert o.payload == {"status": "sent", "report_date": "2026-12-21", "kind": "weekly"}
    (digest,) = o.new[o.managers]
    assert digest.content.startswith(
        "📊 Laporan Mingguan Sinawai\nPekan 21 Desember 2026 – 27 Desember 2026"
    ), digest.content
    keys = _archived(o, "reports/2026/12/21/")
    assert "reports/2026/12/21/laporan-mingguan-2026-12-21_2026-12-27.xlsx" in keys, keys
    assert _again(o, "report_weekly_schedule") == {
        "status": "duplicate",
        "report_date": "2026-12-21",
        "kind": "weekly",
    }


def report_monthly_schedule(o: Outcome) -> None:
    assert o.payload == {"status": "sent", "report_date": "2026-11-01", "kind": "monthly"}
    (digest,) = o.new[o.managers]
    assert digest.content.startswith("📊 Laporan Bulanan Sinawai\nNovember 2026"), digest.content
    keys = _archived(o, "reports/2026/11/01/")
    assert "reports/2026/11/01/laporan-bulanan-2026-11.xlsx" in keys, keys
    assert _again(o, "report_monthly_schedule") == {
        "status": "duplicate",
        "report_date": "2026-11-01",
        "kind": "monthly",
    }
    # the same schedule on Wednesday 2 December: not the first working day, nothing sent
    later = _again(o, "report_monthly_schedule", scheduled_time="2026-12-02T00:00:00Z")
    assert later == {"status": "not due", "kind": "monthly"}
    assert o.rows("SELECT kind, report_date FROM report_run") == [
        {"kind": "monthly", "report_date": date(2026, 11, 1)}
    ]


def report_laporan(o: Outcome) -> None:
    assert o.payload["status"] == "done"
    first = o.texts(o.managers)[0]
    if datetime.now(JAKARTA).date() > date(2026, 12, 28):
        assert first.startswith("📊 Laporan Harian Sinawai\nSenin, 28 Desember 2026")
    else:
        assert first == "Tanggal 28 Desember 2026 belum terjadi; belum ada data untuk dilaporkan."


def _webhook(status: int, *, recorded: str | None) -> Callable[[Outcome], None]:
    def check(o: Outcome) -> None:
        assert o.payload["statusCode"] == status
        inbox = o.rows("SELECT status FROM update_inbox")
        assert inbox == ([{"status": recorded}] if recorded else [])
        assert o.invoked("GeneralFunction") == []  # no group function
        assert o.new == {}

    return check


LAST_MIGRATION = sorted(
    p.name.removesuffix(".sql")
    for p in (EVENTS.parent / "layers/core/sinawai/migrations").glob("*.sql")
    if not p.name.endswith(".rollback.sql")
)[-1]


def migrate_action(o: Outcome) -> None:
    # the local database is migrated already: nothing to apply, the head is the last migration
    assert o.payload == {"ok": True, "Applied": "none", "Head": LAST_MIGRATION}


def _custom_resource_succeeds(o: Outcome) -> None:
    # the event's ResponseURL is an example: outside AWS the answer cannot be delivered (logged); what the
    # function would have answered is its return value
    assert o.payload["Status"] == "SUCCESS", o.payload
    assert o.new == {}  # nobody in Telegram hears of a deploy step


def migrate_create(o: Outcome) -> None:
    _custom_resource_succeeds(o)
    assert o.payload["PhysicalResourceId"].startswith("sinawai-schema-")


def setup_telegram_create(o: Outcome) -> None:
    # the env file's token is not shaped like a real one: the set-up calls no Telegram and says what to do
    _custom_resource_succeeds(o)
    calls = o.local.companions.telegram.calls
    assert not [c for c in calls if "execute-api" in str(c.params.get("url", ""))]
    assert not [c for c in calls if c.method in ("setMyDescription", "setMyShortDescription")]


def setup_content_update(o: Outcome) -> None:
    _custom_resource_succeeds(o)
    head = o.s3().head_object(Bucket=o.bucket, Key=BUNDLE_KEY)
    assert head["ContentLength"] > 1000  # content/ published from the function's package


def setup_direct_invoke(o: Outcome) -> None:
    assert o.payload["ok"] is False
    assert "token" in o.payload["NextStep"]


def setup_new_token_check(o: Outcome) -> None:
    assert o.payload == {"ok": False, "skipped": "the bot token is not set yet"}


def report_digest_check(o: Outcome) -> None:
    # 07:30 on 29 December: the digest of the 28th has not been sent on a fresh database
    assert o.payload == {"status": "missing", "report_date": "2026-12-28", "run_status": "none"}
    assert o.new == {}  # the check sends nothing; the DigestMissing metric is the alarm's


def setup_alarm_sns(o: Outcome) -> None:
    # the env file sets no ops chat: the alarm goes to e-mail only, nothing is posted
    assert o.payload == {"relayed": 0, "skipped": "OPS_CHAT_ID is not set"}
    assert o.new == {}


def webhook_retention_purge(o: Outcome) -> None:
    # a fresh database: nothing is old enough; the run says it is complete
    assert o.payload["complete"] is True, o.payload
    assert o.new == {}


def registration_datasaya(o: Outcome) -> None:
    # Budi's own data arrives in his private chat as files (the JSON and the summary), audited once
    documents = [m.document for m in o.new.get(BUDI, []) if m.document]
    names = sorted(d.get("file_name", "") for d in documents)
    assert len(names) == 2, names
    assert names[0].endswith(".json") or names[1].endswith(".json"), names
    audit = o.rows("SELECT event FROM audit_log WHERE event = 'export_datasaya'")
    assert len(audit) == 1


def webhook_inbox_sweep(o: Outcome) -> None:
    assert o.payload == {"redispatched": 0, "abandoned": 0, "secrets_wiped": 0}


def webhook_start(o: Outcome) -> None:
    assert o.payload["statusCode"] == 200
    assert o.invoked("GeneralFunction") == ["Event"]  # through the Lambda endpoint (sam local start-lambda)
    (greeting,) = o.texts(BUDI)
    assert greeting.startswith("Selamat datang di Sinawai, Bapak/Ibu")
    assert o.rows("SELECT update_id FROM update_inbox") == [{"update_id": 810000001}]


OUTCOMES: dict[str, Callable[[Outcome], None]] = {
    "migrate_action": migrate_action,
    "registration_datasaya": registration_datasaya,
    "webhook_retention_purge": webhook_retention_purge,
    "report_digest_check": report_digest_check,
    "setup_alarm_sns": setup_alarm_sns,
    "migrate_create": migrate_create,
    "setup_content_update": setup_content_update,
    "setup_direct_invoke": setup_direct_invoke,
    "setup_new_token_check": setup_new_token_check,
    "setup_telegram_create": setup_telegram_create,
    "broadcast_sqs_chunk": broadcast_sqs_chunk,
    "consultation_auto_close_schedule": consultation_auto_close_schedule,
    "consultation_faq_question": consultation_faq_question,
    "consultation_question": consultation_question,
    "consultation_staff_reply": consultation_staff_reply,
    "documents_dokumen": documents_dokumen,
    "documents_unggah_caption": documents_unggah_caption,
    "general_bantuan": _one_reply("Bantuan Sinawai"),
    "general_button_tentang": general_button_tentang,
    "general_menu": general_menu,
    "general_plain_text": _one_reply("Maaf, pesan Anda belum dapat kami proses"),
    "general_start": _one_reply("Selamat datang di Sinawai, Bapak/Ibu"),
    "general_tentang": _one_reply("Tentang Sinawai"),
    "general_unknown_command": _one_reply("Maaf, perintah /abrakadabra tidak dikenal"),
    "import_s3_employees": import_s3_employees,
    "import_sqs_chunk": import_sqs_chunk,
    "information_button_forged": information_button_forged,
    "information_button_topic": information_button_topic,
    "information_jahdis": information_jahdis,
    "information_terkini": _one_reply("Belum ada pengumuman terbaru"),
    "information_umumkan": information_umumkan,
    "information_umumkan_private": information_umumkan_private,
    "report_daily_schedule": report_daily_schedule,
    "report_laporan": report_laporan,
    "report_monthly_schedule": report_monthly_schedule,
    "report_weekly_schedule": report_weekly_schedule,
    "webhook_bot_blocked": _webhook(200, recorded="ignored"),
    "webhook_edited_message": _webhook(200, recorded="ignored"),
    "webhook_inbox_sweep": webhook_inbox_sweep,
    "webhook_missing_secret": _webhook(401, recorded=None),
    "webhook_not_an_update": _webhook(400, recorded=None),
    "webhook_not_json": _webhook(400, recorded=None),
    "webhook_start": webhook_start,
    "webhook_wrong_secret": _webhook(403, recorded=None),
}


# ---- the tests -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamLocal]:
    with (
        fresh_database("sinawai_events") as database,
        sam_local(database, tmp_path_factory.mktemp("function-logs")) as running,
    ):
        yield running


def test_every_sample_event_has_a_row_and_a_check() -> None:
    rows = readme_rows()
    assert sorted(rows) == sample_events(), "events/README.md's table and events/*.json differ"
    assert sorted(OUTCOMES) == sample_events()
    for row in rows.values():
        assert set(row.setup) <= set(SETUP_STEPS), f"{row.event}: unknown setup {row.setup}"


def test_the_setup_steps_are_the_commands_the_readme_gives() -> None:
    steps = readme_steps()
    assert sorted(steps) == sorted(SETUP_STEPS)
    for step, commands in SETUP_STEPS.items():
        for command in commands:
            expected = f"< {command}" if command.endswith(".sql") else f".venv/bin/{command}"
            assert expected in steps[step], f"{step}: events/README.md says {steps[step]!r}"


def test_the_env_file_is_applied_as_sam_local_applies_it(local: SamLocal) -> None:
    assert not [w for w in local.warnings if "ignored" in w], local.warnings
    general = local.functions["GeneralFunction"].environment
    assert general["DB_TLS"] == "false"  # the env file's, over the template's "true"
    assert general["TELEGRAM_API_BASE_URL"] == local.companions.telegram_url
    assert general["AWS_ENDPOINT_URL_LAMBDA"] == ""  # only the router invokes functions
    assert (
        local.functions["WebhookFunction"].environment["AWS_ENDPOINT_URL_LAMBDA"] == local.lambda_endpoint.url
    )


@pytest.mark.parametrize("name", sample_events())
def test_sample_event(local: SamLocal, name: str) -> None:
    row = readme_rows()[name]
    assert row.function in local.functions, f"{name}: no function {row.function} in the template"
    outcome = run_event(local, row)
    assert outcome.result.function_error is None, outcome.result.payload.decode()[:2000]
    OUTCOMES[name](outcome)


def test_a_renamed_handler_fails_its_events(local: SamLocal, tmp_path: Path) -> None:
    """The check above can fail: the same event against a function whose handler was renamed."""
    spec = replace(local.functions["GeneralFunction"], handler="app.handler_renamed")
    runtime = LambdaRuntime({"GeneralFunction": spec}, base_env=local.runtime.base_env, log_dir=tmp_path)
    try:
        event = json.loads((EVENTS / "general_start.json").read_text())
        result = runtime.invoke("GeneralFunction", json.dumps(event).encode())
    finally:
        runtime.close()
    assert result.function_error == "Unhandled"
    assert "handler_renamed" in result.payload.decode()


def test_without_db_tls_false_the_webhook_answers_503(tmp_path: Path) -> None:
    """The issue's bug: with the template's DB_TLS ("true") against a MariaDB without TLS, every function
    failed; the router answers 503 (Telegram would retry for ever)."""
    env = json.loads((EVENTS / "env.local.json").read_text())
    del env["Parameters"]["DB_TLS"]
    broken = tmp_path / "env.without-db-tls.json"
    broken.write_text(json.dumps(env))
    with (
        fresh_database("sinawai_notls") as database,
        sam_local(database, tmp_path, env_file=broken) as running,
    ):
        assert running.functions["WebhookFunction"].environment["DB_TLS"] == "true"
        event = json.loads((EVENTS / "webhook_start.json").read_text())
        result = running.invoke("WebhookFunction", event)
        assert json.loads(result.payload)["statusCode"] == 503


def test_secrets_the_env_file_names_are_in_moto_for_the_functions(tmp_path: Path) -> None:
    """The token as in AWS, from Secrets Manager (moto's, by the name the file gives): serve puts it there."""
    env = json.loads((EVENTS / "env.local.json").read_text())
    env["Parameters"].update(
        TELEGRAM_BOT_TOKEN="", TELEGRAM_BOT_TOKEN_SECRET_ARN="sinawai/local/telegram-bot-token"
    )
    by_secret = tmp_path / "env.token-by-secret.json"
    by_secret.write_text(json.dumps(env))
    with (
        fresh_database("sinawai_secret") as database,
        sam_local(database, tmp_path, env_file=by_secret) as running,
    ):
        assert running.companions.created_secrets == ["sinawai/local/telegram-bot-token"]
        general = running.functions["GeneralFunction"].environment
        assert general["TELEGRAM_BOT_TOKEN"] == ""
        result = running.invoke("GeneralFunction", json.loads((EVENTS / "general_start.json").read_text()))
        assert json.loads(result.payload)["status"] == "done"
        greeting = "Selamat datang di Sinawai, Bapak/Ibu"
        greetings = [m for m in running.companions.telegram.bot_messages(BUDI) if greeting in m.content]
        assert len(greetings) == 1
