"""`make bench`: how fast Sinawai answers Telegram on this machine, side by side with the common recipe.

Everything runs locally (traffic only to 127.0.0.1): a fresh MariaDB database, the local stack of
``template.yaml`` (functions in their own worker processes behind the Lambda and API Gateway endpoints),
moto, and the Telegram emulator, whose flood limits are turned off so that the numbers are the bot's and
not Telegram's quotas. The comparison is ``bench_recipe.py`` (PTB built, initialised and shut down for every
update), deployed the same way: same worker processes, same instances per function, same emulator.

What each number measures (all latencies in milliseconds, percentiles by nearest rank):

1. Webhook answer latency.
   (a) in-process: the webhook function's ``lambda_handler`` (``functions/webhook/app.py`` imported into
       this process, with the function's environment: the fresh database, Secrets Manager on moto, the
       Lambda endpoint for the real SigV4 ``Invoke``), timed around the call on API Gateway's proxy event.
       For the recipe: its ``lambda_handler`` timed the same way (it replies before it returns).
   (b) over HTTP: a keep-alive client POSTs the update to the local API Gateway endpoint with the secret
       header; timed from the request to the complete response.
   Both loop over distinct emulator updates (``/start`` from many users) one at a time; after each, the
   loop waits (untimed) for the bot's reply and for the functions to be idle, so updates do not overlap.
   The recipe gets the very same updates, replayed.
2. Update-to-reply latency at the emulator: the emulator POSTs an update to the webhook; the time from the
   start of that POST to the arrival at the emulator of the bot's ``sendMessage``. Warm functions, one
   update at a time (the next is sent once the reply arrived and the functions are idle).
   The in-process loop of 1a gives an update-to-reply figure too: from calling the handler to that arrival.
3. Sustained throughput: N updates from many users are queued while the webhook is unset, then the webhook
   is set and the emulator delivers the backlog as fast as the bot takes it (up to ``max_connections`` = 40
   concurrent deliveries, one at a time per chat, like Telegram). Updates/s from the first POST to the
   last reply. Checked: every chat got exactly as many replies as updates, every Bot API call succeeded,
   and for Sinawai every update has exactly one outgoing message in the message log and is ``done``.
4. Cold start imports: in a fresh process with the function's Lambda environment and sys.path (task root,
   then the layers, as /opt/python), the wall time of ``import app`` measured inside the child; median of
   several runs per function.
   (b) The router's cold start with its first update: in such a fresh process, ``import app`` and its
       first ``lambda_handler`` call on a new update (proxy event), timed inside the child from before the
       import to the handler's answer; the webhook secret is read from moto's Secrets Manager by ARN, as
       deployed. Median of several runs, each a new update whose reply is awaited (untimed).
5. The recipe next to each of these, and the ratios ours/recipe.
6. The FAQ matcher on the question table (``faq_bench.py``, no stack): the hit rate (right topic offered,
   as the answer or in a choice, or none for a question no topic may answer), the answered-first rate and
   the false-answer rate (a wrong topic shown first as the answer), for the tuning part, each held-out
   part and the whole table; ``--faq-only`` prints just these.
7. ``sinawai serve`` (``serve_bench.py``, its own database and emulator): start to first long poll, update
   to reply latency, a burst's throughput with exactly one reply each; ``--serve-only`` prints just these.
8. A morning burst into the staff group (``burst_bench.py``, its own stacks, the emulator's group limit on
   and scaled): the time until staff see every ticket of 200 questions at once, before (a header and a copy
   each) and after (compact lists); ``--burst-only`` prints just these.
9. The HR import of a 50,000-employee agency (``import_bench.py``, its own stacks): before/after wall time,
   rows/s, peak memory, the unchanged re-import and a failing chunk; ``--import-only`` prints just these.

Instants compared with the emulator's records use ``time.monotonic()`` (the emulator's clock); pure
durations use ``time.perf_counter()``. Exit status 0 even when a target is missed: this is a measurement.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import httpx

from local_stack import burst_bench, cold_bench, faq_bench, import_bench, report_bench, serve_bench
from local_stack.dbtools import temporary_database
from local_stack.lambda_api import ApiGatewayEndpoint
from local_stack.lambda_runtime import LambdaRuntime
from local_stack.lambda_worker import LambdaContext
from local_stack.stack import ROOT, LocalStack, StackConfig
from local_stack.telegram import Delivery, RateLimits, TelegramEmulator
from local_stack.template import FunctionSpec
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict, Any], JsonDict]

BENCH_DIR = ROOT / ".bench"
RESULTS_FILE = BENCH_DIR / "results.json"
LOG_DIR = BENCH_DIR / "logs"
RECIPE_DIR = Path(__file__).resolve().parent / "bench_recipe_function"
ROUTER = "WebhookFunction"
GENERAL = "GeneralFunction"
RECIPE = "RecipeFunction"

FIRST_USER_ID = 7_100_001
FIRST_NAMES = ("Budi", "Siti", "Agus", "Dewi", "Rina", "Joko", "Ayu", "Hendra", "Wulan", "Fajar")
TEXT = "/start"
WARMUP = 20
REPLY_TIMEOUT = 15.0
DRAIN_TIMEOUT = 240.0
MAX_CONNECTIONS = 40  # what the stack gives setWebhook, and Telegram's default

TARGET_ANSWER_P50_MS = 10.0
TARGET_REPLY_P50_MS = 40.0
TARGET_THROUGHPUT_RATIO = 5.0
TARGET_ROUTER_IMPORT_MS = 300.0
TARGET_ROUTER_COLD_FIRST_UPDATE_MS = 300.0


@dataclasses.dataclass(frozen=True)
class Plan:
    in_process: int = 500
    http: int = 300
    reply: int = 200
    reply_users: int = 50
    throughput: int = 500
    throughput_users: int = 100
    import_runs: int = 5

    @classmethod
    def quick(cls) -> Plan:
        """A smoke run of the benchmark itself (numbers too few to mean much)."""
        return cls(in_process=40, http=30, reply=20, reply_users=10, throughput=60, throughput_users=20)


# ---- statistics ------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(samples_ms: Sequence[float]) -> JsonDict:
    return {
        "n": len(samples_ms),
        "p50_ms": round(percentile(samples_ms, 50), 2),
        "p99_ms": round(percentile(samples_ms, 99), 2),
        "mean_ms": round(statistics.fmean(samples_ms), 2),
        "max_ms": round(max(samples_ms), 2),
    }


# ---- the Telegram side -----------------------------------------------------------------------------------


def bot_api(emu: TelegramEmulator, method: str, params: JsonDict) -> None:
    """Call the emulator's Bot API as an operator would (setWebhook, deleteWebhook)."""
    response = httpx.post(f"{emu.base_url}/bot{emu.token}/{method}", json=params, timeout=10)
    response.raise_for_status()


