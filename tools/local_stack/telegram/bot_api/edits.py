"""Bot API: editing and deleting messages, answering callback queries."""

from __future__ import annotations

import time

from local_stack import telegram_markup as markup
from local_stack.telegram.bot_api.rules import BotRules
from local_stack.telegram.params import parse_reply_markup, same_json, text_param
from local_stack.telegram.records import (
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_TEXT_LENGTH,
    ChatMessage,
    Files,
    JsonDict,
    Params,
    bad,
    not_modified,
)
from local_stack.telegram.state import Chat


class EditMethods(BotRules):
    """editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage, answerCallbackQuery."""

    def _edit_target(self, p: Params) -> tuple[Chat, ChatMessage]:
        if p.get("inline_message_id"):
            raise bad("MESSAGE_ID_INVALID")  # the emulator has no inline messages
        chat = self._writable_chat(p)
        msg = self._existing_message(chat, p, "message to edit not found")
        if not msg.is_bot or msg.service is not None:
            raise bad("message can't be edited")
        return chat, msg

    def _edit_message_text(self, p: Params, files: Files) -> JsonDict:
        inline, given = parse_reply_markup(p.get("reply_markup"))
        if given and inline is None:
            raise bad("inline keyboard expected")
        text = text_param(p, "text")
        if not text:
            raise bad("message text is empty")
        formatted = self._formatted(text, p.get("parse_mode"), p.get("entities"))
        if not formatted.text:
            raise bad("message must be non-empty")
        chat, msg = self._edit_target(p)
        if msg.text is None:
            raise bad("there is no text in the message to edit")
        if markup.utf16_len(formatted.text) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        if (
            msg.text == formatted.text
            and same_json(msg.entities, formatted.entities)
            and same_json(msg.reply_markup, inline)
        ):
            raise not_modified()
        msg.text, msg.entities, msg.reply_markup = formatted.text, formatted.entities, inline
        return self._publish_edit(chat, msg)

    def _edit_message_caption(self, p: Params, files: Files) -> JsonDict:
        inline, given = parse_reply_markup(p.get("reply_markup"))
        if given and inline is None:
            raise bad("inline keyboard expected")
        caption = self._caption(p)
        chat, msg = self._edit_target(p)
        if msg.text is not None:
            raise bad("there is no caption in the message to edit")
        self._check_caption_length(caption)
        new_text = caption.text if caption and caption.text else None
        new_entities = caption.entities if caption and caption.text else []
        if (
            msg.caption == new_text
            and same_json(msg.caption_entities, new_entities)
            and same_json(msg.reply_markup, inline)
        ):
            raise not_modified()
        msg.caption, msg.caption_entities, msg.reply_markup = new_text, new_entities, inline
        return self._publish_edit(chat, msg)

    def _edit_message_reply_markup(self, p: Params, files: Files) -> JsonDict:
        inline, given = parse_reply_markup(p.get("reply_markup"))
        if given and inline is None:
            raise bad("inline keyboard expected")
        chat, msg = self._edit_target(p)
        if same_json(msg.reply_markup, inline):
            raise not_modified()
        msg.reply_markup = inline
        return self._publish_edit(chat, msg)

    def _publish_edit(self, chat: Chat, msg: ChatMessage) -> JsonDict:
        msg.edit_date = int(time.time())
        self._note(chat, None, "edit", msg.content, msg.message_id, msg.buttons)
        self._cond.notify_all()
        return self._message_json(msg)

    def _delete_message(self, p: Params, files: Files) -> bool:
        chat = self._readable_chat(p, "chat_id")
        msg = self._existing_message(chat, p, "message to delete not found")
        if chat.type != "private" and not msg.is_bot and not chat.bot_is_admin:
            raise bad("message can't be deleted")
        msg.deleted = True
        self._note(chat, None, "delete", f"(pesan #{msg.message_id} dihapus)", msg.message_id)
        self._cond.notify_all()
        return True

    def _answer_callback_query(self, p: Params, files: Files) -> bool:
        query_id = text_param(p, "callback_query_id") or ""
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = text_param(p, "text") or ""
        if len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad("MESSAGE_TOO_LONG")
        query.answered = True
        if text:
            chat = self._chats[query.chat_id]
            shown = f"(alert) {text}" if p.get("show_alert") else f"(notification) {text}"
            self._note(chat, None, "callback", shown, query.message_id)
        self._cond.notify_all()
        return True
