from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from sinawai.platform import config
from sinawai.platform.config import DatabaseSettings
from tests.helpers import fresh_database, truncate_all
from tests.tls_mariadb import TlsMariaDB, tls_mariadb


@pytest.fixture(scope="session")
def database() -> Iterator[DatabaseSettings]:
    """One fresh, migrated MariaDB database for this test run; dropped at the end."""
    with fresh_database() as settings:
        yield settings


@pytest.fixture
def db(database: DatabaseSettings) -> DatabaseSettings:
    """The run's database, emptied before each test so tests do not see each other's rows."""
    truncate_all(database)
    return database


@pytest.fixture(autouse=True)
def _clear_secret_caches() -> Iterator[None]:
    config.clear_caches()
    yield
    config.clear_caches()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's server in this process, for the functions' own signed AWS calls (Secrets Manager).

    moto keeps one state per process: boto3 under ``mock_aws()`` and this server see the same secrets."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tls_db() -> Iterator[TlsMariaDB]:
    """A second MariaDB that speaks only TLS (tests/tls_mariadb.py), started once per run.

    When it cannot start, the tests that use it fail with the reason: they never skip."""
    with tls_mariadb() as server:
        yield server
