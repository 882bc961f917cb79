"""ConsultationFunction: free-text questions become tickets in the staff group; staff replies go back.

The handlers are in ``sinawai.consultation.handlers``. The EventBridge schedule's event runs the sweep
(``sinawai.consultation.sweep``): idle answered tickets close, lost staff-group posts are handed over again.
"""

from sinawai.consultation import sweep
from sinawai.consultation.handlers import register
from sinawai.router.commands import CONSULTATION
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(CONSULTATION, register)
lambda_handler = sweep.entry_point(function)  # a Telegram update, or the schedule's event
