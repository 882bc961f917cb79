"""GeneralFunction: /start, /menu, /bantuan, /tentang, /batal, unknown commands and the menu buttons."""

from sinawai.general.handlers import register
from sinawai.router.commands import GENERAL
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(GENERAL, register)
lambda_handler = function.lambda_handler
