"""The common python-telegram-bot-on-Lambda recipe, the benchmark's point of comparison (``make bench``).

This is the pattern most tutorials show for PTB on AWS Lambda behind API Gateway: for EVERY update the
handler runs ``asyncio.run(main(event))``, and ``main`` builds an ``Application``, registers its handlers,
``initialize()``s it (a ``getMe`` round trip to the Bot API), processes the one update and ``shutdown()``s
it again. It answers the webhook only after the reply is sent.

To compare like with like it sends the very same replies as the general group of Sinawai (texts and
inline keyboard from ``sinawai.general.menu``), and checks the webhook's secret header. It keeps no
records: no exactly-once claim, no message log, which Sinawai's functions do for every update.

Deployed in the local runtime through ``bench_recipe_function/app.py``; run in-process by ``bench.py``.
Configuration, as such recipes read it: ``BOT_TOKEN``, ``WEBHOOK_SECRET_TOKEN``, ``TELEGRAM_API_BASE_URL``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sinawai.general import menu

TOKEN = os.environ["BOT_TOKEN"]
WEBHOOK_SECRET = os.environ.get("WEBHOOK_SECRET_TOKEN", "")
API_BASE_URL = os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")


def main_menu_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.callback_data) for b in row]
            for row in menu.MAIN_MENU
        ]
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    await update.effective_message.reply_html(  # type: ignore[union-attr]
        menu.greeting("Bapak/Ibu", user.first_name if user else None), reply_markup=main_menu_markup()
    )


async def show_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_html(menu.MENU_TEXT, reply_markup=main_menu_markup())  # type: ignore[union-attr]


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_html(menu.help_text())  # type: ignore[union-attr]


async def show_about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_html(menu.ABOUT_TEXT)  # type: ignore[union-attr]


async def fallback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_html(menu.FALLBACK_TEXT, reply_markup=main_menu_markup())  # type: ignore[union-attr]


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()


async def main(event: dict[str, Any]) -> None:
    app = Application.builder().token(TOKEN).base_url(f"{API_BASE_URL}/bot").build()
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CommandHandler("menu", show_menu, filters=private))
    app.add_handler(CommandHandler("bantuan", show_help, filters=private))
    app.add_handler(CommandHandler("tentang", show_about, filters=private))
    app.add_handler(MessageHandler(private & ~filters.COMMAND, fallback))
    app.add_handler(CallbackQueryHandler(on_button))
    await app.initialize()
    try:
        await app.process_update(Update.de_json(json.loads(event["body"]), app.bot))
    finally:
        await app.shutdown()


def _secret_ok(event: dict[str, Any]) -> bool:
    if not WEBHOOK_SECRET:
        return True
    headers = {k.lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    given = headers.get("x-telegram-bot-api-secret-token", "")
    return hmac.compare_digest(given.encode(), WEBHOOK_SECRET.encode())


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if not _secret_ok(event):
        return {"statusCode": 403, "body": "forbidden"}
    asyncio.run(main(event))
    return {"statusCode": 200, "body": "ok"}
