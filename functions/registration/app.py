"""RegistrationFunction: /daftar, /gantisandi, /keluar, personal data (/datapribadi, /tunkin, /cuti)."""

from sinawai.registration.handlers import register
from sinawai.router.commands import REGISTRATION
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(REGISTRATION, register)
lambda_handler = function.lambda_handler