def set_webhook(emu: TelegramEmulator, url: str, secret: str, *, drop_pending: bool) -> None:
    bot_api(
        emu,
        "setWebhook",
        {
            "url": url,
            "secret_token": secret,
            "allowed_updates": [],
            "max_connections": MAX_CONNECTIONS,
            "drop_pending_updates": drop_pending,
        },
    )


def delete_webhook(emu: TelegramEmulator) -> None:
    """Updates then wait in the emulator (for getUpdates) instead of being delivered: the benchmark
    delivers them itself, or sets a webhook later to have them delivered as a backlog."""
    bot_api(emu, "deleteWebhook", {"drop_pending_updates": True})


def add_users(emu: TelegramEmulator, count: int) -> list[int]:
    users = [FIRST_USER_ID + n for n in range(count)]
    for n, user_id in enumerate(users):
        emu.add_user(user_id, FIRST_NAMES[n % len(FIRST_NAMES)], last_name=f"Pegawai {n + 1:03d}")
    return users


def chat_of(update: JsonDict) -> int:
    return int(update["message"]["chat"]["id"])


def last_message_id(emu: TelegramEmulator, chat_id: int) -> int:
    messages = emu.messages(chat_id)
    return messages[-1].message_id if messages else 0


def reply_arrivals(emu: TelegramEmulator) -> dict[tuple[int, int], float]:
    """(chat_id, message_id) of every message the bot sent → when its sendMessage reached the emulator."""
    arrivals: dict[tuple[int, int], float] = {}
    for call in emu.calls:
        if call.method == "sendMessage" and call.ok and isinstance(call.result, dict):
            arrivals[(int(call.result["chat"]["id"]), int(call.result["message_id"]))] = call.time
    return arrivals


def proxy_event(update: JsonDict, secret: str) -> JsonDict:
    """API Gateway's Lambda proxy event (REST API) for a webhook POST of ``update``."""
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    return {
        "resource": "/webhook",
        "path": "/webhook",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/webhook",
            "httpMethod": "POST",
            "stage": "Prod",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
        },
        "body": json.dumps(update, ensure_ascii=False),
        "isBase64Encoded": False,
    }


def lambda_context(spec: FunctionSpec) -> LambdaContext:
    return LambdaContext(
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=spec.arn,
        deadline_ms=int((time.time() + spec.timeout) * 1000),
    )


