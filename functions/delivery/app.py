"""DeliveryFunction: posts the staff-group outbox from the SQS FIFO queue, paced and in order per ticket."""

from aws_lambda_powertools import Logger

from sinawai.consultation import staff_delivery
from sinawai.router.commands import CONSULTATION
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(CONSULTATION, lambda app: None, logger=Logger(service="sinawai-delivery"))
lambda_handler = staff_delivery.entry_point(function)  # an SQS batch of outbox items
