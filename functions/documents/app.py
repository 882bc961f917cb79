"""DocumentsFunction: /dokumen (categories → documents → the file), and /unggah from the staff group."""

from sinawai.documents.handlers import register
from sinawai.router.commands import DOCUMENTS
from sinawai.telegram.runtime import GroupFunction

function = GroupFunction(DOCUMENTS, register)
lambda_handler = function.lambda_handler