def load_module(name: str, path: Path) -> ModuleType:
    """Import a function's ``app.py`` under its own module name (every function's module is "app")."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---- the recipe, deployed like our functions -------------------------------------------------------------


class RecipeDeployment:
    """The recipe as a Lambda function of its own: the general function's settings (runtime, memory,
    timeout, layers), its code in ``bench_recipe_function``, behind its own API Gateway endpoint."""

    def __init__(self, stack: LocalStack, log_dir: Path) -> None:
        assert stack.runtime is not None
        general = stack.runtime.functions[GENERAL]
        self.spec = dataclasses.replace(
            general,
            logical_id=RECIPE,
            function_name=RECIPE,
            code_dir=RECIPE_DIR,
            handler="app.lambda_handler",
            environment={
                "BOT_TOKEN": stack.config.bot_token,
                "WEBHOOK_SECRET_TOKEN": stack.config.webhook_secret,
                "TELEGRAM_API_BASE_URL": stack.telegram.base_url,
            },
            api_events=[("POST", "/webhook")],
            warnings=[],
        )
        base_env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ")}
        self.runtime = LambdaRuntime(
            {RECIPE: self.spec},
            base_env=base_env,
            instances_per_function=stack.config.instances_per_function,
            log_dir=log_dir,
        )
        self.api = ApiGatewayEndpoint({RECIPE: self.spec}, self.runtime).start()
        self.webhook_url = f"{self.api.url}/webhook"

    def close(self) -> None:
        self.api.stop()
        self.runtime.close()

    def __enter__(self) -> RecipeDeployment:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# ---- the measurements ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Sequential:
    """A one-at-a-time loop: the webhook answer of each update, and its update-to-reply latency."""

    answer_ms: list[float]
    to_reply_ms: list[float]
    updates: list[JsonDict]
    failed_invocations: dict[str, int]

    def summary(self, samples_ms: list[float]) -> JsonDict:
        return {**summary(samples_ms), "failed_invocations": self.failed_invocations}


class Bench:
    def __init__(self, stack: LocalStack, recipe: RecipeDeployment, plan: Plan) -> None:
        assert stack.runtime is not None
        self.stack = stack
        self.runtime: LambdaRuntime = stack.runtime
        self.emu = stack.telegram
        self.recipe = recipe
        self.plan = plan
        self.secret = stack.config.webhook_secret
        self.users: list[int] = []

    def run(self) -> JsonDict:
        plan = self.plan
        self.users = add_users(self.emu, max(plan.throughput_users, plan.reply_users))
        results: JsonDict = {}

        progress("cold start imports")
        results["cold_import"] = self.cold_imports()

        # The benchmark delivers these updates itself: the emulator only creates them.
        delete_webhook(self.emu)
        progress("router cold start + first update, webhook secret by ARN (moto)")
        results["cold_first_update"] = self.cold_first_update()
        progress(f"webhook answer in-process, {plan.in_process} updates (ours, then the recipe)")
        ours_in = self.ours_in_process(plan.in_process)
        recipe_in = self.recipe_in_process(ours_in.updates)
        progress(f"webhook answer over HTTP, {plan.http} updates (ours, then the recipe)")
        ours_http = self.over_http(
            self.stack.webhook_url, self.runtime, self.fresh_updates(WARMUP), self.fresh_updates(plan.http)
        )
        recipe_http = self.over_http(
            self.recipe.webhook_url, self.recipe.runtime, ours_http.updates[:WARMUP], ours_http.updates
        )
        results["webhook_answer_in_process"] = {
            "ours": ours_in.summary(ours_in.answer_ms),
            "recipe": recipe_in.summary(recipe_in.answer_ms),
        }
        # The same loop as webhook_answer_in_process (its failed invocations are listed there).
        results["update_to_reply_in_process"] = {
            "ours": summary(ours_in.to_reply_ms),
            "recipe": summary(recipe_in.to_reply_ms),
        }
        results["webhook_answer_http"] = {
            "ours": ours_http.summary(ours_http.answer_ms),
            "recipe": recipe_http.summary(recipe_http.answer_ms),
        }

        progress(f"update-to-reply through the emulator, {plan.reply} updates from {plan.reply_users} users")
        users = self.users[: plan.reply_users]
        results["update_to_reply_emulator"] = {
            "ours": self.via_emulator(self.stack.webhook_url, self.runtime, users, plan.reply),
            "recipe": self.via_emulator(self.recipe.webhook_url, self.recipe.runtime, users, plan.reply),
        }

        progress(f"throughput, {plan.throughput} updates from {plan.throughput_users} users")
        users = self.users[: plan.throughput_users]
        results["throughput"] = {
            "ours": self.throughput(self.stack.webhook_url, self.runtime, users, check_records=True),
            "recipe": self.throughput(self.recipe.webhook_url, self.recipe.runtime, users),
        }
        set_webhook(self.emu, self.stack.webhook_url, self.secret, drop_pending=True)
        results["runtime_init_ms"] = self.runtime_init_durations()
        progress("cold reply with router and general function both new, before/after (cold_bench.py)")
        results["cold_before_after"] = cold_bench.run(self)
        return results

    # ---- 4. cold start imports ----------------------------------------------------------------------

    def cold_starts(self) -> JsonDict:
        """4 and 4b alone (``--cold-only``): what a change of imports costs, without the long loops."""
        self.users = add_users(self.emu, self.plan.reply_users)
        progress("cold start imports")
        cold = {"cold_import": self.cold_imports()}
        delete_webhook(self.emu)
        progress("router cold start + first update, webhook secret by ARN (moto)")
        cold["cold_first_update"] = self.cold_first_update()
        set_webhook(self.emu, self.stack.webhook_url, self.secret, drop_pending=True)
        return cold

    def cold_imports(self) -> JsonDict:
        specs = {**self.runtime.functions, RECIPE: self.recipe.spec}
        out: JsonDict = {}
        for name, spec in specs.items():
            runtime = self.recipe.runtime if name == RECIPE else self.runtime
            env = runtime.environment(spec)
            runs = [import_time_ms(spec, env) for _ in range(self.plan.import_runs)]
            out[name] = {
                "module": str(spec.code_dir.relative_to(ROOT) / "app.py"),
                "runs_ms": [round(r, 1) for r in runs],
                "median_ms": round(statistics.median(runs), 1),
            }
        return out

    def cold_first_update(self) -> JsonDict:
        """4b. A fresh router process: ``import app`` and its first update, whose webhook secret is read
        from moto's Secrets Manager by ARN (as deployed); the reply is awaited, untimed, after each run."""
        spec = self.runtime.functions[ROUTER]
        env = self.runtime.environment(spec)
        if env.get("TELEGRAM_WEBHOOK_SECRET") or not env.get("TELEGRAM_WEBHOOK_SECRET_ARN"):
            raise RuntimeError("the router's webhook secret must come by ARN for this measurement")
        runs = []
        for update in self.fresh_updates(self.plan.import_runs):
            chat = chat_of(update)
            before = last_message_id(self.emu, chat)
            runs.append(first_update_ms(spec, env, proxy_event(update, self.secret)))
            self.emu.wait_for_bot_message(chat, after=before, timeout=REPLY_TIMEOUT)
            self.runtime.wait_idle()
        return {"runs_ms": [round(r, 1) for r in runs], "median_ms": round(statistics.median(runs), 1)}

    def runtime_init_durations(self) -> JsonDict:
        """The init phases the local runtime saw (worker start to handler ready): a cross-check of 4."""
        records = [*self.runtime.invocations, *self.recipe.runtime.invocations]
        out: dict[str, list[float]] = {}
        for record in records:
            if record.cold and record.init_duration_ms is not None:
                out.setdefault(record.function, []).append(round(record.init_duration_ms, 1))
        return dict(out)

    # ---- 1a. in-process ----------------------------------------------------------------------------

    def ours_in_process(self, count: int) -> Sequential:
        spec = self.runtime.functions[ROUTER]
        # The function's own environment (as the worker processes get it), minus this process's basics.
        env = self.runtime.environment(spec)
        for name in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONPATH"):
            env.pop(name, None)
        os.environ.update(env)
        module = load_module("bench_webhook_app", spec.code_dir / "app.py")
        handler: Handler = module.lambda_handler

        def call(update: JsonDict) -> Callable[[], int]:
            event = proxy_event(update, self.secret)
            return _status_of(functools.partial(handler, event, lambda_context(spec)))

        with function_output(LOG_DIR / f"{ROUTER}.in-process.log"):
            self.sequential(call, self.fresh_updates(WARMUP), self.runtime)
            return self.sequential(call, self.fresh_updates(count), self.runtime)

    def recipe_in_process(self, updates: list[JsonDict]) -> Sequential:
        os.environ.update(self.recipe.spec.environment)
        module = importlib.import_module("local_stack.bench_recipe")
        handler: Handler = module.lambda_handler
        spec = self.recipe.spec

        def call(update: JsonDict) -> Callable[[], int]:
            event = proxy_event(update, self.secret)
            return _status_of(functools.partial(handler, event, lambda_context(spec)))

        with function_output(LOG_DIR / f"{RECIPE}.in-process.log"):
            self.sequential(call, updates[:WARMUP], None)
            return self.sequential(call, updates, None)

    # ---- 1b. over HTTP -----------------------------------------------------------------------------

    def over_http(
        self, url: str, runtime: LambdaRuntime, warmup: Iterable[JsonDict], updates: Iterable[JsonDict]
    ) -> Sequential:
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": self.secret}
        with httpx.Client(timeout=30) as client:

            def call(update: JsonDict) -> Callable[[], int]:
                body = json.dumps(update, ensure_ascii=False).encode()
                return lambda: client.post(url, content=body, headers=headers).status_code

            self.sequential(call, warmup, runtime)
            return self.sequential(call, updates, runtime)

    def fresh_updates(self, count: int) -> Iterator[JsonDict]:
        """New ``/start`` updates from the users in turn, each created just before it is used."""
        for n in range(count):
            yield self.emu.send_message(self.users[n % len(self.users)], TEXT)

    def sequential(
        self,
        prepare: Callable[[JsonDict], Callable[[], int]],
        updates: Iterable[JsonDict],
        runtime: LambdaRuntime | None,
    ) -> Sequential:
        """For each update: the timed call (the webhook answer), then, untimed, wait for the reply and
        for the functions of ``runtime`` to be idle. Update-to-reply: from the call to the reply's arrival.
        """
        since = time.monotonic()
        answers: list[float] = []
        pending: list[tuple[int, int, float]] = []  # chat, reply message_id, start (monotonic)
        used: list[JsonDict] = []
        for update in updates:
            chat = chat_of(update)
            before = last_message_id(self.emu, chat)
            call = prepare(update)
            started_at = time.monotonic()
            started = time.perf_counter()
            status = call()
            answers.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise RuntimeError(f"update {update['update_id']}: the webhook answered {status}")
            reply = self.emu.wait_for_bot_message(chat, after=before, timeout=REPLY_TIMEOUT)
            if runtime is not None:
                runtime.wait_idle()
            pending.append((chat, reply.message_id, started_at))
            used.append(update)
        arrivals = reply_arrivals(self.emu)
        to_reply = [(arrivals[(chat, message_id)] - start) * 1000 for chat, message_id, start in pending]
        failed = failed_invocations(runtime, since) if runtime is not None else {}
        return Sequential(answers, to_reply, used, failed)

    # ---- 2. update to reply through the emulator ---------------------------------------------------

    def via_emulator(self, url: str, runtime: LambdaRuntime, users: list[int], count: int) -> JsonDict:
        set_webhook(self.emu, url, self.secret, drop_pending=True)
        self.emulator_loop(users, WARMUP, runtime)
        self.emu.reset_records()
        cold_before = _cold_starts(runtime)
        since = time.monotonic()
        sent = self.emulator_loop(users, count, runtime)
        arrivals = reply_arrivals(self.emu)
        first_attempt: dict[int, Delivery] = {}
        failed_attempts = 0
        for delivery in self.emu.delivery_log():
            first_attempt.setdefault(delivery.update_id, delivery)
            failed_attempts += 0 if delivery.ok else 1
        to_reply = [
            (arrivals[(chat, message_id)] - first_attempt[update_id].time) * 1000
            for update_id, chat, message_id in sent
        ]
        webhook_rtt = [first_attempt[update_id].latency * 1000 for update_id, _, _ in sent]
        return {
            **summary(to_reply),
            "users": len(users),
            "webhook_round_trip_at_emulator": summary(webhook_rtt),
            "failed_delivery_attempts": failed_attempts,
            "cold_starts_while_measuring": _cold_starts(runtime) - cold_before,
            "handler_ms_per_update": handler_ms_per_update(runtime, since, count),
            "failed_invocations": failed_invocations(runtime, since),
        }

    def emulator_loop(
        self, users: list[int], count: int, runtime: LambdaRuntime
    ) -> list[tuple[int, int, int]]:
        """One update at a time through the emulator: (update_id, chat, reply message_id) of each."""
        sent: list[tuple[int, int, int]] = []
        for n in range(count):
            update = self.emu.send_message(users[n % len(users)], TEXT)
            chat = chat_of(update)
            after = int(update["message"]["message_id"])
            reply = self.emu.wait_for_bot_message(chat, after=after, timeout=REPLY_TIMEOUT)
            # The recipe replies before it answers the webhook: wait for the answer too.
            self.emu.wait_delivered(int(update["update_id"]), timeout=REPLY_TIMEOUT)
            runtime.wait_idle()
            sent.append((int(update["update_id"]), chat, reply.message_id))
        return sent

    # ---- 3. throughput -----------------------------------------------------------------------------

    def throughput(
        self, url: str, runtime: LambdaRuntime, users: list[int], *, check_records: bool = False
    ) -> JsonDict:
        count = self.plan.throughput
        # Warm up every instance: a burst, one update per user, delivered concurrently.
        set_webhook(self.emu, url, self.secret, drop_pending=True)
        for user in users:
            self.emu.send_message(user, TEXT)
        self.wait_drained(runtime)

        # Queue the updates with no webhook set, then let the emulator deliver the backlog.
        delete_webhook(self.emu)
        self.emu.reset_records()
        cold_before = _cold_starts(runtime)
        sent = [self.emu.send_message(users[n % len(users)], TEXT) for n in range(count)]
        cpu = CpuMeter(runtime)
        since = time.monotonic()
        set_webhook(self.emu, url, self.secret, drop_pending=False)
        self.wait_drained(runtime)
        cpu_ms = cpu.per_update_ms(count)

        update_ids = {int(u["update_id"]) for u in sent}
        deliveries = [d for d in self.emu.delivery_log() if d.update_id in update_ids]
        calls = self.emu.calls
        replies = [c for c in calls if c.method == "sendMessage" and c.ok]
        first_post = min(d.time for d in deliveries)
        last_reply = max(c.time for c in replies)
        seconds = last_reply - first_post
        expected = Counter(chat_of(u) for u in sent)
        got = Counter(int(c.result["chat"]["id"]) for c in replies)
        wrong_chats = sorted(chat for chat in expected.keys() | got.keys() if expected[chat] != got[chat])
        failed_calls = [f"{c.method}: {c.description}" for c in calls if not c.ok]
        result: JsonDict = {
            "updates": count,
            "users": len(users),
            "seconds": round(seconds, 3),
            "updates_per_s": round(count / seconds, 1),
            "replies": len(replies),
            "chats_with_wrong_reply_count": len(wrong_chats),
            "failed_bot_api_calls": len(failed_calls),
            "failed_delivery_attempts": sum(1 for d in deliveries if not d.ok),
            "cold_starts_while_measuring": _cold_starts(runtime) - cold_before,
            "webhook_round_trip_at_emulator": summary([d.latency * 1000 for d in deliveries if d.ok]),
            "cpu_ms_per_update": cpu_ms,
            "failed_invocations": failed_invocations(runtime, since),
        }
        exactly_one = not wrong_chats and len(replies) == count and not failed_calls
        if check_records:
            records = self.check_records(sorted(update_ids))
            result["message_log"] = records
            exactly_one = exactly_one and records["updates_with_one_outgoing_message"] == count
        result["every_update_exactly_one_reply"] = exactly_one
        if failed_calls:
            result["failed_call_examples"] = failed_calls[:5]
        return result

    def wait_drained(self, runtime: LambdaRuntime) -> None:
        self.emu.wait_all_delivered(DRAIN_TIMEOUT)
        runtime.wait_idle(DRAIN_TIMEOUT)

    def check_records(self, update_ids: list[int]) -> JsonDict:
        """Sinawai's own books: one outgoing message per update in the message log, every update done."""
        db = Database(self.stack.config.database)
        span = (min(update_ids), max(update_ids))
        try:
            outgoing = db.fetch_all(
                "SELECT update_id, COUNT(*) AS n FROM pesan"
                " WHERE direction = 'out' AND update_id BETWEEN %s AND %s GROUP BY update_id",
                span,
            )
            statuses = db.fetch_all(
                "SELECT status, COUNT(*) AS n FROM update_inbox WHERE update_id BETWEEN %s AND %s"
                " GROUP BY status",
                span,
            )
        finally:
            db.close()
        wanted = set(update_ids)
        outgoing = [r for r in outgoing if int(r["update_id"]) in wanted]
        return {
            "updates_with_one_outgoing_message": sum(1 for r in outgoing if int(r["n"]) == 1),
            "updates_with_several_outgoing_messages": sum(1 for r in outgoing if int(r["n"]) > 1),
            "inbox_status": {str(r["status"]): int(r["n"]) for r in statuses},
        }


