"""SQS event sources, locally: what Lambda's event source mapping does for an ``SQS`` event of a function.

For each such event, ``MaximumConcurrency`` threads (2 by default) receive up to ``BatchSize`` messages
from the queue in moto, invoke the function synchronously with the SQS event shape, and delete what was
processed: everything on success, all but the ``batchItemFailures`` when the function reports them, nothing
when it fails. What is not deleted becomes visible again after the queue's visibility timeout, as in AWS.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from local_stack.lambda_runtime import LambdaRuntime

RECEIVE_WAIT_SECONDS = 1


@dataclass(frozen=True)
class SqsSource:
    function: str
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    concurrency: int = 2


class SqsPoller:
    def __init__(self, runtime: LambdaRuntime, sqs: Any, sources: list[SqsSource]) -> None:
        self._runtime = runtime
        self._sqs = sqs
        self._sources = sources
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._in_flight = 0
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for source in self._sources:
            for n in range(source.concurrency):
                thread = threading.Thread(
                    target=self._run, args=(source,), name=f"sqs-{source.function}-{n}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=RECEIVE_WAIT_SECONDS + 5)

    def idle(self) -> bool:
        """No batch is being processed and every queue is empty (in flight ones included)."""
        with self._lock:
            if self._in_flight:
                return False
        for source in self._sources:
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=source.queue_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            if any(int(v) for v in attributes.values()):
                return False
        return True

    def _run(self, source: SqsSource) -> None:
        while not self._stop.is_set():
            try:
                self._poll_once(source)
            except Exception:
                # a poller thread keeps polling, as the service would
                logging.getLogger(__name__).exception("SQS poll of %s failed", source.function)
                self._stop.wait(0.5)

    def _poll_once(self, source: SqsSource) -> None:
        received = self._sqs.receive_message(
            QueueUrl=source.queue_url,
            MaxNumberOfMessages=source.batch_size,
            WaitTimeSeconds=RECEIVE_WAIT_SECONDS,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = received.get("Messages") or []
        if not messages:
            return
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes") or {},
                "messageAttributes": m.get("MessageAttributes") or {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": source.queue_arn,
                "awsRegion": source.queue_arn.split(":")[3],
            }
            for m in messages
        ]
        with self._lock:
            self._in_flight += 1
        try:
            self._handle(source, messages, records)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _handle(self, source: SqsSource, messages: list[Any], records: list[dict[str, Any]]) -> None:
        result = self._runtime.invoke(source.function, json.dumps({"Records": records}).encode())
        if result.function_error:
            return  # all of them come back after the visibility timeout
        failed: set[str] = set()
        try:
            answer = json.loads(result.payload or b"null")
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            failed = {str(f.get("itemIdentifier")) for f in answer.get("batchItemFailures") or []}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
