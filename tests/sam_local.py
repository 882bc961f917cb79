"""``sam local`` without Docker, for the tests: the template's functions run by the local Lambda runtime with
``events/env.local.json`` applied as ``sam local --env-vars`` applies it (declared variables only), beside
the companions of ``python -m local_stack serve`` (the Telegram emulator and moto, serve.py).

Only what Docker would change is changed, and said here: ``host.docker.internal`` is 127.0.0.1, the servers
listen on free ports (``localize``), and the database is this test run's fresh one on the machine's MariaDB
(DB_NAME, DB_HOST, DB_PORT, DB_USER, DB_PASSWORD) instead of the file's ``sinawai_local``. The runtime gets
what sam local gives every function besides its variables: a region and credentials (moto takes any).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_stack.lambda_api import ApiGatewayEndpoint, LambdaEndpoint
from local_stack.lambda_runtime import InvokeResult, LambdaRuntime
from local_stack.serve import (
    LOCAL_CREDENTIALS,
    START_API_PORT,
    START_LAMBDA_PORT,
    Companions,
    EnvFile,
    localize,
)
from local_stack.stack import free_port
from local_stack.template import FunctionSpec, resolve_functions
from sinawai.platform.config import DatabaseSettings
from tests.helpers import EVENTS, ROOT

TEMPLATE = ROOT / "template.yaml"
ENV_FILE = EVENTS / "env.local.json"


@dataclass
class SamLocal:
    env: EnvFile
    companions: Companions
    functions: dict[str, FunctionSpec]
    runtime: LambdaRuntime
    lambda_endpoint: LambdaEndpoint
    api: ApiGatewayEndpoint
    database: DatabaseSettings
    host_env: dict[str, str]  # what `sinawai` on this machine gets (python -m local_stack env, localized)
    warnings: list[str]

    def invoke(self, function: str, event: dict[str, Any]) -> InvokeResult:
        """``sam local invoke <function> -e <event>``: a RequestResponse invocation."""
        return self.runtime.invoke(function, json.dumps(event).encode())

    def payload(self, result: InvokeResult) -> Any:
        assert result.function_error is None, result.payload.decode()
        return json.loads(result.payload) if result.payload else None


def database_overrides(database: DatabaseSettings) -> dict[str, str]:
    return {
        "DB_HOST": database.host,
        "DB_PORT": str(database.port),
        "DB_NAME": database.name,
        "DB_USER": database.user,
        "DB_PASSWORD": database.password,
    }


@dataclass
class SamFunctions:
    """What ``sam local start-api`` and ``start-lambda`` run: the functions behind their endpoints."""

    functions: dict[str, FunctionSpec]
    runtime: LambdaRuntime
    lambda_endpoint: LambdaEndpoint
    api: ApiGatewayEndpoint
    warnings: list[str]


@contextmanager
def sam_functions(
    env: EnvFile,
    database: DatabaseSettings,
    log_dir: Path,
    *,
    ports: dict[int, int],
    api_port: int,
    lambda_port: int,
) -> Iterator[SamFunctions]:
    """The template's functions with the env file applied as sam local applies it (``ports``: the file's
    ports → where the companions listen), the webhook on ``api_port``, the invoke API on ``lambda_port``."""
    ports = {**ports, START_LAMBDA_PORT: lambda_port, START_API_PORT: api_port}
    overrides = {section: localize(values, ports=ports) for section, values in env.sections.items()}
    overrides["Parameters"].update(database_overrides(database))
    warnings: list[str] = []
    functions = resolve_functions(TEMPLATE, env_overrides=overrides, declared_only=True, warnings=warnings)
    base_env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL")}
    runtime = LambdaRuntime(
        functions,
        base_env={
            **base_env,
            **LOCAL_CREDENTIALS,
        },  # what sam local gives every function besides its variables
        instances_per_function=1,
        async_retry_delays=(0.2, 0.5),
        log_dir=log_dir,
    )
    lambda_endpoint = LambdaEndpoint(runtime, port=lambda_port).start()
    api = ApiGatewayEndpoint(functions, runtime, port=api_port).start()
    try:
        yield SamFunctions(functions, runtime, lambda_endpoint, api, warnings)
    finally:
        api.stop()
        lambda_endpoint.stop()
        runtime.close()


@contextmanager
def sam_local(database: DatabaseSettings, log_dir: Path, *, env_file: Path = ENV_FILE) -> Iterator[SamLocal]:
    env = EnvFile.load(env_file)
    api_port, lambda_port = free_port(), free_port()
    companions = Companions(
        env,
        telegram_port=0,
        moto_port=0,
        bind="127.0.0.1",
        webhook_url=f"http://127.0.0.1:{api_port}/webhook",
    )
    with (
        companions,
        sam_functions(
            env, database, log_dir, ports=companions.ports, api_port=api_port, lambda_port=lambda_port
        ) as sam,
    ):
        ports = {**companions.ports, START_LAMBDA_PORT: lambda_port, START_API_PORT: api_port}
        host = {**localize(env.parameters, ports=ports), **database_overrides(database), **LOCAL_CREDENTIALS}
        yield SamLocal(
            env,
            companions,
            sam.functions,
            sam.runtime,
            sam.lambda_endpoint,
            sam.api,
            database,
            host,
            sam.warnings,
        )


# ---- the setups the sample events name (events/README.md) ----------------------------------------------

SETUP_SQL = EVENTS / "setup"
# Each step as events/README.md gives it to a person: a `sinawai` command on this machine (with the
# values `python -m local_stack env` prints) or an SQL file of events/setup/.
SETUP_STEPS: dict[str, list[str]] = {
    "employees": ["sinawai import employees events/imports/employees.csv"],
    "registered": ["events/setup/registered.sql"],
    "content": ["sinawai content publish content"],
    "document": [
        "sinawai documents upload formulir"
        ' "Formulir permohonan cuti" events/documents/formulir_permohonan_cuti.pdf'
    ],
    "ticket": ["events/setup/ticket.sql"],
    "announcement": ["events/setup/announcement.sql"],
}


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_sql_file(database: DatabaseSettings, path: Path) -> None:
    """The file's statements, as `mariadb sinawai_local < FILE` runs them (no statement holds a ';')."""
    import pymysql

    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("--")
    )
    conn = pymysql.connect(
        host=database.host,
        port=database.port,
        user=database.user,
        password=database.password,
        database=database.name,
        autocommit=True,
    )
    try:
        with conn.cursor() as cur:
            for statement in filter(None, (s.strip() for s in text.split(";"))):
                cur.execute(statement)
    finally:
        conn.close()