@contextmanager
def function_output(path: Path) -> Iterator[None]:
    """Send this process's standard output (file descriptor 1) to ``path``: what a handler run
    in-process prints (Powertools' embedded metrics, logs) goes to a log, as in Lambda, not to the report."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with path.open("ab") as log:
            os.dup2(log.fileno(), 1)
            try:
                yield
            finally:
                sys.stdout.flush()
                os.dup2(saved, 1)
    finally:
        os.close(saved)


def failed_invocations(runtime: LambdaRuntime, since: float) -> dict[str, int]:
    """Function executions that failed since ``since`` (retried by Lambda for async events), by
    function and error type."""
    failed = Counter(
        f"{r.function}: {r.error}" for r in runtime.invocations if r.start >= since and r.error is not None
    )
    return dict(sorted(failed.items()))


def handler_ms_per_update(runtime: LambdaRuntime, since: float, count: int) -> JsonDict:
    """Mean handler duration per update, by function and in total: what Lambda bills (warm)."""
    totals: dict[str, float] = {}
    for record in runtime.invocations:
        if record.start >= since and record.handler_duration_ms is not None:
            totals[record.function] = totals.get(record.function, 0.0) + record.handler_duration_ms
    per_function = {name: round(total / count, 2) for name, total in sorted(totals.items())}
    return {**per_function, "total": round(sum(totals.values()) / count, 2)}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc); 0 when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_pids() -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() in ("mariadbd", "mysqld"):
                pids.append(int(comm.parent.name))
        except OSError:
            continue
    return pids


class CpuMeter:
    """CPU time spent during a phase by the benchmark's own process (emulator, API Gateway and Lambda
    endpoints, moto), by the function instances, and by the database server."""

    def __init__(self, runtime: LambdaRuntime) -> None:
        self.runtime = runtime
        self.database_pids = _database_pids()
        self.start = self._sample()

    def _worker_pids(self) -> set[int]:
        return {r.pid for r in self.runtime.invocations if r.pid is not None}

    def _sample(self) -> dict[str, dict[int, float]]:
        return {
            "benchmark_process": {os.getpid(): _cpu_seconds(os.getpid())},
            "function_instances": {pid: _cpu_seconds(pid) for pid in self._worker_pids()},
            "database": {pid: _cpu_seconds(pid) for pid in self.database_pids},
        }

    def per_update_ms(self, count: int) -> JsonDict:
        end = self._sample()
        out: JsonDict = {}
        for part, pids in end.items():
            # A process that could not be read (0.0) adds nothing rather than a negative time.
            spent = sum(s - self.start[part].get(pid, 0.0) for pid, s in pids.items() if s > 0.0)
            out[part] = round(spent * 1000 / count, 2)
        out["total"] = round(sum(out.values()), 2)
        return out


def _status_of(call: Callable[[], JsonDict]) -> Callable[[], int]:
    return lambda: int(call()["statusCode"])


def _cold_starts(runtime: LambdaRuntime) -> int:
    return sum(1 for record in runtime.invocations if record.cold)


_IMPORT_PROBE = (
    "import importlib, sys, time\n"
    "started = time.perf_counter()\n"
    "importlib.import_module('app')\n"
    "sys.__stdout__.write(f'IMPORT_MS={(time.perf_counter() - started) * 1000}\\n')\n"
)


def import_time_ms(spec: FunctionSpec, env: dict[str, str]) -> float:
    """``import app`` in a new interpreter started like a Lambda worker (cwd = task root, PYTHONPATH =
    task root and layers), timed inside the child around the import only."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE],
        cwd=spec.code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("IMPORT_MS="):
            return float(line.removeprefix("IMPORT_MS="))
    raise RuntimeError(f"importing {spec.code_dir}/app.py failed:\n{done.stderr[-2000:]}")


