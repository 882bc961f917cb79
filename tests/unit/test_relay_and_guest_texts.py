"""The pure rules of issue 14 items 2, 7 and 8: what fits in one bubble with its header, the guest's
header (no personal data), and the wording of a message that joins a ticket."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from telegram import Chat, Message, MessageEntity, PhotoSize, Sticker

from sinawai.common.text_limits import utf16_len, visible_text
from sinawai.consultation import relay
from sinawai.consultation import texts as t
from sinawai.consultation.tickets import Status

ZONE = ZoneInfo("Asia/Jakarta")
WHEN = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
CHAT = Chat(-1001, "supergroup")


def message(**kw: object) -> Message:
    return Message(message_id=1, date=WHEN, chat=CHAT, **kw)  # type: ignore[arg-type]


def photo(caption: str | None) -> Message:
    return message(photo=(PhotoSize("f", "u", 10, 10),), caption=caption)


def test_a_text_answer_is_one_message_with_its_header_and_its_formatting() -> None:
    bold = MessageEntity(MessageEntity.BOLD, 0, 5)
    kind, text = relay.one_bubble(
        message(text="Wajib dilampiri SK & <ijazah>", entities=(bold,)), 12, True
    ) or (
        "",
        "",
    )
    assert kind == "text"
    assert text.startswith(
        "💬 <b>Jawaban petugas Biro OSDM untuk tiket #12</b>\n\n<b>Wajib</b> dilampiri SK &amp; "
    )
    assert "&lt;ijazah&gt;" in text  # the staff member's text is escaped, not read as HTML
    assert text.endswith(t.ANSWER_INSTRUCTION)


def test_the_instruction_comes_only_when_asked_for() -> None:
    one = relay.one_bubble(message(text="Jawaban kedua"), 12, False)
    assert one == ("text", "💬 <b>Jawaban petugas Biro OSDM untuk tiket #12</b>\n\nJawaban kedua")


def test_a_text_that_would_pass_4096_units_with_its_header_is_not_one_bubble() -> None:
    header_units = utf16_len(visible_text(t.answer_with_header(12, "", False))) + 2
    fits = "a" * (4096 - header_units)
    assert relay.one_bubble(message(text=fits), 12, False) is not None
    assert relay.one_bubble(message(text=fits + "a"), 12, False) is None
    # emoji are two UTF-16 units each: 1 emoji less than the room in characters no longer fits
    assert relay.one_bubble(message(text="😀" * ((4096 - header_units) // 2 + 1)), 12, False) is None


def test_a_photo_answer_gets_the_header_in_its_caption_up_to_1024_units() -> None:
    assert relay.one_bubble(photo("Contoh formulir"), 7, False) == (
        "caption",
        "💬 <b>Jawaban petugas Biro OSDM untuk tiket #7</b>\n\nContoh formulir",
    )
    assert relay.one_bubble(photo(None), 7, False) == (
        "caption",
        "💬 <b>Jawaban petugas Biro OSDM untuk tiket #7</b>",
    )
    header_units = utf16_len(visible_text(t.answer_with_header(7, "", False))) + 2
    assert relay.one_bubble(photo("x" * (1024 - header_units)), 7, False) is not None
    assert relay.one_bubble(photo("x" * (1025 - header_units)), 7, False) is None


def test_a_sticker_cannot_carry_a_caption_so_it_is_never_one_bubble() -> None:
    sticker = Sticker("s", "u", 512, 512, False, False, Sticker.REGULAR)
    assert relay.one_bubble(message(sticker=sticker), 7, True) is None


def test_the_fallback_tag_says_the_answer_follows_and_the_instruction_once() -> None:
    assert t.answer_tag(5, True).endswith(t.ANSWER_INSTRUCTION)
    assert t.answer_tag(5, False) == "💬 <b>Jawaban petugas Biro OSDM untuk tiket #5</b> ada di bawah ini."


def test_a_guest_header_is_marked_unverified_and_shows_the_telegram_name_only() -> None:
    header = t.guest_header(
        9, Status.BARU, name="Wawan <Tamu>", created_at=WHEN.replace(tzinfo=None), zone=ZONE, assigned=None
    )
    assert "⚠️ <b>Belum terverifikasi</b>" in header
    assert "Nama Telegram: Wawan &lt;Tamu&gt;" in header
    assert "NIP" not in header
    assert "Unit kerja" not in header
    closed = t.guest_header(
        9, Status.SELESAI, name="Wawan", created_at=WHEN.replace(tzinfo=None), zone=ZONE, assigned="Rina"
    )
    assert "Petugas: Rina" in closed
    assert "Balas (reply)" not in closed


def test_joining_an_answered_ticket_is_not_called_reopening() -> None:
    joined = t.added_to_ticket(4, False, None, ZONE)
    after_answer = t.added_to_ticket(4, True, None, ZONE)
    for said in (joined, after_answer):
        assert "dibuka kembali" not in said
        assert "#4" in said
    assert "yang sudah dijawab petugas" in after_answer
    assert "diteruskan kembali" in after_answer
    assert "sudah dijawab" not in joined
    assert "sehingga kami tutup" in t.previous_closed(3, 72)


def test_the_guest_notice_and_refusal_point_to_registration() -> None:
    assert "tamu" in t.GUEST_NOTICE
    assert "/daftar" in t.GUEST_NOTICE
    assert "belum dapat kami teruskan karena akun Telegram ini belum terdaftar" not in t.NOT_REGISTERED
    assert "/daftar" in t.GUEST_RATE_LIMITED.format(limit=3, minutes=60)
