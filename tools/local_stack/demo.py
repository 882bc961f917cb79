"""`make demo`: a scripted conversation through the whole local stack, printed as a transcript.

A fresh database, the functions of template.yaml in their own processes, moto, and the Telegram emulator;
an employee (Budi) talks to the bot exactly as Telegram would deliver it, through the webhook.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from local_stack.dbtools import recreate_database
from local_stack.stack import ROOT, LocalStack, StackConfig
from local_stack.telegram import TelegramEmulator
from sinawai import cli
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database

BUDI = 5550001
SITI = 5550002
STAFF_MEMBER = 5550101
MANAGER = 5550201
PUTRI = 5550003  # a PPPK employee (events/imports/employees.csv)
AGUS = 5550102  # a second staff member (admin in events/imports/employees.csv)
NIP_STAFF = "198807252014022003"  # Siti Nurhaliza, staf in events/imports/employees.csv
STAFF_PASSWORD = "Awal#2026Snh"  # noqa: S105 - the example file's initial password
NIP_AGUS = "198503142010121002"
AGUS_PASSWORD = "Awal#2026Agp"  # noqa: S105 - the example file's initial password


NIP_BUDI = "199001172015031001"
CONTENT = ROOT / "content"
SAMPLE_FORM = ROOT / "events" / "documents" / "formulir_permohonan_cuti.pdf"
FAQ_QUESTION = "Berapa lama cuti melahirkan untuk anak ketiga?"
DEMO_PASSWORD = "Awal#2026Bds"  # noqa: S105 - Budi's initial password in events/imports/employees.csv
IMPORTS = ROOT / "events" / "imports"
QUESTION = (
    "Selamat siang, apakah sisa cuti tahunan saya tahun ini bisa dibawa ke tahun depan? Saya baru memakai "
    "3 hari."
)
SECOND_QUESTION = (
    "Satu lagi, mohon dicek: SK kenaikan pangkat saya periode April belum keluar, apakah ada berkas yang "
    "kurang?"
)
GUEST_QUESTION = (
    "Selamat pagi, saya pegawai baru dan belum menerima kata sandi awal. Kepada siapa saya meminta?"
)
GUEST_ANSWER = (
    "Selamat pagi. Kata sandi awal dibagikan oleh Biro OSDM melalui atasan langsung; bila belum menerima, "
    "ketik /lupasandi dengan NIP Anda, petugas kami akan membuatkan kode sekali pakai."
)
# The demo stage's settings: OSDM's contact as the deploy sets it (OsdmContact*), shown by /kontak
DEMO_ENV = {
    # the demo runs at any hour: the office is open all day, so the service-target reminder shows
    "WORKING_HOURS": "mon-sun 00:00-23:59",
    "OSDM_CONTACT_PHONE": "(021) 7805814",
    "OSDM_CONTACT_WHATSAPP": "0812-1000-2000",
    "OSDM_CONTACT_EMAIL": "osdm@instansi.go.id",
    "OSDM_CONTACT_ROOM": "Gedung B lantai 2, Biro OSDM",
}
ANSWER = (
    "Selamat siang, Pak Budi. Bisa: sisa cuti tahunan paling banyak 6 hari dapat dibawa ke tahun berikutnya "
    "(PP 11/2017), sehingga tahun depan hak Bapak paling banyak 18 hari."
)


def seed_demo_data(database: DatabaseSettings) -> None:
    """Import the HR system's example exports with `sinawai import`, as an operator would."""
    os.environ.update(
        DB_HOST=database.host,
        DB_PORT=str(database.port),
        DB_NAME=database.name,
        DB_USER=database.user,
        DB_PASSWORD=database.password,
    )
    for kind in ("employees", "tunkin", "cuti"):
        path = IMPORTS / f"{kind}.csv"
        print(f"$ sinawai import {kind} {path.relative_to(ROOT)}")
        if cli.main(["import", kind, str(path)]) != 0:
            raise SystemExit(f"the demo data in {path} did not import")


def publish_content_and_documents(stack: LocalStack) -> None:
    """What OSDM does before employees use the menus: publish the content, add a document."""
    os.environ.update(
        AWS_ENDPOINT_URL_S3=stack.moto_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's dummy credentials
        AWS_DEFAULT_REGION="ap-southeast-3",
        DOCUMENTS_BUCKET=stack.config.bucket,
    )
    print("$ sinawai content publish content")
    if cli.main(["content", "publish", str(CONTENT)]) != 0:
        raise SystemExit("the content did not publish")
    form = SAMPLE_FORM.relative_to(ROOT)
    print(f'$ sinawai documents upload formulir "Formulir permohonan cuti" {form}')
    if cli.main(["documents", "upload", "formulir", "Formulir permohonan cuti", str(SAMPLE_FORM)]) != 0:
        raise SystemExit("the sample document did not upload")