_FIRST_UPDATE_PROBE = (
    "import importlib, json, sys, time, types\n"
    "given = json.loads(sys.stdin.read())\n"
    "context = types.SimpleNamespace(aws_request_id='bench-cold', invoked_function_arn=given['arn'],\n"
    "    function_name='WebhookFunction', function_version='$LATEST', memory_limit_in_mb='512',\n"
    "    get_remaining_time_in_millis=lambda: 30000)\n"
    "started = time.perf_counter()\n"
    "status = importlib.import_module('app').lambda_handler(given['event'], context)['statusCode']\n"
    "sys.__stdout__.write(f'FIRST_MS={(time.perf_counter() - started) * 1000}\\nSTATUS={status}\\n')\n"
)


def first_update_ms(spec: FunctionSpec, env: dict[str, str], event: JsonDict) -> float:
    """``import app`` and its first ``lambda_handler(event)`` in a new interpreter (as ``import_time_ms``),
    timed inside the child from before the import to the handler's answer, which must be 200."""
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_UPDATE_PROBE],
        input=json.dumps({"event": event, "arn": spec.arn}),
        cwd=spec.code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = dict(
        line.split("=", 1) for line in done.stdout.splitlines() if line.startswith(("FIRST_MS=", "STATUS="))
    )
    if found.get("STATUS") != "200" or "FIRST_MS" not in found:
        raise RuntimeError(f"the router's first update failed ({found}):\n{done.stderr[-2000:]}")
    return float(found["FIRST_MS"])


