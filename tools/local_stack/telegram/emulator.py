"""The emulator: every part put together, and the table of the Bot API methods it implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local_stack.telegram.bot_api.chats import ChatMethods
from local_stack.telegram.bot_api.edits import EditMethods
from local_stack.telegram.bot_api.messages import MessageMethods
from local_stack.telegram.bot_api.settings import SettingsMethods
from local_stack.telegram.records import Files, Params


class TelegramEmulator(SettingsMethods, MessageMethods, EditMethods, ChatMethods):
    """The Bot API at ``base_url`` for one bot, plus the users and groups it talks to.

    HTTP endpoints besides ``/bot<token>/<method>``: ``/file/bot<token>/<file_path>`` (downloads, after
    getFile), and the JSON control API, thin wrappers over the Python methods of the same names:
    ``POST /_emulator/users`` {user_id, first_name, last_name?, username?, language_code?};
    ``POST /_emulator/groups`` {chat_id, title, members?, forum?, bot_is_admin?, bot_is_member?, creator?,
    admins?, supergroup?};
    ``POST /_emulator/bot_membership`` {chat_id, by_user_id, status: member|administrator|kicked} (a member
    adds the bot to the group or removes it: a ``my_chat_member`` update);
    ``POST /_emulator/send`` {user_id, text, chat_id?, reply_to_message_id?, forward_from?,
    message_thread_id?};
    ``POST /_emulator/press`` {user_id, chat_id, message_id, callback_data};
    ``POST /_emulator/fail_next`` {method, count?, error_code?, description?, retry_after?, chat_id?};
    ``GET /_emulator/chats/<chat_id>/messages``, ``GET /_emulator/transcript``, ``GET /_emulator/calls``.
    They answer {"ok": true, "result": ...}, or {"ok": false, "error": ...} with status 400 (a person or
    a client could not do that) or 404.
    """

    def _bot_methods(self) -> dict[str, Callable[[Params, Files], Any]]:
        return {
            "getme": self._get_me,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendchataction": self._send_chat_action,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setmydescription": self._set_my_description,
            "getmydescription": self._get_my_description,
            "setmyshortdescription": self._set_my_short_description,
            "getmyshortdescription": self._get_my_short_description,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "createforumtopic": self._create_forum_topic,
            "getfile": self._get_file,
        }