def apply_setup(local: SamLocal, step: str) -> None:
    import shlex

    from sinawai import cli

    for command in SETUP_STEPS[step]:
        if command.endswith(".sql"):
            run_sql_file(local.database, ROOT / command)
            continue
        argv = shlex.split(command)
        assert argv[0] == "sinawai"
        with environment(local.host_env), contextlib.chdir(ROOT):  # the README's commands run from the root
            code = cli.main(argv[1:])
        assert code == 0, f"setup {step}: `{command}` exited {code}"


def empty_database(database: DatabaseSettings) -> None:
    """Every table of the schema emptied and its ids back at 1, as on a freshly migrated database (the
    sample events' outcomes name ids: ticket #1, announcement #1)."""
    import pymysql

    conn = pymysql.connect(
        host=database.host,
        port=database.port,
        user=database.user,
        password=database.password,
        database=database.name,
        autocommit=True,
    )
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
                " AND table_type = 'BASE TABLE' AND table_name NOT LIKE %s AND table_name NOT LIKE %s",
                (database.name, "\\_yoyo%", "yoyo%"),
            )
            tables = [str(row[0]) for row in cur.fetchall()]
            cur.execute("SET FOREIGN_KEY_CHECKS = 0")
            for table in tables:
                cur.execute(f"TRUNCATE TABLE `{table}`")  # names from information_schema, not input
            cur.execute("SET FOREIGN_KEY_CHECKS = 1")
    finally:
        conn.close()
