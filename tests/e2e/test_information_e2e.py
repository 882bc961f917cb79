"""Information menus, FAQ answers, announcements and documents, end to end through the local stack.

Its own stack (database, bucket): the shipped content is published to the bucket with `sinawai content
publish`, as OSDM would, and the functions read it with CONTENT_CACHE_SECONDS=0 so a republication is
served at once.

Bad inputs tried: forged callback data (unknown area, unknown topic, unknown section, a topic of another
area, garbage), a button of a topic removed by a later publication, /umumkan from a private chat and from
another group, /umumkan with nothing to announce, a broadcast pressed twice, recipients who blocked the bot
or never started it, 429s injected during the broadcast, FAQ buttons pressed twice or by another chat, a
restricted document asked for by a forged button, a document whose S3 object was deleted, /unggah without
a file and from outside the staff group.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import ROOT, LocalStack, StackConfig
from local_stack.telegram import ChatMessage
from sinawai import cli
from sinawai.documents import store as document_store
from sinawai.information import content, content_files
from sinawai.platform.db import Database
from tests.helpers import fresh_database, query, text_of

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
OTHER_GROUP = -1002000000099
BUDI = 5580001  # pegawai, registered
SITI = 5580002  # pegawai, registered
DEWI = 5580003  # staf, registered
TAMU = 5580004  # not registered
RINA = 5580101  # staff member in the staff group
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
NIP_DEWI = "198805052012012003"
RECIPIENTS = [5589000 + n for n in range(40)]  # registered employees who started the bot long ago
NEVER_STARTED = 5589100  # registered, never pressed Start: Telegram answers 403
BLOCKED = 5589101  # registered, blocked the bot
CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("information-logs")
    with fresh_database("sinawai_e2e_info") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-information",
            extra_env={"CONTENT_CACHE_SECONDS": "0"},
        )
        with LocalStack(config) as local:
            emu = local.telegram
            db = Database(database)
            people = [
                (BUDI, "Budi", NIP_BUDI, "pegawai"),
                (SITI, "Siti", NIP_SITI, "pegawai"),
                (DEWI, "Dewi", NIP_DEWI, "staf"),
            ]
            for user, name, nip, role in people:
                emu.add_user(user, name, started=True)  # they registered: they wrote to the bot
                db.execute(
                    "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram, hak_pengguna)"
                    " VALUES (%s, %s, 'Biro Umum', %s, %s)",
                    (nip, name, user, role),
                )
            for n, user in enumerate([*RECIPIENTS, NEVER_STARTED, BLOCKED]):
                emu.add_user(user, f"Pegawai {n}", started=user != NEVER_STARTED)
                db.execute(
                    "INSERT INTO pengguna (nip, nama, id_telegram) VALUES (%s, %s, %s)",
                    (f"1991020320150310{n:02d}", f"Pegawai {n}", user),
                )
            emu.block_bot(BLOCKED)
            db.close()
            emu.add_user(TAMU, "Tamu")
            emu.add_user(RINA, "Rina")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            emu.add_group(OTHER_GROUP, "Grup Arisan", members=[BUDI, RINA])
            assert publish(local, CONTENT) == 0
            yield local


@pytest.fixture
def aws_env(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sinawai` as an operator runs it against this stack: moto for S3, the stack's bucket and database."""
    db = stack.config.database
    env = {
        "AWS_ENDPOINT_URL_S3": stack.moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
        "DOCUMENTS_BUCKET": stack.config.bucket,
        "DB_HOST": db.host,
        "DB_PORT": str(db.port),
        "DB_NAME": db.name,
        "DB_USER": db.user,
        "DB_PASSWORD": db.password,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def publish(stack: LocalStack, folder: Path) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_S3", stack.moto_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
        return cli.main(["content", "publish", str(folder), "--bucket", stack.config.bucket])


def bundle() -> content.Bundle:
    return content_files.build(content_files.load_folder(CONTENT))


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None, **kw: Any) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=chat_id, **kw)
    stack.wait_idle()
    return update


def press(stack: LocalStack, user: int, chat_id: int, message_id: int, data: str) -> None:
    stack.telegram.press_button(user, chat_id, message_id, data)
    stack.wait_idle()


