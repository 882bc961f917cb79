"""The companions of ``sam local``: the Telegram Bot API emulator and moto as plain servers on fixed ports.

With Docker, ``sam local invoke``, ``sam local start-api`` and ``sam local start-lambda`` run the functions;
what they talk to runs here (``python -m local_stack serve``): the emulator (where the bot's messages land
and where a person speaks as an employee or a staff member, ``python -m local_stack say``) and moto (S3,
Secrets Manager, SQS). Both read ``events/env.local.json``, the file sam gets with ``--env-vars``, so the
two sides agree on the token, the webhook secret, the chats and the bucket:

- the bucket ``DOCUMENTS_BUCKET`` (versioned, as in the template), and a secret for every ``*_SECRET_ARN``
  the file names (by name: moto gives ARNs a suffix of its own);
- the people of the sample events in the emulator (Budi, Siti, Rina in the staff group, Hendra in the
  managers' chat), each as if they had pressed Start long ago, so a sample event's reply can reach them;
- the messages, documents and button presses the sample events carry, in the emulator's chats with the
  events' own message ids (sample_history.py), as Telegram knows what it delivered;
- the files the S3 sample events name (``events/imports/<kind>.csv`` at the event's key and version), so
  ``sam local invoke ImportFunction -e events/import_s3_employees.json`` finds its upload;
- the webhook pointed at ``sam local start-api`` with the secret token, so what a person says arrives as
  Telegram would deliver it.

The file's values are written for the functions' containers: ``host.docker.internal`` is this machine.
``localize`` gives the same values as this machine sees them (``python -m local_stack env`` prints them for
``sinawai``), and lets the tests run every sample event against these servers without Docker.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import boto3
import httpx
from moto.server import ThreadedMotoServer

from local_stack.sample_history import seed_sample_history
from local_stack.telegram import TelegramEmulator

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
ENV_FILE = EVENTS / "env.local.json"
DOCKER_HOST = "host.docker.internal"
REGION = "ap-southeast-3"
ACCOUNT_ID = "123456789012"  # moto's default account, and sam local's
DEFAULT_TELEGRAM_PORT = 8081
DEFAULT_MOTO_PORT = 5000
START_API_PORT = 3000  # sam local start-api's default port
START_LAMBDA_PORT = 3001  # sam local start-lambda's default port
DEFAULT_WEBHOOK_URL = f"http://127.0.0.1:{START_API_PORT}/webhook"
# Used when the env file takes the token or the webhook secret from Secrets Manager (plain value empty).
DEFAULT_BOT_TOKEN = "7000000001:local-sinawai-token"  # noqa: S105 - the emulator's, not a real token
DEFAULT_WEBHOOK_SECRET = "local-webhook-secret"  # noqa: S105 - the sample events' header
# moto's dummy credentials, for this machine's boto3 and for `sinawai` (sam local passes the functions
# the credentials of your AWS profile, or dummies: moto takes any)
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}

log = logging.getLogger(__name__)


class EnvFileError(ValueError):
    """The env file cannot be used: missing, not JSON, not the --env-vars shape, or naming something odd."""


@dataclass(frozen=True)
class EnvFile:
    """An ``--env-vars`` file: ``Parameters`` for every function, ``<LogicalId>`` sections for one."""

    path: Path
    sections: dict[str, dict[str, str]]

    @classmethod
    def load(cls, path: Path = ENV_FILE) -> EnvFile:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as e:
            raise EnvFileError(f"cannot read {path}: {e.strerror or e}") from e
        except ValueError as e:
            raise EnvFileError(f"{path} is not JSON: {e}") from e
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise EnvFileError(f'{path}: expected {{"Parameters": {{...}}, "<Function>": {{...}}}}')
        sections: dict[str, dict[str, str]] = {}
        for section, values in data.items():
            for name, value in values.items():
                if not isinstance(value, str):
                    raise EnvFileError(f"{path}: {section}.{name} must be a string, got {value!r}")
            sections[str(section)] = dict(values)
        return cls(Path(path), sections)

    @property
    def parameters(self) -> dict[str, str]:
        return dict(self.sections.get("Parameters", {}))

    def get(self, name: str, function: str | None = None) -> str:
        """The value a function gets (its own section wins over Parameters); "" when the file has none."""
        if function and name in self.sections.get(function, {}):
            return self.sections[function][name]
        return self.parameters.get(name, "")

    def items(self) -> Iterator[tuple[str, str, str]]:
        """(section, name, value) for every value of the file."""
        for section, values in self.sections.items():
            for name, value in values.items():
                yield section, name, value

    @property
    def bot_token(self) -> str:
        return self.get("TELEGRAM_BOT_TOKEN") or DEFAULT_BOT_TOKEN

    @property
    def webhook_secret(self) -> str:
        return self.get("TELEGRAM_WEBHOOK_SECRET") or DEFAULT_WEBHOOK_SECRET

    def chat_id(self, name: str) -> int:
        raw = self.get(name)
        try:
            return int(raw)
        except ValueError as e:
            raise EnvFileError(f"{self.path}: {name} must be a chat id, got {raw!r}") from e


def _port(url: str, default: int) -> int:
    return urlsplit(url).port or default


def localize(
    values: Mapping[str, str], *, host: str = "127.0.0.1", ports: Mapping[int, int] | None = None
) -> dict[str, str]:
    """The values as this machine sees them: ``host.docker.internal`` is ``host``; ``ports`` moves ports
    (the tests run the companions on free ports, not on the file's)."""
    ports = ports or {}
    out: dict[str, str] = {}
    for name, value in values.items():
        if value == DOCKER_HOST:
            out[name] = host
            continue
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname == DOCKER_HOST:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            netloc = f"{host}:{ports.get(port, port)}"
            out[name] = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        else:
            out[name] = value
    return out


def host_env(env: EnvFile, *, ports: Mapping[int, int] | None = None) -> dict[str, str]:
    """What ``sinawai`` on this machine needs to use the same database, bucket and Bot API as the
    functions: the file's Parameters, localized, and moto's dummy credentials."""
    return {**localize(env.parameters, ports=ports), **LOCAL_CREDENTIALS}


# ---- the people of the sample events ------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    key: str
    user_id: int
    first_name: str
    last_name: str | None
    username: str | None
    chat: str  # "private", or the env variable of the group they speak in

    def chat_id(self, env: EnvFile) -> int:
        return self.user_id if self.chat == "private" else env.chat_id(self.chat)


PEOPLE: dict[str, Person] = {
    p.key: p
    for p in (
        Person("budi", 5550001, "Budi", "Santoso", "budi_s", "private"),
        Person("siti", 5550002, "Siti", "Nurhaliza", None, "private"),
        Person("staf", 5550101, "Rina", "(OSDM)", None, "STAFF_GROUP_CHAT_ID"),
        Person("pimpinan", 5550201, "Hendra", "(Kepala Biro)", None, "MANAGERS_CHAT_ID"),
    )
}
GROUP_TITLES = {"STAFF_GROUP_CHAT_ID": "Layanan Kepegawaian OSDM", "MANAGERS_CHAT_ID": "Pimpinan Biro OSDM"}


# ---- secrets and sample uploads the file and the events name -------------------------------------------


def secrets_named(env: EnvFile) -> dict[str, str]:
    """Secret name → value, for every non-empty ``*_SECRET_ARN`` of the file.

    The value is what the plain twin variable would hold (TELEGRAM_BOT_TOKEN for
    TELEGRAM_BOT_TOKEN_SECRET_ARN), or for a database secret (``*DB_SECRET_ARN``) the RDS JSON of the
    file's DB_* values."""
    plain = {"TELEGRAM_BOT_TOKEN": env.bot_token, "TELEGRAM_WEBHOOK_SECRET": env.webhook_secret}
    found: dict[str, str] = {}
    for section, name, value in env.items():
        if not name.endswith("_SECRET_ARN") or not value:
            continue
        if value.startswith("arn:"):
            raise EnvFileError(
                f"{section}.{name}: name the local secret by its name, not an ARN "
                "(moto gives every ARN a random suffix of its own)"
            )
        if name.endswith("DB_SECRET_ARN"):
            secret = json.dumps(
                {
                    "engine": "mysql",
                    "host": env.get("DB_HOST", section),
                    "port": int(env.get("DB_PORT", section) or 3306),
                    "dbname": env.get("DB_NAME", section),
                    "username": env.get("DB_USER", section),
                    "password": env.get("DB_PASSWORD", section),
                }
            )
        else:
            # X_SECRET_ARN holds X_SECRET (the webhook secret) or X (the bot token)
            twins = (name.removesuffix("_ARN"), name.removesuffix("_SECRET_ARN"))
            secret = next((v for t in twins if (v := plain.get(t) or env.get(t, section))), "")
            if not secret:
                raise EnvFileError(f"{section}.{name}: set {twins[1]} too, the value to store in the secret")
        if found.get(value, secret) != secret:
            raise EnvFileError(f"{section}.{name}: secret {value!r} is named with two different values")
        found[value] = secret
    return found


@dataclass(frozen=True)
class SampleUpload:
    """An object an S3 sample event names, and the local file that stands for it."""

    event: str
    bucket: str
    key: str
    version_id: str | None
    source: Path


def sample_uploads(events_dir: Path = EVENTS) -> list[SampleUpload]:
    """Every ``imports/<kind>/...`` object the S3 sample events name, with ``events/imports/<kind>.csv``."""
    uploads: list[SampleUpload] = []
    for path in sorted(events_dir.glob("*.json")):
        try:
            records = json.loads(path.read_text(encoding="utf-8")).get("Records") or []
        except (ValueError, AttributeError):
            continue
        for record in records:
            s3 = record.get("s3") if isinstance(record, dict) else None
            if not isinstance(s3, dict):
                continue
            key = unquote_plus(str(s3["object"]["key"]))
            parts = key.split("/")
            if len(parts) < 3 or parts[0] != "imports":
                continue
            source = events_dir / "imports" / f"{parts[1]}.csv"
            if not source.is_file():
                raise EnvFileError(f"{path.name} names {key}: no {source.name} in {events_dir.name}/imports/")
            version = s3["object"].get("versionId") or None
            uploads.append(SampleUpload(path.stem, str(s3["bucket"]["name"]), key, version, source))
    return uploads


def _pin_version(bucket: str, key: str, version_id: str) -> None:
    """Give the object just put the version id the sample event names (S3 picks version ids itself; a
    sample event cannot know them). moto's own S3 backend, in this process: the server's state."""
    from moto.s3.models import s3_backends

    obj = s3_backends[ACCOUNT_ID]["aws"].get_object(bucket, key)
    if obj is None:
        raise RuntimeError(f"s3://{bucket}/{key} is not in moto after put_object")
    obj._version_id = version_id  # private: no S3 API lets the caller choose a version id


# ---- the servers -------------------------------------------------------------------------------------------


class Companions:
    """The emulator and moto on fixed ports, set up from the env file (``serve`` runs this)."""

    def __init__(
        self,
        env: EnvFile,
        *,
        telegram_port: int = DEFAULT_TELEGRAM_PORT,
        moto_port: int = DEFAULT_MOTO_PORT,
        bind: str = "0.0.0.0",
        webhook_url: str | None = DEFAULT_WEBHOOK_URL,
        events_dir: Path = EVENTS,
    ) -> None:
        self.env = env
        self.bind = bind
        self.webhook_url = webhook_url
        self.events_dir = events_dir
        self.bot_id = int(env.bot_token.split(":", 1)[0])
        self.telegram = TelegramEmulator(
            env.bot_token, host=bind, port=telegram_port, bot_id=self.bot_id, webhook_timeout=60.0
        )
        self.moto = ThreadedMotoServer(ip_address=bind, port=moto_port, verbose=False)
        self._moto_port = moto_port
        self.telegram_url = ""
        self.moto_url = ""
        self.created_secrets: list[str] = []
        self.uploads: list[SampleUpload] = []
        self.seeded_messages = 0

    def start(self) -> Companions:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto logs every request otherwise
        self.telegram.start()
        self.telegram_url = f"http://127.0.0.1:{urlsplit(self.telegram.base_url).port}"
        try:
            self.moto.start()
            _, port = self.moto.get_host_and_port()
            self.moto_url = f"http://127.0.0.1:{port}"
            self._create_aws_resources()
            self._add_people()
            self.seeded_messages = seed_sample_history(self.telegram, self.events_dir)
            if self.webhook_url:
                self._set_webhook(self.webhook_url)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.telegram.stop()
        if self.moto_url:
            self.moto.stop()
            self.moto_url = ""

    def __enter__(self) -> Companions:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def ports(self) -> dict[int, int]:
        """The file's ports → where the servers listen (the same unless started on other ports)."""
        p = self.env.parameters
        return {
            _port(p.get("TELEGRAM_API_BASE_URL", ""), DEFAULT_TELEGRAM_PORT): urlsplit(self.telegram_url).port
            or 0,
            _port(p.get("AWS_ENDPOINT_URL_S3", ""), DEFAULT_MOTO_PORT): urlsplit(self.moto_url).port or 0,
        }

    def aws(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.moto_url,
            region_name=REGION,
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def _create_aws_resources(self) -> None:
        s3 = self.aws("s3")
        uploads = sample_uploads(self.events_dir)
        buckets = dict.fromkeys([self.env.get("DOCUMENTS_BUCKET"), *(u.bucket for u in uploads)])
        for bucket in filter(None, buckets):
            # moto keeps one state per process: a second serve in it (the tests) finds the bucket
            with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
                s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        for upload in uploads:
            s3.put_object(Bucket=upload.bucket, Key=upload.key, Body=upload.source.read_bytes())
            if upload.version_id:
                _pin_version(upload.bucket, upload.key, upload.version_id)
        self.uploads = uploads
        secrets = secrets_named(self.env)
        sm = self.aws("secretsmanager")
        for name, value in secrets.items():
            try:
                sm.create_secret(Name=name, SecretString=value)
            except sm.exceptions.ResourceExistsException:
                sm.put_secret_value(SecretId=name, SecretString=value)
        self.created_secrets = sorted(secrets)

    def put_sample_uploads(self) -> None:
        """Put the sample events' import files again (the ImportFunction deletes an imported version)."""
        s3 = self.aws("s3")
        for upload in self.uploads:
            s3.put_object(Bucket=upload.bucket, Key=upload.key, Body=upload.source.read_bytes())
            if upload.version_id:
                _pin_version(upload.bucket, upload.key, upload.version_id)

    def _add_people(self) -> None:
        emu = self.telegram
        members: dict[str, list[int]] = {}
        for person in PEOPLE.values():
            emu.add_user(
                person.user_id,
                person.first_name,
                last_name=person.last_name,
                username=person.username,
                started=True,
            )
            if person.chat != "private":
                members.setdefault(person.chat, []).append(person.user_id)
        for variable, users in members.items():
            if self.env.get(variable):
                emu.add_group(self.env.chat_id(variable), GROUP_TITLES[variable], members=users)

    def _set_webhook(self, url: str) -> None:
        # As an operator would (`sinawai webhook set`): through the Bot API, with the secret token.
        response = httpx.post(
            f"{self.telegram_url}/bot{self.env.bot_token}/setWebhook",
            json={"url": url, "secret_token": self.env.webhook_secret, "max_connections": 4},
            timeout=10,
        )
        body = response.json()
        if not body.get("ok"):
            raise EnvFileError(f"setWebhook {url}: {body.get('description')}")

    # ---- what to tell the person --------------------------------------------------------------------

    def instructions(self) -> list[str]:
        env_path = _display(self.env.path)
        people = ", ".join(f"{p.key} {p.user_id}" for p in PEOPLE.values())
        p = self.env.parameters
        lines = [
            f"Telegram Bot API emulator : {self.telegram_url} (listening on {self.bind})",
            f"moto (S3, Secrets Manager): {self.moto_url} (listening on {self.bind})",
            f"  bucket {p.get('DOCUMENTS_BUCKET')} (versioned)"
            + "".join(f", secret {name}" for name in self.created_secrets),
        ]
        for upload in self.uploads:
            lines.append(f"  s3://{upload.bucket}/{upload.key} for events/{upload.event}.json")
        lines.append(
            f"  {self.seeded_messages} messages of the sample events in the chats (people: {people})"
        )
        lines.append(f"webhook                   : {self.webhook_url or '(not set)'} (sam local start-api)")
        lines += [
            "",
            f"The functions reach these through {env_path} ({DOCKER_HOST} is this machine):",
            f"  TELEGRAM_API_BASE_URL={p.get('TELEGRAM_API_BASE_URL')}",
            f"  AWS_ENDPOINT_URL_S3={p.get('AWS_ENDPOINT_URL_S3')}",
            "  WebhookFunction's AWS_ENDPOINT_URL_LAMBDA="
            f"{self.env.get('AWS_ENDPOINT_URL_LAMBDA', 'WebhookFunction')} (sam local start-lambda)",
            "",
            "Pass to sam (Linux also needs --add-host; Docker Desktop knows host.docker.internal):",
            f"  sam local invoke GeneralFunction -e events/general_start.json --env-vars {env_path} \\",
            "      --add-host host.docker.internal:host-gateway",
            f"  sam local start-lambda --host 0.0.0.0 --port {START_LAMBDA_PORT} --env-vars {env_path} \\",
            "      --add-host host.docker.internal:host-gateway",
            f"  sam local start-api --port {START_API_PORT} --env-vars {env_path} \\",
            "      --add-host host.docker.internal:host-gateway",
            "",
            "Speak as an employee or a staff member (the replies are printed):",
            '  PYTHONPATH=tools .venv/bin/python -m local_stack say --as budi "/start"',
            '  PYTHONPATH=tools .venv/bin/python -m local_stack say --as staf "/umumkan Apel pagi 07.30."',
            f"  curl -s {self.telegram_url}/_emulator/transcript",
            "Ctrl-C stops both servers (their state is in memory).",
        ]
        return lines


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
