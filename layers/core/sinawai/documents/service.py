"""The documents' use cases: send a file to an employee, report a missing one, add one from the staff group.

A document is sent with sendDocument: uploaded from S3 the first time, then by the file_id Telegram gave
back (uploaded once). Over 50 MB it is offered as a presigned S3 link valid for 15 minutes.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from sinawai.documents import rules, store, texts
from sinawai.documents.rules import Document, DocumentInputError
from sinawai.documents.store import MissingFileError
from sinawai.platform import service_records, updates
from sinawai.registration.employees import Employee
from sinawai.telegram.runtime import GroupContext

SENT_STEP = "document_sent"


def s3(context: GroupContext) -> Any:
    """The container's S3 client, made on first use."""
    client = context.bot_data.get("s3")
    if client is None:
        client = context.bot_data["s3"] = store.s3_client()
    return client


def mark_sent(context: GroupContext, update: Update) -> None:
    """Recorded right after Telegram took the file, before the bookkeeping: a Lambda retry (a database
    error while recording the send) finds it and sends nothing again. What a retry then loses is at most
    the kept file_id (the next send uploads again) and one row of the evaluation."""
    updates.record_step(context.deps.db, update.update_id, SENT_STEP, None)


async def send_document(
    update: Update, context: GroupContext, employee: Employee, document: Document
) -> None:
    """Send the file: by file_id when Telegram has it, else uploaded from S3; a link when too big."""
    db = context.deps.db
    if updates.step_done(db, update.update_id, SENT_STEP)[0]:
        return
    message = update.effective_message
    assert message is not None
    bot = update.get_bot()
    bucket = context.deps.settings.documents_bucket
    chat_id = message.chat_id
    caption = f"📄 <b>{html.escape(document.title)}</b>"
    category = document.category
    if document.telegram_file_id:
        try:
            await bot.send_document(
                chat_id, document.telegram_file_id, caption=caption, parse_mode=ParseMode.HTML
            )
        except BadRequest as e:
            # Telegram no longer knows the file (another bot token, say): upload it again below.
            context.deps.logger.warning(
                "stored file_id refused; uploading again", extra={"reason": e.message}
            )
            store.keep_file_id(db, document.id, None)
        else:
            mark_sent(context, update)
            service_records.record_document_send(db, document.id, category, chat_id, employee.nip, "file_id")
            return
    if document.too_big_for_telegram:
        if not store.exists(s3(context), bucket, document.s3_key):
            await missing_file(update, context, document)
            return
        link = store.presigned_link(s3(context), bucket, document)
        await bot.send_message(
            chat_id,
            texts.TOO_BIG_LINK.format(
                caption=caption, megabytes=document.size_bytes / 2**20, minutes=rules.LINK_SECONDS // 60
            ),
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(texts.DOWNLOAD_LABEL, url=link)]]),
        )
        mark_sent(context, update)
        service_records.record_document_send(db, document.id, category, chat_id, employee.nip, "link")
        return
    try:
        data = store.read(s3(context), bucket, document.s3_key)
    except MissingFileError:
        await missing_file(update, context, document)
        return
    sent = await bot.send_document(
        chat_id,
        InputFile(data, filename=document.file_name),
        caption=caption,
        parse_mode=ParseMode.HTML,
    )
    mark_sent(context, update)
    if sent.document is not None:
        store.keep_file_id(db, document.id, sent.document.file_id)
    service_records.record_document_send(db, document.id, category, chat_id, employee.nip, "upload")


async def missing_file(update: Update, context: GroupContext, document: Document) -> None:
    """Tell the employee the file is not there, and the staff group which file to upload again."""
    message = update.effective_message
    assert message is not None
    context.deps.logger.error(
        "document file missing in S3", extra={"document_id": document.id, "s3_key": document.s3_key}
    )
    await message.get_bot().send_message(
        message.chat_id,
        texts.FILE_MISSING.format(title=html.escape(document.title)),
        parse_mode=ParseMode.HTML,
    )
    staff = context.deps.settings.staff_group_chat_id
    if staff is not None:
        await message.get_bot().send_message(
            staff,
            texts.FILE_MISSING_STAFF.format(
                id=document.id,
                title=html.escape(document.title),
                category=document.category,
            ),
            parse_mode=ParseMode.HTML,
        )


async def add_from_group(context: GroupContext, message: Message, raw_category: str, title: str) -> str:
    """Store the file of a staff group message as a document; the reply for the staff group."""
    file = message.document
    assert file is not None
    # KATEGORI or KATEGORI:peran,peran (only those roles see it), e.g. pedoman:staf,admin
    raw, _, raw_roles = raw_category.partition(":")
    category = rules.check_category(raw)
    # no roles named: a new document is for everyone, a new version keeps the roles it has
    roles = rules.check_roles(raw_roles.split(",")) if raw_roles else None
    size = int(file.file_size or 0)
    if size > rules.MAX_BOT_DOWNLOAD_BYTES:
        raise DocumentInputError(texts.TOO_BIG_FOR_BOT)
    telegram_file = await file.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    name = file.file_name or "dokumen"
    key = rules.s3_key_for(category, name)
    store.store_file(s3(context), context.deps.settings.documents_bucket, key, data, file.mime_type)
    user = message.from_user
    document = store.add(
        context.deps.db,
        category=category,
        title=title,
        roles=roles,
        s3_key=key,
        file_name=name,
        mime_type=file.mime_type,
        size_bytes=len(data),
        # The file_id of a file the bot received is the bot's to send: no upload needed at all.
        telegram_file_id=file.file_id,
        added_by=user.full_name if user else None,
    )
    return texts.ADDED.format(
        id=document.id,
        title=html.escape(document.title),
        category=html.escape(rules.category_label(category)),
        who=", ".join(r for r in rules.ROLES if r in document.roles),
    )