def forge(stack: LocalStack, user: int, message: ChatMessage, data: str) -> None:
    """A callback query with data the message does not have (a modified client, or a stale keyboard)."""
    stack.telegram.press_forged_button(user, message.chat_id, message.message_id, data)
    stack.wait_idle()


def last(stack: LocalStack, chat_id: int) -> ChatMessage:
    return stack.telegram.bot_messages(chat_id)[-1]


def message(stack: LocalStack, chat_id: int, message_id: int) -> ChatMessage:
    return next(m for m in stack.telegram.bot_messages(chat_id) if m.message_id == message_id)


def views(stack: LocalStack, chat_id: int) -> list[tuple[str, str | None, str]]:
    rows = query(
        stack.config.database,
        "SELECT area, topic_id, via FROM content_view WHERE chat_id = %s ORDER BY id",
        (chat_id,),
    )
    return [(r["area"], r["topic_id"], r["via"]) for r in rows]


# ---- menus -----------------------------------------------------------------------------------------------


def test_every_menu_path_of_every_area_reaches_every_topic_in_place(stack: LocalStack) -> None:
    published = bundle()
    reached: set[str] = set()
    for area in published.areas:
        say(stack, BUDI, f"/{area.id}")
        menu_message = last(stack, BUDI)
        assert area.title in text_of(menu_message)
        expected = [content.section_callback(area.id, s.id) for s in area.sections] or [
            content.topic_callback(area.id, t.id) for t in published.topics_of(area.id)
        ]
        assert menu_message.callback_data == [*expected, "general:menu"]
        # walk every button of every page, always in the same message
        at = menu_message.message_id
        sections: list[str | None] = [s.id for s in area.sections] or [None]
        for n, section in enumerate(sections):
            if n:  # from the previous section's menu, up to the area's
                press(stack, BUDI, BUDI, at, content.area_callback(area.id))
            if section is not None:
                press(stack, BUDI, BUDI, at, content.section_callback(area.id, section))
            parent = message(stack, BUDI, at)
            topics = [content.topic_callback(area.id, t.id) for t in published.topics_of(area.id, section)]
            up = [content.area_callback(area.id)] if section else []
            assert parent.callback_data == [*topics, *up, "general:menu"]
            back = content.section_callback(area.id, section) if section else content.area_callback(area.id)
            for data in topics:
                press(stack, BUDI, BUDI, at, data)
                page = message(stack, BUDI, at)
                topic = published.topic(data.rsplit(":", 1)[1])
                assert topic is not None
                assert topic.title in text_of(page)
                # marked for OSDM to confirm, once per conversation: on the first topic the chat sees
                assert (content.DRAFT_NOTE in text_of(page)) == (not reached)
                assert page.callback_data == [back, "general:menu"]
                reached.add(topic.id)
                press(stack, BUDI, BUDI, at, back)  # Back: the menu the topic was chosen from
                assert message(stack, BUDI, at).callback_data == parent.callback_data
        # Main menu from inside an area: the general function shows the main menu in the same message
        press(stack, BUDI, BUDI, menu_message.message_id, "general:menu")
        assert "Menu Utama" in text_of(message(stack, BUDI, menu_message.message_id))
    assert reached == {t.id for t in published.topics}
    recorded = views(stack, BUDI)
    assert {topic for _, topic, via in recorded if via == "button" and topic} == reached
    assert [(a, t, v) for a, t, v in recorded if v == "command"] == [
        (a.id, None, "command") for a in published.areas
    ]


