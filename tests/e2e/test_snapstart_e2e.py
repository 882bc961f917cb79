"""SnapStart through the local stack (issue 16, item 2): the group functions' workers run the hooks as
Lambda does (init, before-snapshot, restore), keep no TCP connection at the snapshot, are invoked through
their alias by the router, and a restored function answers."""

from __future__ import annotations

import pytest

from local_stack.stack import LocalStack
from tests.e2e.conftest import OTHER_EMPLOYEE
from tests.helpers import text_of

pytestmark = pytest.mark.e2e


def test_a_restored_general_function_answers_and_held_no_connection_at_the_snapshot(
    stack: LocalStack,
) -> None:
    runtime = stack.runtime
    assert runtime is not None
    assert runtime.functions["GeneralFunction"].snap_start  # template default in ap-southeast-3
    assert not runtime.functions["WebhookFunction"].snap_start
    runtime.wait_idle()
    runtime.restart()  # new containers: restored from the "snapshot"
    since_invocations, since_snapshots = len(runtime.invocations), len(runtime.snapshots)
    messages = stack.telegram.bot_messages(OTHER_EMPLOYEE)
    before = messages[-1].message_id if messages else 0
    stack.telegram.send_message(OTHER_EMPLOYEE, "/start")
    stack.wait_idle()
    reply = stack.telegram.wait_for_bot_message(OTHER_EMPLOYEE, after=before)
    assert text_of(reply).startswith("Selamat datang di Sinawai")

    new = [s for s in runtime.snapshots[since_snapshots:] if s.function == "GeneralFunction"]
    assert len(new) == 1
    hooks = new[0].hooks
    assert hooks["before_hooks"] >= 1
    assert hooks["after_hooks"] >= 1
    assert hooks["tcp_connections_at_snapshot"] == 0
    # the router is not a SnapStart function: no hooks ran in its new container
    assert all(s.function != "WebhookFunction" for s in runtime.snapshots[since_snapshots:])
    calls = {(r.function, r.qualifier) for r in runtime.invocations[since_invocations:]}
    assert ("GeneralFunction", "live") in calls
    assert ("GeneralFunction", "$LATEST") not in calls
