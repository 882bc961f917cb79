"""What happened to a ticket, and who did it: the ``ticket_event`` rows every ticket change writes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sinawai.consultation.tickets import Status
from sinawai.platform.clock import utcnow
from sinawai.platform.db import Database

ActorType = Literal["pegawai", "staf", "sistem"]


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: int | None
    name: str | None


SYSTEM = Actor("sistem", None, "Sinawai")


def insert_event(
    cur: Any,
    ticket_id: int,
    event: str,
    actor: Actor,
    *,
    from_status: Status | None = None,
    to_status: Status | None = None,
    detail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    cur.execute(
        "INSERT INTO ticket_event (ticket_id, waktu, event, from_status, to_status, actor_type, actor_id,"
        " actor_name, detail) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            ticket_id,
            now or utcnow(),
            event,
            from_status.value if from_status else None,
            to_status.value if to_status else None,
            actor.type,
            actor.id,
            (actor.name or "")[:255] or None,
            json.dumps(detail, ensure_ascii=False) if detail else None,
        ),
    )


def add_event(
    db: Database, ticket_id: int, event: str, actor: Actor, *, detail: Mapping[str, Any] | None = None
) -> None:
    with db.transaction() as cur:
        insert_event(cur, ticket_id, event, actor, detail=detail)