def test_the_main_menu_buttons_reach_the_same_answers_as_the_commands(stack: LocalStack) -> None:
    say(stack, SITI, "/menu")
    main = last(stack, SITI)
    press(stack, SITI, SITI, main.message_id, "information:jahdis")
    page = message(stack, SITI, main.message_id)
    assert "Kesejahteraan" in text_of(page)
    press(stack, SITI, SITI, main.message_id, "information:jahdis:s:cuti")
    press(stack, SITI, SITI, main.message_id, "information:jahdis:t:cuti-tahunan")
    by_button = text_of(message(stack, SITI, main.message_id))
    say(stack, SITI, "/jahdis")
    by_command = last(stack, SITI)
    press(stack, SITI, SITI, by_command.message_id, "information:jahdis:s:cuti")
    press(stack, SITI, SITI, by_command.message_id, "information:jahdis:t:cuti-tahunan")
    # the same answer; the draft notice was said with the first one (once per conversation)
    assert content.DRAFT_NOTE in by_button
    without_notice = by_button.replace(f"\n\n{content.DRAFT_NOTE}", "")
    assert message(stack, SITI, by_command.message_id).text == without_notice
    assert "12 hari kerja" in by_button
    assert "paling banyak 6 hari" in by_button


def test_stale_and_forged_buttons_show_a_menu_again_never_an_error(stack: LocalStack) -> None:
    say(stack, BUDI, "/mutasi")
    page = last(stack, BUDI)
    failures_before = [c for c in stack.telegram.calls if not c.ok]
    for data, expect in (
        ("information:mutasi:t:tidak-ada", "Mutasi"),  # unknown topic → the area's menu
        ("information:mutasi:s:tidak-ada", "Mutasi"),  # unknown section → the area's menu
        ("information:mutasi:t:cuti-tahunan", "Mutasi"),  # a topic of another area → this area's menu
        ("information:mutasi:x:y:z", "Mutasi"),
        ("information:kepegawaian", "Menu Utama"),  # unknown area → the main menu
        ("information:" + "x" * 50, "Menu Utama"),
    ):
        forge(stack, BUDI, page, data)
        assert expect in text_of(message(stack, BUDI, page.message_id)), data
    # every press answered, every edit accepted (the same menu shown again is "not modified": absorbed)
    failures = [
        (c.method, c.description)
        for c in stack.telegram.calls
        if not c.ok and c not in failures_before and "not modified" not in str(c.description)
    ]
    assert failures == []
    answered = [c for c in stack.telegram.calls_to("answerCallbackQuery") if c.ok]
    assert len(answered) >= 6
    rows = query(stack.config.database, "SELECT status FROM update_inbox WHERE status = 'failed'")
    assert rows == []


def test_a_changed_answer_is_served_after_publish_without_redeploy(
    stack: LocalStack, tmp_path: Path, aws_env: None
) -> None:
    changed = tmp_path / "content"
    shutil.copytree(CONTENT, changed)
    skp = changed / "pengkinpeg" / "skp.md"
    skp.write_text(skp.read_text().replace("wajib memiliki", "WAJIB (versi baru) memiliki"))
    (changed / "pengkinpeg" / "predikat-kinerja.md").unlink()
    say(stack, SITI, "/pengkinpeg")
    page = last(stack, SITI)
    assert "information:pengkinpeg:t:predikat-kinerja" in page.callback_data
    try:
        assert publish(stack, changed) == 0
        press(stack, SITI, SITI, page.message_id, "information:pengkinpeg:t:skp")
        assert "WAJIB (versi baru) memiliki" in text_of(message(stack, SITI, page.message_id))
        # the removed topic's old button: the area's menu, now without it
        say(stack, SITI, "/pengkinpeg")
        fresh = last(stack, SITI)
        assert "information:pengkinpeg:t:predikat-kinerja" not in fresh.callback_data
        forge(stack, SITI, fresh, "information:pengkinpeg:t:predikat-kinerja")
        assert message(stack, SITI, fresh.message_id).callback_data == fresh.callback_data
    finally:
        assert publish(stack, CONTENT) == 0
    press(stack, SITI, SITI, page.message_id, "information:pengkinpeg")
    assert "information:pengkinpeg:t:predikat-kinerja" in message(stack, SITI, page.message_id).callback_data


