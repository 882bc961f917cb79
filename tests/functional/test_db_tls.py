"""TLS to MySQL (DB_TLS, DB_TLS_CA) and connections that send no SET (DB_SESSION_INIT=false), against a
MariaDB that speaks only TLS (tests/tls_mariadb.py) and the machine's plain one.

- the certificate must chain to DB_TLS_CA (a PEM file, a downloaded bundle, or the system trust store) and
  be for the host name; a plain connection, a foreign CA, a wrong name or a server without TLS is refused
  with a message that says which;
- an https:// DB_TLS_CA is downloaded once per container over verified HTTPS, kept in /tmp and memory;
- with DB_SESSION_INIT=false the server sees no SET at all (its general log), and text still arrives as
  utf8mb4; with the default it sees the SETs.
"""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from sinawai.platform import db as db_module
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import AccessDeniedError, Database, TlsError, connect
from sinawai.platform.errors import ConfigurationError, DatabaseUnavailableError
from tests.helpers import base_db_settings
from tests.tls_mariadb import TlsMariaDB, issue_server_certificate


def tls_version(settings: DatabaseSettings) -> str:
    database = Database(settings)
    try:
        row = database.fetch_one("SHOW SESSION STATUS LIKE 'Ssl_version'")
    finally:
        database.close()
    assert row is not None
    return str(row["Value"])


def test_a_tls_connection_checks_the_certificate_against_the_ca_file(tls_db: TlsMariaDB) -> None:
    assert tls_version(tls_db.settings()).startswith("TLSv1.")


def test_a_plain_connection_to_the_tls_server_is_refused_and_the_message_points_at_tls(
    tls_db: TlsMariaDB,
) -> None:
    with pytest.raises(AccessDeniedError, match="requires TLS"):
        connect(tls_db.settings(tls=False))


def test_a_certificate_from_another_ca_is_refused(tls_db: TlsMariaDB) -> None:
    with pytest.raises(TlsError, match="not trusted") as refused:
        connect(tls_db.settings(tls_ca=str(tls_db.wrong_ca.pem)))
    assert "DB_TLS_CA" in str(refused.value)


def test_the_host_name_is_checked(tls_db: TlsMariaDB) -> None:
    # the server's certificate is for 127.0.0.1 only: "localhost" reaches the same server but is refused
    with pytest.raises(TlsError, match="not for this host name"):
        connect(tls_db.settings(host="localhost"))


def test_an_empty_ca_means_the_system_trust_store(
    tls_db: TlsMariaDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tls_db.settings(tls_ca="")
    with pytest.raises(TlsError, match="system trust store"):
        connect(settings)  # the test CA is in no system store
    # OpenSSL's default verify paths honour SSL_CERT_FILE: with the test CA as "the system store" it works
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_db.ca.pem))
    assert tls_version(settings).startswith("TLSv1.")


def test_tls_is_never_dropped_for_a_server_that_offers_none() -> None:
    plain = replace(base_db_settings(), tls=True)  # the machine's MariaDB has TLS disabled
    with pytest.raises(TlsError, match="offers no TLS"):
        connect(plain, database=False)


def test_a_missing_ca_file_is_a_configuration_error_naming_the_variable(
    tls_db: TlsMariaDB, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError, match=r"DB_TLS_CA: no such PEM file"):
        connect(tls_db.settings(tls_ca=str(tmp_path / "missing.pem")))
    with pytest.raises(ConfigurationError, match=r"DB_TLS_CA: "):
        connect(tls_db.settings(tls_ca=str(tmp_path)))  # a directory
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    with pytest.raises(ConfigurationError, match=r"DB_TLS_CA: .* holds no PEM certificate"):
        connect(tls_db.settings(tls_ca=str(not_pem)))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "DB_TLS_CA",
            "http://truststore.example/bundle.pem",
            "DB_TLS_CA must be a PEM file's path or an https",
        ),
        ("DB_TLS", "ture", "DB_TLS must be true or false"),
        ("DB_SESSION_INIT", "nope", "DB_SESSION_INIT must be true or false"),
    ],
)
def test_bad_tls_and_session_settings_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        DatabaseSettings.from_env()


