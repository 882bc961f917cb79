"""The broadcast's hand-over to the FIFO queue and its pace (no network: a fake SQS client records)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from sinawai.information import broadcast


class FakeSqs:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        assert len(Entries) <= 10  # SQS's batch limit
        self.entries.extend(Entries)
        return {"Successful": [{"Id": e["Id"]} for e in Entries]}


def test_recipients_are_handed_over_in_chunks_of_one_message_group() -> None:
    sqs = FakeSqs()
    recipients = list(range(1000, 1000 + 260))
    assert broadcast.enqueue("https://queue", 7, recipients, sqs=sqs) == 11
    bodies = [json.loads(e["MessageBody"]) for e in sqs.entries]
    assert [c for b in bodies for c in b["chat_ids"]] == recipients  # everyone, once, in order
    assert max(len(b["chat_ids"]) for b in bodies) == broadcast.CHUNK
    assert {e["MessageGroupId"] for e in sqs.entries} == {"broadcast"}
    assert len({e["MessageDeduplicationId"] for e in sqs.entries}) == 11


def test_handing_the_same_recipients_over_again_is_deduplicated_but_a_different_rest_is_not() -> None:
    sqs = FakeSqs()
    broadcast.enqueue("https://queue", 7, list(range(1, 51)), sqs=sqs)
    broadcast.enqueue("https://queue", 7, list(range(1, 51)), sqs=sqs)  # a retried hand-over
    broadcast.enqueue("https://queue", 7, list(range(26, 51)), sqs=sqs)  # what was still pending
    broadcast.enqueue("https://queue", 8, list(range(1, 26)), sqs=sqs)  # another announcement
    ids = [e["MessageDeduplicationId"] for e in sqs.entries]
    assert ids[0:2] == ids[2:4]
    assert ids[4] == ids[1]  # recipients 26-50 of announcement 7: the same message
    assert ids[5] not in ids[:5]


def test_the_pacer_keeps_under_its_rate() -> None:
    async def run() -> float:
        pacer = broadcast.Pacer(25.0)
        started = time.monotonic()
        for _ in range(26):
            await pacer.wait()
        return time.monotonic() - started

    assert asyncio.run(run()) >= 1.0  # 26 sends at 25/s take at least a second
