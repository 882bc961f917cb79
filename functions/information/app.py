"""InformationFunction: the menus of the four service areas, /terkini, and /umumkan from the staff group."""

from sinawai.information.handlers import register
from sinawai.router.commands import INFORMATION
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(INFORMATION, register)
lambda_handler = function.lambda_handler
