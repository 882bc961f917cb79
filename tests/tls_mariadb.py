"""A second MariaDB server that speaks only TLS, started by the tests: their stand-in for RDS Proxy with
RequireTLS (or an RDS instance with require_secure_transport).

The machine's ``mariadbd`` (Debian's mariadb-server, which the CI machine has too) runs on a free
loopback port with its own data directory, a CA and a server certificate made here, and
``require_secure_transport=ON``; its grant tables are real (no ``--skip-grant-tables``). A master user
with every right stands in for RDS's master user. It starts in about a second and is stopped and deleted
at the end. When it cannot start, ``TlsMariaDBError`` says why: the tests fail, they never skip.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pymysql
import pymysql.cursors
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sinawai.platform.config import DatabaseSettings

HOST = "127.0.0.1"
MASTER_USER = "sinawai_master"
START_TIMEOUT_SECONDS = 30.0


class TlsMariaDBError(RuntimeError):
    """The TLS MariaDB could not be started (the message says why)."""


@dataclass(frozen=True)
class Authority:
    """A CA: its certificate's PEM file, and what signs."""

    pem: Path
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_authority(directory: Path, name: str) -> Authority:
    """A self-signed CA as RFC 5280 wants it (Python 3.13 checks the form strictly)."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(minutes=5))
        .not_valid_after(_now() + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = directory / f"{name}.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Authority(pem, certificate, key)


def issue_server_certificate(
    authority: Authority, directory: Path, name: str, *, dns: tuple[str, ...] = (), ips: tuple[str, ...] = ()
) -> tuple[Path, Path]:
    """A server certificate for ``dns`` names and ``ips``, signed by ``authority``: (certificate, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    alt_names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(minutes=5))
        .not_valid_after(_now() + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()), critical=False
        )
        .sign(authority.key, hashes.SHA256())
    )
    cert_path = directory / f"{name}.pem"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if found is None:
        raise TlsMariaDBError(f"{name} not found: the TLS tests need Debian's mariadb-server installed")
    return found


@dataclass
class TlsMariaDB:
    """A running TLS-only MariaDB: where it listens, its CA, its master user."""

    directory: Path
    port: int
    ca: Authority
    # a CA that signed nothing the server presents: trusting it alone must fail
    wrong_ca: Authority
    master_password: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def socket_path(self) -> Path:
        return self.directory / "mariadb.sock"

    @property
    def error_log(self) -> Path:
        return self.directory / "error.log"

    def settings(self, name: str = "", **changes: Any) -> DatabaseSettings:
        """The master's settings over TLS with this server's CA; ``changes`` override fields."""
        base = DatabaseSettings(
            host=HOST,
            port=self.port,
            name=name,
            user=MASTER_USER,
            password=self.master_password,
            tls=True,
            tls_ca=str(self.ca.pem),
        )
        return replace(base, **changes)

    def env(self, name: str) -> dict[str, str]:
        """The DB_* variables of the master over TLS, as the migration function gets them."""
        return {
            "DB_HOST": HOST,
            "DB_PORT": str(self.port),
            "DB_NAME": name,
            "DB_USER": MASTER_USER,
            "DB_PASSWORD": self.master_password,
            "DB_TLS": "true",
            "DB_TLS_CA": str(self.ca.pem),
        }

    def admin(self) -> pymysql.connections.Connection[pymysql.cursors.DictCursor]:
        """root over the server's Unix socket (a socket is secure transport: no TLS needed)."""
        return pymysql.connect(
            unix_socket=str(self.socket_path),
            user="root",
            autocommit=True,
            cursorclass=pymysql.cursors.DictCursor,
        )

    def sql(self, statement: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        conn = self.admin()
        try:
            with conn.cursor() as cur:
                cur.execute(statement, args)
                return list(cur.fetchall())
        finally:
            conn.close()

    def create_database(self, prefix: str = "sinawai_tls") -> str:
        name = f"{prefix}_{secrets.token_hex(5)}"
        self.sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        return name

    def drop_database(self, name: str) -> None:
        self.sql(f"DROP DATABASE IF EXISTS `{name}`")

    # ---- life cycle ----

    def start(self) -> None:
        mariadbd, install_db = _binary("mariadbd"), _binary("mariadb-install-db")
        data = self.directory / "data"
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        small = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"]
        install = subprocess.run(
            [
                install_db,
                "--no-defaults",
                f"--datadir={data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
                *as_root,
                *small,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if install.returncode != 0:
            output = (install.stderr or install.stdout)[-2000:]
            raise TlsMariaDBError(f"mariadb-install-db failed ({install.returncode}): {output}")
        server_cert, server_key = issue_server_certificate(self.ca, self.directory, "server", ips=(HOST,))
        self.process = subprocess.Popen(
            [
                mariadbd,
                "--no-defaults",
                f"--datadir={data}",
                f"--port={self.port}",
                f"--bind-address={HOST}",
                f"--socket={self.socket_path}",
                f"--pid-file={self.directory / 'mariadb.pid'}",
                f"--log-error={self.error_log}",
                f"--ssl-ca={self.ca.pem}",
                f"--ssl-cert={server_cert}",
                f"--ssl-key={server_key}",
                "--require-secure-transport=ON",
                "--skip-name-resolve",
                "--log-output=TABLE",  # the general log (off until a test turns it on) goes to a table
                *as_root,
                *small,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_until_up()
        self.sql("CREATE USER %s@'%%' IDENTIFIED BY %s", (MASTER_USER, self.master_password))
        self.sql("GRANT ALL PRIVILEGES ON *.* TO %s@'%%' WITH GRANT OPTION", (MASTER_USER,))

    def _wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise TlsMariaDBError(f"mariadbd exited with {self.process.returncode}: {self._log_tail()}")
            try:
                self.admin().close()
                return
            except pymysql.err.OperationalError as e:
                last = e
                time.sleep(0.1)
        raise TlsMariaDBError(
            f"mariadbd did not answer within {START_TIMEOUT_SECONDS:.0f} s ({last}): {self._log_tail()}"
        )

    def _log_tail(self) -> str:
        try:
            return self.error_log.read_text(errors="replace")[-2000:]
        except FileNotFoundError:
            return "(no error log)"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@contextmanager
def tls_mariadb() -> Iterator[TlsMariaDB]:
    """Start a TLS-only MariaDB for the duration of the block; stop it and delete its files afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="sinawai-tls-mariadb-"))
    try:
        server = TlsMariaDB(
            directory=directory,
            port=_free_port(),
            ca=make_authority(directory, "sinawai-test-ca"),
            wrong_ca=make_authority(directory, "some-other-ca"),
            master_password="Master-" + secrets.token_urlsafe(12),
        )
        try:
            server.start()
            yield server
        finally:
            server.stop()
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(directory)
