"""The alarm relay: the stage's alarm topic, posted to the ops team's Telegram chat.

The SNS topic of the stage mails its subscribers (``AlarmEmail``); the setup function is subscribed too and
posts each notification to ``OPS_CHAT_ID`` (empty: nothing is posted, one log line says so). A CloudWatch
alarm's message (JSON: ``AlarmName``, ``AlarmDescription``, ``NewStateValue``, ``OldStateValue``,
``NewStateReason``, ``StateChangeTime``) becomes a short text: the state, the alarm, what it means, why it
changed and the runbook section its description names (``Runbook: docs/runbook.md#dlq``); any other
message is posted as its subject and text. Every field is HTML-escaped: alarm texts carry ``<``, ``>``,
``&``, ``_`` and ``*`` (thresholds, metric names), and Telegram refuses a message whose markup does not parse.

Telegram out of reach (or 5xx, or 429) fails the invocation, so Lambda retries it; a refusal that a retry
cannot cure (a wrong chat id, the bot not in the chat) is logged and dropped: the e-mail still went out.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sinawai.deploy.telegram_setup import BotApi, TelegramApiError
from sinawai.platform.errors import SinawaiError

logger = logging.getLogger(__name__)

OPS_CHAT_VARIABLE = "OPS_CHAT_ID"
RUNBOOK_URL_VARIABLE = "RUNBOOK_URL"  # optional: where docs/runbook.md is readable (a link per section)
RUNBOOK_FILE = "docs/runbook.md"
_RUNBOOK = re.compile(
    r"(?:docs/)?runbook(?:\.md)?\s*:?\s*(?:docs/runbook\.md)?#([a-z0-9][a-z0-9-]*)", re.IGNORECASE
)
_CHAT_ID = re.compile(r"-?[0-9]{1,19}")
FIELD_LIMIT = 700  # per free-text field: the whole text stays far below Telegram's 4096
STATES = {
    "ALARM": ("🔴", "ALARM"),
    "OK": ("✅", "PULIH (OK)"),
    "INSUFFICIENT_DATA": ("⚪", "DATA KURANG (INSUFFICIENT_DATA)"),
}


def is_sns_event(event: Mapping[str, Any]) -> bool:
    records = event.get("Records")
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and isinstance(r.get("Sns"), dict) for r in records)
    )


def _clip(text: str, limit: int = FIELD_LIMIT) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _e(text: str, limit: int = FIELD_LIMIT) -> str:
    return html.escape(_clip(text, limit), quote=False)


def runbook_section(description: str) -> str | None:
    """The anchor an alarm's description names (``Runbook: docs/runbook.md#dlq`` → ``dlq``)."""
    match = _RUNBOOK.search(description)
    return match.group(1).lower() if match else None


@dataclass(frozen=True)
class AlarmNotice:
    name: str
    new_state: str
    old_state: str
    reason: str
    description: str
    changed_at: datetime | None

    @classmethod
    def from_message(cls, message: str) -> AlarmNotice | None:
        """A CloudWatch alarm's SNS message; None for anything else."""
        try:
            data = json.loads(message)
        except ValueError:
            return None
        if not isinstance(data, dict) or not data.get("AlarmName") or not data.get("NewStateValue"):
            return None
        changed_at = None
        raw = str(data.get("StateChangeTime") or "")
        try:
            changed_at = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            logger.info("alarm relay: StateChangeTime %r not understood", raw[:40])
        return cls(
            name=str(data["AlarmName"]),
            new_state=str(data["NewStateValue"]),
            old_state=str(data.get("OldStateValue") or "?"),
            reason=str(data.get("NewStateReason") or ""),
            description=str(data.get("AlarmDescription") or ""),
            changed_at=changed_at,
        )

    def text(self, zone: ZoneInfo, runbook_url: str = "") -> str:
        """The HTML text for the ops chat."""
        icon, label = STATES.get(self.new_state, ("🔔", self.new_state))
        lines = [f"{icon} <b>{_e(label, 60)}</b>: <code>{_e(self.name, 255)}</code>"]
        when = ""
        if self.changed_at is not None:
            local = self.changed_at.astimezone(zone)
            when = f" pada {local:%d-%m-%Y %H:%M} {local.tzname() or zone.key}"
        lines.append(f"Status: {_e(self.old_state, 40)} → {_e(self.new_state, 40)}{when}")
        section = runbook_section(self.description)
        meaning = _RUNBOOK.sub("", self.description).strip().rstrip(".:;,- ").strip()
        if meaning:
            lines.append(f"Arti: {_e(meaning)}")
        if self.reason:
            lines.append(f"Penyebab: {_e(self.reason)}")
        if section is not None:
            where = f"{RUNBOOK_FILE}#{section}"
            if runbook_url:
                href = html.escape(f"{runbook_url.rstrip('#')}#{section}", quote=True)
                lines.append(f'Runbook: <a href="{href}">{_e(where, 120)}</a>')
            else:
                lines.append(f"Runbook: <code>{_e(where, 120)}</code>")
        elif self.new_state == "ALARM":
            lines.append(
                f"Runbook: lihat <code>{RUNBOOK_FILE}</code> (deskripsi alarm tidak menyebut bagian)"
            )
        return "\n".join(lines)


