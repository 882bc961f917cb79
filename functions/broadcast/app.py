"""BroadcastFunction: sends an announcement to every registered employee, chunk by chunk from the queue
(sinawai/information/broadcast.py says how)."""

from typing import Any

from aws_lambda_powertools import Logger

from sinawai.information import broadcast
from sinawai.router.commands import INFORMATION
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(INFORMATION, lambda app: None, logger=Logger(service="sinawai-broadcast"))


@function.logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return broadcast.handle_batch(function, event)
