"""/datasaya: a registered, active employee gets everything Sinawai holds about them, in their private chat.

The export is audited and limited to one per ``DATASAYA_INTERVAL_HOURS`` (default 24): the limit is read
from the audit rows, under a lock on the employee's row, so two requests at once make one export. The
files go out through ``once`` steps: Lambda's retry after a failed upload sends only what is missing. The
message log keeps a marker (kind and length) for both files, never their caption.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.constants import ParseMode

from sinawai.platform.clock import utcnow
from sinawai.platform.errors import ConfigurationError
from sinawai.privacy import export, store
from sinawai.privacy import texts as t
from sinawai.registration.guards import Refusals, active_employee
from sinawai.telegram.invocation import personal_reply
from sinawai.telegram.runtime import GroupFunction

INTERVAL_ENV = "DATASAYA_INTERVAL_HOURS"
DEFAULT_INTERVAL_HOURS = 24.0


def interval_hours() -> float:
    """DATASAYA_INTERVAL_HOURS (default 24): how often one employee may ask for their data."""
    raw = os.environ.get(INTERVAL_ENV, "").strip()
    if not raw:
        return DEFAULT_INTERVAL_HOURS
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= 24 * 366:
        raise ConfigurationError(f"{INTERVAL_ENV} must be a number of hours (0-8784), got {raw!r}")
    return hours


async def send_export(update: Update, deps: GroupFunction, refusals: Refusals) -> None:
    """Send the sender's export as two files (JSON, and a TXT summary), or say why not."""
    employee = await active_employee(update, deps.db, refusals)
    if employee is None:
        return
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    bot = update.get_bot()
    timezone = deps.settings.timezone
    hours = interval_hours()
    claim = store.claim_bot_export(
        deps.db,
        employee.nip,
        telegram_user_id=user.id,
        update_id=update.update_id,
        interval=timedelta(hours=hours),
    )
    if not claim.allowed:
        assert claim.last_at is not None
        assert claim.next_at is not None
        text = t.rate_limited(claim.last_at, claim.next_at, hours, timezone)
        await bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)
        return
    data = store.collect(deps.db, employee.nip)
    if data is None:  # anonymised between the check and now
        await bot.send_message(chat.id, t.GONE)
        return
    now = utcnow()
    payload = export.to_json(data, now)
    if len(payload) > export.MAX_TELEGRAM_UPLOAD_BYTES:
        deps.logger.warning("data subject export too big for Telegram", extra={"bytes": len(payload)})
        await bot.send_message(chat.id, t.TOO_BIG)
        return
    summary = export.summary(data, now, timezone).encode("utf-8")
    stem = f"datasaya-{now.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)):%Y%m%d-%H%M}"

    def upload(content: bytes, name: str, caption: str) -> Callable[[], Awaitable[int | None]]:
        async def send() -> int | None:
            sent = await bot.send_document(chat.id, InputFile(content, filename=name), caption=caption)
            return sent.message_id

        return send

    with personal_reply("datasaya"):
        await deps.once(update, "datasaya_json", upload(payload, f"{stem}.json", export.caption(data)))
        await deps.once(update, "datasaya_txt", upload(summary, f"{stem}.txt", t.SUMMARY_CAPTION))