# ---- the report ------------------------------------------------------------------------------------------


NOTES = (
    "Ours does more work per update than the recipe: the router authenticates the call, records the "
    "update durably in MySQL and dispatches it with a SigV4-signed Lambda Invoke; the general function "
    "claims it exactly once in a MySQL transaction (logging the incoming message), replies, logs the "
    "outgoing message and marks the update done. The recipe keeps no records at all.",
    "The recipe answers the webhook only after it has replied, so its webhook answer is its whole "
    "processing; ours answers once the update is recorded and dispatched.",
    "Emulator flood limits are off for both: these are the bot's numbers, not Telegram's quotas (Telegram "
    "allows about 30 messages/s per bot).",
    "One 2-core machine for everything: emulator, API Gateway and Lambda endpoints run in the benchmark's "
    "process, function instances are processes, MariaDB is local. Same instances per function for both "
    "(ours: router and general function, 2 each; recipe: 2). Sequential loops wait for the reply and for "
    "idle functions before the next update.",
    "Throughput here is CPU-bound, so the ratio follows the total CPU per update, which includes the local "
    "stand-ins for Telegram, API Gateway and the Lambda service (in AWS those run elsewhere); the "
    "'function instances only' CPU row is the part that would run in Lambda.",
    "In-process, the recipe's Bot API client and the emulator share this process's interpreter (and its "
    "GIL), which slows the recipe's in-process figures a little; the HTTP figures do not have that bias.",
)


