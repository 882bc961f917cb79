from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_stack.stack import LocalStack, StackConfig
from tests.helpers import fresh_database

EMPLOYEE = 5550001
OTHER_EMPLOYEE = 5550002
STAFF_MEMBER = 5550101


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The whole local stack over HTTP: API Gateway, Lambda processes, moto, MariaDB, Telegram emulator."""
    log_dir: Path = tmp_path_factory.mktemp("function-logs")
    with (
        fresh_database("sinawai_e2e") as database,
        LocalStack(StackConfig(database=database, log_dir=log_dir)) as local,
    ):
        emu = local.telegram
        emu.add_user(EMPLOYEE, "Budi", last_name="Santoso", username="budi_s")
        emu.add_user(OTHER_EMPLOYEE, "Siti")
        emu.add_user(STAFF_MEMBER, "Rina")
        emu.add_group(local.config.staff_group_chat_id, "Layanan Kepegawaian OSDM", members=[STAFF_MEMBER])
        yield local