def setup_people(stack: LocalStack) -> None:
    emu = stack.telegram
    emu.add_user(BUDI, "Budi", last_name="Santoso", username="budi_s")
    emu.add_user(SITI, "Dian", last_name="Permata")  # not in the HR data: asks as a guest
    emu.add_user(PUTRI, "Putri", last_name="Maharani")
    emu.add_user(STAFF_MEMBER, "Siti", last_name="Nurhaliza (OSDM)", username="siti_osdm")
    emu.add_user(AGUS, "Agus", last_name="Prasetyo (OSDM)", username="agus_osdm")
    emu.add_group(stack.config.staff_group_chat_id, "Layanan Kepegawaian OSDM", members=[STAFF_MEMBER, AGUS])


def _latest_bot_message_id(emu: TelegramEmulator, chat_id: int) -> int:
    messages = emu.bot_messages(chat_id)
    return messages[-1].message_id if messages else 0


def _step(stack: LocalStack, action: Callable[[], object]) -> None:
    action()
    stack.wait_idle()


def _forward_if_offered(stack: LocalStack, user: int) -> None:
    """An FAQ offer under the last message: "Tidak, teruskan ke petugas" (no offer: nothing to press)."""
    emu = stack.telegram
    offer = emu.bot_messages(user)[-1]
    no = next((d for d in offer.callback_data if d.endswith(":tidak")), None)
    if no is not None:
        _step(stack, lambda: emu.press_button(user, user, offer.message_id, no))


def _staff_answers_latest(stack: LocalStack, text: str) -> None:
    """The staff member replies to the newest question copied into the staff group."""
    emu = stack.telegram
    staff = stack.config.staff_group_chat_id
    question_id = _latest_bot_message_id(emu, staff)
    _step(stack, lambda: emu.send_message(STAFF_MEMBER, text, chat_id=staff, reply_to_message_id=question_id))