@dataclasses.dataclass(frozen=True)
class Row:
    metric: str
    ours: float
    recipe: float | None
    unit: str
    target: str = ""
    met: bool | None = None


def rows_of(results: JsonDict) -> list[Row]:
    rows: list[Row] = []
    for key, label, target in (
        ("webhook_answer_in_process", "Webhook answer, in-process handler", TARGET_ANSWER_P50_MS),
        ("webhook_answer_http", "Webhook answer, HTTP via local API GW", TARGET_ANSWER_P50_MS),
        ("update_to_reply_in_process", "Update→reply, in-process handler loop", None),
        ("update_to_reply_emulator", "Update→reply at the emulator (warm)", TARGET_REPLY_P50_MS),
    ):
        ours, recipe = results[key]["ours"], results[key]["recipe"]
        rows.append(
            Row(
                f"{label} p50",
                ours["p50_ms"],
                recipe["p50_ms"],
                "ms",
                f"< {target:g} ms" if target is not None else "",
                ours["p50_ms"] < target if target is not None else None,
            )
        )
        rows.append(Row(f"{label} p99", ours["p99_ms"], recipe["p99_ms"], "ms"))
    ours_tp, recipe_tp = results["throughput"]["ours"], results["throughput"]["recipe"]
    ratio = ours_tp["updates_per_s"] / recipe_tp["updates_per_s"]
    rows.append(
        Row(
            "Throughput, updates/s (first post → last reply)",
            ours_tp["updates_per_s"],
            recipe_tp["updates_per_s"],
            "/s",
            f"≥ {TARGET_THROUGHPUT_RATIO:g}× recipe",
            ratio >= TARGET_THROUGHPUT_RATIO,
        )
    )
    for part, label in (("total", "all processes"), ("function_instances", "function instances only")):
        rows.append(
            Row(
                f"CPU per update in the throughput run, {label}",
                ours_tp["cpu_ms_per_update"][part],
                recipe_tp["cpu_ms_per_update"][part],
                "ms",
            )
        )
    ours_reply, recipe_reply = (
        results["update_to_reply_emulator"]["ours"],
        results["update_to_reply_emulator"]["recipe"],
    )
    rows.append(
        Row(
            "Handler time per update, all functions (sequential)",
            ours_reply["handler_ms_per_update"]["total"],
            recipe_reply["handler_ms_per_update"]["total"],
            "ms",
        )
    )
    imports = results["cold_import"]
    router_ms = imports[ROUTER]["median_ms"]
    rows.append(
        Row(
            "Cold import, function answering the webhook",
            router_ms,
            imports[RECIPE]["median_ms"],
            "ms",
            f"< {TARGET_ROUTER_IMPORT_MS:g} ms",
            router_ms < TARGET_ROUTER_IMPORT_MS,
        )
    )
    first = results["cold_first_update"]["median_ms"]
    rows.append(
        Row(
            "Router cold start + first update with secrets by ARN (moto)",
            first,
            None,
            "ms",
            f"< {TARGET_ROUTER_COLD_FIRST_UPDATE_MS:g} ms",
            first < TARGET_ROUTER_COLD_FIRST_UPDATE_MS,
        )
    )
    for name, entry in imports.items():
        if name not in (ROUTER, RECIPE):
            rows.append(Row(f"Cold import, {name}", entry["median_ms"], None, "ms"))
    return rows