def test_tls_and_session_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("DB_TLS", "DB_TLS_CA", "DB_SESSION_INIT", "DB_SECRET_ARN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DB_HOST", "db.internal")
    defaults = DatabaseSettings.from_env()
    assert (defaults.tls, defaults.tls_ca, defaults.session_init) == (False, "", True)
    url = "https://truststore.pki.rds.amazonaws.com/ap-southeast-3/ap-southeast-3-bundle.pem"
    monkeypatch.setenv("DB_TLS", "true")
    monkeypatch.setenv("DB_TLS_CA", url)
    monkeypatch.setenv("DB_SESSION_INIT", "false")
    proxy = DatabaseSettings.from_env()
    assert (proxy.tls, proxy.tls_ca, proxy.session_init) == (True, url, False)


# ---- DB_TLS_CA as an https:// URL --------------------------------------------------------------------------


@dataclass
class BundleServer:
    """An HTTPS server (certificate from the test CA) serving PEM bundles by path; counts the GETs."""

    url: str
    gets: list[str]


@pytest.fixture
def bundle_server(tls_db: TlsMariaDB, tmp_path: Path) -> Iterator[BundleServer]:
    files = {
        "/ca.pem": tls_db.ca.pem.read_bytes(),
        "/other-ca.pem": tls_db.wrong_ca.pem.read_bytes(),
    }
    gets: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            gets.append(self.path)
            body = files.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *_: object) -> None:
            pass

    cert, key = issue_server_certificate(tls_db.ca, tmp_path, "bundle-server", ips=("127.0.0.1",))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield BundleServer(f"https://127.0.0.1:{httpd.server_address[1]}", gets)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def container_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The container's /tmp for downloaded bundles, and a new container's empty memory."""
    directory = tmp_path / "lambda-tmp"
    directory.mkdir()
    monkeypatch.setattr(db_module, "ca_cache_dir", directory)
    db_module.clear_ca_cache()
    yield directory
    db_module.clear_ca_cache()


def test_a_ca_bundle_url_is_downloaded_once_per_container_over_verified_https(
    tls_db: TlsMariaDB, bundle_server: BundleServer, container_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the bundle server's certificate is from the test CA: as if it were in the system trust store
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_db.ca.pem))
    settings = tls_db.settings(tls_ca=f"{bundle_server.url}/ca.pem")
    assert tls_version(settings).startswith("TLSv1.")
    assert tls_version(settings).startswith("TLSv1.")
    assert bundle_server.gets == ["/ca.pem"]  # once, then from memory
    kept = list(container_tmp.glob("sinawai-db-ca-*.pem"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == tls_db.ca.pem.read_bytes()
    db_module.clear_ca_cache()  # memory gone, /tmp kept: no download
    assert tls_version(settings).startswith("TLSv1.")
    assert bundle_server.gets == ["/ca.pem"]
    kept[0].unlink()  # /tmp gone too: downloaded again
    db_module.clear_ca_cache()
    assert tls_version(settings).startswith("TLSv1.")
    assert bundle_server.gets == ["/ca.pem", "/ca.pem"]


def test_the_downloaded_bundle_is_what_the_server_is_checked_against(
    tls_db: TlsMariaDB, bundle_server: BundleServer, container_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_db.ca.pem))
    with pytest.raises(TlsError, match="not trusted"):
        connect(tls_db.settings(tls_ca=f"{bundle_server.url}/other-ca.pem"))


def test_a_failed_or_unverified_download_is_a_configuration_error_naming_the_variable(
    tls_db: TlsMariaDB, bundle_server: BundleServer, container_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the system trust store does not know the bundle server's CA: the download itself is refused
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(ConfigurationError, match=r"DB_TLS_CA: cannot download .*CERTIFICATE_VERIFY_FAILED"):
        connect(tls_db.settings(tls_ca=f"{bundle_server.url}/ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_db.ca.pem))
    with pytest.raises(ConfigurationError, match=r"DB_TLS_CA: downloading .*/missing.pem answered HTTP 404"):
        connect(tls_db.settings(tls_ca=f"{bundle_server.url}/missing.pem"))
    with pytest.raises(ConfigurationError, match="DB_TLS_CA: cannot download"):
        connect(tls_db.settings(tls_ca="https://127.0.0.1:1/ca.pem"))
    assert list(container_tmp.iterdir()) == []  # nothing half-kept


# ---- DB_SESSION_INIT ---------------------------------------------------------------------------------------


@pytest.fixture
def general_log(tls_db: TlsMariaDB) -> Iterator[TlsMariaDB]:
    """The TLS server's general log (every statement a client sends) on, into mysql.general_log."""
    tls_db.sql("TRUNCATE TABLE mysql.general_log")
    tls_db.sql("SET GLOBAL general_log = ON")
    yield tls_db
    tls_db.sql("SET GLOBAL general_log = OFF")
    tls_db.sql("TRUNCATE TABLE mysql.general_log")


