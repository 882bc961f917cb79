"""Bot API: sending messages (text, photos, documents, copies, forwards, chat actions)."""

from __future__ import annotations

import copy

from local_stack import telegram_markup as markup
from local_stack.telegram.bot_api.files import FileMethods
from local_stack.telegram.params import parse_reply_markup, text_param
from local_stack.telegram.records import MAX_TEXT_LENGTH, Files, JsonDict, Params, bad, document_line

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessageMethods(FileMethods):
    """sendMessage, sendPhoto, sendDocument, copyMessage, forwardMessage, sendChatAction."""

    def _send_message(self, p: Params, files: Files) -> JsonDict:
        inline, _ = parse_reply_markup(p.get("reply_markup"))
        text = text_param(p, "text")
        if not text:
            raise bad("message text is empty")
        formatted = self._formatted(text, p.get("parse_mode"), p.get("entities"))
        if not formatted.text:
            raise bad("message must be non-empty")
        chat = self._writable_chat(p)
        thread_id = self._thread_id(chat, p)
        reply_to = self._reply_target(chat, p)
        if markup.utf16_len(formatted.text) > MAX_TEXT_LENGTH:
            raise bad("message is too long")
        self._check_flood(chat)
        msg = self._bot_message(chat, reply_to, thread_id)
        msg.text, msg.entities, msg.reply_markup = formatted.text, formatted.entities, inline
        return self._publish_bot_message(chat, msg, "text", msg.text)

    def _send_photo(self, p: Params, files: Files) -> JsonDict:
        return self._send_media(p, files, "photo", "sendPhoto")

    def _send_document(self, p: Params, files: Files) -> JsonDict:
        return self._send_media(p, files, "document", "sendDocument")

    def _send_media(self, p: Params, files: Files, kind: str, method: str) -> JsonDict:
        inline, _ = parse_reply_markup(p.get("reply_markup"))
        caption = self._caption(p)
        chat = self._writable_chat(p)
        thread_id = self._thread_id(chat, p)
        reply_to = self._reply_target(chat, p)
        self._check_caption_length(caption)
        stored = self._input_file(p, files, kind, method, chat)
        self._check_flood(chat)
        msg = self._bot_message(chat, reply_to, thread_id)
        if kind == "photo":
            msg.photo = copy.deepcopy(stored.photo_sizes)
        else:
            msg.document = self._document_json(stored)
        if caption is not None and caption.text:
            msg.caption, msg.caption_entities = caption.text, caption.entities
        msg.reply_markup = inline
        line = (msg.caption or "") if kind == "photo" else document_line(msg)
        return self._publish_bot_message(chat, msg, kind, line)

    def _copy_message(self, p: Params, files: Files) -> JsonDict:
        inline, _ = parse_reply_markup(p.get("reply_markup"))
        caption = self._caption(p) if "caption" in p else None
        chat = self._writable_chat(p)
        source_chat = self._readable_chat(p, "from_chat_id")
        source = self._existing_message(source_chat, p, "message to copy not found")
        if source.service is not None:
            raise bad("message can't be copied")
        thread_id = self._thread_id(chat, p)
        reply_to = self._reply_target(chat, p)
        if source.text is None and caption is not None:
            self._check_caption_length(caption)
        self._check_flood(chat)
        msg = self._bot_message(chat, reply_to, thread_id)
        msg.text, msg.entities = source.text, copy.deepcopy(source.entities)
        msg.document, msg.photo = copy.deepcopy(source.document), copy.deepcopy(source.photo)
        if source.text is None:
            if caption is not None:
                msg.caption = caption.text or None
                msg.caption_entities = caption.entities if caption.text else []
            else:
                msg.caption, msg.caption_entities = source.caption, copy.deepcopy(source.caption_entities)
        msg.reply_markup = inline
        kind = "photo" if msg.photo else "document" if msg.document else "text"
        self._publish_bot_message(chat, msg, kind, msg.content if kind != "document" else document_line(msg))
        return {"message_id": msg.message_id}

    def _forward_message(self, p: Params, files: Files) -> JsonDict:
        chat = self._writable_chat(p)
        source_chat = self._readable_chat(p, "from_chat_id")
        source = self._existing_message(source_chat, p, "message to forward not found")
        if source.service is not None:
            raise bad("message can't be forwarded")
        thread_id = self._thread_id(chat, p)
        self._check_flood(chat)
        msg = self._bot_message(chat, None, thread_id)
        msg.text, msg.entities = source.text, copy.deepcopy(source.entities)
        msg.caption, msg.caption_entities = source.caption, copy.deepcopy(source.caption_entities)
        msg.document, msg.photo = copy.deepcopy(source.document), copy.deepcopy(source.photo)
        msg.forward_origin = copy.deepcopy(source.forward_origin) or self._origin_of_message(source)
        kind = "photo" if msg.photo else "document" if msg.document else "text"
        return self._publish_bot_message(
            chat, msg, kind, msg.content if kind != "document" else document_line(msg)
        )

    def _send_chat_action(self, p: Params, files: Files) -> bool:
        action = text_param(p, "action")
        if not action:
            raise bad("action is empty")  # checked before the chat, as the Bot API does
        if action not in _CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self._writable_chat(p)
        return True