def play(stack: LocalStack) -> None:
    emu = stack.telegram
    setup_people(stack)
    publish_content_and_documents(stack)

    # the general menu (seed, Tabel 2 and 4)
    _step(stack, lambda: emu.send_message(BUDI, "/start"))
    menu_id = _latest_bot_message_id(emu, BUDI)
    # not registered yet: /start says to register first; the main menu is one press away
    _step(stack, lambda: emu.press_button(BUDI, BUDI, menu_id, "general:menu"))
    _step(stack, lambda: emu.press_button(BUDI, BUDI, menu_id, "general:tentang"))
    _step(stack, lambda: emu.press_button(BUDI, BUDI, menu_id, "general:menu"))
    _step(stack, lambda: emu.send_message(BUDI, "/bantuan"))
    _step(stack, lambda: emu.send_message(BUDI, "/cutibersama"))

    # registration (seed, Tabel 3), guided, with a typo in the NIP first
    _step(stack, lambda: emu.send_message(BUDI, "/daftar"))
    _step(stack, lambda: emu.send_message(BUDI, "19900117 201503 1 00"))
    _step(stack, lambda: emu.send_message(BUDI, "19900117 201503 1 001"))
    _step(stack, lambda: emu.send_message(BUDI, DEMO_PASSWORD))
    # personal data (seed, Tabel 1 and 5)
    _step(stack, lambda: emu.send_message(BUDI, "/datapribadi"))
    _step(stack, lambda: emu.send_message(BUDI, "/tunkin"))
    _step(stack, lambda: emu.send_message(BUDI, "/cuti"))

    # someone else, not registered: /start says to register first; personal data refused with the guided
    # /daftar; a question is still forwarded, as a guest (unverified in the staff group), and answered
    _step(stack, lambda: emu.send_message(SITI, "/start"))
    _step(stack, lambda: emu.send_message(SITI, "/datapribadi"))
    _step(stack, lambda: emu.send_message(SITI, GUEST_QUESTION))
    _forward_if_offered(stack, SITI)
    _staff_answers_latest(stack, GUEST_ANSWER)
    _step(stack, lambda: emu.send_message(SITI, "/kontak"))

    # a PPPK employee registers in one message with the NIP as printed on her decree; /cuti shows the kinds
    # of leave a PPPK has (PP 49/2018 Pasal 77)
    _step(stack, lambda: emu.send_message(PUTRI, "/daftar 19960421 202321 2 007 Awal#2026Ptm"))
    _step(stack, lambda: emu.send_message(PUTRI, "/cuti"))

    # information menus (seed, Tabel 4): /jahdis → Cuti → Cuti tahunan → Back → main menu, in one message
    _step(stack, lambda: emu.send_message(BUDI, "/jahdis"))
    jahdis = _latest_bot_message_id(emu, BUDI)
    for data in (
        "information:jahdis:s:cuti",
        "information:jahdis:t:cuti-tahunan",
        "information:jahdis:s:cuti",
        "general:menu",
    ):
        _step(stack, functools.partial(emu.press_button, BUDI, BUDI, jahdis, data))

    # an FAQ answer before a consultation: the topic answers it, "Ya, terjawab", no ticket
    _step(stack, lambda: emu.send_message(BUDI, FAQ_QUESTION))
    offer = emu.bot_messages(BUDI)[-1]
    yes = next(d for d in offer.callback_data if d.endswith(":ya"))
    _step(stack, lambda: emu.press_button(BUDI, BUDI, offer.message_id, yes))

    # a document: /dokumen → Formulir → the file (uploaded to Telegram once, then by file_id)
    _step(stack, lambda: emu.send_message(BUDI, "/dokumen"))
    listing = _latest_bot_message_id(emu, BUDI)
    _step(stack, lambda: emu.press_button(BUDI, BUDI, listing, "documents:c:formulir"))
    document = next(m for m in emu.bot_messages(BUDI) if m.message_id == listing).callback_data[0]
    _step(stack, lambda: emu.press_button(BUDI, BUDI, listing, document))

    # an announcement from the staff group, then /terkini
    staff = stack.config.staff_group_chat_id
    _step(
        stack,
        lambda: emu.send_message(
            STAFF_MEMBER, "/umumkan Batas unggah bukti dukung SKP triwulan IV: 15 Desember.", chat_id=staff
        ),
    )
    _step(stack, lambda: emu.send_message(BUDI, "/terkini"))

    # a consultation: the FAQ offers a topic, Budi forwards his question to the staff ("Tidak"), Siti
    # answers in the staff group, closes it, Budi rates it
    _step(stack, lambda: emu.send_message(BUDI, QUESTION))
    offer = emu.bot_messages(BUDI)[-1]
    no = next(d for d in offer.callback_data if d.endswith(":tidak"))
    _step(stack, lambda: emu.press_button(BUDI, BUDI, offer.message_id, no))
    header = next(m for m in reversed(emu.bot_messages(staff)) if m.callback_data)
    ticket = header.callback_data[0].rsplit(":", 1)[-1]
    _staff_answers_latest(stack, ANSWER)
    # a second question while ticket 1 is open: the bot asks where it goes; "Pertanyaan baru" goes through
    # the FAQ, then becomes a ticket of its own
    _step(stack, lambda: emu.send_message(BUDI, SECOND_QUESTION))
    prompt = emu.bot_messages(BUDI)[-1]
    new = next(d for d in prompt.callback_data if d.endswith(":baru"))
    _step(stack, lambda: emu.press_button(BUDI, BUDI, prompt.message_id, new))
    _forward_if_offered(stack, BUDI)
    # Budi's tickets, open first; the first one opens to its exchange
    _step(stack, lambda: emu.send_message(BUDI, "/tiketsaya"))
    listing = _latest_bot_message_id(emu, BUDI)
    _step(stack, lambda: emu.press_button(BUDI, BUDI, listing, f"consultation:tsl:{ticket}:0"))
    _step(
        stack,
        lambda: emu.press_button(STAFF_MEMBER, staff, header.message_id, f"consultation:tutup:{ticket}"),
    )
    rating_id = _latest_bot_message_id(emu, BUDI)
    _step(stack, lambda: emu.press_button(BUDI, BUDI, rating_id, f"consultation:nilai:{ticket}:5"))
    _step(stack, lambda: emu.send_message(BUDI, "Jawabannya cepat dan jelas. Terima kasih, Bu!"))
    staff_tools(stack, ticket=int(ticket) + 1)


def _invoke_sweep(stack: LocalStack) -> None:
    """The 15-minute schedule of ConsultationFunction (auto-close and service-target reminders)."""
    assert stack.runtime is not None
    event = (ROOT / "events" / "consultation_auto_close_schedule.json").read_bytes()
    stack.runtime.invoke("ConsultationFunction", event)
    stack.wait_idle()