def statements_of(server: TlsMariaDB, connection_id: int) -> list[str]:
    rows = server.sql(
        "SELECT argument FROM mysql.general_log WHERE thread_id = %s AND command_type = 'Query'"
        " ORDER BY event_time",
        (connection_id,),
    )
    return [r["argument"].decode() if isinstance(r["argument"], bytes) else str(r["argument"]) for r in rows]


@pytest.fixture
def schema(tls_db: TlsMariaDB) -> Iterator[str]:
    name = tls_db.create_database("sinawai_session")
    tls_db.sql(f"CREATE TABLE `{name}`.note (id INT PRIMARY KEY, text VARCHAR(100)) CHARACTER SET utf8mb4")
    yield name
    tls_db.drop_database(name)


def test_without_session_init_the_server_sees_no_set_and_text_still_arrives_as_utf8mb4(
    general_log: TlsMariaDB, schema: str
) -> None:
    database = Database(general_log.settings(schema, session_init=False))
    try:
        conn = database._connection()
        assert conn.init_command is None
        row = database.fetch_one(
            "SELECT CONNECTION_ID() AS id, @@character_set_client AS client,"
            " @@character_set_connection AS connection, @@character_set_results AS results"
        )
        assert row is not None
        assert (row["client"], row["connection"], row["results"]) == ("utf8mb4", "utf8mb4", "utf8mb4")
        database.execute("INSERT INTO note (id, text) VALUES (%s, %s)", (1, "Cuti tahunan 🌴 — sisa 12 hari"))
        stored = database.fetch_one("SELECT text, CHAR_LENGTH(text) AS n FROM note WHERE id = 1")
    finally:
        database.close()
    assert stored == {"text": "Cuti tahunan 🌴 — sisa 12 hari", "n": 29}
    sent = statements_of(general_log, int(row["id"]))
    assert any(s.startswith("SELECT CONNECTION_ID()") for s in sent), sent  # the log does see this client
    assert [s for s in sent if s.lstrip().upper().startswith("SET")] == []


def test_with_session_init_the_sets_are_sent_and_take_effect(general_log: TlsMariaDB, schema: str) -> None:
    database = Database(general_log.settings(schema))
    try:
        row = database.fetch_one(
            "SELECT CONNECTION_ID() AS id, @@session.time_zone AS tz, @@session.tx_isolation AS iso"
        )
    finally:
        database.close()
    assert row is not None
    assert (row["tz"], row["iso"]) == ("+00:00", "READ-COMMITTED")
    sent = [s.upper() for s in statements_of(general_log, int(row["id"]))]
    assert any(s.startswith("SET TIME_ZONE") for s in sent), sent
    assert "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED" in sent


def test_an_unreachable_database_is_unavailable_not_a_crash() -> None:
    with pytest.raises(DatabaseUnavailableError, match=r"cannot connect to MySQL at 127\.0\.0\.1:1"):
        connect(replace(base_db_settings(), port=1), database=False)
