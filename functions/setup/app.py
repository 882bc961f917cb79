"""SetupFunction: the deploy's Telegram set-up and content publication (CloudFormation custom resources).

``Custom::TelegramSetup`` sets the webhook, the command menus and the description; ``Custom::ContentPublish``
publishes ``content/`` (packaged here through the ``content`` symlink) when it changed. The logic is in
``sinawai.deploy.setup``.
"""

from pathlib import Path

from sinawai.deploy.setup import SetupFunction

function = SetupFunction(Path(__file__).resolve().parent / "content")
lambda_handler = function.handle