def staff_tools(stack: LocalStack, ticket: int) -> None:
    """Issue 15 in the staff group: the group's help, a service-target reminder, Data pegawai, a ready
    answer from the content, an internal note and a hand-over, on Budi's second ticket."""
    emu = stack.telegram
    staff = stack.config.staff_group_chat_id
    # the staff register in their private chat (peran staf/admin in the HR data)
    _step(stack, lambda: emu.send_message(STAFF_MEMBER, f"/daftar {NIP_STAFF} {STAFF_PASSWORD}"))
    _step(stack, lambda: emu.send_message(AGUS, f"/daftar {NIP_AGUS} {AGUS_PASSWORD}"))
    _step(stack, lambda: emu.send_message(STAFF_MEMBER, "/bantuan", chat_id=staff))
    # the ticket has waited two days (as if asked on an earlier working day): the sweep raises it once
    Database(stack.config.database).execute(
        "UPDATE ticket SET created_at = created_at - INTERVAL 2 DAY WHERE id = %s", (ticket,)
    )
    _invoke_sweep(stack)
    header = next(
        m for m in reversed(emu.bot_messages(staff)) if f"consultation:tutup:{ticket}" in m.callback_data
    )
    _step(
        stack,
        lambda: emu.press_button(STAFF_MEMBER, staff, header.message_id, f"consultation:pegawai:{ticket}"),
    )
    _step(
        stack,
        lambda: emu.send_message(
            STAFF_MEMBER,
            "! sudah dicek di SIASN: usulan April lengkap, menunggu pertimbangan teknis BKN",
            chat_id=staff,
            reply_to_message_id=header.message_id,
        ),
    )
    _step(stack, lambda: emu.send_message(STAFF_MEMBER, f"/alihkan {ticket} @agus_osdm", chat_id=staff))
    _step(
        stack,
        lambda: emu.send_message(AGUS, f"/jawab {ticket} kenaikan-pangkat-reguler", chat_id=staff),
    )
    _step(stack, lambda: emu.send_message(AGUS, f"/riwayat {ticket}", chat_id=staff))


def send_daily_digest(stack: LocalStack) -> str:
    """Invoke ReportFunction as EventBridge Scheduler does the next morning at 07:00 WIB (twice: the second
    run finds the day's digest sent and sends nothing), and return the digest the managers received."""
    emu = stack.telegram
    managers = stack.config.managers_chat_id
    emu.add_user(MANAGER, "Hendra", last_name="(Kepala Biro)")
    emu.add_group(managers, "Pimpinan Biro OSDM", members=[MANAGER])
    wib = ZoneInfo("Asia/Jakarta")
    tomorrow = datetime.combine(datetime.now(wib).date() + timedelta(days=1), datetime.min.time(), wib)
    scheduled = (tomorrow + timedelta(hours=7)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event = {"source": "sinawai.scheduler", "report": "daily", "scheduled_time": scheduled}
    assert stack.runtime is not None
    for _ in range(2):
        result = stack.runtime.invoke("ReportFunction", json.dumps(event).encode())
        print(f"ReportFunction (schedule {scheduled}): {result.payload.decode()}")
    stack.wait_idle()
    s3 = stack._aws("s3")
    listing = s3.list_objects_v2(Bucket=stack.config.bucket, Prefix="reports/").get("Contents", [])
    for item in listing:
        print(f"  archived s3://{stack.config.bucket}/{item['Key']} ({item['Size']:,} bytes)")
    texts = [m.text for m in emu.bot_messages(managers) if m.text]
    return texts[-1] if texts else "(no digest arrived)"


def print_weekly_report(out_dir: Path) -> None:
    """The weekly digest of this week so far, as `sinawai report --period week` prints it (the scheduled
    one, on Monday, covers the week before: in a demo of one day that week is empty)."""
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat()
    print("=" * 78)
    print(f"$ sinawai report --period week --date {today}")
    print("=" * 78)
    if cli.main(["report", "--period", "week", "--date", today, "--out", str(out_dir)]) != 0:
        raise SystemExit("the weekly report did not build")


def print_transcript(stack: LocalStack, out: Callable[[str], object] = print) -> None:
    out("=" * 78)
    out("Transkrip percakapan (Telegram emulator)")
    out("=" * 78)
    for entry in stack.telegram.transcript():
        out(f"[{entry.chat_name}] {entry.who} ({entry.kind})")
        for line in (entry.text or "").splitlines() or [""]:
            out(textwrap.indent(textwrap.fill(line, 74) if line else "", "    "))
        for row in entry.buttons:
            out("    " + "  ".join(f"[{label}]" for label in row))
    out("=" * 78)


def main() -> int:
    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    base = DatabaseSettings.from_env()
    database = recreate_database(base, "sinawai_demo")
    log_dir = Path(".demo-logs")
    log_dir.mkdir(exist_ok=True)
    started = time.perf_counter()
    seed_demo_data(database)
    with LocalStack(StackConfig(database=database, log_dir=log_dir, extra_env=DEMO_ENV)) as stack:
        play(stack)
        print_transcript(stack)
        counts = stack.message_log_counts()
        digest = send_daily_digest(stack)
        print("=" * 78)
        print("Laporan harian yang dikirim ke grup pimpinan untuk hari demo:")
        print("=" * 78)
        print(digest)
        print_weekly_report(log_dir)
    print("=" * 78)
    print("=" * 78)
    print(f"Message log (pesan): {counts.get('in', 0)} in, {counts.get('out', 0)} out")
    print(f"Demo finished in {time.perf_counter() - started:.1f} s; function logs in {log_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
