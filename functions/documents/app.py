"""DocumentsFunction: /dokumen (categories → documents → the file), and /unggah from the staff group.

A document is sent with sendDocument: uploaded from S3 the first time, then by the file_id Telegram gave
back (uploaded once). Over 50 MB it is offered as a presigned S3 link valid for 15 minutes. Only documents
the employee's role may see are offered, and a forged button for another one is refused.
"""

import html
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sinawai.common.numbers import parse_int
from sinawai.documents import library as documents
from sinawai.documents.library import Document, DocumentInputError, MissingFileError
from sinawai.general import menu
from sinawai.platform import service_records, updates
from sinawai.registration import employees
from sinawai.registration.employees import Employee
from sinawai.router.commands import DOCUMENTS
from sinawai.telegram.runtime import GroupFunction, edit_or_keep

HOME = InlineKeyboardButton("🏠 Menu Utama", callback_data=menu.BACK_TO_MENU.callback_data)
BACK = InlineKeyboardButton("⬅️ Kategori", callback_data=f"{DOCUMENTS}:dokumen")
NOT_REGISTERED = (
    "Dokumen kepegawaian hanya untuk pegawai yang sudah terdaftar. Silakan daftar dengan "
    "<code>/daftar NIP KATASANDI</code> terlebih dahulu."
)
INACTIVE = "Maaf, akun kepegawaian Anda tidak aktif. Silakan hubungi Biro OSDM."
NO_DOCUMENTS = "Belum ada dokumen yang tersedia untuk Anda. Silakan periksa kembali nanti."
NOT_AVAILABLE = "Dokumen tersebut tidak tersedia untuk Anda. Silakan pilih dari daftar terbaru."
FILE_MISSING = (
    "Maaf, berkas dokumen <b>{title}</b> sedang tidak tersedia. Petugas Biro OSDM sudah kami beri tahu; "
    "silakan coba lagi nanti atau pilih dokumen lain."
)
FILE_MISSING_STAFF = (
    "⚠️ Berkas dokumen #{id} <b>{title}</b> ({category}) tidak ditemukan di S3 ({key}). "
    "Unggah ulang dengan keterangan <code>/unggah {category} {title}</code>."
)
STAFF_ONLY = "Maaf, /unggah hanya dapat digunakan oleh petugas OSDM di grup layanan kepegawaian."
UNGGAH_USAGE = (
    "Cara menambah dokumen: kirim berkasnya ke grup ini dengan keterangan (caption) "
    "<code>/unggah KATEGORI JUDUL</code>, misalnya <code>/unggah formulir Formulir permohonan cuti</code>. "
    "Untuk membatasi pembaca: <code>/unggah pedoman:staf,admin JUDUL</code>. Mengunggah judul yang sama "
    "mengganti berkasnya; tanpa peran, pembacanya tetap seperti sebelumnya. "
    "Berkas di atas 20 MB diunggah dengan <code>sinawai documents upload</code>."
)

function = GroupFunction(DOCUMENTS, lambda app: register(app))
_s3: Any = None


def s3() -> Any:
    global _s3
    if _s3 is None:
        _s3 = documents.s3_client()
    return _s3


def bucket() -> str:
    return function.settings.documents_bucket


def in_staff_group(chat_id: int) -> bool:
    staff = function.settings.staff_group_chat_id
    return staff is not None and chat_id == staff


def categories_page(role: str) -> tuple[str, InlineKeyboardMarkup]:
    found = documents.categories(function.db, role)
    if not found:
        return NO_DOCUMENTS, InlineKeyboardMarkup([[HOME]])
    rows = [
        [InlineKeyboardButton(f"📁 {documents.category_label(c)} ({n})", callback_data=f"{DOCUMENTS}:c:{c}")]
        for c, n in found
    ]
    return "<b>Dokumen Kepegawaian</b>\nSilakan pilih kategori:", InlineKeyboardMarkup([*rows, [HOME]])


