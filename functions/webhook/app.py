"""WebhookFunction: POST /webhook from Telegram → durable record → async invoke of the group's function.

Every 5 minutes its schedule sweeps the inbox: updates whose worker is gone are dispatched again."""

from sinawai.router.webhook import WebhookFunction

function = WebhookFunction.from_env()
lambda_handler = function.lambda_handler
