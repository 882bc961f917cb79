"""BroadcastFunction: sends an announcement to every registered employee, chunk by chunk from the queue
(sinawai/information/broadcast.py says how)."""

from aws_lambda_powertools import Logger

from sinawai.information import broadcast
from sinawai.router.commands import INFORMATION
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(INFORMATION, lambda app: None, logger=Logger(service="sinawai-broadcast"))
lambda_handler = broadcast.entry_point(function)  # an SQS batch of recipients
