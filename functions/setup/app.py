"""SetupFunction: the deploy's Telegram set-up and content publication (CloudFormation custom resources).

``Custom::TelegramSetup`` sets the webhook, the command menus and the description; ``Custom::ContentPublish``
publishes ``content/`` (packaged here through the ``content`` symlink) when it changed. The logic is in
``sinawai.deploy.setup``.
"""

import logging
import os
from pathlib import Path

from sinawai.deploy.setup import SetupFunction

# Lambda's root logger lets only warnings through: the deploy's steps are worth an INFO line each
logging.getLogger("sinawai").setLevel(os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO").upper())

function = SetupFunction(Path(__file__).resolve().parent / "content")
lambda_handler = function.handle