def other_text(subject: str, message: str) -> str:
    """A notification that is not a CloudWatch alarm (a test publish, an AWS notice)."""
    head = f"🔔 <b>{_e(subject, 200)}</b>" if subject.strip() else "🔔 <b>Notifikasi SNS</b>"
    return f"{head}\n{_e(message, 3000)}"


def ops_chat_id() -> int | None:
    """OPS_CHAT_ID, or None when it is empty or not a chat id (said in the log)."""
    raw = os.environ.get(OPS_CHAT_VARIABLE, "").strip()
    if not raw:
        return None
    if not _CHAT_ID.fullmatch(raw) or int(raw) == 0:
        logger.warning(
            "alarm relay: %s is not a Telegram chat id (%r): nothing posted", OPS_CHAT_VARIABLE, raw
        )
        return None
    return int(raw)


def _transient(e: TelegramApiError) -> bool:
    return e.code is None or e.code == 429 or e.code >= 500


class AlarmRelay:
    def __init__(self, api_factory: Callable[[], BotApi] = BotApi.from_env) -> None:
        self._api = api_factory

    def handle(self, event: Mapping[str, Any]) -> dict[str, Any]:
        records = [r["Sns"] for r in event.get("Records") or []]
        chat = ops_chat_id()
        if chat is None:
            logger.info("alarm relay: OPS_CHAT_ID is not set: %d notification(s) not posted", len(records))
            return {"relayed": 0, "skipped": "OPS_CHAT_ID is not set"}
        try:
            api = self._api()
        except SinawaiError as e:
            logger.warning("alarm relay: no bot to post with: %s", e)
            return {"relayed": 0, "skipped": str(e)}
        if not api.has_token:
            logger.info(
                "alarm relay: the bot token is not set yet: %d notification(s) not posted", len(records)
            )
            return {"relayed": 0, "skipped": "the bot token is not set yet"}
        zone = ZoneInfo(os.environ.get("SERVICE_TIMEZONE", "").strip() or "Asia/Jakarta")
        runbook_url = os.environ.get(RUNBOOK_URL_VARIABLE, "").strip()
        relayed, dropped = 0, 0
        for sns in records:
            message = str(sns.get("Message") or "")
            notice = AlarmNotice.from_message(message)
            text = (
                notice.text(zone, runbook_url)
                if notice is not None
                else other_text(str(sns.get("Subject") or ""), message)
            )
            try:
                api.call(
                    "sendMessage",
                    {
                        "chat_id": chat,
                        "text": text,
                        "parse_mode": "HTML",
                        "link_preview_options": {"is_disabled": True},
                    },
                )
            except TelegramApiError as e:
                if _transient(e):
                    raise  # Lambda retries the notification
                logger.error("alarm relay: Telegram refused the post to OPS_CHAT_ID: %s", e)  # noqa: TRY400
                dropped += 1
                continue
            relayed += 1
            logger.info("alarm relay: posted %s", notice.name if notice else "a notification")
        return {"relayed": relayed, "dropped": dropped}
