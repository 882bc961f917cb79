"""Bot API: the bot, chats and members (getMe, getChat, getChatMember, createForumTopic)."""

from __future__ import annotations

import copy

from local_stack.telegram.bot_api.rules import BotRules
from local_stack.telegram.params import text_param
from local_stack.telegram.records import Files, JsonDict, Params, administrator_rights, bad

_TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


class ChatMethods(BotRules):
    """getMe, getChat, getChatMember, createForumTopic."""

    def _get_me(self, p: Params, files: Files) -> JsonDict:
        return {
            **copy.deepcopy(self.bot_user),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_chat(self, p: Params, files: Files) -> JsonDict:
        chat = self._readable_chat(p, "chat_id")
        info = self._chat_json(chat)
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _get_chat_member(self, p: Params, files: Files) -> JsonDict:
        chat = self._readable_chat(p, "chat_id")
        user_id = int(p.get("user_id", 0) or 0)
        if user_id == self.bot_user["id"]:
            status = "administrator" if chat.bot_is_admin else "member"
            return {"status": status, "user": copy.deepcopy(self.bot_user), **_rights(status)}
        user = self._users.get(user_id)
        if user is None:
            raise bad("user not found")
        if chat.type == "private":
            status = "member" if chat.user_id == user_id else "left"
        elif user_id not in chat.members:
            status = "left"
        elif user_id == chat.creator:
            return {"status": "creator", "user": copy.deepcopy(user.info), "is_anonymous": False}
        elif user_id in chat.admins:
            rights = administrator_rights()
            return {"status": "administrator", "user": copy.deepcopy(user.info), **rights}
        else:
            status = "member"
        return {"status": status, "user": copy.deepcopy(user.info)}

    def _create_forum_topic(self, p: Params, files: Files) -> JsonDict:
        chat = self._writable_chat(p)
        if chat.type == "private" or not chat.forum:
            raise bad("the chat is not a forum")
        if not chat.bot_is_admin:
            raise bad("not enough rights to create a topic")
        name = text_param(p, "name") or ""
        if not name.strip():
            raise bad("TOPIC_TITLE_EMPTY")
        if len(name) > 128:
            raise bad("TOPIC_TITLE_TOO_LONG")
        color = int(p.get("icon_color") or _TOPIC_COLORS[0])
        if color not in _TOPIC_COLORS:
            raise bad("TOPIC_ICON_COLOR_INVALID")  # one of the six colours Telegram offers
        msg = self._bot_message(chat, None, None)
        msg.message_thread_id = msg.message_id
        topic: JsonDict = {"name": name, "icon_color": color}
        msg.service = {"forum_topic_created": dict(topic)}
        chat.topics[msg.message_id] = topic
        self._note(chat, None, "text", f"(topic created: {name})", msg.message_id)
        self._cond.notify_all()
        return {"message_thread_id": msg.message_id, **topic}


def _rights(status: str) -> JsonDict:
    return administrator_rights() if status == "administrator" else {}