def test_publish_refuses_a_too_long_answer_naming_file_and_line(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "content"
    shutil.copytree(CONTENT, broken)
    cuti = broken / "jahdis" / "cuti-sakit.md"
    lines = cuti.read_text().splitlines()
    lines += [f"- Paragraf tambahan nomor {n} yang membuat jawaban ini terlalu panjang." for n in range(60)]
    cuti.write_text("\n".join(lines) + "\n")
    assert publish(stack, broken) == 1
    err = capsys.readouterr().err
    assert f"{broken}/jahdis/cuti-sakit.md:" in err
    assert "terlalu panjang" in err
    # nothing was published: the answer served is still the old one
    say(stack, BUDI, "/jahdis")
    page = last(stack, BUDI)
    press(stack, BUDI, BUDI, page.message_id, "information:jahdis:s:cuti")
    press(stack, BUDI, BUDI, page.message_id, "information:jahdis:t:cuti-sakit")
    assert "Paragraf tambahan" not in text_of(message(stack, BUDI, page.message_id))


# ---- announcements -------------------------------------------------------------------------------------


def test_umumkan_outside_the_staff_group_is_refused(stack: LocalStack) -> None:
    say(stack, BUDI, "/umumkan Besok libur")
    assert "hanya dapat digunakan oleh petugas" in text_of(last(stack, BUDI))
    say(stack, RINA, "/umumkan Besok libur", chat_id=OTHER_GROUP)
    assert "hanya dapat digunakan oleh petugas" in text_of(last(stack, OTHER_GROUP))
    assert query(stack.config.database, "SELECT id FROM announcement") == []
    say(stack, BUDI, "/terkini")
    assert "Belum ada pengumuman" in text_of(last(stack, BUDI))


def test_an_announcement_is_posted_shown_and_broadcast_paced_with_a_summary(stack: LocalStack) -> None:
    emu = stack.telegram
    say(stack, RINA, "/umumkan", chat_id=STAFF)
    assert "Cara membuat pengumuman" in text_of(last(stack, STAFF))
    say(stack, RINA, "/umumkan Batas unggah SKP triwulan III: 10 Oktober <penting> & wajib.", chat_id=STAFF)
    posted = last(stack, STAFF)
    assert "Pengumuman #1 disimpan" in text_of(posted)
    assert posted.callback_data == ["information:siar:1"]
    # replying /umumkan to a message announces that message
    note = say(stack, RINA, "Cuti bersama tahun depan diumumkan pekan depan.", chat_id=STAFF)
    say(stack, RINA, "/umumkan", chat_id=STAFF, reply_to_message_id=note["message"]["message_id"])
    assert "Pengumuman #2 disimpan" in text_of(last(stack, STAFF))

    # as the caption of a photo, its text is announced
    stack.telegram.send_photo(RINA, chat_id=STAFF, caption="/umumkan Foto kegiatan apel HUT KORPRI.")
    stack.wait_idle()
    assert "Pengumuman #3 disimpan" in text_of(last(stack, STAFF))

    say(stack, SITI, "/terkini")
    terkini = text_of(last(stack, SITI))
    assert "Foto kegiatan apel HUT KORPRI." in terkini
    assert terkini.index("Cuti bersama tahun depan") < terkini.index("Batas unggah SKP")  # newest first
    assert "<penting> & wajib" in terkini  # escaped on the way, shown as written

    before = len(emu.calls)
    emu.fail_next("sendMessage", count=3, error_code=429, retry_after=1)
    press(stack, RINA, STAFF, posted.message_id, "information:siar:1")
    stack.wait_idle(timeout=60)
    summary = last(stack, STAFF)
    recipients = 3 + len(RECIPIENTS)  # Budi, Siti, Dewi and the forty
    assert "Siaran pengumuman #1 selesai" in text_of(summary)
    assert f"Terkirim: {recipients}" in text_of(summary)
    assert "Memblokir bot: 2" in text_of(summary)  # the one who blocked it and the one who never started it
    assert "Gagal: 0" in text_of(summary)
    for user in [*RECIPIENTS, BUDI, SITI, DEWI]:
        got = [m for m in emu.bot_messages(user) if "Pengumuman Biro OSDM" in m.content]
        assert len(got) == 1, user
    sends = [
        c
        for c in emu.calls[before:]
        if c.method == "sendMessage" and "Pengumuman Biro OSDM" in str(c.params.get("text"))
    ]
    delivered = sorted(c.time for c in sends if c.ok)
    assert len(delivered) == recipients
    for i in range(len(delivered) - 30):
        assert delivered[i + 30] - delivered[i] >= 1.0  # never more than 30 in a second
    assert sum(1 for c in sends if c.error_code == 429) == 3  # only the injected ones: the pace held
    rows = query(
        stack.config.database,
        "SELECT status, COUNT(*) AS n FROM announcement_delivery GROUP BY status ORDER BY status",
    )
    assert rows == [{"status": "sent", "n": recipients}, {"status": "blocked", "n": 2}]

    # pressing it again does not send anything twice
    sent_before = len(emu.calls_to("sendMessage"))
    emu.press_forged_button(RINA, STAFF, posted.message_id, "information:siar:1")
    stack.wait_idle()
    assert len(emu.calls_to("sendMessage")) == sent_before
    assert "sudah disiarkan" in str(emu.calls_to("answerCallbackQuery")[-1].params.get("text"))


# ---- FAQ before a consultation ---------------------------------------------------------------------------


def offers(stack: LocalStack, chat_id: int) -> list[dict[str, Any]]:
    return query(
        stack.config.database,
        "SELECT id, outcome, ticket_id, topic_ids, question, decided_at FROM faq_offer WHERE chat_id = %s"
        " ORDER BY id",
        (chat_id,),
    )


def test_an_faq_answer_yes_opens_no_ticket(stack: LocalStack) -> None:
    question = "Apakah sisa cuti tahunan saya bisa dibawa ke tahun depan?"
    say(stack, DEWI, question)
    offer = last(stack, DEWI)
    assert "Mungkin ini jawaban yang Anda cari" in text_of(offer)
    assert "Cuti tahunan" in text_of(offer)
    assert "paling banyak 6 hari" in text_of(offer)
    recorded = offers(stack, DEWI)
    assert [(r["outcome"], r["ticket_id"], r["question"]) for r in recorded] == [("menunggu", None, question)]
    assert json.loads(recorded[0]["topic_ids"])[0] == "cuti-tahunan"
    offer_id = recorded[0]["id"]
    assert offer.callback_data[-2:] == [
        f"consultation:faq:{offer_id}:ya",
        f"consultation:faq:{offer_id}:tidak",
    ]

    press(stack, DEWI, DEWI, offer.message_id, f"consultation:faq:{offer_id}:ya")
    assert "senang dapat membantu" in text_of(last(stack, DEWI))
    settled = message(stack, DEWI, offer.message_id)
    assert settled.callback_data == []  # the choice is made
    assert "paling banyak 6 hari" in text_of(settled)  # the answer stays
    assert "Apakah informasi ini menjawab" not in text_of(settled)  # the question for the buttons goes
    assert "tombol di bawah" not in text_of(settled)
    recorded = offers(stack, DEWI)
    assert recorded[0]["outcome"] == "terjawab"
    assert recorded[0]["decided_at"] is not None
    assert query(stack.config.database, "SELECT id FROM ticket WHERE chat_id = %s", (DEWI,)) == []
    assert ("jahdis", "cuti-tahunan", "faq") in views(stack, DEWI)
    # a forged "Tidak" for the decided offer changes nothing
    forge(stack, DEWI, offer, f"consultation:faq:{offer_id}:tidak")
    assert offers(stack, DEWI)[0]["outcome"] == "terjawab"
    assert query(stack.config.database, "SELECT id FROM ticket WHERE chat_id = %s", (DEWI,)) == []


def test_an_faq_answer_no_forwards_the_original_question_to_the_staff(stack: LocalStack) -> None:
    emu = stack.telegram
    question = "Bagaimana cara mengajukan cuti? Saya perlu untuk bulan depan."
    say(stack, SITI, question)
    offer = last(stack, SITI)
    offer_id = offers(stack, SITI)[0]["id"]
    others = [d for d in offer.callback_data if ":faqt:" in d]
    assert others  # several cuti topics match: the others are one press away
    press(stack, SITI, SITI, offer.message_id, others[0])
    assert "Mungkin ini jawaban" in text_of(message(stack, SITI, offer.message_id))
    assert len([v for v in views(stack, SITI) if v[2] == "faq"]) == 2
    staff_before = len(emu.bot_messages(STAFF))

    press(stack, SITI, SITI, offer.message_id, f"consultation:faq:{offer_id}:tidak")
    ack = last(stack, SITI)
    assert "tiket" in text_of(ack)
    settled = message(stack, SITI, offer.message_id)
    assert settled.callback_data == []
    assert "Mungkin ini jawaban" in text_of(settled)
    assert "Apakah informasi ini menjawab" not in text_of(settled)
    recorded = offers(stack, SITI)[0]
    assert recorded["outcome"] == "diteruskan"
    assert recorded["ticket_id"] is not None
    staff = emu.bot_messages(STAFF)[staff_before:]
    assert any(m.content == question for m in staff)  # the original question, copied

    # a follow-up while the ticket is open asks where it goes; added to the ticket: no FAQ offer
    say(stack, SITI, "Oh ya, cuti tahunan saya tersisa 4 hari.")
    prompt = last(stack, SITI)
    add = next(d for d in prompt.callback_data if d.endswith(f":{recorded['ticket_id']}"))
    press(stack, SITI, SITI, prompt.message_id, add)
    assert len(offers(stack, SITI)) == 1
    assert any(m.content == "Oh ya, cuti tahunan saya tersisa 4 hari." for m in emu.bot_messages(STAFF))


def test_a_question_no_topic_matches_opens_a_ticket_at_once(stack: LocalStack) -> None:
    say(stack, BUDI, "Printer di ruang rapat lantai tiga rusak sejak kemarin.")
    assert "tiket" in text_of(last(stack, BUDI))
    recorded = offers(stack, BUDI)
    assert [(r["outcome"], r["topic_ids"]) for r in recorded] == [("tanpa_kecocokan", "[]")]
    ticket = query(stack.config.database, "SELECT id FROM ticket WHERE chat_id = %s", (BUDI,))
    assert recorded[0]["ticket_id"] == ticket[0]["id"]


# ---- documents -----------------------------------------------------------------------------------------


def upload(stack: LocalStack, tmp_path: Path, category: str, title: str, data: bytes, roles: str) -> int:
    path = tmp_path / f"{title.replace(' ', '_')}.pdf"
    path.write_bytes(data)
    return cli.main(["documents", "upload", category, title, str(path), "--roles", roles])


def test_documents_are_sent_once_uploaded_then_by_file_id_and_only_to_the_roles_allowed(
    stack: LocalStack, tmp_path: Path, aws_env: None
) -> None:
    emu = stack.telegram
    form = b"%PDF-1.4 formulir cuti " + b"x" * 3000
    assert upload(stack, tmp_path, "formulir", "Formulir permohonan cuti", form, "pegawai,staf,admin") == 0
    assert (
        upload(stack, tmp_path, "pedoman-staf", "Pedoman verifikasi berkas", b"%PDF staf", "staf,admin") == 0
    )

    say(stack, TAMU, "/dokumen")
    assert "sudah terdaftar" in text_of(last(stack, TAMU))

    say(stack, BUDI, "/dokumen")
    listing = last(stack, BUDI)
    assert listing.callback_data == ["documents:c:formulir", "general:menu"]  # no staff-only category
    press(stack, BUDI, BUDI, listing.message_id, "documents:c:formulir")
    page = message(stack, BUDI, listing.message_id)
    document_button = page.callback_data[0]
    uploads_before = len(emu.uploads)
    for _ in range(2):
        press(stack, BUDI, BUDI, listing.message_id, document_button)
    sent = [m.document for m in emu.bot_messages(BUDI) if m.document is not None]
    assert len(sent) == 2
    assert sent[0]["file_name"] == "Formulir_permohonan_cuti.pdf"
    assert emu.file_content(sent[1]["file_id"]) == form
    assert len(emu.uploads) == uploads_before + 1  # uploaded to Telegram once
    rows = query(
        stack.config.database, "SELECT method FROM document_send WHERE chat_id = %s ORDER BY id", (BUDI,)
    )
    assert [r["method"] for r in rows] == ["upload", "file_id"]

    # the staff-only document: listed for Dewi (staf), refused to Budi even with a forged button
    staff_doc = query(stack.config.database, "SELECT id FROM document WHERE category = 'pedoman-staf'")[0][
        "id"
    ]
    forge(stack, BUDI, listing, f"documents:d:{staff_doc}")
    assert "tidak tersedia untuk Anda" in str(emu.calls_to("answerCallbackQuery")[-1].params.get("text"))
    assert len([m for m in emu.bot_messages(BUDI) if m.document is not None]) == 2
    say(stack, DEWI, "/dokumen")
    assert last(stack, DEWI).callback_data == [
        "documents:c:formulir",
        "documents:c:pedoman-staf",
        "general:menu",
    ]


def test_a_document_missing_from_s3_gets_a_clear_message_and_staff_are_told(
    stack: LocalStack, tmp_path: Path, aws_env: None
) -> None:
    assert (
        upload(stack, tmp_path, "peraturan", "PP 94 2021 Disiplin PNS", b"%PDF pp94", "pegawai,staf,admin")
        == 0
    )
    row = query(stack.config.database, "SELECT id, s3_key FROM document WHERE category = 'peraturan'")[0]
    document_store.s3_client().delete_object(Bucket=stack.config.bucket, Key=row["s3_key"])
    say(stack, SITI, "/dokumen")
    listing = last(stack, SITI)
    press(stack, SITI, SITI, listing.message_id, "documents:c:peraturan")
    press(stack, SITI, SITI, listing.message_id, f"documents:d:{row['id']}")
    assert "sedang tidak tersedia" in text_of(last(stack, SITI))
    told = text_of(last(stack, STAFF))
    assert "tidak ada lagi di penyimpanan Sinawai" in told
    assert "hubungi admin Sinawai" in told
    assert "S3" not in told
    assert row["s3_key"] not in told
    assert query(stack.config.database, "SELECT status FROM update_inbox WHERE status = 'failed'") == []


def test_a_document_over_50_mb_is_offered_as_a_short_lived_link(
    stack: LocalStack, tmp_path: Path, aws_env: None
) -> None:
    assert (
        upload(stack, tmp_path, "video", "Video orientasi pegawai baru", b"video", "pegawai,staf,admin") == 0
    )
    db = Database(stack.config.database)
    db.execute("UPDATE document SET size_bytes = %s WHERE category = 'video'", (60 * 2**20,))
    db.close()
    doc = query(stack.config.database, "SELECT id FROM document WHERE category = 'video'")[0]["id"]
    say(stack, BUDI, "/dokumen")
    listing = last(stack, BUDI)
    press(stack, BUDI, BUDI, listing.message_id, "documents:c:video")
    press(stack, BUDI, BUDI, listing.message_id, f"documents:d:{doc}")
    link = last(stack, BUDI)
    assert "melebihi batas Telegram" in text_of(link)
    url = link.buttons[0][0]["url"]
    assert "X-Amz-Expires=900" in url
    sends = query(
        stack.config.database, "SELECT method FROM document_send WHERE document_id = %s", (str(doc),)
    )
    assert sends == [{"method": "link"}]


def test_staff_add_a_document_by_sending_it_with_unggah_as_caption(stack: LocalStack) -> None:
    emu = stack.telegram
    say(stack, RINA, "/unggah formulir Tanpa berkas", chat_id=STAFF)
    assert "Cara menambah dokumen" in text_of(last(stack, STAFF))
    say(stack, BUDI, "/unggah formulir Dari pegawai")
    assert "hanya dapat digunakan oleh petugas" in text_of(last(stack, BUDI))

    emu.send_document(
        RINA,
        "templat_surat.docx",
        b"PK templat surat",
        chat_id=STAFF,
        caption="/unggah templat Templat surat izin",
    )
    stack.wait_idle()
    assert "ditambahkan ke kategori" in text_of(last(stack, STAFF))
    uploads_before = len(emu.uploads)
    say(stack, SITI, "/dokumen")
    listing = last(stack, SITI)
    press(stack, SITI, SITI, listing.message_id, "documents:c:templat")
    page = message(stack, SITI, listing.message_id)
    press(stack, SITI, SITI, listing.message_id, page.callback_data[0])
    got = last(stack, SITI)
    assert got.document is not None
    assert emu.file_content(got.document["file_id"]) == b"PK templat surat"
    assert len(emu.uploads) == uploads_before  # the staff's file_id was reused: nothing uploaded at all

    # restricted to staff from the group; a role that does not exist is refused, changing nothing
    emu.send_document(RINA, "sop.pdf", b"%PDF sop", chat_id=STAFF, caption="/unggah sop:direktur SOP arsip")
    stack.wait_idle()
    assert "Peran tidak valid: direktur" in text_of(last(stack, STAFF))
    emu.send_document(RINA, "sop.pdf", b"%PDF sop", chat_id=STAFF, caption="/unggah sop:staf,admin SOP arsip")
    stack.wait_idle()
    assert "(untuk: staf, admin)" in text_of(last(stack, STAFF))
    say(stack, SITI, "/dokumen")
    assert "documents:c:sop" not in last(stack, SITI).callback_data
    say(stack, DEWI, "/dokumen")
    assert "documents:c:sop" in last(stack, DEWI).callback_data


def test_set_my_commands_lists_private_and_staff_commands_from_the_registry(stack: LocalStack) -> None:
    emu = stack.telegram
    env = {"TELEGRAM_API_BASE_URL": emu.base_url, "TELEGRAM_BOT_TOKEN": stack.config.bot_token}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {**env, "STAFF_GROUP_CHAT_ID": str(STAFF)}.items():
            mp.setenv(key, value)
        from sinawai.platform import config

        config.clear_caches()
        assert cli.main(["commands", "publish"]) == 0
        config.clear_caches()
    calls = [c for c in emu.calls_to("setMyCommands") if c.ok]
    private = next(c for c in calls if c.params["scope"]["type"] == "all_private_chats")
    staff = next(c for c in calls if c.params["scope"]["type"] == "chat")
    private_names = [c["command"] for c in private.params["commands"]]
    assert {"renbangkompeg", "mutasi", "jahdis", "pengkinpeg", "terkini", "dokumen"} <= set(private_names)
    assert "umumkan" not in private_names
    assert [c["command"] for c in staff.params["commands"]] == [
        "tiket",
        "ambil",
        "tutup",
        "alihkan",
        "area",
        "jawab",
        "catatan",
        "templat",
        "riwayat",
        "cari_tiket",
        "pegawai",
        "blokir",
        "bukablokir",
        "resetsandi",
        "umumkan",
        "unggah",
    ]
    say(stack, BUDI, "/bantuan")
    help_text = text_of(last(stack, BUDI))
    assert "/dokumen" in help_text
    assert "/umumkan" not in help_text


def test_a_document_is_sent_once_when_recording_the_send_fails_and_lambda_retries(
    stack: LocalStack, tmp_path: Path, aws_env: None
) -> None:
    """Bad input: the database refuses the record of a send (the table is renamed away) after Telegram took
    the file; Lambda retries the press, and the employee still gets the file once."""
    emu = stack.telegram
    assert (
        upload(stack, tmp_path, "surat", "Contoh surat keterangan", b"%PDF surat", "pegawai,staf,admin") == 0
    )
    doc = query(stack.config.database, "SELECT id FROM document WHERE category = 'surat'")[0]["id"]
    say(stack, SITI, "/dokumen")
    listing = last(stack, SITI)
    press(stack, SITI, SITI, listing.message_id, "documents:c:surat")
    files_before = [m for m in emu.bot_messages(SITI) if m.document is not None]
    db = Database(stack.config.database)
    db.execute("RENAME TABLE document_send TO document_send_away")
    try:
        press(stack, SITI, SITI, listing.message_id, f"documents:d:{doc}")
    finally:
        db.execute("RENAME TABLE document_send_away TO document_send")
        db.close()
    files = [m.document for m in emu.bot_messages(SITI) if m.document is not None]
    assert len(files) == len(files_before) + 1
    assert files[-1]["file_name"] == "Contoh_surat_keterangan.pdf"
    retried = query(
        stack.config.database,
        "SELECT status, attempts FROM update_inbox WHERE attempts > 1 AND chat_id = %s",
        (SITI,),
    )
    # Lambda's retry answered the (already answered) button press and found the file sent: done.
    assert retried == [{"status": "done", "attempts": 2}]