def category_page(category: str, role: str) -> tuple[str, InlineKeyboardMarkup] | None:
    found = documents.in_category(function.db, category, role)
    if not found:
        return None
    rows = [
        [InlineKeyboardButton(f"📄 {d.title}"[:64], callback_data=f"{DOCUMENTS}:d:{d.id}")] for d in found
    ]
    text = (
        f"<b>Dokumen › {html.escape(documents.category_label(category))}</b>\n"
        "Pilih dokumen yang ingin Anda unduh:"
    )
    return text, InlineKeyboardMarkup([*rows, [BACK, HOME]])


async def employee_or_explain(update: Update) -> Employee | None:
    """The registered, active employee of this private chat, or None after telling them why not."""
    user = update.effective_user
    assert user is not None
    employee = employees.by_telegram(function.db, user.id)
    text = NOT_REGISTERED if employee is None else INACTIVE if not employee.active else None
    if text is None:
        return employee
    if update.callback_query is not None:
        await update.callback_query.answer(html.unescape(text.replace("<code>", "").replace("</code>", "")))
    else:
        await update.effective_message.reply_html(text)  # type: ignore[union-attr]
    return None


# ---- /dokumen ------------------------------------------------------------------------------------------


async def dokumen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the categories with documents the employee may see."""
    employee = await employee_or_explain(update)
    if employee is None:
        return
    text, markup = categories_page(employee.role)
    await update.effective_message.reply_html(text, reply_markup=markup)  # type: ignore[union-attr]


SENT_STEP = "document_sent"


def mark_sent(update: Update) -> None:
    """Recorded right after Telegram took the file, before the bookkeeping: a Lambda retry (a database
    error while recording the send) finds it and sends nothing again. What a retry then loses is at most
    the kept file_id (the next send uploads again) and one row of the evaluation."""
    updates.record_step(function.db, update.update_id, SENT_STEP, None)


async def send_document(update: Update, employee: Employee, document: Document) -> None:
    """Send the file: by file_id when Telegram has it, else uploaded from S3; a link when too big."""
    if updates.step_done(function.db, update.update_id, SENT_STEP)[0]:
        return
    message = update.effective_message
    assert message is not None
    bot = update.get_bot()
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
            function.logger.warning("stored file_id refused; uploading again", extra={"reason": e.message})
            documents.keep_file_id(function.db, document.id, None)
        else:
            mark_sent(update)
            service_records.record_document_send(
                function.db, document.id, category, chat_id, employee.nip, "file_id"
            )
            return
    if document.too_big_for_telegram:
        if not documents.exists(s3(), bucket(), document.s3_key):
            await missing_file(update, document)
            return
        link = documents.presigned_link(s3(), bucket(), document)
        minutes = documents.LINK_SECONDS // 60
        await bot.send_message(
            chat_id,
            f"{caption}\nBerkas ini berukuran {document.size_bytes / 2**20:.0f} MB, melebihi batas Telegram. "
            f"Silakan unduh melalui tautan berikut (berlaku {minutes} menit).",
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("⬇️ Unduh dokumen", url=link)]]),
        )
        mark_sent(update)
        service_records.record_document_send(
            function.db, document.id, category, chat_id, employee.nip, "link"
        )
        return
    try:
        data = documents.read(s3(), bucket(), document.s3_key)
    except MissingFileError:
        await missing_file(update, document)
        return
    sent = await bot.send_document(
        chat_id,
        InputFile(data, filename=document.file_name),
        caption=caption,
        parse_mode=ParseMode.HTML,
    )
    mark_sent(update)
    if sent.document is not None:
        documents.keep_file_id(function.db, document.id, sent.document.file_id)
    service_records.record_document_send(function.db, document.id, category, chat_id, employee.nip, "upload")


async def missing_file(update: Update, document: Document) -> None:
    message = update.effective_message
    assert message is not None
    function.logger.error("document file missing in S3", extra={"document_id": document.id})
    await message.get_bot().send_message(
        message.chat_id, FILE_MISSING.format(title=html.escape(document.title)), parse_mode=ParseMode.HTML
    )
    staff = function.settings.staff_group_chat_id
    if staff is not None:
        await message.get_bot().send_message(
            staff,
            FILE_MISSING_STAFF.format(
                id=document.id,
                title=html.escape(document.title),
                category=document.category,
                key=html.escape(document.s3_key),
            ),
            parse_mode=ParseMode.HTML,
        )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Categories, documents, and the file; stale or forged data shows the categories again."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    assert chat is not None
    if chat.type != ChatType.PRIVATE:
        await query.answer()
        return
    employee = await employee_or_explain(update)
    if employee is None:
        return
    parts = (query.data or "").split(":")
    if len(parts) == 3 and parts[1] == "c":
        page = category_page(parts[2], employee.role)
        if page is not None:
            await query.answer()
            await edit_or_keep(update, *page)
            return
    if len(parts) == 3 and parts[1] == "d":
        document_id = parse_int(parts[2])
        document = documents.get(function.db, document_id) if document_id is not None else None
        if document is not None and document.visible_to(employee.role):
            await query.answer("Dokumen sedang dikirim…")
            await send_document(update, employee, document)
            return
        await query.answer(NOT_AVAILABLE, show_alert=True)
        await edit_or_keep(update, *categories_page(employee.role))
        return
    # "documents:dokumen" (the main menu's button), or anything stale or forged: the categories.
    await query.answer()
    await edit_or_keep(update, *categories_page(employee.role))


# ---- /unggah in the staff group ------------------------------------------------------------------------


async def unggah(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent to the staff group with caption /unggah CATEGORY TITLE becomes a document."""
    message = update.effective_message
    assert message is not None
    if not in_staff_group(message.chat_id):
        await message.reply_text(STAFF_ONLY)
        return
    caption = message.caption if message.document else message.text
    parts = (caption or "").split(maxsplit=2)
    if message.document is None or len(parts) < 3:
        await message.reply_html(UNGGAH_USAGE, do_quote=True)
        return
    try:
        reply = await add_from_group(message, parts[1], parts[2])
    except DocumentInputError as e:
        reply = html.escape(str(e))
    await message.reply_html(reply, do_quote=True)


