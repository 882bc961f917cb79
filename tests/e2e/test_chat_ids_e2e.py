"""A group's chat id end to end: a member adds the bot to a new group, the bot greets it with its id; an admin
asks /idchat; in that group (not configured) everything else stays unanswered.

Telegram emulator → API Gateway → router → GeneralFunction → Bot API, with the webhook's default updates.
"""

from __future__ import annotations

import pytest

from local_stack.stack import LocalStack
from tests.helpers import text_of

pytestmark = pytest.mark.e2e

ADMIN = 5550301
MEMBER = 5550302
GROUP = -1005550300001


def test_a_new_group_learns_its_chat_id_and_hears_nothing_else(stack: LocalStack) -> None:
    emu = stack.telegram
    emu.add_user(ADMIN, "Adi")
    emu.add_user(MEMBER, "Mira")
    emu.add_group(GROUP, "Calon Grup Layanan", members=[ADMIN, MEMBER], admins=[ADMIN], bot_is_member=False)

    emu.add_bot_to_group(GROUP, ADMIN, as_admin=True)  # as admin, the bot sees every message
    stack.wait_idle()
    (greeting,) = [text_of(m) for m in emu.bot_messages(GROUP)]
    assert greeting.startswith("Terima kasih, Sinawai telah ditambahkan ke grup ini.")
    assert f"StaffGroupChatId={GROUP}" in greeting

    for sender, text in (
        (MEMBER, "/idchat"),
        (MEMBER, "halo semua"),
        (MEMBER, "/tiket"),
        (ADMIN, "rapat jam 9"),
    ):
        emu.send_message(sender, text, chat_id=GROUP)
    stack.wait_idle()
    assert len(emu.bot_messages(GROUP)) == 1, "a group that is not configured hears nothing else"

    emu.send_message(ADMIN, "/idchat", chat_id=GROUP)
    stack.wait_idle()
    answer = text_of(emu.wait_for_bot_message(GROUP, after=emu.bot_messages(GROUP)[0].message_id))
    assert answer.startswith(f"🆔 ID grup ini: {GROUP}")
