"""The upserts written for both MySQL 8 and MariaDB (``col = %s`` in ON DUPLICATE KEY UPDATE, not VALUES(col))
really update the existing row on the second write, with real MariaDB.

Also covered elsewhere: the document upsert's roles rule in tests/functional/test_document_roles.py, and
update_counter's ``n = n + 1`` (unchanged) through the router's ignored chatter.
"""

from __future__ import annotations

from datetime import timedelta

from sinawai.documents import store as documents
from sinawai.platform import conversations
from sinawai.platform.clock import utcnow
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from tests.helpers import query

CHAT = 5550123


def test_a_new_conversation_replaces_the_one_the_chat_had(db: DatabaseSettings) -> None:
    database = Database(db)
    conversations.start_conversation(
        database, CHAT, "registration", "nip", data={"nip": "199001172015031001"}
    )
    conversations.start_conversation(
        database, CHAT, "consultation", "question", data=None, sensitive_input=True, ttl_seconds=60
    )

    pending = conversations.pending_conversation(database, CHAT)
    assert pending == conversations.PendingConversation("consultation", "question", sensitive_input=True)
    assert conversations.conversation_state(database, CHAT, "consultation") == (
        "question",
        {},
    )  # data cleared
    assert conversations.conversation_state(database, CHAT, "registration") is None
    rows = query(db, "SELECT expires_at FROM conversation WHERE chat_id = %s", (CHAT,))
    assert len(rows) == 1
    assert rows[0]["expires_at"] < (utcnow() + timedelta(seconds=120)).replace(tzinfo=None)  # the new ttl


def test_a_secret_step_opened_again_after_it_ended_is_open_again(db: DatabaseSettings) -> None:
    database = Database(db)
    conversations.open_secret_step(database, CHAT, "daftar", ttl_seconds=60)
    conversations.close_secret_step(database, CHAT)
    ended = conversations.chat_state(database, CHAT)
    assert (ended.secret_step, ended.secret_grace) == (False, True)

    conversations.open_secret_step(database, CHAT, "gantisandi", ttl_seconds=600)

    state = conversations.chat_state(database, CHAT)
    assert (state.secret_step, state.secret_grace) == (True, False)
    assert conversations.secret_step_command(database, CHAT) == "gantisandi"
    rows = query(db, "SELECT closed_at, step_until FROM sensitive_chat WHERE chat_id = %s", (CHAT,))
    assert len(rows) == 1
    assert rows[0]["closed_at"] is None
    assert rows[0]["step_until"] > (utcnow() + timedelta(seconds=300)).replace(tzinfo=None)  # the new ttl


def test_a_document_uploaded_again_gets_the_new_file_and_is_offered_again(db: DatabaseSettings) -> None:
    database = Database(db)
    first = documents.add(
        database,
        category="pedoman",
        title="Pedoman cuti",
        roles=["staf", "admin"],
        s3_key="documents/pedoman/v1.pdf",
        file_name="pedoman-v1.pdf",
        mime_type="application/pdf",
        size_bytes=100,
        telegram_file_id="AgADv1",
        added_by="Rina",
    )
    query(db, "UPDATE document SET active = FALSE WHERE id = %s", (first.id,))  # withdrawn by an operator
    assert documents.get(database, first.id) is None

    second = documents.add(
        database,
        category="pedoman",
        title="Pedoman cuti",
        roles=None,
        s3_key="documents/pedoman/v2.docx",
        file_name="pedoman-v2.docx",
        mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        size_bytes=2048,
        telegram_file_id=None,
        added_by="Andi",
    )

    assert second.id == first.id
    assert documents.get(database, first.id) == second  # offered again
    assert (second.s3_key, second.file_name, second.size_bytes) == (
        "documents/pedoman/v2.docx",
        "pedoman-v2.docx",
        2048,
    )
    assert second.mime_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert second.telegram_file_id is None  # Telegram's copy of the old file is not sent for the new one
    assert second.roles == frozenset({"staf", "admin"})  # no roles named: kept
    rows = query(db, "SELECT added_by, file_id_at FROM document WHERE category = 'pedoman'")
    assert rows == [{"added_by": "Andi", "file_id_at": None}]


def test_a_cancelled_step_after_an_earlier_success_holds_every_text_in_its_grace_period(
    db: DatabaseSettings,
) -> None:
    database = Database(db)
    conversations.open_secret_step(database, 42, "gantisandi")
    conversations.finish_secret_step(database, 42)
    assert conversations.chat_state(database, 42).grace_after_success is True
    # later the employee starts /gantisandi again and cancels it: nothing succeeded this time, so a
    # sentence typed in the grace period may still be the password and must be held
    conversations.open_secret_step(database, 42, "gantisandi")
    conversations.close_secret_step(database, 42)
    state = conversations.chat_state(database, 42)
    assert state.secret_grace is True
    assert state.grace_after_success is False
