from __future__ import annotations

from collections.abc import Iterator

import pytest

from sinawai.platform import config
from sinawai.platform.config import DatabaseSettings
from tests.helpers import fresh_database, truncate_all


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
