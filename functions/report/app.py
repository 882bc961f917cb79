"""ReportFunction: the daily evaluation digest to the managers' chat (EventBridge Scheduler), and /laporan.

A scheduler event runs the daily digest (``sinawai.report.service``); an update goes to the handlers.
"""

from sinawai.report.handlers import register
from sinawai.report.service import lambda_handler_of
from sinawai.router.commands import REPORT
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(REPORT, register)
lambda_handler = lambda_handler_of(function)
