"""Content that is right (issue 14, items 10, 12, 14), end to end through the local stack.

Its own stack (database, bucket): the shipped content is published with `sinawai content publish`, as OSDM
would. Checked as an employee sees it: `/cari` finds topics (typos forgiven) and opens them, the draft
notice is said once per conversation (menu topics and FAQ answers alike) and again in a new conversation,
the new topics answer the common cases (husband's leave, miscarriage, fire or disaster, hajj, MPP,
Taspen, retirement ages), and cuti bersama is stated the right way in the topics and in `/cuti`. A question
no topic clearly answers (two things at once, or only "cuti") gets a choice of topics and no answer first.

Bad inputs tried: `/cari` with nothing, with only filler words, with 101 characters, with HTML in the
query, with a word no topic has, and `/cari` in a group; "Ya, terjawab" forged on a choice before a topic
was read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import ROOT, LocalStack, StackConfig
from local_stack.telegram import ChatMessage
from sinawai import cli
from sinawai.information import content
from sinawai.platform.db import Database
from tests.helpers import fresh_database, query, text_of

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
GROUP = -1002000000077
ANI = 5590001  # pegawai, registered, with leave data
BAYU = 5590002  # pegawai, registered
CICI = 5590003  # pegawai, registered
DODI = 5590004  # not registered: the menus and /cari are for everyone
EKO = 5590005  # pegawai, registered: asks questions no topic clearly answers
RINA = 5590101  # staff member
NIP_ANI = "199001172015032001"
NIP_BAYU = "199203252016041002"
NIP_CICI = "198805052012012003"
NIP_EKO = "199405052019031004"


def publish(stack: LocalStack) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_S3", stack.moto_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
        return cli.main(["content", "publish", str(ROOT / "content"), "--bucket", stack.config.bucket])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("content-logs")
    with fresh_database("sinawai_e2e_content") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-content",
            extra_env={"CONTENT_CACHE_SECONDS": "0"},
        )
        with LocalStack(config) as local:
            emu = local.telegram
            db = Database(database)
            for user, name, nip in (
                (ANI, "Ani", NIP_ANI),
                (BAYU, "Bayu", NIP_BAYU),
                (CICI, "Cici", NIP_CICI),
                (EKO, "Eko", NIP_EKO),
            ):
                emu.add_user(user, name, started=True)
                db.execute(
                    "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram)"
                    " VALUES (%s, %s, 'Biro Umum', %s)",
                    (nip, name, user),
                )
            db.execute(
                "INSERT INTO cuti (nip, tahun, jenis, hak, terpakai, imported_at)"
                " VALUES (%s, YEAR(UTC_TIMESTAMP() + INTERVAL 7 HOUR), 'tahunan', 12, 3, UTC_TIMESTAMP())",
                (NIP_ANI,),
            )
            db.close()
            emu.add_user(DODI, "Dodi")
            emu.add_user(RINA, "Rina")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            emu.add_group(GROUP, "Grup Unit", members=[BAYU])
            assert publish(local) == 0
            yield local


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=chat_id)
    stack.wait_idle()
    return update


def press(stack: LocalStack, user: int, message_id: int, data: str) -> None:
    stack.telegram.press_button(user, user, message_id, data)
    stack.wait_idle()


def last(stack: LocalStack, chat_id: int) -> ChatMessage:
    return stack.telegram.bot_messages(chat_id)[-1]


def message(stack: LocalStack, chat_id: int, message_id: int) -> ChatMessage:
    return next(m for m in stack.telegram.bot_messages(chat_id) if m.message_id == message_id)


def topic_buttons(m: ChatMessage) -> list[str]:
    return [d.rsplit(":", 1)[1] for d in m.callback_data if ":t:" in d]


# ---- /cari -----------------------------------------------------------------------------------------------


def test_cari_lists_matching_topics_as_buttons_that_open_them(stack: LocalStack) -> None:
    say(stack, DODI, "/cari cuti melahirkan")
    found = last(stack, DODI)
    assert "Hasil pencarian" in text_of(found)
    assert "cuti melahirkan" in text_of(found)
    assert topic_buttons(found)[0] == "cuti-melahirkan"
    assert "cuti-istri-melahirkan" in topic_buttons(found)
    assert found.callback_data[-1] == "general:menu"
    press(stack, DODI, found.message_id, "information:jahdis:t:cuti-istri-melahirkan")
    page = message(stack, DODI, found.message_id)  # opened in place
    assert "Cuti suami saat istri melahirkan" in text_of(page)
    assert "surat keterangan rawat inap" in text_of(page)
    assert page.callback_data == ["information:jahdis:s:cuti", "general:menu"]  # back to its menu


def test_cari_forgives_a_typo_and_finds_one_word(stack: LocalStack) -> None:
    say(stack, DODI, "/cari pensuin")
    found = topic_buttons(last(stack, DODI))
    assert found[0] == "pensiun"
    assert {"masa-persiapan-pensiun", "taspen"} <= set(found)
    say(stack, DODI, "/cari haji")
    assert topic_buttons(last(stack, DODI)) == ["cuti-besar"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("/cari", "Cara mencari topik"),
        ("/cari    ", "Cara mencari topik"),
        ("/cari apa ya", "Tidak ada topik yang cocok"),  # filler words only
        ("/cari printer rusak", "Tidak ada topik yang cocok"),
        ("/cari " + "k" * 101, "terlalu panjang"),
    ],
)
def test_cari_without_a_usable_word_says_what_to_do(stack: LocalStack, query: str, expected: str) -> None:
    say(stack, DODI, query)
    reply = last(stack, DODI)
    assert expected in text_of(reply)
    assert topic_buttons(reply) == []
    if "Tidak ada" in expected:
        assert "diteruskan ke petugas" in text_of(reply)  # asking a staff member is offered


def test_cari_shows_the_query_as_text_not_markup(stack: LocalStack) -> None:
    say(stack, DODI, "/cari cuti <sakit> & dokter")
    reply = last(stack, DODI)
    assert "cuti <sakit> & dokter" in text_of(reply)  # escaped: the emulator parsed valid HTML
    assert "cuti-sakit" in topic_buttons(reply)


def test_cari_in_a_group_shows_no_topics(stack: LocalStack) -> None:
    before = len(stack.telegram.bot_messages(GROUP))
    say(stack, BAYU, "/cari cuti", chat_id=GROUP)
    assert not any(topic_buttons(m) for m in stack.telegram.bot_messages(GROUP)[before:])


# ---- the draft notice, once per conversation -------------------------------------------------------------


def test_the_draft_notice_is_said_once_per_conversation(stack: LocalStack) -> None:
    say(stack, BAYU, "/jahdis")
    menu_id = last(stack, BAYU).message_id
    press(stack, BAYU, menu_id, "information:jahdis:s:cuti")
    press(stack, BAYU, menu_id, "information:jahdis:t:cuti-bersama")
    first = text_of(message(stack, BAYU, menu_id))
    assert content.DRAFT_NOTE in first
    press(stack, BAYU, menu_id, "information:jahdis:s:cuti")
    press(stack, BAYU, menu_id, "information:jahdis:t:cuti-besar")
    second = text_of(message(stack, BAYU, menu_id))
    assert "haji" in second
    assert content.DRAFT_NOTE not in second  # said once already
    # an FAQ answer in the same conversation: no notice either
    say(stack, BAYU, "istri saya mau lahiran, suami dapat cuti berapa lama?")
    offer = last(stack, BAYU)
    assert "Cuti suami saat istri melahirkan" in text_of(offer)
    assert content.DRAFT_NOTE not in text_of(offer)
    # a new conversation (nothing shown for more than the gap): the notice again
    Database(stack.config.database).execute(
        "UPDATE content_view SET viewed_at = viewed_at - INTERVAL %s HOUR WHERE chat_id = %s",
        (content.DRAFT_NOTICE_GAP_HOURS + 1, BAYU),
    )
    say(stack, BAYU, "/cari keguguran")
    found = last(stack, BAYU)
    press(stack, BAYU, found.message_id, "information:jahdis:t:cuti-keguguran")
    again = text_of(message(stack, BAYU, found.message_id))
    assert "1,5 bulan" in again
    assert content.DRAFT_NOTE in again


def test_an_faq_answer_first_carries_the_notice_and_the_menu_after_it_does_not(stack: LocalStack) -> None:
    say(stack, CICI, "rumah saya kebakaran, bisa ambil cuti?")
    offer = last(stack, CICI)
    assert "Cuti karena kebakaran atau bencana" in text_of(offer)
    assert "Ketua Rukun Tetangga" in text_of(offer)
    assert content.DRAFT_NOTE in text_of(offer)
    say(stack, CICI, "/mutasi")
    menu_id = last(stack, CICI).message_id
    press(stack, CICI, menu_id, "information:mutasi:s:pensiun")
    press(stack, CICI, menu_id, "information:mutasi:t:pensiun")
    page = text_of(message(stack, CICI, menu_id))
    assert "65 tahun" in page
    assert "Pasal 239" in page
    assert content.DRAFT_NOTE not in page


# ---- the answer or a choice (issue 14 item 14: few wrong answers) ------------------------------------


def faq_offers(stack: LocalStack, chat_id: int) -> list[dict[str, Any]]:
    return query(
        stack.config.database,
        "SELECT id, outcome, topic_ids FROM faq_offer WHERE chat_id = %s ORDER BY id",
        (chat_id,),
    )


def test_a_question_on_two_topics_gets_a_choice_and_no_answer_until_one_is_picked(stack: LocalStack) -> None:
    say(stack, EKO, "hukuman disiplin sedang potong tukin brp persen ya")
    choice = last(stack, EKO)
    shown = text_of(choice)
    assert "berkaitan dengan beberapa topik" in shown
    assert "25%" not in shown  # no topic's answer is shown as "the" answer
    assert "Mungkin ini jawaban" not in shown
    assert content.DRAFT_NOTE not in shown
    (offer,) = faq_offers(stack, EKO)
    offer_id = offer["id"]
    labels = [b["text"] for row in (choice.reply_markup or {})["inline_keyboard"] for b in row]
    assert labels[:2] == ["📖 Tunjangan kinerja (tunkin) dan potongannya", "📖 Jenis hukuman disiplin"]
    assert labels[-1] == "➡️ Tidak, teruskan ke petugas"
    assert "✅ Ya, terjawab" not in labels  # nothing read yet
    assert choice.callback_data == [
        f"consultation:faqt:{offer_id}:0",
        f"consultation:faqt:{offer_id}:1",
        f"consultation:faq:{offer_id}:tidak",
    ]
    # nothing counted as read until a topic is picked
    seen = "SELECT topic_id FROM content_view WHERE chat_id = %s AND via = 'faq'"
    assert query(stack.config.database, seen, (EKO,)) == []

    press(stack, EKO, choice.message_id, f"consultation:faqt:{offer_id}:1")
    picked = message(stack, EKO, choice.message_id)
    assert "Mungkin ini jawaban" in text_of(picked)
    assert "25% selama 6, 9 atau 12 bulan" in text_of(picked)
    assert picked.callback_data == [
        f"consultation:faqt:{offer_id}:0",
        f"consultation:faq:{offer_id}:ya",
        f"consultation:faq:{offer_id}:tidak",
    ]
    assert [r["topic_id"] for r in query(stack.config.database, seen, (EKO,))] == ["hukuman-disiplin"]
    press(stack, EKO, choice.message_id, f"consultation:faq:{offer_id}:ya")
    assert "senang dapat membantu" in text_of(last(stack, EKO))
    assert faq_offers(stack, EKO)[-1]["outcome"] == "terjawab"
    assert query(stack.config.database, "SELECT id FROM ticket WHERE chat_id = %s", (EKO,)) == []


def test_a_question_that_only_says_cuti_gets_a_choice_and_can_go_to_the_staff(stack: LocalStack) -> None:
    staff_before = len(stack.telegram.bot_messages(STAFF))
    say(stack, BAYU, "Saya mau tanya soal cuti")
    choice = last(stack, BAYU)
    assert "berkaitan dengan beberapa topik" in text_of(choice)
    offer = faq_offers(stack, BAYU)[-1]
    assert [d for d in choice.callback_data if ":faqt:" in d] == [
        f"consultation:faqt:{offer['id']}:{n}" for n in range(3)
    ]
    press(stack, BAYU, choice.message_id, f"consultation:faq:{offer['id']}:tidak")
    assert "tiket" in text_of(last(stack, BAYU))
    assert message(stack, BAYU, choice.message_id).callback_data == []  # the choice is made
    assert faq_offers(stack, BAYU)[-1]["outcome"] == "diteruskan"
    staff = stack.telegram.bot_messages(STAFF)[staff_before:]
    assert any(m.content == "Saya mau tanya soal cuti" for m in staff)


def test_a_question_one_topic_clearly_answers_is_still_answered_first(stack: LocalStack) -> None:
    say(
        stack, CICI, "Bagaimana cara mengajukan cuti besar?"
    )  # "mengajukan cuti" no longer means cuti tahunan
    offer = last(stack, CICI)
    assert "Mungkin ini jawaban" in text_of(offer)
    assert "Cuti besar" in text_of(offer)
    assert "✅ Ya, terjawab" in [
        b["text"] for row in (offer.reply_markup or {})["inline_keyboard"] for b in row
    ]


# ---- cuti bersama, stated the right way ----------------------------------------------------------------


def test_cuti_bersama_does_not_reduce_annual_leave_in_the_topic_and_in_cuti(stack: LocalStack) -> None:
    say(stack, ANI, "/cari cuti bersama")
    found = last(stack, ANI)
    assert topic_buttons(found)[0] == "cuti-bersama"
    press(stack, ANI, found.message_id, "information:jahdis:t:cuti-bersama")
    page = text_of(message(stack, ANI, found.message_id))
    assert "Keputusan Presiden" in page
    assert "tidak mengurangi" in page
    assert "tambahan" in page
    assert "Pasal 333" in page
    say(stack, ANI, "/cuti")
    leave = text_of(last(stack, ANI))
    assert "sisa 9 hari" in leave
    assert "tidak mengurangi hak cuti tahunan" in leave
    assert "Cuti bersama mengurangi" not in leave
    views = query(
        stack.config.database,
        "SELECT topic_id FROM content_view WHERE chat_id = %s AND topic_id IS NOT NULL",
        (ANI,),
    )
    assert [v["topic_id"] for v in views] == ["cuti-bersama"]
