"""/laporan end to end: Telegram emulator → API Gateway → router → ReportFunction → Bot API (multipart)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from local_stack.stack import LocalStack
from tests.e2e.conftest import EMPLOYEE, STAFF_MEMBER
from tests.helpers import query

pytestmark = pytest.mark.e2e

MANAGER = 5550201


def test_laporan_in_the_managers_chat_brings_digest_chart_and_workbook(stack: LocalStack) -> None:
    emu = stack.telegram
    managers = stack.config.managers_chat_id
    emu.add_user(MANAGER, "Hendra", last_name="Kepala Biro")
    emu.add_group(managers, "Pimpinan Biro OSDM", members=[MANAGER])
    emu.send_message(EMPLOYEE, "/start")  # some activity today
    stack.wait_idle()
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    emu.send_message(MANAGER, f"/laporan {today.isoformat()}", chat_id=managers)
    stack.wait_idle(60)
    sent = emu.bot_messages(managers)
    assert len(sent) == 3
    assert (sent[0].text or "").startswith("📊 Laporan Harian Sinawai\n")
    assert "Pesan masuk:" in (sent[0].text or "")
    assert sent[1].photo
    assert sent[2].document
    assert sent[2].document["file_name"] == f"laporan-harian-{today.isoformat()}.xlsx"
    uploads = [u for u in emu.uploads if u.chat_id == managers]
    assert [u.method for u in uploads] == ["sendPhoto", "sendDocument"]
    assert uploads[1].mime_type.endswith("spreadsheetml.sheet")
    logged = query(
        stack.config.database,
        "SELECT kind FROM pesan WHERE chat_id = %s AND direction = 'out' ORDER BY id",
        (managers,),
    )
    assert [r["kind"] for r in logged] == ["sendmessage", "sendphoto", "senddocument"]


def test_laporan_from_an_employee_or_in_the_staff_group_is_refused(stack: LocalStack) -> None:
    emu = stack.telegram
    staff = stack.config.staff_group_chat_id
    before_employee = len(emu.bot_messages(EMPLOYEE))
    before_staff = len(emu.bot_messages(staff))
    emu.send_message(EMPLOYEE, "/laporan")
    emu.send_message(STAFF_MEMBER, "/laporan", chat_id=staff)
    stack.wait_idle(30)
    for chat, before in ((EMPLOYEE, before_employee), (staff, before_staff)):
        replies = emu.bot_messages(chat)[before:]
        assert len(replies) == 1
        assert (replies[0].text or "").startswith("Mohon maaf, laporan evaluasi layanan hanya dapat diminta")
