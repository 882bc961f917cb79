"""Control API: the world (users, groups) and people acting in it (writing, pressing buttons, joining)."""

from __future__ import annotations

import copy
import mimetypes
import secrets
import time
from collections.abc import Iterable, Mapping
from typing import Any

from local_stack import telegram_markup as markup
from local_stack.telegram.core import EmulatorCore
from local_stack.telegram.records import ChatMessage, JsonDict, administrator_rights, document_line
from local_stack.telegram.state import Chat, Pending, Query, User


class People(EmulatorCore):
    """Users and groups, and what the users do: each action becomes the update Telegram would send."""

    # ---- the world ------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "id",
        started: bool = False,
    ) -> JsonDict:
        """A Telegram user (and their private chat with the bot). They have not started the bot yet, unless
        ``started`` (they pressed Start some time ago: the bot may write to them first)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        info: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            info["last_name"] = last_name
        if username:
            info["username"] = username
        if language_code:
            info["language_code"] = language_code
        with self._cond:
            existing = self._users.get(user_id)
            if existing is not None:
                existing.info = info
            else:
                existing = self._users[user_id] = User(info)
            existing.started = existing.started or started
            chat = self._chats.get(user_id)
            if chat is None:
                self._chats[user_id] = Chat(id=user_id, type="private", title=first_name, user_id=user_id)
            else:
                chat.title = first_name
            return copy.deepcopy(info)

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        members: Iterable[int] = (),
        forum: bool = False,
        bot_is_admin: bool = True,
        bot_is_member: bool = True,
        creator: int | None = None,
        admins: Iterable[int] = (),
        supergroup: bool = True,
    ) -> JsonDict:
        """A supergroup (ids like -100...) with these users as members (adding it again updates it), or
        with ``supergroup=False`` a basic group (ids like -123456789, no forum). ``creator`` and ``admins``
        are members whom getChatMember answers "creator" and "administrator"."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative, like -1001234567890")
        if not supergroup and (forum or str(chat_id).startswith("-100")):
            raise ValueError("a basic group has an id like -123456789 and no forum")
        with self._cond:
            member_ids = set(members)
            admin_ids = set(admins) | ({creator} if creator is not None else set())
            unknown = [m for m in member_ids | admin_ids if m not in self._users]
            if unknown:
                raise ValueError(f"unknown users {unknown}: add_user first")
            chat = self._chats.get(chat_id)
            if chat is None:
                kind = "supergroup" if supergroup else "group"
                chat = self._chats[chat_id] = Chat(id=chat_id, type=kind, title=title)
            chat.title = title
            chat.members |= member_ids | admin_ids
            chat.admins |= set(admins)
            if creator is not None:
                chat.creator = creator
            chat.forum = forum
            chat.bot_is_member = bot_is_member
            chat.bot_is_admin = bot_is_admin and bot_is_member
            return self._chat_json(chat)

    def add_bot_to_group(self, chat_id: int, by_user_id: int, *, as_admin: bool = False) -> JsonDict:
        """A member adds the bot to the group (made with ``bot_is_member=False``): the ``my_chat_member``
        update (left → member, or administrator), then the ``new_chat_members`` service message. Returns
        the ``my_chat_member`` update."""
        with self._cond:
            user, chat = self._acting(by_user_id, chat_id)
            if chat.type == "private":
                raise ValueError("the bot is added to groups, not to private chats")
            if chat.bot_is_member:
                raise ValueError(f"the bot is already in group {chat_id}")
            chat.bot_is_member, chat.bot_is_admin = True, as_admin
            new_status = "administrator" if as_admin else "member"
            update = self._bot_membership(chat, user, "left", new_status)
            msg = self._user_message(user, chat, None, None)
            msg.service = {"new_chat_members": [copy.deepcopy(self.bot_user)]}
            name = self.bot_user["first_name"]
            self._note(chat, by_user_id, "text", f"({user.info['first_name']} added {name})", msg.message_id)
            self._enqueue({"message": self._message_json(msg)}, chat.id)
            return update

    def remove_bot_from_group(self, chat_id: int, by_user_id: int) -> JsonDict:
        """A member removes the bot from the group: the ``my_chat_member`` update (→ kicked). The bot gets
        nothing more from that group."""
        with self._cond:
            user, chat = self._acting(by_user_id, chat_id)
            if chat.type == "private" or not chat.bot_is_member:
                raise ValueError(f"the bot is not in group {chat_id}")
            old_status = "administrator" if chat.bot_is_admin else "member"
            chat.bot_is_member = chat.bot_is_admin = False
            self._note(chat, by_user_id, "text", f"({user.info['first_name']} removed the bot)", None)
            return self._bot_membership(chat, user, old_status, "kicked")

    def _bot_membership(self, chat: Chat, by: User, old_status: str, new_status: str) -> JsonDict:
        def member(status: str) -> JsonDict:
            data: JsonDict = {"status": status, "user": copy.deepcopy(self.bot_user)}
            if status == "administrator":
                data.update(administrator_rights())
            if status == "kicked":
                data["until_date"] = 0
            return data

        update: JsonDict = {
            "my_chat_member": {
                "chat": self._chat_json(chat),
                "from": copy.deepcopy(by.info),
                "date": int(time.time()),
                "old_chat_member": member(old_status),
                "new_chat_member": member(new_status),
            }
        }
        return copy.deepcopy(self._enqueue(update, chat.id))

    def block_bot(self, user_id: int) -> None:
        """The user blocked the bot: writing to them answers 403 until they write again."""
        with self._cond:
            self._require_user(user_id).blocked = True

    def unblock_bot(self, user_id: int) -> None:
        with self._cond:
            self._require_user(user_id).blocked = False

    # ---- acting as people -----------------------------------------------------------------------

    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        forward_from: int | None = None,
        message_thread_id: int | None = None,
    ) -> JsonDict:
        """The user writes ``text`` (in their private chat unless ``chat_id``). Returns the update.

        An update the bot does not get (privacy mode in a group, bot not a member) has no ``update_id``.
        """
        formatted = markup.normalize(text, [])
        if not formatted.text:
            raise ValueError("a Telegram client cannot send an empty message")
        with self._cond:
            user, chat = self._acting(user_id, chat_id)
            msg = self._user_message(user, chat, reply_to_message_id, message_thread_id)
            msg.text, msg.entities = formatted.text, formatted.entities
            if forward_from is not None:
                msg.forward_origin = self._origin_of_user(forward_from, msg.date)
            return self._post_user_message(user, chat, msg, "text", msg.text)

    def send_photo(
        self,
        user_id: int,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        content = b"\xff\xd8\xff\xe0" + secrets.token_bytes(2048)
        with self._cond:
            user, chat = self._acting(user_id, chat_id)
            stored = self._store_file("photo", "photo.jpg", "image/jpeg", content, None)
            msg = self._user_message(user, chat, reply_to_message_id, None)
            msg.photo = copy.deepcopy(stored.photo_sizes)
            self._set_caption(msg, caption)
            return self._post_user_message(user, chat, msg, "photo", msg.caption or "")

    def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        if not content:
            raise ValueError("a Telegram client cannot send an empty file")
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        with self._cond:
            user, chat = self._acting(user_id, chat_id)
            stored = self._store_file("document", file_name, mime, content, None)
            msg = self._user_message(user, chat, reply_to_message_id, None)
            msg.document = self._document_json(stored)
            self._set_caption(msg, caption)
            return self._post_user_message(user, chat, msg, "document", document_line(msg))

    def edit_message(self, user_id: int, chat_id: int, message_id: int, new_text: str) -> JsonDict:
        """The user edits their own text message: an ``edited_message`` update."""
        formatted = markup.normalize(new_text, [])
        if not formatted.text:
            raise ValueError("a Telegram client cannot save an empty message")
        with self._cond:
            _, chat = self._acting(user_id, chat_id)
            msg = chat.messages.get(message_id)
            if msg is None or msg.deleted:
                raise ValueError(f"chat {chat_id} has no message {message_id}")
            if msg.sender_id != user_id or msg.text is None:
                raise ValueError(f"message {message_id} is not a text message of user {user_id}")
            msg.text, msg.entities = formatted.text, formatted.entities
            msg.edit_date = int(time.time())
            self._note(chat, user_id, "edit", msg.text, message_id)
            update: JsonDict = {"edited_message": self._message_json(msg)}
            if self._bot_receives(chat, msg):
                update = self._enqueue(update, chat.id)
            return copy.deepcopy(update)

    def press_button(self, user_id: int, chat_id: int, message_id: int, callback_data: str) -> JsonDict:
        """The user presses the inline button with ``callback_data``: a ``callback_query`` update."""
        return self._press(user_id, chat_id, message_id, callback_data, forged=False)

    def press_forged_button(
        self, user_id: int, chat_id: int, message_id: int, callback_data: str
    ) -> JsonDict:
        """A modified client sends ``callback_data`` the message's keyboard never had (or no longer has)."""
        return self._press(user_id, chat_id, message_id, callback_data, forged=True)

    def _press(
        self, user_id: int, chat_id: int, message_id: int, callback_data: str, *, forged: bool
    ) -> JsonDict:
        with self._cond:
            user, chat = self._acting(user_id, chat_id)
            msg = chat.messages.get(message_id)
            if msg is None or msg.deleted:
                raise ValueError(f"chat {chat_id} has no message {message_id} to press a button on")
            if not msg.is_bot:
                raise ValueError(f"message {message_id} in chat {chat_id} was not sent by the bot")
            button = next(
                (b for row in msg.buttons for b in row if b.get("callback_data") == callback_data), None
            )
            if button is None and forged:
                button = {"text": f"forged: {callback_data}", "callback_data": callback_data}
            if button is None:
                raise ValueError(
                    f"message {message_id} in chat {chat_id} has no button with callback_data "
                    f"{callback_data!r}; its buttons: {msg.callback_data}"
                )
            query_id = str(next(self._query_counter))
            self._queries[query_id] = Query(user_id, chat_id, message_id)
            query: JsonDict = {
                "id": query_id,
                "from": copy.deepcopy(user.info),
                "message": self._message_json(msg),
                "chat_instance": chat.instance,
                "data": callback_data,
            }
            self._note(chat, user_id, "callback", f"[{button['text']}]", message_id)
            return copy.deepcopy(self._enqueue({"callback_query": query}, chat.id))

    def add_member(self, chat_id: int, user_id: int) -> JsonDict:
        """The user joins the group: a ``new_chat_members`` message (and a ``chat_member`` update)."""
        with self._cond:
            user = self._require_user(user_id)
            chat = self._require_group(chat_id)
            chat.members.add(user_id)
            msg = self._user_message(user, chat, None, None)
            msg.service = {"new_chat_members": [copy.deepcopy(user.info)]}
            self._note(chat, user_id, "text", f"({user.info['first_name']} joined the group)", msg.message_id)
            update: JsonDict = {"message": self._message_json(msg)}
            if chat.bot_is_member:
                update = self._enqueue(update, chat.id)
            if chat.bot_is_admin:
                member_update: JsonDict = {
                    "chat_member": {
                        "chat": self._chat_json(chat),
                        "from": copy.deepcopy(user.info),
                        "date": msg.date,
                        "old_chat_member": {"status": "left", "user": copy.deepcopy(user.info)},
                        "new_chat_member": {"status": "member", "user": copy.deepcopy(user.info)},
                    }
                }
                self._enqueue(member_update, chat.id)
            return copy.deepcopy(update)

    def post_raw_update(self, update: Mapping[str, Any]) -> JsonDict:
        """Delivers any update (``update_id`` assigned when missing), whatever allowed_updates says."""
        data = copy.deepcopy(dict(update))
        with self._cond:
            if "update_id" in data:
                self._next_update_id = max(self._next_update_id, int(data["update_id"]) + 1)
            else:
                data["update_id"] = self._take_update_id()
            self._pending.append(Pending(data, int(data["update_id"]), _chat_key(data)))
            self._cond.notify_all()
            return copy.deepcopy(data)

    # ---- helpers --------------------------------------------------------------------------------

    def _require_user(self, user_id: int) -> User:
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}: add_user first")
        return user

    def _require_group(self, chat_id: int) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise ValueError(f"unknown group {chat_id}: add_group first")
        return chat

    def _acting(self, user_id: int, chat_id: int | None) -> tuple[User, Chat]:
        """The user and the chat they act in; a real client can only act in its own chats."""
        user = self._require_user(user_id)
        chat = self._chats.get(chat_id if chat_id is not None else user_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}")
        if chat.type == "private" and chat.user_id != user_id:
            raise ValueError(f"user {user_id} cannot act in the private chat of user {chat.user_id}")
        if chat.type != "private" and user_id not in chat.members:
            raise ValueError(f"user {user_id} is not a member of group {chat.id}")
        return user, chat

    def _user_message(
        self, user: User, chat: Chat, reply_to: int | None, thread_id: int | None
    ) -> ChatMessage:
        if reply_to is not None:
            target = chat.messages.get(reply_to)
            if target is None or target.deleted:
                raise ValueError(f"chat {chat.id} has no message {reply_to} to reply to")
        if thread_id is not None and (not chat.forum or thread_id not in chat.topics):
            raise ValueError(f"chat {chat.id} has no topic {thread_id}")
        return self._new_message(chat, user.info, reply_to, thread_id)

    def _set_caption(self, msg: ChatMessage, caption: str | None) -> None:
        if caption:
            fixed = markup.normalize(caption, [])
            if fixed.text:
                msg.caption, msg.caption_entities = fixed.text, fixed.entities

    def _post_user_message(self, user: User, chat: Chat, msg: ChatMessage, kind: str, line: str) -> JsonDict:
        if chat.type == "private":
            user.started = True
            user.blocked = False
        self._note(chat, user.info["id"], kind, line, msg.message_id)
        update: JsonDict = {"message": self._message_json(msg)}
        if self._bot_receives(chat, msg):
            update = self._enqueue(update, chat.id)
        self._cond.notify_all()
        return copy.deepcopy(update)

    def _bot_receives(self, chat: Chat, msg: ChatMessage) -> bool:
        if chat.type == "private":
            return True
        if not chat.bot_is_member:
            return False
        if msg.service is not None or chat.bot_is_admin or not self.group_privacy:
            return True
        text = msg.content
        username = str(self.bot_user["username"]).lower()
        entities = msg.entities if msg.text is not None else msg.caption_entities
        for entity in entities:
            part = markup.utf16_slice(text, entity["offset"], entity["length"]).lower()
            if (
                entity["type"] == "bot_command"
                and entity["offset"] == 0
                and ("@" not in part or part.endswith("@" + username))
            ):
                return True
            if entity["type"] == "mention" and part == "@" + username:
                return True
        if msg.reply_to_message_id is not None and msg.reply_to_message_id != msg.message_thread_id:
            target = chat.messages.get(msg.reply_to_message_id)
            return target is not None and target.is_bot
        return False

    def _origin_of_user(self, user_id: int, date: int) -> JsonDict:
        if user_id == self.bot_user["id"]:
            sender = copy.deepcopy(self.bot_user)
        else:
            sender = copy.deepcopy(self._require_user(user_id).info)
        return {"type": "user", "sender_user": sender, "date": date}


def _chat_key(update: Mapping[str, Any]) -> int | None:
    for value in update.values():
        if not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return None