def render_table(rows: list[Row]) -> str:
    header = ("metric", "ours", "recipe", "ours/recipe", "target", "met?")
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        ratio = f"{row.ours / row.recipe:.2f}×" if row.recipe else ""
        met = "" if row.met is None else ("yes" if row.met else "MISSED")
        lines.append(
            (
                row.metric,
                f"{row.ours:.1f} {row.unit}",
                "—" if row.recipe is None else f"{row.recipe:.1f} {row.unit}",
                ratio,
                row.target,
                met,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def report(results: JsonDict) -> JsonDict:
    rows = rows_of(results)
    targets = [
        {"metric": r.metric, "value": r.ours, "target": r.target, "met": r.met}
        for r in rows
        if r.met is not None
    ]
    ratios = {r.metric: round(r.ours / r.recipe, 3) for r in rows if r.recipe}
    document: JsonDict = {**results, "ratios_ours_over_recipe": ratios, "targets": targets}
    print()
    print("Sinawai benchmark (ours) vs the common PTB-on-Lambda recipe (asyncio.run + build/initialize/")
    print("process/shutdown per update), same emulator, same updates, same machine")
    print()
    print(render_table(rows))
    print("ours/recipe: below 1× is better for times and CPU, above 1× is better for throughput.")
    print()
    missed = [t["metric"] for t in targets if not t["met"]]
    print(f"Targets met: {len(targets) - len(missed)}/{len(targets)}")
    for metric in missed:
        print(f"  MISSED: {metric}")
    for label, side in results["throughput"].items():
        verdict = "yes" if side["every_update_exactly_one_reply"] else "NO"
        print(f"Throughput run, {label}: every update got exactly one reply: {verdict}")
        cpu = ", ".join(f"{part} {ms:.1f}" for part, ms in side["cpu_ms_per_update"].items())
        print(f"  CPU ms per update: {cpu}")
    failures = [
        f"{key} ({side}): {what} ×{n}"
        for key, entry in results.items()
        if isinstance(entry, dict) and {"ours", "recipe"} <= entry.keys()
        for side in ("ours", "recipe")
        for what, n in entry[side].get("failed_invocations", {}).items()
    ]
    print("Failed function executions while measuring (async events are retried, as Lambda does):")
    for line in failures or ["none"]:
        print(f"  {line}")
    print()
    print("Notes:")
    for note in NOTES:
        print(f"- {note}")
    return document


def progress(text: str) -> None:
    print(f"... {text}", flush=True)


# ---- main ------------------------------------------------------------------------------------------------


@contextmanager
def bench_stack(
    database: DatabaseSettings, template: Path | None = None, parameters: dict[str, str] | None = None
) -> Iterator[tuple[LocalStack, RecipeDeployment]]:
    # The emulator's flood limits would measure Telegram's quotas, not the bot: off for both sides.
    config = StackConfig(database=database, log_dir=LOG_DIR, telegram_rate_limits=RateLimits.disabled())
    if template is not None:
        config = dataclasses.replace(config, template=template)
    stack = LocalStack(dataclasses.replace(config, parameter_overrides=dict(parameters or {})))
    with stack, RecipeDeployment(stack, LOG_DIR) as recipe:
        yield stack, recipe


def _cold_side(
    base: DatabaseSettings, plan: Plan, template: Path | None, parameters: dict[str, str]
) -> JsonDict:
    """cold_bench's measurements on a fresh stack of ``template`` (None: this checkout's)."""
    with (
        temporary_database(base, "sinawai_bench") as database,
        bench_stack(database, template, parameters) as (stack, recipe),
    ):
        bench = Bench(stack, recipe, plan)
        bench.users = add_users(bench.emu, plan.reply_users)
        return cold_bench.run(bench)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="local_stack.bench", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("--quick", action="store_true", help="a few updates only: checks the benchmark runs")
    parser.add_argument(
        "--report-only", action="store_true", help="only the evaluation report over a year (report_bench.py)"
    )
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="only the cold starts (4, 4b and cold_bench.py's before/after): imports, cold reply",
    )
    parser.add_argument(
        "--before-ref",
        metavar="REF",
        help="with --cold-only: measure the cold starts of this git ref too, alternating with this checkout "
        "under the same load (cold_bench.py), instead of the recorded before figures",
    )
    parser.add_argument(
        "--faq-only", action="store_true", help="only the FAQ hit rate and false-answer rate (faq_bench.py)"
    )
    parser.add_argument("--serve-only", action="store_true", help="only sinawai serve (serve_bench.py)")
    parser.add_argument(
        "--burst-only",
        action="store_true",
        help="only the morning burst into the staff group (burst_bench.py)",
    )
    parser.add_argument(
        "--import-only", action="store_true", help="only the 50,000-row HR import (import_bench.py)"
    )
    args = parser.parse_args(argv)
    plan = Plan.quick() if args.quick else Plan()

    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    base = DatabaseSettings.from_env()
    if args.faq_only:
        print(faq_bench.render(faq_bench.run()))
        return 0
    if args.report_only:
        print(report_bench.render(report_bench.run(base, progress)))
        return 0
    if args.serve_only:
        print(serve_bench.render(serve_bench.run(base, progress, quick=args.quick)))
        return 0
    if args.burst_only:
        print(burst_bench.render(burst_bench.run(base, progress)))
        return 0
    if args.import_only:
        print(import_bench.render(import_bench.run(base, progress, quick=args.quick)))
        return 0
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for old_log in LOG_DIR.glob("*.log"):
        old_log.unlink()
    started = time.perf_counter()
    if args.cold_only and args.before_ref:
        paired = cold_bench.paired(args.before_ref, lambda side: _cold_side(base, plan, *side))
        print(json.dumps(paired, indent=2))
        print(cold_bench.render(paired["after"], paired["before"]))
        print("\nThe same, this checkout with SnapStart=off (on-demand init, no hooks):")
        print(cold_bench.render(paired["after_without_snapstart"], paired["before"]))
        return 0
    if args.cold_only:
        with temporary_database(base, "sinawai_bench") as database, bench_stack(database) as (stack, recipe):
            bench = Bench(stack, recipe, plan)
            cold = bench.cold_starts()
            progress("cold reply with router and general function both new (cold_bench.py)")
            cold["cold_before_after"] = cold_bench.run(bench)
        print(json.dumps(cold, indent=2))
        print(cold_bench.render(cold["cold_before_after"]))
        return 0
    with temporary_database(base, "sinawai_bench") as database, bench_stack(database) as (stack, recipe):
        results = Bench(stack, recipe, plan).run()
    document: JsonDict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "plan": dataclasses.asdict(plan),
        **results,
        "notes": list(NOTES),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    document = report(document)
    # The evaluation report over a year of synthetic activity (its own fresh database).
    document["evaluation_report"] = report_bench.run(base, progress)
    # The FAQ matcher on the question table (pure: no stack needed).
    document["faq"] = faq_bench.run()
    # sinawai serve: one server, long polling (its own database and emulator).
    document["serve"] = serve_bench.run(base, progress, quick=args.quick)
    # A morning burst into the staff group, before and after the compact lists (its own stacks).
    document["staff_burst"] = burst_bench.run(
        base, progress, tickets=40 if args.quick else burst_bench.TICKETS
    )
    # The HR import of a large agency (its own stacks and databases).
    document["hr_import"] = import_bench.run(base, progress, rows=5_000 if args.quick else import_bench.ROWS)
    print()
    print(cold_bench.render(document["cold_before_after"]))
    print()
    print(report_bench.render(document["evaluation_report"]))
    print()
    print(faq_bench.render(document["faq"]))
    print()
    print(serve_bench.render(document["serve"]))
    print()
    print(burst_bench.render(document["staff_burst"]))
    print()
    print(import_bench.render(document["hr_import"]))
    print()
    print(json.dumps(document, indent=2, ensure_ascii=False))
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWritten to {RESULTS_FILE.relative_to(ROOT)}; function logs in {LOG_DIR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