async def add_from_group(message: Message, raw_category: str, title: str) -> str:
    file = message.document
    assert file is not None
    # KATEGORI or KATEGORI:peran,peran (only those roles see it), e.g. pedoman:staf,admin
    raw, _, raw_roles = raw_category.partition(":")
    category = documents.check_category(raw)
    # no roles named: a new document is for everyone, a new version keeps the roles it has
    roles = documents.check_roles(raw_roles.split(",")) if raw_roles else None
    size = int(file.file_size or 0)
    if size > documents.MAX_BOT_DOWNLOAD_BYTES:
        raise DocumentInputError(
            "Berkas lebih dari 20 MB tidak dapat diambil bot dari Telegram. Unggah dengan "
            "sinawai documents upload dari komputer petugas."
        )
    telegram_file = await file.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    name = file.file_name or "dokumen"
    key = documents.s3_key_for(category, name)
    documents.store_file(s3(), bucket(), key, data, file.mime_type)
    user = message.from_user
    document = documents.add(
        function.db,
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
    who = ", ".join(r for r in documents.ROLES if r in document.roles)
    return (
        f"✅ Dokumen #{document.id} <b>{html.escape(document.title)}</b> ditambahkan ke kategori "
        f"<b>{html.escape(documents.category_label(category))}</b> dan kini tersedia di /dokumen "
        f"(untuk: {who})."
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("dokumen", dokumen, filters=private & new_messages))
    app.add_handler(CommandHandler("unggah", unggah, filters=new_messages))
    app.add_handler(
        MessageHandler(
            new_messages & filters.Document.ALL & filters.CaptionRegex(r"^/unggah(@\w+)?(\s|$)"), unggah
        )
    )
    app.add_handler(CallbackQueryHandler(on_button))


@function.logger.inject_lambda_context(clear_state=True)
@function.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return function.handle(event, context)
